"""Land workbook (one row per owner per parcel) and the CMND reconciliation round trip with the police."""
import pytest
from openpyxl import load_workbook

from export.land import (
    attach_cards,
    export_land,
    import_reconciliation,
    load_land_layout,
    needs_reconciliation,
)
from export.types import LandOwner, LandRecord
from export.verify import soffice_path
from extract.types import FieldValue

GCN = {"soPhatHanh": "CS 123456", "soVaoSo": "CH 01234", "ngayCap": "12.05.2015", "thuaDatSo": "123",
       "toBanDoSo": "4", "diaChiThuaDat": "thôn Bình Lãng, xã Cẩm Hưng", "dienTich": "123,5",
       "hinhThucSuDung": "Riêng", "mucDichSuDung": "Đất ở tại nông thôn", "thoiHanSuDung": "Lâu dài",
       "nguonGocSuDung": "Nhà nước công nhận quyền sử dụng đất"}


def _records():
    couple = LandRecord("gcn-1", dict(GCN), [
        LandOwner({"hoTen": "Nguyễn Văn An", "namSinh": "1965", "loaiGiayTo": "CMND", "soGiayTo": "012345678",
                   "diaChi": "thôn Bình Lãng"}, owner_ref="11/0"),
        LandOwner({"hoTen": "Trần Thị Bình", "namSinh": "1968", "loaiGiayTo": "CCCD", "soGiayTo": "030168000123",
                   "diaChi": "thôn Bình Lãng"}, owner_ref="11/1"),
    ])
    single = LandRecord("gcn-2", {**GCN, "soPhatHanh": "BĐ 654321", "thuaDatSo": "77", "toBanDoSo": "9"}, [
        LandOwner({"hoTen": "Lê Văn Cường", "namSinh": "1950", "loaiGiayTo": "CMND", "soGiayTo": "001234567",
                   "diaChi": "xóm 2"}, owner_ref="12/0"),
    ])
    pending = LandRecord("gcn-3", {**GCN, "dienTich": FieldValue("12?,5", 0.3, "needs_review")}, [
        LandOwner({"hoTen": "Phạm Thị Lan", "soGiayTo": "098765432"}, owner_ref="13/0")])
    return [couple, single, pending]


