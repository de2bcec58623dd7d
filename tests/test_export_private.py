"""Export files hold names and ID numbers: every file an export writes (workbooks, zips, PDFs, the backlog
manifest and lists, progress reports) is created readable by its owner only (0600), and every folder it
creates 0700 — whatever the umask. Regression: they were created 0644 / 0755."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from export.backlog import ManifestState, run_backlog
from export.books import ExportOptions, export_books
from synth.backlog import synthetic_book, synthetic_page

OPTIONS = ExportOptions(libreoffice=False, keep_pdfs=True)


@pytest.fixture()
def open_umask():
    old = os.umask(0o022)  # the usual default: files 0644, folders 0755 unless the writer says otherwise
    yield
    os.umask(old)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    page = synthetic_page(tmp_path_factory.mktemp("scan") / "p.png", seed=3, dpi=100)
    return synthetic_book(2, seed=13, pages=[page])


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


def test_book_export_files_and_folders_are_private(records, tmp_path, open_umask):
    out = tmp_path / "new" / "out"
    report = export_books(records, out, OPTIONS)
    assert report.books and report.books[0].pdfs
    modes = _modes(tmp_path / "new")
    files = {k: m for k, m in modes.items() if (tmp_path / "new" / k).is_file()}
    folders = {k: m for k, m in modes.items() if (tmp_path / "new" / k).is_dir()}
    assert {Path(k).suffix for k in files} == {".xlsx", ".zip", ".pdf"}
    assert set(files.values()) == {0o600}, files
    assert set(folders.values()) == {0o700}, folders


def test_backlog_manifest_and_lists_are_private(records, tmp_path, open_umask):
    from export.backlog import BookGroup

    out = tmp_path / "backlog"
    run_backlog([BookGroup(records[0].book, records)], out, ManifestState(out), options=OPTIONS)
    modes = _modes(out)
    assert {"manifest.json", "manifest.csv", "can-quet-bo-sung.csv"} <= set(modes)
    assert {m for k, m in modes.items() if (out / k).is_file()} == {0o600}, modes


def test_progress_report_files_are_private(tmp_path, open_umask):
    from datetime import date

    from export.report import build_report, write_report
    from hotfolders.workspace import init_workspace
    from store.db import Store

    ws = init_workspace(tmp_path / "ws")
    assert stat.S_IMODE(ws.out.stat().st_mode) == 0o700  # a new workspace's export folder
    with Store(ws.store_url()) as store:
        report = build_report(store, day=date.today())
    xlsx, png = write_report(report, tmp_path / "reports" / "bao-cao.xlsx")
    assert {stat.S_IMODE(p.stat().st_mode) for p in (xlsx, png)} == {0o600}
    assert stat.S_IMODE((tmp_path / "reports").stat().st_mode) == 0o700
