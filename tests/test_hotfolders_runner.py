"""The runner end to end with the fake processor: pickup, dedupe, retries, quarantine, recovery, moves."""
from __future__ import annotations

import hashlib
import os
import threading
import time

import pytest
from hotfolders_helpers import drop_document, files_under, make_workspace

from hotfolders.runner import Runner
from hotfolders.status import status_report
from hotfolders.watch import WorkspaceBusy, WorkspaceLock, run_once
from store.db import Store


def _store(ws) -> Store:
    return Store(ws.store_url())


def test_processes_inbox_and_mirrors_it_into_done(workspace_store_url, tmp_path):
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    for i in range(3):
        drop_document(ws, f"KS/Xã An Bình/Q01/trang{i}.json", pages=2)
    drop_document(ws, "auto/loose.json", doc_type="cccd_front")
    (ws.inbox / "KS" / "Thumbs.db").write_bytes(b"junk")
    stats = run_once(ws, config)
    assert (stats.done, stats.quarantined, stats.duplicates, stats.pages) == (4, 0, 0, 7)
    assert files_under(ws.done) == ["KS/Xã An Bình/Q01/trang0.json", "KS/Xã An Bình/Q01/trang1.json",
                                    "KS/Xã An Bình/Q01/trang2.json", "auto/loose.json"]
    assert files_under(ws.inbox) == ["KS/Thumbs.db"]
    store = _store(ws)
    rows = store.record_rows(commune="Xã An Bình", book="Q01")
    assert len(rows) == 3 and {r.doc_type for r in rows} == {"ks"}
    assert len(store.load_record(rows[0].id).pages) == 2
    assert all(f.moved_at is not None and f.attempts == 1 for f in store.files())
    report = status_report(ws)
    assert "Xã An Bình" in report and "xong (done)" in report


def test_same_file_under_two_names_is_processed_once(workspace_store_url, tmp_path):
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    first = drop_document(ws, "KT/Xã A/Q2/a.json")
    second = ws.inbox / "KT" / "Xã B" / "khac-ten.json"
    second.parent.mkdir(parents=True)
    second.write_bytes(first.read_bytes())
    stats = run_once(ws, config)
    assert (stats.done, stats.duplicates) == (1, 1)
    store = _store(ws)
    assert len(store.record_rows()) == 1
    states = {f.rel_path: (f.state, f.duplicate_of) for f in store.files()}
    assert states == {"KT/Xã A/Q2/a.json": ("done", None), "KT/Xã B/khac-ten.json": ("duplicate", 1)}
    note = (ws.done / "KT" / "Xã B" / "khac-ten.json.note.txt").read_text(encoding="utf-8")
    assert "trùng" in note and "duplicate" in note
    # dropped again later under the first name: still not processed twice
    drop_document(ws, "KT/Xã A/Q2/a.json")
    assert run_once(ws, config).duplicates == 1
    assert len(store.record_rows()) == 1
    assert (ws.done / "KT" / "Xã A" / "Q2" / "a (2).json").exists()


def test_a_copy_another_workstation_moved_while_we_hashed_it_is_not_counted_twice(workspace_store_url, tmp_path):
    """Two workstations see one re-dropped copy: the first registers it as a duplicate and moves it; the
    second, which hashed it before the move, must not register a second duplicate row (CI caught this once
    in the three-workstation test: 24 done + 2 duplicates for one copy)."""
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    first = drop_document(ws, "KT/Xã A/Q2/a.json")
    copy = ws.inbox / "KT" / "Xã A" / "Q2" / "ban-sao.json"
    copy.write_bytes(first.read_bytes())
    content = copy.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    hint = ws.hint_for(copy)
    assert run_once(ws, config).duplicates == 1  # "the first workstation": registers and moves the copy
    late = Runner(ws, config)  # "the second": its hash of the copy was taken before the move
    try:
        late._take(copy, hint, digest, len(content))
        assert late.stats.duplicates == 0 and late.stats.move_failures == 0
    finally:
        late.close()
    store = _store(ws)
    assert sorted(f.state for f in store.files()) == ["done", "duplicate"]
    assert all(f.moved_at is not None for f in store.files())
    assert files_under(ws.done) == ["KT/Xã A/Q2/a.json", "KT/Xã A/Q2/ban-sao.json",
                                    "KT/Xã A/Q2/ban-sao.json.note.txt"]


