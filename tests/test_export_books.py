"""Per book: Excel + one PDF per registration (right page counts, ~100 kB/A4) + a flat zip, all re-read."""
import hashlib
import shutil
import subprocess
import zipfile
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from export.books import ExportOptions, export_books
from export.naming import load_naming
from export.pdfs import encode_page, write_registration_pdf
from export.rules import approved_only
from export.types import BookKey, ExportRecord
from export.verify import soffice_path
from extract.types import FieldValue
from synth.backlog import synthetic_book, synthetic_page

NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler pdfinfo not installed")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scans")
    return [synthetic_page(folder / f"page{i}.png", seed=i, dpi=200) for i in range(3)]


def _records(pages):
    ks = synthetic_book(3, seed=1, pages=pages[:1])
    ks[1].pages = pages[:3]                                          # a three-page registration
    ks[2].fields["nksGioiTinh"] = FieldValue("1", 0.4, "needs_review")
    kt_book = BookKey("KT", "10894", "Cẩm Giàng", "Hải Dương", "2011", "2")
    kt = [ExportRecord("kt-1", kt_book, {"so": "1/2011", "ngayDangKy": "03.02.2011", "nktHoTen": "Lê Văn Nam",
                                          "nktSoGiayToTuyThan": FieldValue("012345678", 0.9, "invalid")},
                       pages[1:3]),
          ExportRecord("kt-2", kt_book, {"so": "2/2011", "ngayDangKy": "04.02.2011", "nktHoTen": "Bùi Thị Lan"},
                       pages[2:3]),
          ExportRecord("kt-3", kt_book, {"so": "3/2011", "ngayDangKy": "05.02.2011"}, [])]  # no scans yet
    return ks + kt


def _pdfinfo_pages(path):
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"]


@NEEDS_POPPLER
def test_export_books_end_to_end(pages, tmp_path):
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed: the export's LibreOffice re-read cannot run")
    report = export_books(_records(pages), tmp_path / "out", ExportOptions(keep_pdfs=True))
    assert report.verified and any("LibreOffice ok" in c for c in report.checks)
    assert report.held_back == {"needs_review": 1, "invalid": 1}
    assert sorted(report.held_back_ids) == ["ks-1-3", "kt-1"]
    ks, kt = report.books
    assert (ks.rows, kt.rows) == (2, 2) and kt.without_scans == 1
    naming = load_naming()
    assert ks.xlsx.name == naming.xlsx_name(ks.book) == "10894_CG_HD.KS.2010.01.xlsx"
    assert kt.zip is not None and kt.zip.name == "10894_CG_HD.KT.2011.02.zip"

    # one PDF per registration, named per domain.md, holding all its pages, printing as A4
    assert sorted(ks.pdf_pages.values()) == [1, 3]
    for name, count in ks.pdf_pages.items():
        assert name.startswith("KS.2010.01.2010-") and name.endswith(".pdf")
        found, size = _pdfinfo_pages(ks.pdf_dir / name)
        assert found == count and "A4" in size
    assert 50 <= ks.kb_per_a4 <= 200

    # zip: flat, exactly the book's PDFs, CRC ok, stored (JPEG pages do not deflate)
    with zipfile.ZipFile(ks.zip) as zf:
        assert zf.testzip() is None
        assert sorted(zf.namelist()) == sorted(ks.pdfs) and all("/" not in n for n in zf.namelist())
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}

    rows = list(load_workbook(kt.xlsx)["DL Import"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [1, 2] and rows[0][1] == "2/2011"


@NEEDS_POPPLER
def test_include_unreviewed_exports_everything(pages, tmp_path):
    report = export_books(_records(pages), tmp_path, ExportOptions(include_unreviewed=True, libreoffice=False))
    assert not report.held_back and report.exported == 6


def test_rule_is_pluggable(pages, tmp_path):
    records = synthetic_book(3, seed=2)
    records[0].status = "approved"
    report = export_books(records, tmp_path, ExportOptions(rule=approved_only, libreoffice=False))
    assert report.exported == 1 and report.held_back == {"not_approved": 2}
    assert "Giữ lại 2" in report.summary() and "held back 2" in report.summary()


def test_all_held_back_writes_nothing(tmp_path):
    records = synthetic_book(2, seed=3)
    for r in records:
        r.fields["nksHoTen"] = FieldValue("?", 0.1, "needs_review")
    report = export_books(records, tmp_path, ExportOptions(libreoffice=False))
    assert report.books == [] and report.held_back == {"needs_review": 2}
    assert not list(tmp_path.iterdir())


def test_filters_by_type_and_book(pages, tmp_path):
    report = export_books(_records(pages), tmp_path, ExportOptions(types=frozenset({"KT"}), libreoffice=False,
                                                                   include_unreviewed=True))
    assert [b.book.doc_type for b in report.books] == ["KT"]
    report = export_books(_records(pages), tmp_path / "b", ExportOptions(
        book_filter=lambda b: b.book_no == "01", libreoffice=False, include_unreviewed=True))
    assert [b.book.doc_type for b in report.books] == ["KS"]


def test_ungrouped_input_is_refused(tmp_path):
    a, b = synthetic_book(1, seed=4), synthetic_book(1, seed=5, book_no="02")
    with pytest.raises(Exception, match="not grouped"):
        export_books(a + b + synthetic_book(1, seed=6), tmp_path, ExportOptions(libreoffice=False))


def test_page_size_near_100kb_per_a4(pages):
    encoded = encode_page(pages[0])
    kb = len(encoded.jpeg) / 1024
    print(f"\nsynthetic A4 page: {kb:.0f} kB at {encoded.dpi} dpi, JPEG quality {encoded.quality}")
    assert 50 <= kb <= 200 and 50 <= encoded.kb_per_a4 <= 200
    assert encoded.dpi == 150
    assert encoded.width_in == pytest.approx(8.27, abs=0.02) and encoded.height_in == pytest.approx(11.69, abs=0.02)


def test_noisy_page_steps_down_resolution_to_stay_near_budget(tmp_path):
    import numpy as np
    from PIL import Image
    noise = np.random.default_rng(0).integers(0, 255, (2339, 1654, 3), dtype=np.uint8)
    Image.fromarray(noise).save(tmp_path / "noise.png", dpi=(200, 200))
    encoded = encode_page(tmp_path / "noise.png")
    assert encoded.dpi < 150 and encoded.quality == 35


@NEEDS_POPPLER
def test_reexport_is_byte_identical(pages, tmp_path):
    def digest(path):
        return hashlib.sha256(path.read_bytes()).hexdigest()
    write_registration_pdf(tmp_path / "a.pdf", pages[:2])
    write_registration_pdf(tmp_path / "b.pdf", pages[:2])
    assert digest(tmp_path / "a.pdf") == digest(tmp_path / "b.pdf")
    records = synthetic_book(2, seed=7, pages=pages[:1])
    first = export_books(records, tmp_path / "1", ExportOptions(libreoffice=False)).books[0]
    second = export_books([replace(r) for r in records], tmp_path / "2", ExportOptions(libreoffice=False)).books[0]
    assert digest(first.zip) == digest(second.zip)
