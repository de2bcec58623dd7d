"""The re-read check catches broken exports and says which file and why."""
import shutil
import zipfile

import pytest

from export.btp_excel import write_book_xlsx
from export.bundle import write_book_zip
from export.errors import VerifyError
from export.pdfs import write_registration_pdf
from export.templates import load_btp_template
from export.verify import XlsxCheck, soffice_path, verify_exports
from synth.backlog import synthetic_page

NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler pdfinfo not installed")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("verify")
    page = synthetic_page(folder / "p.png", seed=5, dpi=100)
    pdf = folder / "KS.2010.01.2010-01-05.001.pdf"
    write_registration_pdf(pdf, [page, page])
    template = load_btp_template("KS")
    xlsx = folder / "book.xlsx"
    write_book_xlsx(xlsx, template, [{"so": "1"}, {"so": "2"}])
    zipped = folder / "book.zip"
    write_book_zip(zipped, [pdf])
    return folder, pdf, xlsx, zipped, template


@NEEDS_POPPLER
def test_good_exports_pass_every_check(files):
    _, pdf, xlsx, zipped, template = files
    report = verify_exports([XlsxCheck(xlsx, template.sheet, template.header(), 2)], {pdf: 2},
                            {zipped: [pdf.name]}, libreoffice=soffice_path() is not None)
    assert report.ok
    assert any("pdfinfo ok" in c for c in report.checked) and any("CRC ok" in c for c in report.checked)
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed: only the openpyxl re-read ran")
    assert report.libreoffice and any("LibreOffice ok" in c for c in report.checked)


@NEEDS_POPPLER
def test_wrong_page_count_and_broken_pdf_are_reported(files, tmp_path):
    _, pdf, *_ = files
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(pdf.read_bytes()[:2000])
    with pytest.raises(VerifyError) as info:
        verify_exports(pdfs={pdf: 3, broken: 2})
    message = str(info.value)
    assert "KS.2010.01.2010-01-05.001.pdf: 2 trang, cần 3" in message and "broken.pdf" in message


def test_corrupted_zip_fails_crc(files, tmp_path):
    _, _, _, zipped, _ = files
    data = bytearray(zipped.read_bytes())
    with zipfile.ZipFile(zipped) as zf:
        info = zf.infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + 500
    data[start] ^= 0xFF
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    report = verify_exports(zips={bad: None}, raise_on_error=False)
    assert not report.ok and "CRC" in report.problems[0]


def test_zip_with_folders_is_not_flat(tmp_path):
    z = tmp_path / "nested.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("sub/a.pdf", b"x")
    report = verify_exports(zips={z: ["a.pdf"]}, raise_on_error=False)
    assert any("flat" in p for p in report.problems) and any("member list" in p for p in report.problems)


def test_xlsx_header_and_row_count_are_checked(files, tmp_path):
    _, _, xlsx, _, template = files
    report = verify_exports([XlsxCheck(xlsx, template.sheet, ["STT", "so"], 5)], libreoffice=False,
                            raise_on_error=False)
    assert len(report.problems) == 2
    not_xlsx = tmp_path / "x.xlsx"
    not_xlsx.write_text("not a workbook")
    with pytest.raises(VerifyError, match="cannot open"):
        verify_exports([XlsxCheck(not_xlsx, "DL Import")], libreoffice=False)


def test_header_only_openpyxl_check_leaves_the_count_to_libreoffice(files):
    from export.verify import check_xlsx_openpyxl

    _, _, xlsx, _, template = files
    assert check_xlsx_openpyxl(XlsxCheck(xlsx, template.sheet, template.header(), 5), count_rows=False) == []
    wrong_header = check_xlsx_openpyxl(XlsxCheck(xlsx, template.sheet, ["STT"], 5), count_rows=False)
    assert len(wrong_header) == 1 and "header" in wrong_header[0]


def test_libreoffice_jobs_split_books_and_each_gets_its_own_verdict(files, tmp_path):
    from export.verify import libreoffice_problems

    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed: the LibreOffice re-read cannot run")
    _, _, xlsx, _, template = files
    other = tmp_path / "other.xlsx"
    write_book_xlsx(other, template, [{"so": "1"}])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(xlsx.read_bytes()[:300])
    checks = [XlsxCheck(xlsx, template.sheet, template.header(), 2),
              XlsxCheck(other, template.sheet, template.header(), 2),   # really 1 row
              XlsxCheck(broken, template.sheet, template.header(), 2)]
    problems = libreoffice_problems(checks, jobs=2)
    assert problems[xlsx] == []
    assert len(problems[other]) == 1 and "1 dòng, cần 2" in problems[other][0]
    assert problems[broken], "a truncated workbook must not pass the LibreOffice re-read"


def test_header_check_reads_row_one_from_the_package(files, tmp_path):
    """check_xlsx_header (the backlog's check before LibreOffice): sheet by name, row 1 as written inline or
    through the shared-strings table (a workbook saved by Excel), and a clear problem for a broken file."""
    from openpyxl import Workbook

    from export.verify import check_xlsx_header

    _, _, xlsx, _, template = files
    assert check_xlsx_header(XlsxCheck(xlsx, template.sheet, template.header())) == []
    assert "header" in check_xlsx_header(XlsxCheck(xlsx, template.sheet, list(template.header())[:-1]))[0]
    assert "sheet missing" in check_xlsx_header(XlsxCheck(xlsx, "Sheet9", template.header()))[0]
    shared = tmp_path / "shared.xlsx"
    wb = Workbook()  # normal mode: strings go to xl/sharedStrings.xml, relative part names
    wb.create_sheet("Other")
    wb.active.title = template.sheet
    wb.active.append(list(template.header()))
    wb.save(shared)
    assert check_xlsx_header(XlsxCheck(shared, template.sheet, template.header())) == []
    assert check_xlsx_header(XlsxCheck(shared, "Other", template.header())) != []
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(xlsx.read_bytes()[:500])
    assert "cannot open" in check_xlsx_header(XlsxCheck(cut, template.sheet, template.header()))[0]


def test_package_check_reads_the_whole_workbook(files, tmp_path):
    """check_xlsx_package (every backlog book): rows counted to the end, a sheet cut mid-way or a member
    failing its CRC is a problem naming the file."""
    from export.verify import check_xlsx_package

    _, _, xlsx, _, template = files
    assert check_xlsx_package(XlsxCheck(xlsx, template.sheet, template.header(), 2)) == []
    assert "2 dòng dữ liệu, cần 3" in check_xlsx_package(XlsxCheck(xlsx, template.sheet, template.header(), 3))[0]
    with zipfile.ZipFile(xlsx) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(cut, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, sheet[:sheet.index(b'<row r="3"') + 30] if name.endswith("sheet1.xml") else data)
    problems = check_xlsx_package(XlsxCheck(cut, template.sheet, template.header(), 2))
    assert problems and "cut.xlsx" in problems[0] and "cannot read through" in problems[0]
    stored = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    raw = bytearray(stored.read_bytes())
    at = raw.index(b'<row r="2"') + 12
    raw[at] ^= 0x01  # one bit flipped inside the stored sheet: its CRC no longer matches
    stored.write_bytes(bytes(raw))
    assert "CRC" in check_xlsx_package(XlsxCheck(stored, template.sheet, template.header(), 2))[0]