def test_a_file_another_runner_moved_before_our_move_is_noted_not_left_unmoved(workspace_store_url, tmp_path,
                                                                               monkeypatch):
    """A runner whose claim ran out mid-move (a loaded machine) still moves the file, and the runner that
    took the claim over then finds the inbox empty: it must note where the file went, not keep a `done` row
    marked "could not be moved" and claimed forever."""
    from common.crashpoints import InjectedFault

    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    path = drop_document(ws, "KS/Xã A/Q1/trang.json")
    runner = Runner(ws, config)
    try:
        monkeypatch.setenv("SOHOA_FAIL_AT", "after_move:1")  # moved, then "died" before noting it
        with pytest.raises(InjectedFault):
            runner.run_once()
        monkeypatch.delenv("SOHOA_FAIL_AT")
        store = _store(ws)
        (row,) = store.files()
        assert (row.state, row.moved_at) == ("done", None) and not path.exists()
        runner._move(row, path)  # what the runner that took the claim does with the inbox path it knew
        (row,) = store.files()
        assert row.moved_at is not None and row.claimed_by is None and row.reason_code == ""
        assert row.dest_path.endswith("trang.json") and runner.stats.move_failures == 0
    finally:
        runner.close()


def test_transient_failure_is_retried_with_backoff(workspace_store_url, tmp_path):
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    drop_document(ws, "KS/X/Q/flaky.json", fail="io", fail_times=2)
    drop_document(ws, "KS/X/Q/broken-share.json", fail="io")
    stats = run_once(ws, config)
    assert stats.retried == 2 + (config.retry.max_attempts - 1)
    store = _store(ws)
    by_path = {f.rel_path: f for f in store.files()}
    assert by_path["KS/X/Q/flaky.json"].state == "done" and by_path["KS/X/Q/flaky.json"].attempts == 3
    gave_up = by_path["KS/X/Q/broken-share.json"]
    assert gave_up.state == "quarantined" and gave_up.reason_code == "gave_up"
    assert gave_up.attempts == config.retry.max_attempts
    assert (ws.quarantine / "KS/X/Q/broken-share.json.reason.txt").exists()


def test_permanent_failure_goes_to_quarantine_and_a_redrop_is_processed_afresh(workspace_store_url, tmp_path):
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    drop_document(ws, "GCN/X/Q/bad.json", fail="corrupt", fail_times=1)
    assert run_once(ws, config).quarantined == 1
    reason = (ws.quarantine / "GCN/X/Q/bad.json.reason.txt").read_text(encoding="utf-8")
    assert "corrupt" in reason and "Lý do (reason)" in reason
    store = _store(ws)
    assert store.quarantine_reasons()[0][0] == "corrupt" and store.record_rows() == []
    # the operator drops the same file again (e.g. after a software fix): it gets a fresh try
    (ws.inbox / "GCN/X/Q").mkdir(parents=True, exist_ok=True)
    os.replace(ws.quarantine / "GCN/X/Q/bad.json", ws.inbox / "GCN/X/Q/bad.json")
    assert run_once(ws, config).done == 1
    assert len(store.files()) == 1 and store.files()[0].state == "done"
    assert len(store.record_rows()) == 1


