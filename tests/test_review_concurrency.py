"""Real concurrent clients against a live review server (the app served on a local port, threaded): many
reviewers on one queue, two reviewers on one record, a reviewer saving while an export runs, reviewers saving
while the hot-folder watcher commits new files, and a store held busy by another writer.

Each client is its own HTTP session (requests) in its own thread; threads start together at a barrier.
No assertion is about time: every wait is bounded (a hung server or a deadlock fails the test instead of
hanging it), and the checks are about outcomes — who got which record, what the store kept, what each person
was told.
"""
from __future__ import annotations

import contextlib
import html
import logging
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bench.liveserver import serve_in_thread
from review.app import create_app
from review.users import add_user
from store.db import Store
from store.schema import records
from synth.review_work import SeededRecord, seed_workspace
from tests.support.review_kit import PASSWORD, edited, page_form

HTTP_TIMEOUT = 120       # seconds one request may take before the test fails (never a timing assertion)
JOIN_TIMEOUT = 300
TAKEN = "đang được"      # "Bản ghi đang được <name> kiểm tra" (taken by <name>)
CHANGED = "đã được người khác thay đổi"
BUSY = "kho dữ liệu đang bận"


# ------------------------------------------------------------------------------------------ set-up

@pytest.fixture(autouse=True)
def _quiet_server():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _workspace(root: Path, n: int, seed: int = 9, store_url: str | None = None) -> tuple[Path, list[SeededRecord]]:
    from tests.hotfolders_helpers import make_workspace

    ws, _ = make_workspace(root, store_url)  # the fake processor, in-process work: the watcher test drops files into it
    return ws.root, seed_workspace(ws.root, n=n, seed=seed)


def _app(root: Path, reviewers: list[str]):
    app = create_app(root)
    for name in reviewers:
        add_user(app.config["STORE"], name, "reviewer", PASSWORD, actor="test")
    return app


class Reviewer:
    """One person in a browser: an HTTP session with its cookie and the last page's CSRF token."""

    def __init__(self, base: str, name: str):
        self.base, self.name = base, name
        self.http = requests.Session()
        page = self.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        resp = self.post("/login", {"name": name, "password": PASSWORD, "csrf_token": token})
        assert resp.status_code == 302, resp.text

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=HTTP_TIMEOUT, allow_redirects=False)

    def post(self, path: str, data: dict) -> requests.Response:
        return self.http.post(self.base + path, data=data, timeout=HTTP_TIMEOUT, allow_redirects=False)

    def token(self, path: str = "/") -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text).group(1)

    def form(self, record_id: int) -> dict[str, str]:
        resp = self.get(f"/record/{record_id}")
        assert resp.status_code == 200, resp.status_code
        return page_form(resp.text)

    def take(self, record_id: int) -> requests.Response:
        return self.post(f"/record/{record_id}/claim", {"csrf_token": self.token(f"/record/{record_id}")})


def _record_id(resp: requests.Response) -> int | None:
    """The record a redirect leads to (None: back to the queue, which is empty)."""
    m = re.search(r"/record/(\d+)", resp.headers.get("Location", ""))
    return int(m.group(1)) if m else None


