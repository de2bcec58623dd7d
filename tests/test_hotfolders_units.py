"""Small parts of the hot folders: junk names, path hints (NFC/NFD), the stability window, config, init."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from common.config import load_settings
from common.errors import ConfigError
from hotfolders.junk import is_junk
from hotfolders.progress import Progress
from hotfolders.stability import StabilityTracker
from hotfolders.workspace import Workspace, init_workspace


@pytest.mark.parametrize("name", ["~$bao cao.docx", "scan.part", "x.TMP", "a.crdownload", "Thumbs.db",
                                  "desktop.ini", ".DS_Store", "._IMG_0001.jpg", ".hidden.jpg", "a.jpg.reason.txt"])
def test_junk_is_ignored(name):
    assert is_junk(name)


@pytest.mark.parametrize("name", ["IMG_0001.JPG", "so-khai-sinh.pdf", "trang 01.tif", "~scan.jpg"])
def test_documents_are_not_junk(name):
    assert not is_junk(name)


def test_hint_from_folder_parts_nfd_equals_nfc(tmp_path):
    ws = Workspace(tmp_path)
    nfd = unicodedata.normalize("NFD", "Xã Hòa Bình/Quyển 01/ảnh.jpg")
    a = ws.hint_for(tmp_path / "inbox" / "KS" / nfd)
    b = ws.hint_for(tmp_path / "inbox" / "KS" / "Xã Hòa Bình" / "Quyển 01" / "ảnh.jpg")
    assert a == b
    assert (a.kind, a.commune, a.book, a.profile_name) == ("KS", "Xã Hòa Bình", "Quyển 01", "ks")
    assert a.rel_path == unicodedata.normalize("NFC", "KS/Xã Hòa Bình/Quyển 01/ảnh.jpg")


def test_hint_unknown_kind_and_short_paths(tmp_path):
    ws = Workspace(tmp_path)
    assert ws.hint_for(tmp_path / "inbox" / "loose.jpg").kind == "auto"
    assert ws.hint_for(tmp_path / "inbox" / "misc" / "a.jpg").kind == "auto"
    hint = ws.hint_for(tmp_path / "inbox" / "gcn" / "Xã A" / "a.jpg")
    assert (hint.kind, hint.commune, hint.book, hint.profile_name) == ("GCN", "Xã A", "", None)


def test_stability_window_needs_unchanged_size_and_mtime():
    now = [0.0]
    tracker = StabilityTracker(2.0, clock=lambda: now[0])
    p = Path("/inbox/a.jpg")
    assert not tracker.is_stable(p, 100, 1)
    now[0] = 1.5
    assert not tracker.is_stable(p, 200, 2)   # still growing: the window restarts
    now[0] = 3.0
    assert not tracker.is_stable(p, 200, 2)
    assert tracker.waiting_count == 1
    now[0] = 3.6
    assert tracker.is_stable(p, 200, 2)
    assert tracker.waiting_count == 0
    assert not tracker.is_stable(p, 200, 3)    # touched again (same size, new mtime)


def test_init_is_idempotent_and_keeps_config(workspace_store_url, tmp_path):
    ws = init_workspace(tmp_path / "ws", workspace_store_url)
    for kind in ws.inbox_folders():
        assert (ws.inbox / kind).is_dir()
    for folder in (ws.done, ws.quarantine, ws.out, ws.work):
        assert folder.is_dir()
    ws.config_path.write_text(ws.config_path.read_text().replace("max_attempts = 3", "max_attempts = 7"))
    (ws.inbox / "KS" / "keep.jpg").write_bytes(b"x")
    again = init_workspace(tmp_path / "ws", workspace_store_url)
    assert again.settings().retry.max_attempts == 7
    assert again.settings().store.url == (workspace_store_url or "")
    assert (ws.inbox / "KS" / "keep.jpg").exists()
    config = again.settings()
    assert config.watch.stability_seconds == 5.0 and config.workers.count == "auto"
    assert config.workers.resolved >= 1


def test_init_refuses_another_store_for_an_existing_workspace(tmp_path):
    from common.errors import WorkspaceError

    init_workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="another store"):
        init_workspace(tmp_path / "ws", "postgresql://sohoa@db.invalid/sohoa")


def test_config_refuses_unknown_keys(tmp_path):
    path = tmp_path / "sohoa.toml"
    path.write_text("[watch]\nstabilty_seconds = 3\n")
    with pytest.raises(ConfigError):
        load_settings(path)


def test_config_refuses_a_lease_or_thread_count_below_one(tmp_path):
    path = tmp_path / "sohoa.toml"
    for text, key in (("[workers]\nlease_seconds = 0.5\n", "lease_seconds"), ("[review]\nthreads = 0\n", "threads")):
        path.write_text(text)
        with pytest.raises(ConfigError, match=f"{key}.*at least 1"):
            load_settings(path)
    path.write_text("[workers]\nlease_seconds = 5\n[review]\nthreads = 16\n")
    settings = load_settings(path)
    assert (settings.workers.lease_seconds, settings.review.threads) == (5.0, 16)


def test_progress_line_has_rate_and_eta():
    now = [0.0]
    lines: list[str] = []
    progress = Progress(5.0, lines.append, clock=lambda: now[0])
    now[0] = 10.0
    progress.maybe_report(20, 40)
    assert lines and "2.00 tệp/giây (files/s)" in lines[0] and "(ETA) 0:20" in lines[0]
    progress.maybe_report(21, 39)  # within the interval: no new line
    assert len(lines) == 1


def test_workspace_folders_holding_personal_data_are_private(tmp_path):
    import stat

    ws = init_workspace(tmp_path / "ws")
    for folder in (ws.done, ws.quarantine, ws.work, ws.out):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_an_undeclared_type_folder_keeps_its_commune_and_book(tmp_path):
    ws = Workspace(tmp_path)
    hint = ws.hint_for(tmp_path / "inbox" / "ZZ" / "Cẩm Hưng" / "Q1" / "x.png")
    assert (hint.kind, hint.commune, hint.book, hint.profile_name) == ("auto", "Cẩm Hưng", "Q1", None)
    assert hint.rel_path == "ZZ/Cẩm Hưng/Q1/x.png"
    root = ws.hint_for(tmp_path / "inbox" / "x.png")
    assert (root.kind, root.commune, root.book) == ("auto", "", "")
    auto = ws.hint_for(tmp_path / "inbox" / "auto" / "Xã A" / "Q2" / "x.png")
    assert (auto.kind, auto.commune, auto.book) == ("auto", "Xã A", "Q2")


@pytest.mark.parametrize("url", ["mysql://x", "postgresql://u@h/db\n[evil]\nx = 1", "sqlite:///a\r.db",
                                 "postgresql://u@h/d\u2028b"])
def test_init_checks_the_store_url_before_writing_anything(tmp_path, url):
    from common.errors import ConfigError

    root = tmp_path / "ws5"
    with pytest.raises(ConfigError, match="store URL|store-url"):
        init_workspace(root, url)
    assert not (root / "sohoa.toml").exists()
    ws = init_workspace(root, f"sqlite:///{tmp_path / 'good.db'}")  # a corrected second run is not blocked
    assert ws.settings().store.url == f"sqlite:///{tmp_path / 'good.db'}"
    assert "[evil]" not in ws.config_path.read_text(encoding="utf-8")


def test_a_store_url_with_quotes_and_backslashes_is_written_as_one_toml_string(tmp_path):
    url = f'sqlite:///{tmp_path}/we"ird\\name.db'
    ws = init_workspace(tmp_path / "ws", url)
    assert ws.settings().store.url == url
    assert [p.name for p in tmp_path.glob("ws/.sohoa.toml.*")] == []  # no temporary file left


def test_a_refused_store_leaves_no_config_behind(tmp_path):
    root = tmp_path / "ws"
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(Exception):  # noqa: B017 - whatever the store says, nothing is written
        init_workspace(root, f"sqlite:///{tmp_path / 'a-file' / 'x.db'}")
    assert not (root / "sohoa.toml").exists()
    assert init_workspace(root).settings().store.url == ""


def test_config_is_readable_by_the_team_only(tmp_path):
    import os
    import stat

    old = os.umask(0o002)  # a permissive umask must not widen it
    try:
        ws = init_workspace(tmp_path / "ws")
    finally:
        os.umask(old)
    assert stat.S_IMODE(ws.config_path.stat().st_mode) == 0o640


def test_a_missing_sqlite_store_is_refused_not_recreated(tmp_path):
    from click.testing import CliRunner

    from sohoa.cli import main

    ws = init_workspace(tmp_path / "ws")
    runner = CliRunner()
    backup = tmp_path / "ws.bak"
    assert runner.invoke(main, ["backup", str(ws.root), "--out", str(backup)]).exit_code == 0
    ws.db_path.unlink()
    for args in (["status", str(ws.root)], ["watch", "--once", str(ws.root)], ["export", str(ws.root)],
                 ["backup", str(ws.root), "--out", str(tmp_path / "again.bak")]):
        result = runner.invoke(main, args)
        assert result.exit_code == 1, (args, result.output)
        assert "store file is missing" in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert not ws.db_path.exists()
    restored = runner.invoke(main, ["restore", str(ws.root), "--from", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output  # restore brings a lost store back
    assert runner.invoke(main, ["status", str(ws.root)]).exit_code == 0
    ws.db_path.unlink()
    assert runner.invoke(main, ["init", str(ws.root)]).exit_code == 0  # init makes a new, empty one
    assert runner.invoke(main, ["status", str(ws.root)]).exit_code == 0


def test_names_are_cut_to_the_limit_on_whole_characters(tmp_path):
    from hotfolders.moves import free_name, note_name

    name = "ữ" * 83 + "a.jpg"  # 254 bytes
    note = note_name(name, ".reason.txt")
    assert len(note.encode()) <= 255 and note.endswith(".jpg.reason.txt") and note.startswith("ữ" * 70)
    assert note != note_name("ữ" * 83 + "b.jpg", ".reason.txt")  # same start, notes of their own
    assert note_name("a.jpg", ".reason.txt") == "a.jpg.reason.txt"
    (tmp_path / name).write_text("x")
    second = free_name(tmp_path / name)
    assert second.name.endswith(" (2).jpg") and len(second.name.encode()) <= 255
    long_dot = "x." + "y" * 250  # no real suffix: the whole name is cut, not kept whole
    (tmp_path / long_dot).write_text("x")
    assert len(free_name(tmp_path / long_dot).name.encode()) <= 255
