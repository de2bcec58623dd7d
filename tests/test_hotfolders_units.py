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
