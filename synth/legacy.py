"""Synthetic MISA-style legacy workbooks for tests and the benchmark. Every value is invented.

The retired program's exports are not available, so the layout imitates what such exports commonly look
like [unverified]: title rows merged across the sheet, a two-row header with person groups merged over
their columns ("Thông tin người mẹ" over Họ và tên / Năm sinh / …), values as people typed them (names in
capitals, "Nam"/"Nữ", "Đúng hạn"), dates as text, as Excel date cells, as serial numbers or as a bare
year, ID numbers stored as numbers (leading zero lost), a book number merged down its rows, a record
continued on a second row, blank rows, and extra sheets before the data.

`write_misa_workbook` returns the registrations as the import must produce them (template keys, values
normalised the project's way) so tests can check the round trip.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from synth.backlog import synthetic_name

ALL_QUIRKS = frozenset({"title_rows", "group_headers", "odd_headers", "date_styles", "numeric_ids", "blank_rows",
                        "merged_book", "continuation_row", "extra_sheets", "unknown_column"})
_PLACES = ("xã Cẩm Hưng, huyện Cẩm Giàng, tỉnh Hải Dương", "xã Cẩm Điền, huyện Cẩm Giàng, tỉnh Hải Dương",
           "xã Nam Hưng, huyện Nam Sách, tỉnh Hải Dương", "Trạm y tế xã Cẩm Hưng")
_EXCEL_EPOCH = date(1899, 12, 30)
AUTHORITY = "UBND xã Cẩm Hưng, huyện Cẩm Giàng, tỉnh Hải Dương"


@dataclass(frozen=True)
class Column:
    key: str | None         # template key; None = a column the import must report as unmapped
    flat: str               # header in a one-row layout
    group: str = ""         # person group heading in the two-row layout
    sub: str = ""           # sub-heading under the group
    kind: str = "text"      # text | name | date | year | gender | code | id12 | id9 | place


KS_COLUMNS = (
    Column(None, "STT"),
    Column("so", "Số ĐK"),
    Column("quyenSo", "Quyển số"),
    Column("ngayDangKy", "Ngày đăng ký", kind="date"),
    Column("loaiDangKy", "Loại đăng ký", kind="code"),
    Column("nksHoTen", "Họ tên người được khai sinh", "Người được khai sinh", "Họ và tên", "name"),
    Column("nksNgaySinh", "Ngày sinh", "Người được khai sinh", "Ngày sinh", "date"),
    Column("nksGioiTinh", "Giới tính", "Người được khai sinh", "Giới tính", "gender"),
    Column("nksDanToc", "Dân tộc", "Người được khai sinh", "Dân tộc"),
    Column("nksQuocTich", "Quốc tịch", "Người được khai sinh", "Quốc tịch"),
    Column("nksNoiSinh", "Nơi sinh", "Người được khai sinh", "Nơi sinh", "place"),
    Column("nksSoDinhDanh", "Số định danh cá nhân", "Người được khai sinh", "Số định danh", "id12"),
    Column("meHoTen", "Họ tên mẹ", "Thông tin người mẹ", "Họ và tên", "name"),
    Column("meNgaySinh", "Năm sinh mẹ", "Thông tin người mẹ", "Năm sinh", "year"),
    Column("meDanToc", "Dân tộc mẹ", "Thông tin người mẹ", "Dân tộc"),
    Column("meNoiCuTru", "Nơi cư trú mẹ", "Thông tin người mẹ", "Nơi cư trú", "place"),
    Column("meSoGiayToTuyThan", "Số CMND mẹ", "Thông tin người mẹ", "Số CMND", "id9"),
    Column("chaHoTen", "Họ tên cha", "Thông tin người cha", "Họ và tên", "name"),
    Column("chaNgaySinh", "Năm sinh cha", "Thông tin người cha", "Năm sinh", "year"),
    Column("chaDanToc", "Dân tộc cha", "Thông tin người cha", "Dân tộc"),
    Column("nycHoTen", "Người đi khai sinh", kind="name"),
    Column("nycQuanHe", "Quan hệ với người được khai sinh"),
    Column("nguoiKy", "Người ký", kind="name"),
    Column("chucVuNguoiKy", "Chức vụ người ký"),
    Column("nguoiThucHien", "Cán bộ tư pháp", kind="name"),
    Column("noiDangKy", "Nơi đăng ký", kind="authority"),
    Column(None, "Mã vạch lưu trữ"),
)

KT_COLUMNS = (
    Column(None, "STT"),
    Column("so", "Số ĐK"),
    Column("quyenSo", "Quyển số"),
    Column("ngayDangKy", "Ngày đăng ký", kind="date"),
    Column("nktHoTen", "Họ tên người chết", "Người chết", "Họ và tên", "name"),
    Column("nktNgaySinh", "Năm sinh người chết", "Người chết", "Năm sinh", "year"),
    Column("nktGioiTinh", "Giới tính", "Người chết", "Giới tính", "gender"),
    Column("nktDanToc", "Dân tộc", "Người chết", "Dân tộc"),
    Column("nktSoGiayToTuyThan", "Số CMND người chết", "Người chết", "Số CMND", "id9"),
    Column("nktNgayChet", "Ngày chết", "Người chết", "Ngày chết", "date"),
    Column("nktNoiChet", "Nơi chết", "Người chết", "Nơi chết", "place"),
    Column("nycHoTen", "Người đi khai tử", kind="name"),
    Column("nycQuanHe", "Quan hệ với người chết"),
    Column("nguoiKy", "Người ký", kind="name"),
    Column("noiDangKy", "Nơi đăng ký", kind="authority"),
    Column(None, "Mã vạch lưu trữ"),
)

KH_COLUMNS = (
    Column(None, "STT"),
    Column("so", "Số ĐK"),
    Column("quyenSo", "Quyển số"),
    Column("ngayDangKy", "Ngày đăng ký", kind="date"),
    Column("chongHoTen", "Họ tên chồng", "Bên chồng", "Họ và tên", "name"),
    Column("chongNgaySinh", "Ngày sinh chồng", "Bên chồng", "Ngày sinh", "date"),
    Column("chongDanToc", "Dân tộc chồng", "Bên chồng", "Dân tộc"),
    Column("chongNoiCuTru", "Nơi cư trú chồng", "Bên chồng", "Nơi cư trú", "place"),
    Column("chongSoGiayToTuyThan", "Số CMND chồng", "Bên chồng", "Số CMND", "id9"),
    Column("voHoTen", "Họ tên vợ", "Bên vợ", "Họ và tên", "name"),
    Column("voNgaySinh", "Ngày sinh vợ", "Bên vợ", "Ngày sinh", "date"),
    Column("voDanToc", "Dân tộc vợ", "Bên vợ", "Dân tộc"),
    Column("voNoiCuTru", "Nơi cư trú vợ", "Bên vợ", "Nơi cư trú", "place"),
    Column("voSoGiayToTuyThan", "Số CMND vợ", "Bên vợ", "Số CMND", "id9"),
    Column("nguoiKy", "Người ký", kind="name"),
    Column("noiDangKy", "Nơi đăng ký", kind="authority"),
    Column(None, "Mã vạch lưu trữ"),
)

COLUMNS = {"KS": KS_COLUMNS, "KT": KT_COLUMNS, "KH": KH_COLUMNS}
TITLES = {"KS": "SỔ ĐĂNG KÝ KHAI SINH", "KT": "SỔ ĐĂNG KÝ KHAI TỬ", "KH": "SỔ ĐĂNG KÝ KẾT HÔN"}


@dataclass
class SampleWorkbook:
    path: Path
    doc_type: str
    expected: list[dict[str, str]] = field(default_factory=list)  # one per registration, in sheet order
    data_sheet: str = ""
    header_rows: tuple[int, ...] = ()


def _truth_value(col: Column, rng: random.Random, reg: date, year: int) -> str:
    if col.kind == "name":
        return synthetic_name(rng)
    if col.kind == "date":
        d = reg - timedelta(days=rng.randint(3, 60)) if col.key != "ngayDangKy" else reg
        if col.key in ("chongNgaySinh", "voNgaySinh"):
            d = date(rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28))
        return d.strftime("%d.%m.%Y")
    if col.kind == "year":
        return str(rng.randint(1940 if col.key == "nktNgaySinh" else 1965, 1995))
    if col.kind == "gender":
        return rng.choice(("1", "2"))
    if col.kind == "code":
        return "1"
    if col.kind == "id12":
        return f"030{rng.choice((2, 3))}{year % 100:02d}{rng.randint(0, 999999):06d}"
    if col.kind == "id9":
        return f"0{rng.randint(30000000, 39999999)}"  # Hải Dương-era CMND, leading zero
    if col.kind == "place":
        return rng.choice(_PLACES)
    if col.kind == "authority":  # the book's registering authority: the commune of the title row
        return AUTHORITY
    return {"nksDanToc": "Kinh", "meDanToc": "Kinh", "chaDanToc": "Kinh", "nktDanToc": "Kinh",
            "chongDanToc": "Kinh", "voDanToc": "Kinh", "nksQuocTich": "Việt Nam", "nycQuanHe": "Cha",
            "chucVuNguoiKy": "Chủ tịch"}.get(col.key or "", "Kinh")


def _typed(col: Column, value: str, rng: random.Random, quirks: Collection[str], i: int) -> object:
    """How the legacy program or its users put the value in the cell."""
    if col.kind == "name":
        return value.upper() if i % 3 == 0 else value
    if col.kind == "gender":
        return {"1": "Nam", "2": "Nữ"}[value]
    if col.kind == "code":
        return "Đúng hạn"
    if col.kind == "date":
        d = datetime.strptime(value, "%d.%m.%Y")
        style = i % 4 if "date_styles" in quirks else 1
        if style == 0:
            return d                                      # a real date cell
        if style == 2:
            return (d.date() - _EXCEL_EPOCH).days         # a bare serial number (format lost)
        if style == 3:
            return d.strftime("%-d/%-m/%Y")               # text, no leading zeros
        return d.strftime("%d/%m/%Y")                     # text dd/mm/yyyy
    if col.kind == "year":
        return int(value) if "date_styles" in quirks else value
    if col.kind in ("id12", "id9") and "numeric_ids" in quirks and i % 2 == 0:
        return int(value)                                 # stored as a number: the leading zero is lost
    return value


def _odd(header: str, j: int) -> str:
    """Headers as people retype them: line breaks, double spaces, capitals, missing accents."""
    from export.naming import strip_diacritics

    match j % 4:
        case 0:
            return header.replace(" ", "\n", 1)
        case 1:
            return "  " + header.upper().replace(" ", "  ") + " "
        case 2:
            return strip_diacritics(header).lower()
        case _:
            return header


def write_misa_workbook(path: Path, doc_type: str = "KS", n: int = 20, *, seed: int = 0, year: int = 2016,
                        books: int = 1, quirks: Collection[str] = ALL_QUIRKS,
                        column_filter: Callable[[Column], bool] | None = None) -> SampleWorkbook:
    """Write a legacy-style workbook of `n` registrations spread over `books` books."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    doc_type = doc_type.upper()
    rng = random.Random(seed)
    cols = [c for c in COLUMNS[doc_type] if column_filter is None or column_filter(c)]
    if "unknown_column" not in quirks:
        cols = [c for c in cols if c.key is not None or c.flat == "STT"]
    wb = Workbook()
    ws = wb.active
    result = SampleWorkbook(Path(path), doc_type)
    if "extra_sheets" in quirks:
        ws.title = "Hướng dẫn"
        ws.append(["Tệp xuất từ phần mềm hộ tịch (legacy export). Không sửa trang này."])
        summary = wb.create_sheet("Tổng hợp")
        summary.append(["Năm", "Số lượng"])
        summary.append([year, n])
        ws = wb.create_sheet("Danh sách")
    else:
        ws.title = "Danh sách"
    result.data_sheet = ws.title
    width = len(cols)
    row = 1
    if "title_rows" in quirks:
        ws.cell(row=1, column=1, value=TITLES[doc_type])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(row=2, column=1, value="UBND xã Cẩm Hưng — huyện Cẩm Giàng")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        row = 4  # row 3 left empty, as such exports often do
    two_rows = "group_headers" in quirks
    for j, col in enumerate(cols, start=1):
        text = col.sub if two_rows and col.group else col.flat
        if "odd_headers" in quirks:
            text = _odd(text, j)
        if two_rows and col.group:
            ws.cell(row=row + 1, column=j, value=text)
        else:
            ws.cell(row=row, column=j, value=text).alignment = Alignment(wrap_text=True)
            if two_rows:
                ws.merge_cells(start_row=row, start_column=j, end_row=row + 1, end_column=j)
    if two_rows:
        groups: dict[str, list[int]] = {}
        for j, col in enumerate(cols, start=1):
            if col.group:
                groups.setdefault(col.group, []).append(j)
        for group, js in groups.items():
            ws.cell(row=row, column=js[0], value=group)
            if len(js) > 1:
                ws.merge_cells(start_row=row, start_column=js[0], end_row=row, end_column=js[-1])
    result.header_rows = (row, row + 1) if two_rows else (row,)
    row += 2 if two_rows else 1

    per_book = max(1, -(-n // books))
    index = 0
    for b in range(books):
        book_no = f"{b + 1:02d}"
        first_row = row
        for k in range(min(per_book, n - index)):
            index += 1
            reg = date(year, 1, 1) + timedelta(days=(index * 3) % 360)
            truth: dict[str, str] = {}
            for col in cols:
                if col.key == "so":
                    truth["so"] = f"{k + 1:02d}/{year}"
                elif col.key == "quyenSo":
                    truth["quyenSo"] = book_no
                elif col.key is not None:
                    truth[col.key] = _truth_value(col, rng, reg, year)
            if "nksSoDinhDanh" in truth:  # the number's century/sex digit and YY agree with the child
                born = int(truth.get("nksNgaySinh", f"01.01.{year}")[-4:])
                g = (born - 1900) // 100 * 2 + (truth.get("nksGioiTinh") == "2")
                truth["nksSoDinhDanh"] = f"030{g}{born % 100:02d}{truth['nksSoDinhDanh'][6:]}"
            continued = "continuation_row" in quirks and index == 2
            if continued:
                for key in ("nksNoiSinh", "meNoiCuTru", "nktNoiChet", "chongNoiCuTru"):
                    if key in truth:
                        truth[key] = _PLACES[0]
            for j, col in enumerate(cols, start=1):
                if col.key is None:
                    value: object = index if col.flat == "STT" else f"LT-{seed}-{index:05d}"
                elif col.key == "quyenSo" and "merged_book" in quirks and k > 0:
                    continue  # merged below
                elif continued and col.key in ("nksNoiSinh", "meNoiCuTru", "nktNoiChet", "chongNoiCuTru"):
                    head, _, tail = truth[col.key].partition(", ")
                    ws.cell(row=row + 1, column=j, value=tail)  # the value runs over onto the next row
                    value = head + ","
                else:
                    value = _typed(col, truth[col.key], rng, quirks, index)
                ws.cell(row=row, column=j, value=value)
            result.expected.append(truth)
            row += 2 if continued else 1
            if "blank_rows" in quirks and index % 7 == 0:
                row += 1
        if "merged_book" in quirks and row - 1 > first_row:
            col_j = next(j for j, c in enumerate(cols, start=1) if c.key == "quyenSo")
            ws.merge_cells(start_row=first_row, start_column=col_j, end_row=row - 1, end_column=col_j)
    result.path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(result.path)
    return result
