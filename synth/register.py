"""Hộ tịch register pages (KS birth, KT death, KH marriage; HN marital status and CMC parent-child
recognition on request): a book header and one registration per page.

Labels print in one font, values in another ("typed"), a share of values "handwritten" (calligraphic font,
per-glyph jitter). Old books often record only a parent's birth year: such values stay partial ("1962").
Label texts and row order come from synth/data/registers.toml.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from PIL import Image

from synth import fonts
from synth.canvas import Canvas, Pen, paper
from synth.leaders import draw_leader, random_leader
from synth.people import (
    Person,
    cccd_number,
    cmnd_number,
    data,
    date_in_words,
    dotted,
    random_person,
    random_place,
    slashed,
    spelled_date,
    upper_vn,
)
from synth.truth import TruthPage

A4_MM = (210.0, 297.0)
TYPES = ("ks", "kt", "kh")          # the random mix (what the benchmarks ran on)
ALL_TYPES = TYPES + ("hn", "cmc")    # any of them on request
INKS = [(20, 20, 20), (35, 35, 60), (15, 30, 110), (40, 40, 40)]
HAND_INKS = [(20, 40, 140), (25, 25, 35), (10, 60, 150), (60, 30, 110)]
PAPERS = [(252, 250, 244), (248, 243, 228), (244, 238, 220), (255, 255, 255), (240, 236, 226)]


@dataclass
class Book:
    """What every page of one register book shares."""
    type: str                    # ks | kt | kh
    place: object                # people.Place of the commune that keeps the book
    year: int
    quyen: str                   # quyển số as printed
    signer: Person
    signer_role: str
    authority_style: int
    title: str
    labels: dict[str, str] = field(default_factory=dict)  # key -> label chosen for this book
    label_font: fonts.FontChoice | None = None
    value_font: fonts.FontChoice | None = None
    hand_font: fonts.FontChoice | None = None
    full_noi: bool = True
    so_with_year: bool = True
    table: bool = False
    partial_births: float = 0.0  # share of parents' birth dates printed as a year only

    def as_dict(self) -> dict[str, str]:
        return {"type": self.type.upper(), "commune": self.place.commune, "district": self.place.district,
                "province": self.place.province, "quyenSo": self.quyen, "year": str(self.year)}


def random_book(rng: random.Random, book_type: str | None = None) -> Book:
    spec = data("registers")
    book_type = book_type or rng.choice(TYPES)
    place = random_place(rng, home_only=True)
    year = rng.randint(1995, 2023)
    signer = random_person(rng, date(year - 60, 1, 1), date(year - 30, 1, 1), residence=place)
    labels = {}
    for row in spec["common"]["top"] + spec[book_type]["rows"] + spec["common"]["bottom"]:
        labels[row[0]] = rng.choice(row[1])
    return Book(
        type=book_type, place=place, year=year, quyen=rng.choice([f"{rng.randint(1, 3):02d}", str(rng.randint(1, 3))]),
        signer=signer, signer_role=rng.choice(["Chủ tịch", "Phó Chủ tịch", "Chủ tịch UBND", "Phó Chủ tịch UBND"]),
        authority_style=rng.randrange(2), title=rng.choice(spec[book_type]["titles"]), labels=labels,
        label_font=rng.choice(fonts.fonts_for("label")), value_font=rng.choice(fonts.fonts_for("typed")),
        hand_font=_hand_font(rng), full_noi=rng.random() < 0.6,
        so_with_year=rng.random() < 0.6, table=rng.random() < 0.4,
        partial_births=0.6 if year < 2008 else 0.15)


def _hand_font(rng: random.Random) -> fonts.FontChoice:
    """The calligraphic face looks most like a pen; italics add variety."""
    hands = fonts.fonts_for("hand")
    return hands[0] if rng.random() < 0.5 else rng.choice(hands)


def _birth(rng: random.Random, d: date, partial_share: float) -> tuple[str, str]:
    """(value, printed) of a birth date that old books may give as a year or month/year only."""
    r = rng.random()
    if r < partial_share * 0.8:
        return str(d.year), str(d.year)
    if r < partial_share:
        return f"{d.month:02d}.{d.year}", f"{d.month:02d}/{d.year}"
    return _date(rng, d)


def _date(rng: random.Random, d: date) -> tuple[str, str]:
    return dotted(d), (slashed(d) if rng.random() < 0.6 else spelled_date(d, rng.random() < 0.7))


def entry_values(book: Book, number: int, reg_date: date, rng: random.Random) -> dict[str, tuple[str, str]]:
    """key -> (value, printed) for one registration of the book."""
    v: dict[str, tuple[str, str]] = {}
    y = reg_date.year
    so = f"{number}/{book.year}" if book.so_with_year else str(number)
    v["so"] = (so, so)
    v["ngayDangKy"] = _date(rng, reg_date)
    home = book.place
    ps = book.partial_births

    def name(p: Person) -> tuple[str, str]:
        return p.name, p.name

    def person_block(prefix: str, p: Person, id_paper: bool = False) -> None:
        v[f"{prefix}HoTen"] = name(p)
        v[f"{prefix}NgaySinh"] = _birth(rng, p.birth, ps)
        v[f"{prefix}DanToc"] = (p.ethnicity, p.ethnicity)
        v[f"{prefix}QuocTich"] = ("Việt Nam", "Việt Nam")
        v[f"{prefix}NoiCuTru"] = (p.residence.full(), p.residence.full())
        if id_paper:
            num = cccd_number(rng, p) if y >= 2016 and rng.random() < 0.7 else cmnd_number(rng)
            v[f"{prefix}SoGiayToTuyThan"] = (num, num)

    if book.type == "ks":
        child = random_person(rng, reg_date - timedelta(days=60), reg_date, residence=home)
        mother = random_person(rng, date(y - 42, 1, 1), date(y - 18, 1, 1), male=False, residence=home)
        father = random_person(rng, date(y - 50, 1, 1), date(y - 20, 1, 1), male=True, residence=home)
        child.surname = father.surname
        v["nksHoTen"] = name(child)
        v["nksGioiTinh"] = (child.gender_code, "Nam" if child.male else "Nữ")
        v["nksNgaySinh"] = _date(rng, child.birth)
        words = date_in_words(child.birth)
        v["nksNgaySinhBangChu"] = (words, words)
        born = rng.choice(data("places")["lists"]["birth_places_facility"]).format(
            commune=home.commune, district=f"{home.unit_kind} {home.district}", province=home.province)
        v["nksNoiSinh"] = (born, born)
        origin = father.origin.full(with_village=False)
        v["nksQueQuan"] = (origin, origin)
        v["nksDanToc"] = (father.ethnicity, father.ethnicity)
        v["nksQuocTich"] = ("Việt Nam", "Việt Nam")
        person_block("me", mother)
        person_block("cha", father)
        rel = rng.choice(["Cha", "Mẹ", "Cha", "Ông nội", "Bà ngoại"])
        nyc = father if rel == "Cha" else mother if rel == "Mẹ" else random_person(
            rng, date(y - 80, 1, 1), date(y - 45, 1, 1), male=rel.startswith("Ông"), residence=home)
        v["nycHoTen"] = name(nyc)
        v["nycQuanHe"] = (rel, rel)
    elif book.type == "kt":
        died = reg_date - timedelta(days=rng.randrange(0, 15))
        dead = random_person(rng, date(1915, 1, 1), date(y - 1, 1, 1), residence=home)
        v["nktHoTen"] = name(dead)
        v["nktGioiTinh"] = (dead.gender_code, "Nam" if dead.male else "Nữ")
        v["nktNgaySinh"] = _birth(rng, dead.birth, ps)
        v["nktDanToc"] = (dead.ethnicity, dead.ethnicity)
        v["nktQuocTich"] = ("Việt Nam", "Việt Nam")
        v["nktNoiCuTru"] = (dead.residence.full(), dead.residence.full())
        num = cccd_number(rng, dead) if y >= 2016 and rng.random() < 0.6 else cmnd_number(rng)
        v["nktSoGiayToTuyThan"] = (num, num)
        v["nktNgayChet"] = _date(rng, died)
        hh, mm = rng.randrange(24), rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50])
        v["nktGioPhutChet"] = (f"{hh:02d}:{mm:02d}", rng.choice([f"{hh} giờ {mm:02d} phút", f"{hh:02d} giờ {mm:02d}"]))
        where = rng.choice(["Tại nhà", "Bệnh viện đa khoa tỉnh Hải Dương", dead.residence.full()])
        v["nktNoiChet"] = (where, where)
        cause = rng.choice(data("places")["lists"]["death_causes"])
        v["nktNguyenNhanChet"] = (cause, cause)
        rel = rng.choice(["Con", "Con", "Vợ", "Chồng", "Cháu"])
        nyc = random_person(rng, date(y - 70, 1, 1), date(y - 20, 1, 1), residence=home,
                            male=rel == "Chồng" or (rel != "Vợ" and None))
        v["nycHoTen"] = name(nyc)
        v["nycQuanHe"] = (rel, rel)
    elif book.type == "hn":
        person = random_person(rng, date(y - 70, 1, 1), date(y - 18, 1, 1), residence=home)
        person_block("nxn", person, id_paper=True)
        v["nxnGioiTinh"] = (person.gender_code, "Nam" if person.male else "Nữ")
        lists = data("registers")["hn"]
        status = rng.choice(lists["statuses"])
        v["nxnTinhTrangHonNhan"] = (status, status)
        purpose = rng.choice(lists["purposes"])
        v["nxnMucDichSuDung"] = (purpose, purpose)
    elif book.type == "cmc":
        parent = random_person(rng, date(y - 60, 1, 1), date(y - 20, 1, 1), residence=home)
        child = random_person(rng, parent.birth + timedelta(days=18 * 366), min(reg_date, date(y, 1, 1)),
                              residence=home)
        kind = ("Cha nhận con" if parent.male else "Mẹ nhận con") if rng.random() < 0.8 else (
            "Con nhận cha" if parent.male else "Con nhận mẹ")
        v["loaiXacNhan"] = (kind, kind)
        person_block("cm", parent, id_paper=True)
        v["ncHoTen"] = name(child)
        v["ncGioiTinh"] = (child.gender_code, "Nam" if child.male else "Nữ")
        v["ncNgaySinh"] = _date(rng, child.birth)
        v["ncDanToc"] = (child.ethnicity, child.ethnicity)
        v["ncQuocTich"] = ("Việt Nam", "Việt Nam")
        v["ncNoiCuTru"] = (child.residence.full(), child.residence.full())
    else:
        husband = random_person(rng, date(y - 40, 1, 1), date(y - 20, 1, 1), male=True)
        wife = random_person(rng, date(y - 38, 1, 1), date(y - 18, 1, 1), male=False, residence=home)
        person_block("chong", husband, id_paper=True)
        person_block("vo", wife, id_paper=True)
    noi = (f"Ủy ban nhân dân {home.commune}, {home.unit_kind} {home.district}, tỉnh {home.province}"
           if book.full_noi else f"UBND {home.commune}")
    v["noiDangKy"] = (noi, noi)
    v["chucVuNguoiKy"] = (book.signer_role, book.signer_role)
    v["nguoiKy"] = name(book.signer)
    return v


def render_page(book: Book, number: int, page_no: int, reg_date: date, rng: random.Random,
                np_rng: np.random.Generator, dpi: int, hand_share: float, leaders: bool | None = None
                ) -> tuple[Image.Image, TruthPage]:
    """One register page; shrinks the type until the registration fits on the page. `leaders`: force
    leader lines on or off (None: half the pages have them)."""
    values = entry_values(book, number, reg_date, rng)
    hand = {k: rng.random() < hand_share for k in values}
    style = {"scale": rng.uniform(0.95, 1.1), "margin": rng.uniform(16, 26), "spacing": rng.uniform(1.45, 1.8),
             "ink": rng.choice(INKS), "hand_ink": rng.choice(HAND_INKS), "paper": rng.choice(PAPERS),
             "upper_name": rng.random() < 0.3, "leaders": rng.random() < 0.5}
    layout_seed = rng.randrange(2**32)
    # the leader style has its own generator: pages without leaders stay what they were
    if leaders is not None:
        style["leaders"] = leaders
    style["leader"] = random_leader(random.Random(f"leader:{layout_seed}")) if style["leaders"] else None
    for shrink in (1.0, 0.88, 0.78, 0.68, 0.6):
        img, page = _layout(book, values, hand, style, shrink, page_no, random.Random(layout_seed), np_rng, dpi)
        if max(ln.box[3] for ln in page.lines) < page.height - round(8 * dpi / 25.4):
            break
    return img, page


def _layout(book: Book, values: dict[str, tuple[str, str]], hand: dict[str, bool], style: dict, shrink: float,
            page_no: int, rng: random.Random, np_rng: np.random.Generator, dpi: int) -> tuple[Image.Image, TruthPage]:
    w, h = round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)
    c = Canvas(w, h, dpi, rng, background=paper(np_rng, w, h, style["paper"]))
    k = style["scale"] * shrink
    label = Pen(book.label_font, c.mm(3.9 * k), style["ink"])
    bold = Pen(fonts.fonts_for("bold")[0], c.mm(3.9 * k), style["ink"])
    typed = Pen(book.value_font, c.mm(4.1 * k), (10, 10, 10))
    handp = Pen(book.hand_font, c.mm(4.8 * k), style["hand_ink"], hand=True)
    left, right = c.mm(style["margin"]), w - c.mm(style["margin"] * 0.7)
    gap = c.mm(4.1 * k * style["spacing"])
    spec = data("registers")
    pl = book.place
    # header: authority block on the left, national motto on the right
    y = c.mm(16)
    hx = left + c.mm(32)
    auth = spec["common"]["authority"][book.authority_style]
    c.text(hx, y, upper_vn(f"{auth} {pl.unit_kind} {pl.district}"), label.scaled(0.8), "header", anchor="ms")
    c.text(hx, y + gap * 0.8, upper_vn(f"{auth} {pl.commune}"), bold.scaled(0.8), "header", anchor="ms")
    c.text(hx, y + gap * 1.6, upper_vn(f"tỉnh {pl.province}"), label.scaled(0.75), "header", anchor="ms")
    mx = right - c.mm(45)
    c.text(mx, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold.scaled(0.72), "header", anchor="ms")
    c.text(mx, y + gap * 0.8, "Độc lập - Tự do - Hạnh phúc", bold.scaled(0.75), "header", anchor="ms")
    y += gap * 3
    c.text(w / 2, y, book.title, Pen(bold.font, c.mm(5.6 * k), style["ink"]), "header", anchor="ms")
    y += gap * 1.1
    _, xe = c.text(w / 2 - c.mm(30), y, "Quyển số:", label)
    c.value("quyenSo", book.quyen, book.quyen, xe + c.mm(2), y, typed, right, gap)
    _, xe = c.text(w / 2 + c.mm(8), y, "Năm:", label)
    c.text(xe + c.mm(2), y, str(book.year), typed, "value")
    _, xe = c.text(right - c.mm(28), c.mm(9), "Trang số:", label.scaled(0.85))
    c.value("trangSo", str(page_no), str(page_no), xe + c.mm(2), c.mm(9), typed.scaled(0.9), w, gap)
    y += gap * 1.4
    rows = [(r[0], r[2], None, False) for r in spec["common"]["top"]]
    rows += [(r[0], r[2], r[3] if len(r) > 3 else None, True) for r in spec[book.type]["rows"]]
    rows += [(r[0], r[2], "" if i == 0 else None, False) for i, r in enumerate(spec["common"]["bottom"])]
    col = left + c.mm(62 * k) if book.table else None
    for key, fmt, heading, indented in rows:
        if key not in values:
            continue
        if heading == "":
            y += gap * 0.5
        elif heading:
            y += gap * 0.25
            c.text(left, y, heading + ":", bold, "header")
            y += gap
        value, printed = values[key]
        if fmt == "name" and style["upper_name"] and not hand[key] and key.endswith("HoTen"):
            printed = upper_vn(printed)
        pen = handp if hand[key] else typed
        lab = book.labels[key] + ":"
        indent = left + (c.mm(6) if indented else 0)
        _, xe = c.text(indent, y, lab, label)
        x0 = (col if col and col > xe else xe + c.mm(3))
        leader = style["leader"]
        if leader is not None and leader.under:
            draw_leader(c.draw, x0 - c.mm(3) + 1, right, y, leader, c.mm(1), style["ink"], label.pil)
        y_first = y
        y, x_end = c.value(key, value, printed, x0, y, pen, right, gap, x_next=x0)
        if leader is not None and not leader.under:
            draw_leader(c.draw, x_end, right, y, leader, c.mm(1), style["ink"], label.pil)
        elif leader is not None and y > y_first:  # continuation lines of a long value sit on leaders too
            for extra in range(1, round((y - y_first) / gap) + 1):
                draw_leader(c.draw, x0, right, y_first + extra * gap, leader, c.mm(1), style["ink"], label.pil)
        y += gap
    page = TruthPage(page=0, doc_type=book.type, width=w, height=h, lines=c.lines, fields=c.fields)
    return c.img, page