def _together(workers: list[Callable[[], None]]) -> None:
    """Run each callable in its own thread, released together; re-raise the first failure. Bounded."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(fn):
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(fn,), daemon=True) for fn in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a client never got its answer (deadlock or hung server)"
    if errors:
        raise errors[0]


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page)[1]


def _typed_values_kept(page: str, values: dict[str, str]) -> bool:
    form = page_form(page)
    return all(form.get(f"v:{k}") == v for k, v in values.items())


def _fixes(rec: SeededRecord) -> dict[str, str]:
    """What a careful reviewer types: the truth of every flagged field."""
    return {k: rec.truth[k] for k in rec.flagged}


# ------------------------------------------------------------------------------------------ one queue

def test_many_reviewers_on_one_queue_each_record_reviewed_exactly_once(workspace_store_url, tmp_path):
    """Four reviewers press 'start' together and keep saving (each save opens the next free record). Each
    record goes to exactly one of them, every save is accepted, and the store keeps every correction."""
    root, seeded = _workspace(tmp_path / "ws", store_url=workspace_store_url, n=12)
    names = ["an", "binh", "cuong", "dao"]
    app = _app(root, names)
    by_id = {r.record_id: r for r in seeded}
    saved: dict[str, list[int]] = {n: [] for n in names}
    with serve_in_thread(app) as base:
        people = [Reviewer(base, n) for n in names]

        def work(person: Reviewer) -> None:
            resp = person.post("/next", {"csrf_token": person.token()})
            while (rid := _record_id(resp)) is not None:
                form = edited(person.form(rid), _fixes(by_id[rid]))
                resp = person.post(f"/record/{rid}/save", form)
                assert resp.status_code == 302, (person.name, rid, resp.status_code, html.unescape(resp.text)[:500])
                saved[person.name].append(rid)

        _together([lambda p=p: work(p) for p in people])
    everyone = [rid for ids in saved.values() for rid in ids]
    assert sorted(everyone) == sorted(by_id), "a record was reviewed twice or never"
    with Store(app.config["STORE"].url) as store:
        for name, ids in saved.items():
            for rid in ids:
                stored = store.load_record(rid)
                assert stored.row.status == "reviewed" and stored.row.lock_owner is None
                assert all(stored.record.fields[k].value == v for k, v in _fixes(by_id[rid]).items())
                assert [(d.action, d.user) for d in store.decisions_of(rid)] == [("submitted", name)]
    app.config["STORE"].close()


# ------------------------------------------------------------------------------------------ one record

def test_two_reviewers_on_one_record_one_wins_the_other_keeps_the_edit(workspace_store_url, tmp_path):
    """Two reviewers open the same free record and save different corrections at the same moment, record
    after record: exactly one save is accepted; the other is told in Vietnamese and gets the form back with
    what they typed; the store holds the winner's values only (no lost update, no mix of both)."""
    root, seeded = _workspace(tmp_path / "ws", store_url=workspace_store_url, n=6)
    app = _app(root, ["an", "binh"])
    with serve_in_thread(app) as base:
        an, binh = Reviewer(base, "an"), Reviewer(base, "binh")
        for rec in [r for r in seeded if r.doc_type == "ks"]:
            mine = {**_fixes(rec), "meHoTen": "Phạm Thị Xuân Hương"}
            theirs = {**_fixes(rec), "meHoTen": "Phạm Thị Lan"}
            forms = {"an": edited(an.form(rec.record_id), mine), "binh": edited(binh.form(rec.record_id), theirs)}
            answers: dict[str, requests.Response] = {}

            def save(person: Reviewer, rid: int = rec.record_id, forms: dict = forms, answers: dict = answers):
                answers[person.name] = person.post(f"/record/{rid}/save", forms[person.name])

            _together([lambda: save(an), lambda: save(binh)])
            codes = sorted(r.status_code for r in answers.values())
            assert codes == [302, 409], codes
            winner = next(n for n, r in answers.items() if r.status_code == 302)
            loser = answers["binh" if winner == "an" else "an"]
            text = html.unescape(loser.text)
            assert CHANGED in text or TAKEN in text or "đã được kiểm tra" in text, text[:800]
            assert _typed_values_kept(loser.text, theirs if winner == "an" else mine)
            with Store(app.config["STORE"].url) as store:
                kept = store.load_record(rec.record_id)
                assert kept.record.fields["meHoTen"].value == (mine if winner == "an" else theirs)["meHoTen"]
                assert [(d.action, d.user) for d in store.decisions_of(rec.record_id)] == [("submitted", winner)]
                assert {h.who for h in store.field_history(rec.record_id)} == {winner}
    app.config["STORE"].close()


def test_two_reviewers_taking_one_record_only_one_holds_it(workspace_store_url, tmp_path):
    root, seeded = _workspace(tmp_path / "ws", store_url=workspace_store_url, n=4)
    app = _app(root, ["an", "binh"])
    with serve_in_thread(app) as base:
        an, binh = Reviewer(base, "an"), Reviewer(base, "binh")
        for rec in seeded:
            _together([lambda r=rec: an.take(r.record_id), lambda r=rec: binh.take(r.record_id)])
            holder = app.config["STORE"].lock_state(rec.record_id).holder
            assert holder in ("an", "binh")
            other = binh if holder == "an" else an
            page = html.unescape(other.get(f"/record/{rec.record_id}").text)
            assert f"Bản ghi đang được {holder}" in page and 'id="savebtn"' not in page
            resp = other.post(f"/record/{rec.record_id}/save", edited(page_form(page), _fixes(rec)))
            assert resp.status_code == 409 and _typed_values_kept(resp.text, _fixes(rec))
    app.config["STORE"].close()


