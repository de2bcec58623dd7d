"""kill -9 for real: `sohoa watch --once` runs in a subprocess and is SIGKILLed at named points (fault
injection) or while busy; a restart must end with every file processed exactly once."""
from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest
from hotfolders_helpers import drop_document, files_under, make_workspace

from store.db import Store

N_UNIQUE = 5
CLI = "from sohoa.cli import main; main()"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    env.update({"OMP_THREAD_LIMIT": "1"}, **extra)  # the workspace config names the fake processor
    return env


def _start(ws, **extra: str) -> subprocess.Popen:
    # a session of its own, so the run and any worker it spawned can be ended together by group id;
    # output goes to a file (a pipe would stay open in orphaned workers and block the reader)
    log = open(ws.root / "watch.log", "ab")  # noqa: SIM115 — the child holds it
    try:
        return subprocess.Popen([sys.executable, "-c", CLI, "watch", "--once", str(ws.root)], env=_env(**extra),
                                stdout=log, stderr=log, start_new_session=True)
    finally:
        log.close()


def _finish(proc: subprocess.Popen, timeout: float = 120) -> int:
    try:
        proc.wait(timeout=timeout)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of a killed run (orphaned pool workers)
    return proc.returncode


def _drop_batch(ws) -> list[str]:
    hashes = []
    for i in range(N_UNIQUE):
        path = drop_document(ws, f"KS/Xã Tân Hòa/Q{i % 2}/trang-{i}.json", fields={"so": f"{i:02d}/2020"})
        hashes.append(hashlib.sha256(path.read_bytes()).hexdigest())
    (ws.inbox / "KS" / "Xã Tân Hòa" / "ban-sao.json").write_bytes((ws.inbox / "KS/Xã Tân Hòa/Q0/trang-0.json")
                                                                  .read_bytes())
    return hashes


def _assert_exactly_once(ws, hashes: list[str]) -> None:
    assert files_under(ws.inbox) == [], "a file was left in the inbox"
    assert len([f for f in files_under(ws.done) if not f.endswith(".txt")]) == N_UNIQUE + 1
    store = Store(ws.store_url())
    try:
        rows = store.files()
        states = sorted(f.state for f in rows)
        assert states == ["done"] * N_UNIQUE + ["duplicate"], states
        for digest in hashes:
            done = [f for f in rows if f.content_hash == digest and f.state == "done"]
            assert len(done) == 1
            assert len(store.record_rows(file_id=done[0].id)) == 1, "records duplicated or lost"
        assert len(store.record_rows()) == N_UNIQUE
        assert all(f.moved_at is not None for f in rows)
    finally:
        store.close()


@pytest.mark.parametrize(("point", "workers"), [
    ("after_received:2", 1), ("after_processing:3", 1), ("in_worker:2", 0), ("after_commit:2", 1),
    ("after_commit:5", 0), ("after_move:3", 1),
])
def test_sigkill_at_a_point_then_restart(tmp_path, point, workers):
    ws, _ = make_workspace(tmp_path / "ws", count=workers)
    hashes = _drop_batch(ws)
    assert _finish(_start(ws, SOHOA_CRASH_AT=point, SOHOA_FAKE_DELAY="0.05")) == -signal.SIGKILL
    assert _finish(_start(ws)) == 0
    _assert_exactly_once(ws, hashes)


def test_worker_killed_mid_file_is_retried_by_the_same_run(tmp_path):
    ws, _ = make_workspace(tmp_path / "ws", count=1)
    hashes = _drop_batch(ws)
    marker = tmp_path / "crashed-once"
    assert _finish(_start(ws, SOHOA_CRASH_AT="in_worker:2", SOHOA_CRASH_ONCE=str(marker))) == 0
    assert marker.exists()  # the worker really died
    _assert_exactly_once(ws, hashes)
    store = Store(ws.store_url())
    assert max(f.attempts for f in store.files()) == 2
    store.close()


def _done_count(ws) -> int:
    store = Store(ws.store_url())
    try:
        return store.count_files_by_state().get("done", 0)
    finally:
        store.close()


def test_sigkill_while_busy_twice_then_restart(tmp_path):
    ws, _ = make_workspace(tmp_path / "ws", count=1)
    hashes = _drop_batch(ws)
    for target in (1, 3):
        proc = _start(ws, SOHOA_FAKE_DELAY="0.4")
        deadline = time.monotonic() + 60  # a guard against hanging, not a timing assertion
        while _done_count(ws) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        _finish(proc)
    assert _finish(_start(ws)) == 0
    _assert_exactly_once(ws, hashes)
