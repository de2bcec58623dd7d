"""The BTP workbook has the template's exact shape: keys, text IDs, dd.mm.yyyy dates, the Ghi chu sheet."""
import csv
import subprocess

import pytest
from openpyxl import load_workbook

from export.btp_excel import normalize_date, write_book_xlsx
from export.templates import TemplateError, btp_types, load_btp_template, parse_btp_template
from export.verify import XlsxCheck, soffice_path, verify_exports
from extract.types import FieldValue

# Copied from shared/domain.md §1 ([confirmed] KS template), in order.
KS_COLUMNS = """STT, so, quyenSo, trangSo, ngayDangKy, loaiDangKy, noiDangKy, nguoiKy, chucVuNguoiKy, nguoiThucHien, ghiChu,
nksSoDinhDanh, nksHoTen, nksGioiTinh, nksNgaySinh, nksNgaySinhBangChu, nksNoiSinh, nksNoiSinhDVHC, nksQueQuan,
nksDanToc, nksQuocTich, nksQuocTichStr, nksQuocTichKhac, nksQuocTichKhacStr, nksLoaiKhaiSinh, nksMatTich,
nksMatTichNgayGhiChuTuyenBo, nksMatTichCanCuTuyenBo, nksMatTichNgayGhiChuHuyTuyenBo, nksMatTichCanCuHuyTuyenBo,
nksHanCheNangLucHanhVi, nksHanCheNangLucHanhViNgayGhiChuTuyenBo, nksHanCheNangLucHanhViCanCuTuyenBo,
nksHanCheNangLucHanhViNgayGhiChuHuyTuyenBo, nksHanCheNangLucHanhViNgayCanCuHuyTuyenBo, meSoDinhDanhCaNhan,
meHoTen, meNgaySinh, meDanToc, meQuocTich, meQuocTichStr, meQuocTichKhac, meQuocTichKhacStr, meLoaiCuTru,
meNoiCuTru, meLoaiGiayToTuyThan, meSoGiayToTuyThan, chaSoDinhDanhCaNhan, chaHoTen, chaNgaySinh, chaDanToc,
chaQuocTich, chaQuocTichStr, chaQuocTichKhac, chaQuocTichKhacStr, chaLoaiCuTru, chaNoiCuTru,
chaLoaiGiayToTuyThan, chaSoGiayToTuyThan, nycHoTen, nycQuanHe, nycLoaiGiayToTuyThan, nycGiayToKhac,
nycSoGiayToTuyThan, nycNgayCapGiayToTuyThan, nycNoiCapGiayToTuyThan, soDangKyNuocNgoai, ngayDangKyNuocNgoai,
cqNuocNgoaiDaDangKy, qgNuocNgoaiDaDangKy"""
KS_KEYS = [k.strip() for k in KS_COLUMNS.replace("\n", " ").split(",")]
LEADING = ["so", "quyenSo", "trangSo", "ngayDangKy", "loaiDangKy", "noiDangKy", "nguoiKy", "chucVuNguoiKy",
           "nguoiThucHien", "ghiChu"]

ROWS = [
    {"so": "01/2010", "quyenSo": "01", "ngayDangKy": "05/01/2010", "loaiDangKy": "1",
     "nksSoDinhDanh": FieldValue("030210001234", 0.99, "accepted"), "nksHoTen": "Nguyễn Văn An",
     "nksGioiTinh": "1", "nksNgaySinh": "2010-01-02", "meNgaySinh": "1985",
     "meSoDinhDanhCaNhan": "001185000007", "chaSoGiayToTuyThan": "012345678", "ghiChu": "=SUM(A1)", "nksQueQuan": "#N/A"},
    {"so": "02/2010", "quyenSo": "01", "ngayDangKy": "07.01.2010", "nksHoTen": "Trần Thị Thúy",
     "nksNgaySinh": "03.2009", "nksGioiTinh": FieldValue("", 0.2, "needs_review")},
]


@pytest.fixture(scope="module")
def ks_workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("btp") / "ks.xlsx"
    template = load_btp_template("KS")
    assert write_book_xlsx(path, template, iter(ROWS)) == 2
    return path, template


def test_ks_template_columns_are_the_domain_list_exactly():
    assert list(load_btp_template("KS").columns) == KS_KEYS
    assert len(KS_KEYS) == 70


@pytest.mark.parametrize("doc_type", btp_types())
def test_every_book_type_has_a_template_with_the_shared_leading_columns(doc_type):
    template = load_btp_template(doc_type)
    assert template.columns[0] == "STT" and list(template.columns[1:11]) == LEADING
    assert template.sheet == "DL Import" and template.notes_sheet == "Ghi chu"