CARDS = [
    {"soDinhDanh": "030168000123", "hoTen": "Trần Thị Bình", "ngaySinh": "02.03.1968", "gioiTinh": "2",
     "queQuan": "Cẩm Giàng, Hải Dương", "noiThuongTru": "thôn Bình Lãng, Cẩm Hưng, Cẩm Giàng, Hải Dương"},
    {"soDinhDanh": "001234567", "hoTen": "Lê Văn Cường", "ngaySinh": "10.10.1950", "gioiTinh": "1",
     "noiThuongTru": "xóm 2, Cẩm Hưng"},   # a CMND card: still needs the police
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    records = _records()
    assert attach_cards(records, CARDS) == 2
    out = tmp_path_factory.mktemp("land")
    return records, export_land(records, out, "10894", libreoffice=soffice_path() is not None)


def test_land_workbook_one_row_per_owner_per_parcel(exported):
    _, result = exported
    assert result.rows == 3 and result.held_back == {"needs_review": 1}
    layout = load_land_layout()
    ws = load_workbook(result.xlsx)[layout.sheet]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == layout.header()
    by_key = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [r["chuHoTen"] for r in by_key] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    assert by_key[0]["soPhatHanh"] == by_key[1]["soPhatHanh"] == "CS 123456"
    assert by_key[1]["soDinhDanh"] == "030168000123" and by_key[1]["gioiTinh"] == "2"
    assert by_key[1]["ngaySinh"] == "02.03.1968" and by_key[0]["soDinhDanh"] is None
    assert by_key[2]["chuSoGiayTo"] == "001234567"                        # leading zero kept
    assert ws.cell(row=4, column=layout.header().index("chuSoGiayTo") + 1).data_type == "s"
    if soffice_path():
        assert any("LibreOffice ok" in c for c in result.checks)


def test_reconciliation_list_has_only_cmnd_owners_and_an_empty_answer_column(exported):
    records, result = exported
    assert [needs_reconciliation(o) for o in records[0].owners] == [True, False]
    layout = load_land_layout()
    ws = load_workbook(result.reconciliation)[layout.reconciliation_sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    assert header == layout.reconciliation_header() and result.reconciliation_rows == 2
    answer = header.index("Số định danh cá nhân (12 số) - công an ghi")
    assert [r[answer] for r in rows[1:]] == [None, None]
    assert ws.cell(row=2, column=answer + 1).number_format == "@"           # typed answers stay text
    lines = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert lines[0]["Số CMND (9 số)"] == "012345678" and lines[0]["Ngày/năm sinh"] == "1965"
    assert lines[1]["Ngày/năm sinh"] == "10.10.1950"                         # from the CMND card
    assert lines[1]["Thửa đất số / Tờ bản đồ số"] == "thửa 77, tờ 9"
    assert lines[1]["Mã tham chiếu (không sửa)"] == "12/0"


def test_police_reply_round_trip(exported, tmp_path):
    _, result = exported
    # the police fill in the list: one good text answer, and a second list row added by hand to test
    # errors: a wrong birth year, a number typed into a General cell, an unknown province code.
    wb = load_workbook(result.reconciliation)
    ws = wb.active
    header = [c.value for c in ws[1]]
    col = {title: i + 1 for i, title in enumerate(header)}
    answer, ghi_chu = col["Số định danh cá nhân (12 số) - công an ghi"], col["Ghi chú của công an"]
    ws.cell(row=2, column=answer, value="030 065 001 234")                  # good, typed with spaces
    ws.cell(row=2, column=ghi_chu, value="đã xác minh")
    ws.cell(row=3, column=answer, value="001051000777")                     # 1951 is not 1950: bad
    for values in (["3", "Hoàng Thị Mai", "1972", "012000111", "xóm 3", "thửa 1, tờ 1", 30172004567, "", "14/0"],
                   ["4", "Vũ Văn Nam", "1980", "012000222", "xóm 4", "thửa 2, tờ 1", "999080001111", "", "15/0"],
                   ["5", "Đặng Văn Khoa", "1990", "012000333", "xóm 5", "thửa 3, tờ 1", None, "", "16/0"]):
        ws.append(values)
    ws.cell(row=4, column=answer).number_format = "General"
    reply_path = tmp_path / "tra-loi-cong-an.xlsx"
    wb.save(reply_path)

    replies = import_reconciliation(reply_path)
    by_row = {r.row: r for r in replies}
    assert sorted(by_row) == [2, 3, 4, 5, 6]
    good = by_row[2]
    assert good.ok and good.so_dinh_danh == "030065001234" and good.owner_ref == "11/0"
    assert good.cmnd == "012345678" and good.note == "đã xác minh"
    assert by_row[3].status == "invalid" and "năm sinh" in by_row[3].errors[0]
    assert by_row[4].ok and by_row[4].so_dinh_danh == "030172004567" and by_row[4].warnings   # zero restored
    assert by_row[5].status == "invalid" and "mã tỉnh 999" in by_row[5].errors[0]
    assert by_row[6].status == "unanswered"
    assert [r.row for r in replies if r.status == "invalid"] == [3, 5]


def test_conflicting_answers_are_both_flagged(exported, tmp_path):
    _, result = exported
    wb = load_workbook(result.reconciliation)
    ws = wb.active
    answer = [c.value for c in ws[1]].index("Số định danh cá nhân (12 số) - công an ghi") + 1
    ws.cell(row=2, column=answer, value="030065001234")
    ws.cell(row=3, column=answer, value="030065001234")
    wb.save(tmp_path / "reply.xlsx")
    replies = import_reconciliation(tmp_path / "reply.xlsx")
    assert all(r.status == "invalid" for r in replies)
    assert any("trùng với dòng 3" in e for e in replies[0].errors)


def test_reply_without_the_columns_is_refused(tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="not found"):
        import_reconciliation(tmp_path / "x.xlsx")


def test_include_unreviewed_lists_every_certificate(tmp_path):
    result = export_land(_records(), tmp_path, "10894", include_unreviewed=True, libreoffice=False)
    assert result.rows == 4 and result.reconciliation_rows == 3 and not result.held_back


def test_a_chip_card_qr_code_links_the_old_cmnd_and_shrinks_the_police_list(tmp_path):
    records = _records()
    front = {"soDinhDanh": "030165001111", "hoTen": "Nguyễn Văn An", "ngaySinh": "01.02.1965", "soCMNDCu": "012345678"}
    back = {"soDinhDanh": "030165001111", "ngayCap": "05.06.2022", "soCMNDCu": "012345678"}
    assert attach_cards(records, [front, back, *CARDS]) == 3                 # An found by his old number
    an = records[0].owners[0]
    assert an.card["soDinhDanh"] == "030165001111" and an.card["ngayCap"] == "05.06.2022"  # both sides joined
    assert not needs_reconciliation(an)
    result = export_land(records, tmp_path, "10894", libreoffice=False)
    assert result.resolved_by_qr == 1 and result.reconciliation_rows == 1   # only Lê Văn Cường is left
    layout = load_land_layout()
    rows = list(load_workbook(result.xlsx)[layout.sheet].iter_rows(values_only=True))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["chuSoGiayTo"], first["soDinhDanh"], first["soCMNDCu"]) == ("012345678", "030165001111", "012345678")
    note = load_workbook(result.reconciliation)[layout.notes_sheet]["A1"].value
    assert "mã QR" in note and "1 chủ sử dụng" in note and "còn 1" in note
