"""The review app under its production server (waitress, review/server.py) with many reviewers at once,
over real HTTP, on SQLite and on PostgreSQL: record locks hold (two reviewers never edit the same record)
and two sessions saving the same record never lose an update. And `sohoa review serve` itself: waitress by
default with its request size limit, werkzeug only behind --dev."""
from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from review.server import running
from review.users import add_user
from store.db import Store
from tests.support.review_kit import PASSWORD, csrf_token, make_env, version_of

REVIEWERS = [f"kiemtra{i}" for i in range(8)]


class Browser:
    """One reviewer's browser: its own cookies, redirects followed, every status returned (no exception)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as resp:
                return resp.status, resp.geturl(), resp.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), exc.read().decode("utf-8", "replace")

    def login(self, name: str) -> None:
        status, _, page = self.request("/login")
        status, url, _ = self.request("/login", {"name": name, "password": PASSWORD, "csrf_token": csrf_token(page)})
        assert status == 200 and "/login" not in url, (name, status, url)

    def post_form(self, path: str, page_path: str, extra: dict[str, str] | None = None) -> tuple[int, str, str]:
        _, _, page = self.request(page_path)
        return self.request(path, {"csrf_token": csrf_token(page), **(extra or {})})


def _together(fn, items) -> list:
    """Run fn(item) for every item in its own thread, released at the same moment."""
    barrier = threading.Barrier(len(items))
    results: list = [None] * len(items)
    errors: list[BaseException] = []

    def run(i: int, item) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = fn(item)
        except BaseException as exc:  # noqa: BLE001 — re-raised below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def _record_id(url: str) -> int | None:
    found = re.search(r"/record/(\d+)", url)
    return int(found.group(1)) if found else None


def test_many_reviewers_at_once_locks_hold_and_no_update_is_lost(workspace_store_url, tmp_path):
    env = make_env(tmp_path, n=12, seed=11, store_url=workspace_store_url)
    for name in REVIEWERS:
        add_user(env.store, name, "reviewer", PASSWORD, actor="test")
    with running(env.app, threads=8) as base:
        browsers = {name: Browser(base) for name in REVIEWERS}
        _together(lambda name: browsers[name].login(name), REVIEWERS)

        # eight reviewers press "next" at the same moment: eight different records, each locked to its taker
        landed = _together(lambda name: browsers[name].post_form("/next", "/"), REVIEWERS)
        ids = [_record_id(url) for _, url, _ in landed]
        assert None not in ids and len(set(ids)) == len(REVIEWERS), ids
        store = Store(env.store.url)
        assert [store.lock_state(i).holder for i in ids] == REVIEWERS

        # all eight press "take this record" on one free record: exactly one holds it
        free = next(r.record_id for r in env.records if r.record_id not in ids)
        _together(lambda name: browsers[name].post_form(f"/record/{free}/claim", f"/record/{free}"), REVIEWERS)
        holder = store.lock_state(free).holder
        assert holder in REVIEWERS
        loser = next(n for n in REVIEWERS if n != holder)
        rec = next(r for r in env.records if r.record_id == free)
        status, _, _ = _save(browsers[loser], rec, {})  # someone else's record: refused, nothing written
        assert status == 409
        assert store.load_record(free).row.status == "extracted" and store.field_history(free) == []

        # the holder has the record open in two windows (two sessions) and saves different values in both
        # at once: one save wins, the other is refused — never a mix, never a silent overwrite
        second = Browser(base)
        second.login(holder)
        key = rec.flagged[0]
        forms = [_form(b, rec, {key: value}) for b, value in ((browsers[holder], "Giá Trị Một"),
                                                             (second, "Giá Trị Hai"))]
        results = _together(lambda pair: pair[0].request(f"/record/{free}/save", pair[1]),
                            list(zip((browsers[holder], second), forms, strict=True)))
        statuses = sorted(status for status, _, _ in results)
        assert statuses[0] == 200 and statuses[1] == 409, statuses
        winner = [form for (status, _, _), form in zip(results, forms, strict=True) if status == 200][0]
        stored = store.load_record(free)
        assert stored.row.status == "reviewed"
        assert stored.record.fields[key].value == winner[f"v:{key}"]
        history = [h for h in store.field_history(free) if h.key == key]
        assert [h.new_value for h in history] == [winner[f"v:{key}"]]
        assert [d.action for d in store.decisions_of(free)] == ["submitted"]
        store.close()


def _form(browser: Browser, rec, values: dict[str, str]) -> dict[str, str]:
    """The record page's save form as the browser holds it (flagged fields, the page's version)."""
    _, _, page = browser.request(f"/record/{rec.record_id}")
    data = {"csrf_token": csrf_token(page), "version": version_of(page)}
    for key in rec.flagged:
        value = values.get(key, rec.shown[key])
        data[f"v:{key}"] = value
        data[f"s:{key}"] = "changed" if value != rec.shown[key] else "accepted"
        data[f"c:{key}"] = "1"  # confirm: the test values need not pass the field's validator
    return data


def _save(browser: Browser, rec, values: dict[str, str]) -> tuple[int, str, str]:
    return browser.request(f"/record/{rec.record_id}/save", _form(browser, rec, values))


# ------------------------------------------------------------------------------------ sohoa review serve

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(workspace, *flags: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    proc = subprocess.Popen([sys.executable, "-c", "from sohoa.cli import main; main()", "review", "serve",
                             str(workspace), "--port", str(port), *flags], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60  # a guard against hanging, not a timing assertion
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"server did not start: {proc.stderr.read().decode(errors='replace')[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=20)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def test_serve_runs_waitress_with_a_request_limit_and_dev_only_behind_a_flag(workspace_store_url, tmp_path):
    env = make_env(tmp_path, n=1, store_url=workspace_store_url)
    proc, base = _serve(env.workspace)
    try:
        with urllib.request.urlopen(base + "/login", timeout=30) as resp:
            assert resp.status == 200 and resp.headers["Server"] == "waitress"
        # a 3 MB body announced: refused from its headers (sending it all would race the server's early
        # answer and close: a reset connection under load, not a status to read)
        host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.putrequest("POST", "/login")
            conn.putheader("Content-Type", "application/x-www-form-urlencoded")
            conn.putheader("Content-Length", str(3 * 1024 * 1024))
            conn.endheaders(b"x" * 1024)
            assert conn.getresponse().status == 413
        finally:
            conn.close()
    finally:
        _stop(proc)
    proc, base = _serve(env.workspace, "--dev")
    try:
        with urllib.request.urlopen(base + "/login", timeout=30) as resp:
            assert resp.headers["Server"].startswith("Werkzeug")
    finally:
        _stop(proc)