def test_a_form_opened_before_someone_else_saved_cannot_overwrite_it(workspace_store_url, tmp_path):
    """The lost update a status check alone misses: an opens a record and types; binh takes and saves it; an
    approver sends it back (open again); an's old form is then refused as changed meanwhile, with an's typing
    kept, and binh's corrections stay."""
    root, seeded = _workspace(tmp_path / "ws", store_url=workspace_store_url, n=2)
    app = _app(root, ["an", "binh"])
    add_user(app.config["STORE"], "chi", "approver", PASSWORD, actor="test")
    rec = next(r for r in seeded if r.doc_type == "ks")
    with serve_in_thread(app) as base:
        an, binh, chi = Reviewer(base, "an"), Reviewer(base, "binh"), Reviewer(base, "chi")
        assert an.take(rec.record_id).status_code == 302
        stale = edited(an.form(rec.record_id), {**_fixes(rec), "meHoTen": "Phạm Thị Xuân Hương"})
        app.config["STORE"].release_lock(rec.record_id, "an")  # an walked away; the lock ran out
        assert binh.take(rec.record_id).status_code == 302
        fresh = {**_fixes(rec), "meHoTen": "Phạm Thị Lan"}
        assert binh.post(f"/record/{rec.record_id}/save", edited(binh.form(rec.record_id), fresh)).status_code == 302
        page = chi.get(f"/record/{rec.record_id}").text
        sent = chi.post(f"/record/{rec.record_id}/send-back", {"csrf_token": chi.token(f"/record/{rec.record_id}"),
                                                              "version": _version(page),
                                                              "comment": "Xem lại tên cha"})
        assert sent.status_code == 302
        resp = an.post(f"/record/{rec.record_id}/save", stale)
        assert resp.status_code == 409 and CHANGED in html.unescape(resp.text)
        assert _typed_values_kept(resp.text, {"meHoTen": "Phạm Thị Xuân Hương"})
        assert app.config["STORE"].load_record(rec.record_id).record.fields["meHoTen"].value == "Phạm Thị Lan"
    app.config["STORE"].close()


# ------------------------------------------------------------------------------------------ busy store

def test_a_store_busy_past_the_timeout_answers_503_in_vietnamese_and_keeps_the_edit(workspace_store_url, tmp_path, monkeypatch):
    """Another writer holds the store longer than the busy timeout (shortened here): the save is refused
    with the Vietnamese 'store busy' message and the typed values; nothing was written; once the other
    writer is done the same form saves."""
    monkeypatch.setattr("store.engine.BUSY_TIMEOUT_MS", 500)
    root, seeded = _workspace(tmp_path / "ws", store_url=workspace_store_url, n=2)
    app = _app(root, ["an"])
    rec = next(r for r in seeded if r.doc_type == "ks")
    values = {**_fixes(rec), "meHoTen": "Phạm Thị Xuân Hương"}
    other = Store(app.config["STORE"].url)
    with serve_in_thread(app) as base:
        an = Reviewer(base, "an")
        assert an.take(rec.record_id).status_code == 302
        form = edited(an.form(rec.record_id), values)
        with other._write() as conn:  # the other writer (a long import, a backup) holds the record's row
            conn.execute(select(records.c.id).where(records.c.id == rec.record_id).with_for_update())
            resp = an.post(f"/record/{rec.record_id}/save", form)
        assert resp.status_code == 503, resp.status_code
        assert BUSY in html.unescape(resp.text) and _typed_values_kept(resp.text, values)
        assert app.config["STORE"].load_record(rec.record_id).row.status == "extracted"
        assert an.post(f"/record/{rec.record_id}/save", form).status_code == 302
    other.close()
    app.config["STORE"].close()


# ------------------------------------------------------------------------------------------ export

