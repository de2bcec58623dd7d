"""Legacy (MISA-style) import: generated workbooks with odd headers, merged cells, dates as text/serials,
blank rows and extra sheets round-trip into valid BTP workbooks; every problem names its row and column."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from export.backlog import export_backlog
from export.books import ExportOptions
from export.legacy.importer import import_legacy, read_legacy
from export.legacy.problems import LegacyImportError
from export.legacy.scans import books_needing_scans
from export.templates import load_btp_template
from extract.textutil import fold
from store.db import Store
from synth.legacy import write_misa_workbook


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "sohoa.db")
    yield s
    s.close()


def _problems(result, text: str) -> list:
    return [p for p in result.problems if text in p.message]


@pytest.mark.parametrize("doc_type", ["KS", "KT", "KH"])
def test_round_trip_into_btp_workbook(tmp_path, store, doc_type):
    sample = write_misa_workbook(tmp_path / f"{doc_type}.xlsx", doc_type, n=24, seed=3, books=2)
    result = import_legacy(store, sample.path, doc_type)
    assert len(result.records) == 24 and [b.rows for b in result.books] == [12, 12]
    assert result.commune is not None and result.commune.code == "10894"  # from the title row
    assert result.count("error") == 0, [str(p) for p in result.problems if p.severity == "error"]
    assert [fold(c.header) for c in result.unmapped] == ["ma vach luu tru"]  # header spelled oddly
    stored = store.record_rows()
    assert len(stored) == 24 and {r.status for r in stored} == {"extracted"}
    assert {f.source for r in stored for f in store.load_record(r.id).record.fields.values()} == {"legacy"}

    out = tmp_path / "out"
    report = export_backlog(store, out, options=ExportOptions(libreoffice=(doc_type == "KS")))
    assert len(report.written) == 2 and all(e.without_scans == e.rows == 12 for e in report.written)
    template = load_btp_template(doc_type)
    expected = {(t["quyenSo"], t["so"]): t for t in sample.expected}
    seen = 0
    for entry in report.written:
        wb = load_workbook(out / entry.xlsx)
        ws = wb[template.sheet]
        rows = list(ws.iter_rows())
        assert [c.value for c in rows[0]] == template.header()  # keys in template order
        index = {key: i for i, key in enumerate(template.columns)}
        for row in rows[1:]:
            values = {key: row[i].value for key, i in index.items()}
            truth = expected[(values["quyenSo"], values["so"])]
            for key, value in truth.items():
                assert values[key] == value, (key, values[key], value)
            for key in template.date_columns:
                if values.get(key):
                    assert re.fullmatch(r"(\d{2}\.){0,2}\d{4}", values[key])
            for i, key in enumerate(template.columns):
                if key.endswith(("SoDinhDanh", "SoGiayToTuyThan")) and row[i].value:
                    assert row[i].data_type == "s" and row[i].value.startswith("0")
            seen += 1
    assert seen == 24
    needs = books_needing_scans(store)
    assert len(needs) == 2 and all(b.without_scans == 12 for b in needs)
    assert (out / "can-quet-bo-sung.csv").read_text(encoding="utf-8-sig").count("\n") == 3


def test_reimport_adds_nothing(tmp_path, store):
    sample = write_misa_workbook(tmp_path / "ks.xlsx", "KS", n=10, seed=1)
    import_legacy(store, sample.path, "KS")
    again = import_legacy(store, sample.path, "KS")
    assert all(b.skipped for b in again.books) and len(store.record_rows()) == 10


def test_each_odd_input_is_reported_with_row_and_column(tmp_path):
    sample = write_misa_workbook(tmp_path / "ks.xlsx", "KS", n=16, seed=2)
    result = read_legacy(sample.path, "KS")
    first_data = sample.header_rows[-1] + 1
    serial = _problems(result, "Excel serial date")
    assert serial and all(p.row >= first_data and p.column in ("D", "G") for p in serial)
    zeros = _problems(result, "leading zero")
    assert zeros and {p.column for p in zeros} == {"L", "Q"}
    blank = _problems(result, "blank row")
    assert blank and all(p.row > first_data for p in blank)
    merged = _problems(result, "merged cell")
    assert merged and merged[0].column == "C" and "C" in merged[0].message
    cont = _problems(result, "joined to the record of row")
    assert len(cont) == 1 and cont[0].row == first_data + 2
    assert result.records[1].rows == [first_data + 1, first_data + 2]
    unmapped = _problems(result, "unmapped")
    assert len(unmapped) == 1 and fold(unmapped[0].header) == "ma vach luu tru" and unmapped[0].column
    sheet = _problems(result, "picked the best-matching sheet")
    assert sheet and "Hướng dẫn" in sheet[0].message
    for p in serial + zeros + blank + merged + cont + unmapped:
        text = str(p)
        assert f"dòng {p.row}" in text and f"row {p.row}" in text
    for p in serial + zeros + merged + unmapped:
        assert f"cột {p.column}" in str(p) and f"column {p.column}" in str(p)


def test_bad_values_name_row_column_and_header(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Số ĐK", "Quyển số", "NGÀY\nĐĂNG KÝ", "Ho ten nguoi duoc khai sinh", "Ngày sinh", "Giới tính",
               "Số định danh cá nhân"])
    ws.append(["01/2017", "01", "31/02/2017", "NGUYỄN VĂN AN", "12/1/2017", "Nam", "030217000123"])
    ws.append(["02/2017", "01", datetime(2017, 3, 1), "Lê Thị Hoa", "1/2017", "Không rõ", "12345"])
    wb.save(tmp_path / "bad.xlsx")
    result = read_legacy(tmp_path / "bad.xlsx", "KS", commune="Cẩm Hưng")
    by_cell = {(p.row, p.column): p for p in result.problems if p.severity in ("error", "warning") and p.row}
    assert "date" in by_cell[(2, "C")].message and by_cell[(2, "C")].header == "NGÀY ĐĂNG KÝ"
    assert by_cell[(3, "F")].key == "nksGioiTinh"
    assert by_cell[(3, "G")].key == "nksSoDinhDanh" and "12" in by_cell[(3, "G")].message
    rec = result.records[1].fields
    assert rec["nksNgaySinh"].value == "01.2017" and rec["nksNgaySinh"].status == "accepted"  # partial date
    assert rec["ngayDangKy"].value == "01.03.2017"
    assert result.records[0].fields["nksHoTen"].value == "Nguyễn Văn An"
    assert result.records[0].fields["nksGioiTinh"].value == "1"


def test_wrong_workbook_names_the_sheets_found(tmp_path):
    wb = Workbook()
    wb.active.title = "Hướng dẫn"
    wb.active.append(["Đọc kỹ trước khi dùng"])
    other = wb.create_sheet("Thống kê")
    other.append(["Năm", "Tổng"])
    wb.save(tmp_path / "wrong.xlsx")
    with pytest.raises(LegacyImportError) as info:
        read_legacy(tmp_path / "wrong.xlsx", "KS")
    message = str(info.value)
    assert "'Hướng dẫn'" in message and "'Thống kê'" in message and "sheets found" in message


def test_header_guessed_when_not_in_mapping(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Số ĐK", "Quyển số", "Ngày đăng ký", "Họ và tên người mẹ", "Ngày tháng năm sinh người cha",
               "Quê quán của trẻ"])
    ws.append(["01/2016", "01", "05/01/2016", "Trần Thị Mai", "1980", "Hải Dương"])
    wb.save(tmp_path / "guess.xlsx")
    result = read_legacy(tmp_path / "guess.xlsx", "KS", commune="10894")
    keys = {c.header: (c.key, c.how) for c in result.columns}
    assert keys["Họ và tên người mẹ"][0] == "meHoTen"
    assert keys["Ngày tháng năm sinh người cha"] == ("chaNgaySinh", "guess")
    guesses = [p for p in result.problems if "guessed as" in p.message]
    assert guesses and all(p.column for p in guesses)