def test_restart_finishes_what_a_dead_run_left(workspace_store_url, tmp_path):
    """Simulates the store a kill -9 leaves behind: one file committed but not moved, one mid-processing."""
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    committed = drop_document(ws, "KS/X/Q/committed.json")
    midway = drop_document(ws, "KS/X/Q/midway.json")
    store = _store(ws)
    for path in (committed, midway):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        hint = ws.hint_for(path)
        row = store.add_file(content_hash=digest, size=path.stat().st_size, origin_path=str(path),
                             rel_path=hint.rel_path, kind_hint=hint.kind, commune=hint.commune, book=hint.book)
        store.mark_processing(row.id)
    from extract.types import Record
    from store.types import PageData

    store.commit_file_results(1, [PageData(0)], [Record("ks", 0.9, pages=[0])])
    stats = run_once(ws, config)
    assert stats.done == 1  # only the mid-way file needed work
    assert files_under(ws.inbox) == [] and len(files_under(ws.done)) == 2
    assert [f.state for f in store.files()] == ["done", "done"]
    assert len(store.record_rows(file_id=1)) == 1 and len(store.record_rows(file_id=2)) == 1
    assert store.file(2).attempts == 2


def _block_done(ws):
    """Make done/ unwritable. As root, permissions do not stop us, so a plain file is put where the KS
    folder must go: the move then fails with a real OSError from the filesystem."""
    if os.geteuid() == 0:
        if (ws.done / "KS").exists():
            (ws.done / "KS").rmdir()
        (ws.done / "KS").write_text("blocker")
        return lambda: (ws.done / "KS").unlink()
    ws.done.chmod(0o555)
    return lambda: ws.done.chmod(0o755)


def test_read_only_done_keeps_file_accounted_for(workspace_store_url, tmp_path):
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    drop_document(ws, "KS/X/Q/a.json")
    drop_document(ws, "auto/b.json")
    unblock = _block_done(ws)
    try:
        stats = run_once(ws, config)
    finally:
        unblock()
    assert stats.done == 2 and stats.move_failures == 1
    store = _store(ws)
    stuck = store.files()[0] if store.files()[0].rel_path.startswith("KS") else store.files()[1]
    assert stuck.state == "done" and stuck.moved_at is None and stuck.reason_code == "move_failed"
    assert "done/" in stuck.reason and "(could not move" in stuck.reason
    assert (ws.inbox / "KS/X/Q/a.json").exists() and (ws.done / "auto/b.json").exists()
    assert "chưa chuyển khỏi inbox" in status_report(ws)
    # writable again: the next pass moves it without processing it again
    stats = run_once(ws, config)
    assert stats.done == 0 and stats.moved_later == 1
    assert store.file(stuck.id).moved_at is not None and store.file(stuck.id).reason == ""
    assert len(store.record_rows()) == 2


def test_file_still_being_written_is_taken_only_when_complete(workspace_store_url, tmp_path):
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url, stability_seconds=0.6)
    path = ws.inbox / "KS" / "X" / "Q" / "growing.json"
    path.parent.mkdir(parents=True)
    body = ('{"fields": {"so": "' + "9" * 400 + '"}}').encode()
    path.write_bytes(body[:10])
    done_writing = threading.Event()

    def writer() -> None:  # a slow copy: a few bytes every 0.15 s, each within the stability window
        with open(path, "ab") as fh:
            for start in range(10, len(body), 40):
                time.sleep(0.15)
                fh.write(body[start:start + 40])
                fh.flush()
        done_writing.set()

    thread = threading.Thread(target=writer)
    thread.start()
    stats = run_once(ws, config)
    thread.join()
    assert done_writing.is_set()
    assert (stats.done, stats.quarantined) == (1, 0)  # a partial JSON would have been quarantined
    row = _store(ws).files()[0]
    assert row.content_hash == hashlib.sha256(body).hexdigest() and row.size == len(body)


def test_worker_pool_processes_in_separate_processes(workspace_store_url, tmp_path):
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url, count=2)
    for i in range(4):
        drop_document(ws, f"KH/X/Q/{i}.json")
    runner = Runner(ws, config)
    try:
        stats = runner.run_once()
    finally:
        runner.close()
    assert stats.done == 4
    assert stats.worker_pids and os.getpid() not in stats.worker_pids


def test_one_watcher_per_workspace_on_sqlite(tmp_path):
    ws, config = make_workspace(tmp_path / "ws")
    with WorkspaceLock(ws), pytest.raises(WorkspaceBusy):
        run_once(ws, config)