def _exported_rows(out: Path) -> list[dict[str, str]]:
    """The data rows of every BTP workbook in `out`, by template key (the sheet's first row holds the keys)."""
    from openpyxl import load_workbook

    rows = []
    for path in out.glob("*.xlsx"):
        wb = load_workbook(path, read_only=True)
        sheet = list(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        keys = [str(k).split("\n")[0] if k else "" for k in sheet[0]]
        rows += [dict(zip(keys, row, strict=False)) for row in sheet[1:]]
    return rows


def _assert_exported_as_stored(root: Path, url: str, ids: list[int]) -> int:
    """Every record the store calls exported is in a workbook with the values the store holds: never one
    exported with values from before a save. Returns how many are exported."""
    rows = _exported_rows(root / "out")
    exported = 0
    with Store(url) as store:
        for rid in ids:
            stored = store.load_record(rid)
            if stored.row.status != "exported":
                continue
            exported += 1
            values = {k: v.value for k, v in stored.record.fields.items()}
            mine = [row for row in rows if (row.get("so"), row.get("nksHoTen")) == (values["so"], values["nksHoTen"])]
            assert [row.get("meHoTen") for row in mine] == [values["meHoTen"]], \
                f"record {rid} is marked exported but its workbook row is not what the store holds"
    return exported


def _export(root: Path) -> str:
    from click.testing import CliRunner

    from sohoa.cli import main

    result = CliRunner().invoke(main, ["export", str(root), "--include-unreviewed", "--no-libreoffice"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_save_landing_while_an_export_writes_is_exported_as_saved_or_not_at_all(workspace_store_url, tmp_path, monkeypatch):
    """The export has read the records and written the workbook; before it marks them exported, a reviewer
    saves one of them (the window is made certain by saving from inside the export's marking step). The
    store must not call that record exported with the workbook holding the values from before the save."""
    from store.db import Store as StoreClass

    root, seeded = _workspace(tmp_path / "ws", store_url=workspace_store_url, n=6)
    app = _app(root, ["an"])
    ks = [r for r in seeded if r.doc_type == "ks"]
    target = ks[0]
    original = StoreClass.mark_exported
    with serve_in_thread(app) as base:
        an = Reviewer(base, "an")

        def save_first_then_mark(self, *args, **kwargs):
            if app.config["STORE"].load_record(target.record_id).row.status == "extracted":
                assert an.take(target.record_id).status_code == 302
                form = edited(an.form(target.record_id), {**_fixes(target), "meHoTen": "Phạm Thị Xuân Hương"})
                assert an.post(f"/record/{target.record_id}/save", form).status_code == 302
            return original(self, *args, **kwargs)

        monkeypatch.setattr(StoreClass, "mark_exported", save_first_then_mark)
        _export(root)
    assert app.config["STORE"].load_record(target.record_id).record.fields["meHoTen"].value == "Phạm Thị Xuân Hương"
    assert _assert_exported_as_stored(root, app.config["STORE"].url, [r.record_id for r in ks]) == len(ks)
    app.config["STORE"].close()


def test_a_save_landing_while_the_backlog_export_writes_a_book_leaves_the_book_undone(workspace_store_url, tmp_path, monkeypatch):
    """The same window in `export --all`: the book holding the saved record is not recorded done (its file
    has the old values), the run says so and exits non-zero, and the next run writes it with the saved
    values."""
    from click.testing import CliRunner

    from sohoa.cli import main
    from store.db import Store as StoreClass

    root, seeded = _workspace(tmp_path / "ws", store_url=workspace_store_url, n=6)
    app = _app(root, ["an"])
    ks = [r for r in seeded if r.doc_type == "ks"]
    target = ks[0]
    original = StoreClass.book_finished
    command = ["export", str(root), "--all", "--include-unreviewed", "--no-libreoffice"]
    with serve_in_thread(app) as base:
        an = Reviewer(base, "an")

        def save_first_then_finish(self, *args, **kwargs):
            if app.config["STORE"].load_record(target.record_id).row.status == "extracted":
                assert an.take(target.record_id).status_code == 302
                form = edited(an.form(target.record_id), {**_fixes(target), "meHoTen": "Phạm Thị Xuân Hương"})
                assert an.post(f"/record/{target.record_id}/save", form).status_code == 302
            return original(self, *args, **kwargs)

        monkeypatch.setattr(StoreClass, "book_finished", save_first_then_finish)
        first = CliRunner().invoke(main, command)
    assert first.exit_code == 1 and "written again next run" in first.output, first.output
    assert app.config["STORE"].load_record(target.record_id).row.status == "reviewed"
    assert app.config["STORE"].done_books() == set()
    monkeypatch.undo()
    again = CliRunner().invoke(main, command)
    assert again.exit_code == 0, again.output
    rows = _exported_rows(root / "out" / "backlog")
    assert "Phạm Thị Xuân Hương" in [row.get("meHoTen") for row in rows]
    app.config["STORE"].close()


def test_reviewers_saving_while_exports_run(workspace_store_url, tmp_path):
    """Free-running: two reviewers work through the queue while exports run one after another. Whatever the
    interleaving, an exported record is exported with the values the store keeps; a save that comes too
    late is refused with the form kept, never a 500."""
    root, seeded = _workspace(tmp_path / "ws", store_url=workspace_store_url, n=10)
    app = _app(root, ["an", "binh"])
    by_id = {r.record_id: r for r in seeded}
    answers: list[int] = []
    with serve_in_thread(app) as base:
        people = [Reviewer(base, n) for n in ("an", "binh")]

        def work(person: Reviewer) -> None:
            resp = person.post("/next", {"csrf_token": person.token()})
            while (rid := _record_id(resp)) is not None:
                values = {**_fixes(by_id[rid]), **({"meHoTen": "Phạm Thị Xuân Hương"} if by_id[rid].doc_type == "ks" else {})}
                resp = person.post(f"/record/{rid}/save", edited(person.form(rid), values))
                answers.append(resp.status_code)
                if resp.status_code == 409:  # exported meanwhile: told so, the typing kept; go on
                    assert _typed_values_kept(resp.text, values)
                    resp = person.post("/next", {"csrf_token": person.token()})
                else:
                    assert resp.status_code == 302, (rid, resp.status_code)

        _together([lambda: work(people[0]), lambda: work(people[1]), lambda: [_export(root) for _ in range(2)]])
    assert 500 not in answers
    _assert_exported_as_stored(root, app.config["STORE"].url, [r.record_id for r in seeded if r.doc_type == "ks"])
    app.config["STORE"].close()


# ------------------------------------------------------------------------------------------ the watcher

def test_reviewers_saving_while_the_watcher_commits_new_files(workspace_store_url, tmp_path):
    """The hot-folder watcher (a real `sohoa watch --once` process) commits a batch of new files while two
    reviewers work through the queue. No answer is a 500 ('database is locked'); every save lands; every
    dropped file is processed."""
    from tests.hotfolders_helpers import drop_document

    root, seeded = _workspace(tmp_path / "ws", store_url=workspace_store_url, n=8)
    names = ["an", "binh"]
    app = _app(root, names)
    by_id = {r.record_id: r for r in seeded}
    from common.workspace import Workspace

    ws = Workspace(root)
    for i in range(16):
        drop_document(ws, f"KS/Xã Tân Hòa/Q1/trang-{i}.json", fields={"so": f"{i:02d}/2021"})
    answers: list[int] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    log = open(tmp_path / "watch.log", "wb")  # noqa: SIM115 - the child holds it
    watcher = subprocess.Popen([sys.executable, "-c", "from sohoa.cli import main; main()", "watch", "--once",
                                str(root)], env={**env, "SOHOA_FAKE_DELAY": "0.05"}, stdout=log, stderr=log,
                               start_new_session=True)
    log.close()
    try:
        with serve_in_thread(app) as base:
            people = [Reviewer(base, n) for n in names]

            def work(person: Reviewer) -> None:
                resp = person.post("/next", {"csrf_token": person.token()})
                while (rid := _record_id(resp)) is not None and rid in by_id:
                    resp = person.post(f"/record/{rid}/save", edited(person.form(rid), _fixes(by_id[rid])))
                    answers.append(resp.status_code)
                    assert resp.status_code == 302, (rid, resp.status_code, html.unescape(resp.text)[:400])

            _together([lambda p=p: work(p) for p in people])
        assert watcher.wait(timeout=JOIN_TIMEOUT) == 0, (tmp_path / "watch.log").read_text()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(watcher.pid, signal.SIGKILL)
    assert 500 not in answers
    with Store(app.config["STORE"].url) as store:
        assert all(store.load_record(rid).row.status == "reviewed" for rid in by_id)
        assert sorted(f.state for f in store.files() if f.rel_path.startswith("KS/")) == ["done"] * 16
    app.config["STORE"].close()