def test_header_row_keys_in_order_with_annotation(ks_workbook):
    path, _ = ks_workbook
    ws = load_workbook(path)["DL Import"]
    header = [c.value for c in ws[1]]
    assert [h.split("\n")[0] for h in header] == KS_KEYS
    assert header[KS_KEYS.index("loaiDangKy")] == "loaiDangKy\ni=[1,2,3,4,5,6]"


def test_ids_are_text_with_leading_zeros(ks_workbook):
    path, _ = ks_workbook
    ws = load_workbook(path)["DL Import"]
    col = {k: i + 1 for i, k in enumerate(KS_KEYS)}
    for key, expected in (("nksSoDinhDanh", "030210001234"), ("meSoDinhDanhCaNhan", "001185000007"),
                          ("chaSoGiayToTuyThan", "012345678"), ("quyenSo", "01")):
        cell = ws.cell(row=2, column=col[key])
        assert cell.value == expected and cell.data_type == "s"
        # the text format sits on the column (what is typed in later stays text), not on each cell
        assert ws.column_dimensions[cell.column_letter].number_format == "@"
    assert ws.column_dimensions["A"].number_format == "General"  # STT stays a number
    formula_like = ws.cell(row=2, column=col["ghiChu"])
    assert formula_like.value == "=SUM(A1)" and formula_like.data_type == "s"
    error_like = ws.cell(row=2, column=col["nksQueQuan"])
    assert error_like.value == "#N/A" and error_like.data_type == "s"


def test_dates_are_dotted_text_and_partial_dates_kept(ks_workbook):
    path, _ = ks_workbook
    ws = load_workbook(path)["DL Import"]
    col = {k: i + 1 for i, k in enumerate(KS_KEYS)}
    assert ws.cell(row=2, column=col["ngayDangKy"]).value == "05.01.2010"
    assert ws.cell(row=2, column=col["nksNgaySinh"]).value == "02.01.2010"
    assert ws.cell(row=2, column=col["meNgaySinh"]).value == "1985"
    assert ws.cell(row=3, column=col["nksNgaySinh"]).value == "03.2009"
    assert ws.cell(row=3, column=col["ngayDangKy"]).data_type == "s"


def test_stt_numbering_and_empty_unknowns(ks_workbook):
    path, _ = ks_workbook
    ws = load_workbook(path)["DL Import"]
    col = {k: i + 1 for i, k in enumerate(KS_KEYS)}
    assert [ws.cell(row=r, column=1).value for r in (2, 3)] == [1, 2]
    assert ws.cell(row=3, column=col["nksGioiTinh"]).value is None   # unknown -> empty, not "None"
    assert ws.cell(row=3, column=col["nksQueQuan"]).value is None
    assert ws.max_row == 3


def test_ghi_chu_sheet_holds_the_code_lists(ks_workbook):
    path, _ = ks_workbook
    wb = load_workbook(path)
    assert wb.sheetnames == ["DL Import", "Ghi chu"]
    values = [tuple(r) for r in wb["Ghi chu"].iter_rows(values_only=True)]
    assert ("2", "Nữ") in values and ("6", "Không xác định") in values and ("4", "Căn cước công dân") in values


def test_libreoffice_reads_ids_as_text(ks_workbook, tmp_path):
    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the LibreOffice re-read cannot run")
    path, template = ks_workbook
    report = verify_exports([XlsxCheck(path, template.sheet, template.header(), 2)])
    assert report.ok and report.libreoffice
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path),
                    str(path)], check=True, capture_output=True, timeout=180)
    rows = list(csv.reader((tmp_path / "ks.csv").open(encoding="utf-8")))
    row = dict(zip([h.split("\n")[0] for h in rows[0]], rows[1], strict=True))
    assert row["meSoDinhDanhCaNhan"] == "001185000007" and row["ngayDangKy"] == "05.01.2010"
    assert row["chaSoGiayToTuyThan"] == "012345678" and row["quyenSo"] == "01" and row["STT"] == "1"
    assert row["ghiChu"] == "=SUM(A1)" and row["nksQueQuan"] == "#N/A"  # text, not a formula or an error


def test_normalize_date_spellings():
    import datetime as dt
    assert normalize_date(dt.date(2010, 1, 5)) == "05.01.2010"
    assert normalize_date("5-1-2010") == "05.01.2010"
    assert normalize_date("3/2009") == "03.2009"
    assert normalize_date("không rõ") == "không rõ"


def test_template_errors_are_clear(tmp_path):
    with pytest.raises(TemplateError, match="duplicate"):
        parse_btp_template({"doc_type": "KS", "columns": ["STT", "so", "so"]}, tmp_path / "x.toml")
    with pytest.raises(TemplateError, match="missing column"):
        parse_btp_template({"doc_type": "KS", "columns": ["so"], "annotations": {"x": "1"}}, tmp_path / "x.toml")
    with pytest.raises(TemplateError, match="no BTP template"):
        load_btp_template("XX")
