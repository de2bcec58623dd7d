"""Page documents of the rendered set: web articles, letters, two-column articles, ruled tables, forms with
leaders, and civil-status register pages (KS, KT, KH) with field truth keyed like the project's profiles.

Layouts are written here from public forms (Circular 04/2020/TT-BTP style headers, typed letters), not from
synth/register.py; label wordings are the forms' and a few other plausible ones.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from synth.rendered import fonts
from synth.rendered.model import Columns, Doc, FieldTruth, Leader, Row, Slot, Table, Text
from synth.rendered.sources import (
    Person,
    cmnd9,
    date_in_words,
    dotted,
    id12,
    paragraph,
    random_person,
    random_place,
    sentence,
    slashed,
    spelled,
    title_words,
    upper,
)

INKS = ("#111111", "#1a1a2e", "#222222", "#0d1b3e", "#2b2b2b")
LEADER_COLORS = ("#000000", "#333333", "#555555", "#777777", "#1f3a93", "#8a8a8a")


def random_leader(rng: random.Random, allow_none: bool = True) -> Leader:
    """A leader style drawn from a wide range: kind, text or drawn, pitch, size, colour, on/after the value,
    touching or not."""
    kinds = ["dots"] * 5 + ["dashes", "underscore", "solid", "dotdash"] + (["none"] if allow_none else [])
    kind = rng.choice(kinds)
    return Leader(kind=kind, drawn=rng.choice(["text", "text", "line"]), pitch=round(rng.uniform(0.6, 2.2), 2),
                  size=round(rng.uniform(0.7, 1.6), 2), color=rng.choice(LEADER_COLORS),
                  under=rng.random() < 0.3, gap=rng.choice([0.0, 0.0, 0.15, 0.3, 0.6]))


def _doc(rng: random.Random, blocks, page: str = "a4", kind: str | None = None, **kw) -> Doc:
    fam = rng.choice(fonts.body_families(kind))
    head = fam.name if fam.bold else rng.choice(fonts.bold_families()).name
    return Doc(blocks, fam.name, head, size_pt=kw.pop("size_pt", round(rng.uniform(11, 13.5), 1)),
               line_height=kw.pop("line_height", round(rng.uniform(1.2, 1.6), 2)), page=page,
               margins_mm=kw.pop("margins_mm", (rng.uniform(15, 25), rng.uniform(15, 22), 15, rng.uniform(20, 30))),
               ink=rng.choice(INKS), **kw)


def _authority(place) -> tuple[str, str]:
    return "ỦY BAN NHÂN DÂN", upper(place.ward)


def _header(rng: random.Random, place) -> list:
    a1, a2 = _authority(place)
    return [Table([[a1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], [a2, "Độc lập - Tự do - Hạnh phúc"]],
                  header_rows=1 if rng.random() < 0.5 else 0, ruled=False, widths=[0.42, 0.58],
                  align=["center", "center"])]


def _when_where(rng: random.Random, place, d: date) -> Text:
    town = place.ward.split(" ", 1)[1]
    return Text(f"{town}, {spelled(d, rng.random() < 0.5)}", align="right", italic=rng.random() < 0.7)


# --- plain pages -----------------------------------------------------------------------------------------

def article(rng: random.Random, page: str = "a4", paragraphs: tuple[int, int] = (3, 6)) -> Doc:
    blocks = [Text(title_words(rng).upper() if rng.random() < 0.4 else title_words(rng), align="center",
                   bold=True, scale=rng.uniform(1.2, 1.6))]
    if rng.random() < 0.5:
        blocks.append(Text(f"Cập nhật {slashed(date(2024, 1, 1) + timedelta(days=rng.randrange(600)))}",
                           italic=True, scale=0.85))
    for _ in range(rng.randint(*paragraphs)):
        blocks.append(Text(paragraph(rng), align=rng.choice(["left", "justify"]), space_before=0.5))
        if rng.random() < 0.2:
            blocks.append(Text(title_words(rng, (2, 5)), bold=True, space_before=0.6))
    return _doc(rng, blocks, page)


def web_page(rng: random.Random) -> Doc:
    """A news or portal page as a browser shows it: site bar, menu, headline, paragraphs."""
    place = random_place(rng)
    site = f"Cổng thông tin điện tử {place.province}"
    menu = " | ".join(rng.sample(["Trang chủ", "Tin tức", "Thủ tục hành chính", "Văn bản", "Liên hệ",
                                  "Hỏi đáp", "Thông báo", "Dịch vụ công"], 5))
    doc = article(rng, "web", (3, 5))
    doc.blocks[:0] = [Text(site, bold=True, scale=1.3), Text(menu, scale=0.9)]
    doc.size_pt = round(rng.uniform(9.5, 12), 1)
    doc.web_width = rng.choice([800, 960, 1024, 1180])
    doc.margins_mm = (6, 8, 8, 8)
    doc.css_extra = (f".page>p:first-child{{background:{rng.choice(['#0b5394', '#a61c1c', '#1d6b3a'])};color:#fff;"
                     "padding:0.4em 0.6em}.page>p:nth-child(2){border-bottom:1px solid #ccc;padding:0.3em 0;"
                     "color:#0b5394}")
    return doc


def letter(rng: random.Random) -> Doc:
    place = random_place(rng)
    d = date(2012, 1, 1) + timedelta(days=rng.randrange(4500))
    who = random_person(rng, date(1960, 1, 1), date(1990, 1, 1), home=place)
    blocks = _header(rng, place) + [
        Text(f"Số: {rng.randint(1, 999)}/UBND-{rng.choice(['VP', 'TP', 'ĐC', 'TC'])}", scale=0.95),
        _when_where(rng, place, d),
        Text(rng.choice(["THÔNG BÁO", "CÔNG VĂN", "GIẤY MỜI", "QUYẾT ĐỊNH"]), align="center", bold=True,
             scale=1.25, space_before=0.8),
        Text(f"V/v {sentence(rng, (4, 9)).rstrip('.;:').lower()}", align="center", italic=True),
        Text(f"Kính gửi: {rng.choice(['Ông', 'Bà'])} {who.name}", align="center", space_before=0.6),
    ]
    for _ in range(rng.randint(2, 4)):
        blocks.append(Text(paragraph(rng, (2, 4)), align="justify", space_before=0.4))
    blocks += [Text("TM. ỦY BAN NHÂN DÂN", align="right", bold=True, space_before=1.0),
               Text(rng.choice(["CHỦ TỊCH", "PHÓ CHỦ TỊCH"]), align="right", bold=True),
               Text(random_person(rng, date(1960, 1, 1), date(1985, 1, 1)).name, align="right", bold=True,
                    space_before=3.0)]
    return _doc(rng, blocks)


def two_column(rng: random.Random) -> Doc:
    blocks = [Text(title_words(rng).upper(), align="center", bold=True, scale=1.4),
              Text(sentence(rng), align="center", italic=True, scale=0.95),
              Columns([Text(paragraph(rng, (3, 5))) for _ in range(rng.randint(3, 5))], count=2)]
    return _doc(rng, blocks, size_pt=round(rng.uniform(10, 12), 1))


def table_page(rng: random.Random) -> Doc:
    place = random_place(rng)
    n = rng.randint(6, 14)
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", rng.choice(["Số CCCD", "Số CMND/CCCD"]),
              rng.choice(["Nơi cư trú", "Địa chỉ"])]
    rows = [header]
    for i in range(n):
        p = random_person(rng, date(1940, 1, 1), date(2005, 1, 1), home=place)
        rows.append([str(i + 1), p.name, slashed(p.birth), p.sex_word,
                     id12(rng, p) if rng.random() < 0.7 else cmnd9(rng), p.street])
    blocks = _header(rng, place) + [
        Text(rng.choice(["DANH SÁCH", "BẢNG TỔNG HỢP", "DANH SÁCH ĐỐI CHIẾU"]), align="center", bold=True,
             scale=1.3, space_before=0.8),
        Text(sentence(rng, (6, 12)), align="center", italic=True),
        Table(rows, widths=[0.5, 2.2, 1.3, 0.9, 1.7, 2.4], align=["center", "left", "center", "center", "left",
                                                                  "left"]),
        Text(paragraph(rng, (1, 2)), align="justify", space_before=0.5),
    ]
    return _doc(rng, blocks, size_pt=round(rng.uniform(9.5, 11.5), 1))


def form_page(rng: random.Random) -> tuple[Doc, dict]:
    """A declaration form: labels with leaders, some typed in, some left blank."""
    place = random_place(rng)
    p = random_person(rng, date(1950, 1, 1), date(2004, 1, 1), home=place)
    mixed = rng.random() < 0.3
    base = random_leader(rng, allow_none=False)

    def ld() -> Leader:
        return random_leader(rng, allow_none=False) if mixed else base

    filled = rng.random() < 0.8
    def v(text: str) -> str:
        return text if filled and rng.random() < 0.9 else ""
    rows = [
        Row([Slot("Họ, chữ đệm, tên người khai:", v(upper(p.name) if rng.random() < 0.5 else p.name))], ld()),
        Row([Slot("Ngày, tháng, năm sinh:", v(slashed(p.birth))), Slot("Giới tính:", v(p.sex_word), width=0.6)],
            ld()),
        Row([Slot("Dân tộc:", v(p.ethnicity)), Slot("Quốc tịch:", v("Việt Nam"))], ld()),
        Row([Slot("Nơi cư trú:", v(p.residence))], ld()),
        Row([Slot("Số định danh cá nhân:", v(id12(rng, p)))], ld()),
        Row([Slot("Nghề nghiệp:", v(rng.choice(["Làm ruộng", "Công nhân", "Giáo viên", "Buôn bán", "Hưu trí"])))],
            ld()),
        Row([Slot("Số điện thoại liên hệ:", v(f"0{rng.randint(3, 9)}{rng.randrange(10**8):08d}"))], ld()),
        Row([Slot("Nội dung đề nghị:", v(sentence(rng, (4, 8)).rstrip(".;:")))], ld()),
        Row([Slot("", "")], ld()),
    ]
    blocks = _header(rng, place) + [
        Text(rng.choice(["TỜ KHAI", "ĐƠN ĐỀ NGHỊ", "PHIẾU ĐĂNG KÝ", "TỜ KHAI THAY ĐỔI THÔNG TIN"]), align="center",
             bold=True, scale=1.3, space_before=0.8),
        Text(f"Kính gửi: Ủy ban nhân dân {place.ward}", align="center", space_before=0.4),
    ] + rows + [Text(sentence(rng), italic=True, space_before=0.6),
                _when_where(rng, place, date(2020, 1, 1) + timedelta(days=rng.randrange(1800))),
                Text("NGƯỜI KHAI", align="right", bold=True),
                Text("(Ký, ghi rõ họ tên)", align="right", italic=True, scale=0.9)]
    info = {"leader": "mixed" if mixed else base.label, "blank": not filled}
    return _doc(rng, blocks, size_pt=round(rng.uniform(11, 13.5), 1)), info


# --- register pages --------------------------------------------------------------------------------------

# label wordings per key: the forms' own first, then other plausible ones
LABELS = {
    "so": ["Số:", "Số đăng ký:", "Số ĐK:"],
    "quyenSo": ["Quyển số:", "Quyển:"],
    "trangSo": ["Trang số:", "Tờ số:"],
    "ngayDangKy": ["Ngày, tháng, năm đăng ký:", "Ngày đăng ký:", "Đăng ký ngày:"],
    "noiDangKy": ["Nơi đăng ký:", "Cơ quan đăng ký:", "Nơi đăng ký {event}:"],
    "HoTen": ["Họ, chữ đệm, tên:", "Họ và tên:", "Họ tên:"],
    "NgaySinh": ["Ngày, tháng, năm sinh:", "Ngày sinh:", "Sinh ngày:"],
    "GioiTinh": ["Giới tính:"],
    "DanToc": ["Dân tộc:"],
    "QuocTich": ["Quốc tịch:"],
    "NoiCuTru": ["Nơi cư trú:", "Nơi thường trú:", "Địa chỉ thường trú:"],
    "SoGiayTo": ["Số giấy tờ tùy thân:", "Số CMND/CCCD:", "Giấy tờ tùy thân số:"],
    "nguoiKy": ["Người ký:", "Họ, chữ đệm, tên người ký:", "Họ tên người ký:"],
    "chucVuNguoiKy": ["Chức vụ:", "Chức vụ người ký:"],
    "nguoiThucHien": ["Người thực hiện:", "Công chức tư pháp - hộ tịch:", "Cán bộ tư pháp hộ tịch:"],
}
TITLES = {"ks": ["SỔ ĐĂNG KÝ KHAI SINH", "TRÍCH LỤC KHAI SINH", "GIẤY KHAI SINH"],
          "kt": ["SỔ ĐĂNG KÝ KHAI TỬ", "TRÍCH LỤC KHAI TỬ"],
          "kh": ["SỔ ĐĂNG KÝ KẾT HÔN", "TRÍCH LỤC KẾT HÔN", "GIẤY CHỨNG NHẬN KẾT HÔN"]}


def _reg_date(rng: random.Random, d: date) -> tuple[str, str]:
    """(value, printed): printed dd/mm/yyyy or spelled out."""
    return dotted(d), slashed(d) if rng.random() < 0.65 else spelled(d, rng.random() < 0.6)


def _year_or_date(rng: random.Random, d: date, old_book: bool) -> tuple[str, str]:
    if old_book and rng.random() < 0.5:
        return str(d.year), str(d.year)
    return _reg_date(rng, d)


def register_page(rng: random.Random, kind: str, leader: Leader | None = None) -> tuple[Doc, dict, dict]:
    """One registration (KS, KT or KH). Returns the document, the field truth and extra (leader style...)."""
    place = random_place(rng)
    year = rng.randint(1998, 2024)
    reg = date(year, 1, 1) + timedelta(days=rng.randrange(360))
    old = year < 2010
    leader = leader or random_leader(rng)
    lab = {k: (v[0] if rng.random() < 0.7 else rng.choice(v)) for k, v in LABELS.items()}
    f: dict[str, FieldTruth] = {}
    rows: list = []

    def put(key: str, label: str, value: str, printed: str | None = None) -> Slot:
        f[key] = FieldTruth(value, printed if printed is not None and printed != value else "")
        return Slot(label, printed if printed is not None else value, key)

    def row(*slots: Slot) -> None:
        rows.append(Row(list(slots), leader))

    def heading(text: str) -> None:
        rows.append(Text(text, bold=True, space_before=0.4))

    number = rng.randint(1, 180)
    so = f"{number}/{year}" if rng.random() < 0.6 else str(number)
    quyen = rng.choice([f"{rng.randint(1, 3):02d}", str(rng.randint(1, 3))])
    row(put("so", lab["so"], so), put("quyenSo", lab["quyenSo"], quyen))
    v, pr = _reg_date(rng, reg)
    row(put("ngayDangKy", lab["ngayDangKy"], v, pr))

    def person(prefix: str, p: Person, with_id: bool, birth_full: bool = True, sex: bool = False) -> None:
        who = {"nks": "", "nkt": " người chết", "me": " người mẹ", "cha": " người cha", "chong": " chồng",
               "vo": " vợ"}[prefix]
        row(put(f"{prefix}HoTen", lab["HoTen"][:-1] + who + ":", p.name,
                upper(p.name) if rng.random() < 0.5 else p.name))
        bv, bp = _reg_date(rng, p.birth) if birth_full else _year_or_date(rng, p.birth, old)
        if sex:
            row(put(f"{prefix}NgaySinh", lab["NgaySinh"], bv, bp),
                put(f"{prefix}GioiTinh", lab["GioiTinh"], p.sex_code, p.sex_word))
        else:
            row(put(f"{prefix}NgaySinh", lab["NgaySinh"], bv, bp))
        row(put(f"{prefix}DanToc", lab["DanToc"], p.ethnicity), put(f"{prefix}QuocTich", lab["QuocTich"], "Việt Nam"))
        row(put(f"{prefix}NoiCuTru", lab["NoiCuTru"], p.residence))
        if with_id:
            num = id12(rng, p) if year >= 2016 and rng.random() < 0.7 else cmnd9(rng)
            row(put(f"{prefix}SoGiayToTuyThan", lab["SoGiayTo"], num))

    if kind == "ks":
        child = random_person(rng, reg - timedelta(days=70), reg - timedelta(days=3), home=place)
        mother = random_person(rng, date(year - 40, 1, 1), date(year - 19, 1, 1), male=False, home=place)
        father = random_person(rng, date(year - 45, 1, 1), date(year - 21, 1, 1), male=True, home=place)
        child.surname = father.surname
        heading("Thông tin người được khai sinh")
        row(put("nksHoTen", lab["HoTen"], child.name, upper(child.name) if rng.random() < 0.6 else child.name))
        bv, bp = _reg_date(rng, child.birth)
        row(put("nksNgaySinh", lab["NgaySinh"], bv, bp), put("nksGioiTinh", lab["GioiTinh"], child.sex_code,
                                                             child.sex_word))
        row(put("nksNgaySinhBangChu", "Ghi bằng chữ:", date_in_words(child.birth)))
        row(put("nksNoiSinh", "Nơi sinh:", rng.choice([f"Trạm Y tế {place.ward}", f"Bệnh viện đa khoa {place.province}",
                                                       place.address(child.street)])))
        row(put("nksDanToc", lab["DanToc"], father.ethnicity), put("nksQuocTich", lab["QuocTich"], "Việt Nam"))
        row(put("nksQueQuan", "Quê quán:", father.origin.address()))
        heading("Thông tin về mẹ")
        person("me", mother, rng.random() < 0.5, birth_full=False)
        heading("Thông tin về cha")
        person("cha", father, rng.random() < 0.5, birth_full=False)
        rel = rng.choice(["Cha", "Mẹ", "Ông nội", "Bà ngoại"])
        decl = father if rel == "Cha" else mother if rel == "Mẹ" else \
            random_person(rng, date(year - 80, 1, 1), date(year - 45, 1, 1), male=rel.startswith("Ông"), home=place)
        row(put("nycHoTen", "Họ, chữ đệm, tên người đi khai sinh:", decl.name),
            put("nycQuanHe", "Quan hệ:", rel))
    elif kind == "kt":
        died = reg - timedelta(days=rng.randrange(1, 20))
        dead = random_person(rng, date(1915, 1, 1), date(year - 1, 1, 1), home=place)
        heading("Thông tin người chết")
        person("nkt", dead, True, birth_full=False, sex=True)
        dv, dp = _reg_date(rng, died)
        row(put("nktNgayChet", rng.choice(["Chết vào ngày, tháng, năm:", "Ngày chết:", "Ngày, tháng, năm chết:"]),
                dv, dp))
        hh, mm = rng.randrange(24), rng.choice([0, 10, 15, 30, 45, 50])
        row(put("nktGioPhutChet", "Giờ, phút chết:", f"{hh:02d}:{mm:02d}", f"{hh} giờ {mm:02d} phút"))
        row(put("nktNoiChet", "Nơi chết:", rng.choice(["Tại nhà", dead.residence, f"Bệnh viện đa khoa {place.province}"])))
        row(put("nktNguyenNhanChet", "Nguyên nhân chết:", rng.choice(["Già yếu", "Bệnh tật", "Tai nạn giao thông",
                                                                      "Đột quỵ", "Suy tim"])))
        rel = rng.choice(["Con", "Vợ", "Chồng", "Cháu"])
        decl = random_person(rng, date(year - 70, 1, 1), date(year - 20, 1, 1), home=place)
        row(put("nycHoTen", "Họ, chữ đệm, tên người đi khai tử:", decl.name), put("nycQuanHe", "Quan hệ:", rel))
    else:
        husband = random_person(rng, date(year - 40, 1, 1), date(year - 20, 1, 1), male=True)
        wife = random_person(rng, date(year - 38, 1, 1), date(year - 18, 1, 1), male=False, home=place)
        for prefix, who, head in (("chong", husband, "Bên chồng"), ("vo", wife, "Bên vợ")):
            heading(head)
            person(prefix, who, True)
    signer = random_person(rng, date(year - 60, 1, 1), date(year - 30, 1, 1), home=place)
    clerk = random_person(rng, date(year - 55, 1, 1), date(year - 24, 1, 1), home=place)
    noi = f"Ủy ban nhân dân {place.ward}, {place.province}" if rng.random() < 0.6 else f"UBND {place.ward}"
    event = {"ks": "khai sinh", "kt": "khai tử", "kh": "kết hôn"}[kind]
    row(put("noiDangKy", lab["noiDangKy"].format(event=event), noi))
    role = rng.choice(["Chủ tịch", "Phó Chủ tịch"])
    row(put("nguoiKy", lab["nguoiKy"], signer.name), put("chucVuNguoiKy", lab["chucVuNguoiKy"], role))
    row(put("nguoiThucHien", lab["nguoiThucHien"], clerk.name))
    title = rng.choice(TITLES[kind])
    blocks = _header(rng, place) + [Text(title, align="center", bold=True, scale=1.3, space_before=0.8)] + rows
    doc = _doc(rng, blocks, size_pt=round(rng.uniform(10.5, 12.5), 1), line_height=round(rng.uniform(1.25, 1.5), 2),
               margins_mm=(rng.uniform(12, 18), rng.uniform(12, 18), 10, rng.uniform(18, 25)))
    return doc, f, {"leader": leader.label, "title": title, "year": year}
