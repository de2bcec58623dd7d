"""Disk full while writing an export: a clear error, no partial final file, and a re-run succeeds."""
import errno
import shutil

import pytest

from export import bundle, pdfs
from export.books import ExportOptions, export_books
from export.errors import ExportError
from synth.backlog import synthetic_book, synthetic_page

OPTIONS = ExportOptions(libreoffice=False)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    page = synthetic_page(tmp_path_factory.mktemp("scan") / "p.png", seed=1, dpi=100)
    return synthetic_book(3, seed=11, pages=[page])


def _leftovers(out):
    return sorted(p.name for p in out.rglob("*"))


def _full_disk_after(limit):
    """A copy function that writes `limit` bytes, then fails as a full disk does."""
    def copy(src, dst, length=0):
        dst.write(src.read(limit))
        raise OSError(errno.ENOSPC, "No space left on device")
    return copy


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler pdfinfo not installed")
def test_disk_full_while_writing_the_zip(records, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(bundle, "copyfileobj", _full_disk_after(5000))
    with pytest.raises(ExportError, match="disk full") as info:
        export_books(records, out, OPTIONS)
    assert "Hết chỗ trống trên đĩa" in str(info.value)
    assert _leftovers(out) == []            # no zip, no Excel, no PDFs, no temp files

    monkeypatch.undo()
    report = export_books(records, out, OPTIONS)
    assert report.verified and report.exported == 3
    assert sorted(p.suffix for p in out.iterdir()) == [".xlsx", ".zip"]


def test_disk_full_while_writing_a_pdf(records, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real_write = pdfs.Path.write_bytes
    calls = {"n": 0}

    def write_bytes(self, data):
        calls["n"] += 1
        if calls["n"] == 2:   # the second registration's PDF hits a full disk halfway
            real_write(self, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(pdfs.Path, "write_bytes", write_bytes)
    with pytest.raises(ExportError, match="disk full"):
        export_books(records, out, OPTIONS)
    assert _leftovers(out) == []
    monkeypatch.undo()
    assert export_books(records, out, OPTIONS).exported == 3


def test_disk_full_while_saving_the_excel_keeps_the_previous_export(records, tmp_path, monkeypatch):
    from openpyxl import Workbook
    out = tmp_path / "out"
    first = export_books(records, out, OPTIONS).books[0]
    before = first.xlsx.read_bytes()

    def save(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"PK\x03\x04partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "save", save)
    with pytest.raises(ExportError, match="disk full"):
        export_books(records, out, OPTIONS)
    assert first.xlsx.read_bytes() == before          # the earlier complete workbook is untouched
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]