def test_watchers_share_a_workspace_on_postgresql(pg_database, tmp_path):
    """On a shared PostgreSQL store the workspace lock is not taken: workstations coordinate by claims."""
    ws, config = make_workspace(tmp_path / "ws", pg_database())
    drop_document(ws, "KS/X/Q/a.json")
    with WorkspaceLock(ws):  # another watcher's lock, as on SQLite
        assert run_once(ws, config).done == 1


@pytest.mark.timeout(120)
def test_a_named_pipe_in_the_inbox_is_quarantined_unread(workspace_store_url, tmp_path):
    """Regression (outside probe): a named pipe (FIFO) in the inbox hung `watch --once` for ever — hashing
    it waited for a writer — and the files behind it were never processed."""
    import stat

    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    book = ws.inbox / "KS" / "Xã An Bình" / "Q01"
    book.mkdir(parents=True)
    os.mkfifo(book / "scan.pdf")
    drop_document(ws, "KS/Xã An Bình/Q01/that.json")
    stats = run_once(ws, config)
    assert (stats.done, stats.quarantined) == (1, 1)
    assert files_under(ws.inbox) == [] and not (book / "scan.pdf").exists()
    moved = ws.quarantine / "KS" / "Xã An Bình" / "Q01" / "scan.pdf"
    assert stat.S_ISFIFO(moved.lstat().st_mode)
    note = (moved.parent / "scan.pdf.reason.txt").read_text(encoding="utf-8")
    assert "tệp đặc biệt" in note and "special file" in note
    store = _store(ws)
    (row,) = [f for f in store.files() if f.state == "quarantined"]
    assert row.reason_code == "special_file" and row.moved_at is not None


def test_symlinks_in_the_inbox_are_quarantined_unread(workspace_store_url, tmp_path, caplog):
    """Regression: the inbox followed symlinks (a link to a file outside the workspace was read and became a
    record). A link to a file, a link to a folder and a broken link are each moved to quarantine/ as links,
    with a plain-words reason; what they point to is never read and becomes nothing."""
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "ho-so.json"
    secret.write_text('{"doc_type": "ks", "fields": {"so": "99/2020"}}', encoding="utf-8")
    (outside / "folder").mkdir()
    (outside / "folder" / "trang.json").write_text('{"doc_type": "ks"}', encoding="utf-8")
    book = ws.inbox / "KS" / "Xã An Bình" / "Q01"
    book.mkdir(parents=True)
    (book / "lien-ket.json").symlink_to(secret)
    (book / "thu-muc").symlink_to(outside / "folder", target_is_directory=True)
    (book / "hong.json").symlink_to(outside / "khong-co.json")
    drop_document(ws, "KS/Xã An Bình/Q01/that.json")
    with caplog.at_level("INFO", logger="hotfolders.runner"):
        stats = run_once(ws, config)
    assert (stats.done, stats.quarantined) == (1, 3)
    said = [r.getMessage() for r in caplog.records if "symlink" in r.getMessage()]
    assert said and all(m.startswith("tệp ") and "liên kết" in m for m in said), said  # Vietnamese first
    assert files_under(ws.inbox) == [] and not any(p.is_symlink() for p in ws.inbox.rglob("*"))
    q = ws.quarantine / "KS" / "Xã An Bình" / "Q01"
    for name in ("lien-ket.json", "thu-muc", "hong.json"):
        assert (q / name).is_symlink(), name
        note = (q / f"{name}.reason.txt").read_text(encoding="utf-8")
        assert "liên kết" in note and "symbolic link" in note
    store = _store(ws)
    assert len(store.record_rows()) == 1  # only the real file: nothing came from a link's target
    assert {f.reason_code for f in store.files() if f.state == "quarantined"} == {"symlink"}
    assert secret.read_text(encoding="utf-8").startswith('{"doc_type"')  # untouched where it was
    (book / "lien-ket.json").parent.mkdir(parents=True, exist_ok=True)
    (book / "lien-ket.json").symlink_to(secret)  # dropped again: quarantined again, beside the first
    assert run_once(ws, config).quarantined == 1
    assert (q / "lien-ket (2).json").is_symlink() and (q / "lien-ket.json").is_symlink()


@pytest.mark.parametrize(("key", "value"), [("lang", "klingon"), ("name", "khong_co_module:Thing")])
def test_a_processor_that_cannot_work_stops_the_watcher_before_any_file(tmp_path, key, value):
    """Regression (outside probe): `[processor] lang = "klingon"` (or a processor that cannot be imported)
    passed the config check; `watch --once` then retried every file and quarantined the whole inbox as
    `gave_up`, telling the operator to rescan, and exited 0."""
    from click.testing import CliRunner

    from sohoa.cli import main

    overrides = {"lang": value, "name": "real"} if key == "lang" else {"name": value}
    ws, _ = make_workspace(tmp_path / "ws", **overrides)
    drop_document(ws, "KS/Xã A/Q1/trang.json")
    result = CliRunner().invoke(main, ["watch", "--once", str(ws.root)])
    assert result.exit_code != 0 and f"[processor] {key}" in result.output, result.output
    assert "Traceback" not in result.output
    assert files_under(ws.inbox) == ["KS/Xã A/Q1/trang.json"] and files_under(ws.quarantine) == []
    assert _store(ws).files() == []


def test_a_long_file_name_gets_a_note_that_fits_and_is_moved(workspace_store_url, tmp_path):
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    name = "ữ" * 82 + ".json"  # 251 bytes in UTF-8: "<name>.reason.txt" would be 262
    assert len(name.encode()) == 251
    drop_document(ws, f"GCN/X/Q/{name}", fail="corrupt")
    # a 255-byte name that must become "… (2).json" because the same name is already in quarantine/
    full = "ữ" * 83 + "a.json"
    assert len(full.encode()) == 255
    (ws.quarantine / "GCN/X/Q").mkdir(parents=True)
    (ws.quarantine / "GCN/X/Q" / full).write_text("an earlier file")
    drop_document(ws, f"GCN/X/Q/{full}", fail="corrupt")
    stats = run_once(ws, config)
    assert stats.quarantined == 2 and stats.move_failures == 0
    assert [p.name for p in (ws.inbox / "GCN/X/Q").iterdir()] == []
    q = ws.quarantine / "GCN/X/Q"
    assert (q / name).is_file()
    moved = [p for p in q.iterdir() if p.name.endswith(" (2).json")]
    assert len(moved) == 1 and len(moved[0].name.encode()) <= 255 and moved[0].name.startswith("ữ" * 80)
    notes = sorted(p for p in q.iterdir() if p.name.endswith(".reason.txt"))
    assert len(notes) == 2 and all(len(p.name.encode()) <= 255 for p in notes)
    texts = "".join(p.read_text(encoding="utf-8") for p in notes)
    assert f"GCN/X/Q/{name}" in texts and f"GCN/X/Q/{full}" in texts  # the full names are in the notes
    assert all(f.moved_at is not None for f in _store(ws).files())


def test_a_quarantined_file_that_cannot_move_does_not_pile_up_its_reason(workspace_store_url, tmp_path):
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url)
    drop_document(ws, "GCN/X/Q/bad.json", fail="corrupt")
    (ws.quarantine / "GCN").write_text("blocker")  # a real OSError from the filesystem, even as root
    for _ in range(4):
        run_once(ws, config)
    (row,) = _store(ws).files()
    assert row.state == "quarantined" and row.moved_at is None
    assert row.reason.count("could not move") == 1 and row.reason.startswith("lỗi giả lập corrupt")
    (ws.quarantine / "GCN").unlink()
    run_once(ws, config)
    assert _store(ws).files()[0].moved_at is not None and (ws.quarantine / "GCN/X/Q/bad.json").is_file()
    # moved at last: the store and the note beside it give the file's own reason, not the old "will retry"
    (row,) = _store(ws).files()
    note = (ws.quarantine / "GCN/X/Q/bad.json.reason.txt").read_text(encoding="utf-8")
    assert "could not move" not in row.reason and row.reason.startswith("lỗi giả lập corrupt")
    assert "could not move" not in note and "lỗi giả lập corrupt" in note
