"""ID cards at 85.6 × 54 mm: chip CCCD front and back, the old 9-digit CMND front, the 2024 Căn cước front.

Labels follow shared/domain.md exactly; values are synthetic and consistent: the 12-digit number agrees with
birth year, century and sex; the MRZ repeats number, birth date, sex, expiry and the name (without accents).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from PIL import Image

from synth import fonts, mrz, qr
from synth.canvas import Canvas, Pen, guilloche
from synth.people import (
    Person,
    ascii_fold,
    cccd_number,
    cmnd_number,
    data,
    dotted,
    new_style_tones,
    random_person,
    slashed,
    upper_vn,
)
from synth.truth import TruthPage

CARD_MM = (85.6, 54.0)
RED = (200, 30, 35)
INK = (25, 25, 30)


@dataclass
class Card:
    """One citizen and the card data printed about them (shared by a card's front and back)."""
    person: Person
    number: str
    issued: date
    expiry: date | None
    mark: str
    new_style: bool      # prints 'Thuý' rather than 'Thúy'
    old_id: str = ""     # the 9-digit CMND the citizen held before (in the QR code), "" if none
    qr_defect: str = "ok"  # what a capture did to the card's QR code (synth/qr.py DEFECTS)
    qr_extra: str | None = None  # the extra trailing QR field some cards carry


def _birthday(birth: date, age: int) -> date:
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:  # 29 February
        return birth.replace(year=birth.year + age, day=28)


def cccd_expiry(birth: date, issued: date) -> date | None:
    """Valid until the 25th, 40th or 60th birthday following issue (none after 58)."""
    age = issued.year - birth.year
    for limit, until in ((23, 25), (38, 40), (58, 60)):
        if age < limit:
            return _birthday(birth, until)
    return None


def random_card(rng: random.Random, issued_from: date, issued_to: date, old_id: bool = False) -> Card:
    issued = issued_from + timedelta(days=rng.randrange((issued_to - issued_from).days))
    person = random_person(rng, date(issued.year - 70, 1, 1), date(issued.year - 15, 1, 1))
    number = cmnd_number(rng) if old_id else cccd_number(rng, person)
    mark = rng.choice(data("places")["lists"]["marks"])
    card = Card(person, number, issued, cccd_expiry(person.birth, issued), mark, rng.random() < 0.3)
    if not old_id:
        # drawn from the card's own generator, so the document's stream (and every image drawn from it,
        # e.g. the chip card's back) is what it was before cards carried QR codes
        own = _own_rng(card)
        # a CMND was issued from 14 (9 digits until 2012): most adults of before 2016 held one
        had_cmnd = person.birth.year + 14 < 2016 and own.random() < 0.75
        card.old_id = cmnd_number(own) if had_cmnd else ""
        card.qr_defect = qr.pick_defect(own)
        card.qr_extra = own.choice(["", "1"]) if own.random() < 0.15 else None
    return card


def _own_rng(card: Card, purpose: str = "card") -> random.Random:
    return random.Random(f"sohoa-synth-{purpose}:{card.number}:{card.issued.isoformat()}")


def _qr(c: Canvas, card: Card, box: tuple[int, int, int, int], rng: random.Random) -> None:
    """The card's QR code at `box`; its payload's old CMND becomes the page's `soCMNDCu` truth."""
    p = card.person
    name = new_style_tones(p.name) if card.new_style else p.name
    text = qr.payload(card.number, card.old_id, name, p.birth, p.male, p.residence.residence(), card.issued,
                      card.qr_extra)
    used = qr.draw_qr(c.img, box, text, card.qr_defect, _own_rng(card, "qr"), c.dpi)
    c.qr_payload = text
    if card.old_id:
        c.record("soCMNDCu", card.old_id, [used], card.old_id)
        c.fields["soCMNDCu"].carrier = "qr"


def _canvas(rng: random.Random, np_rng: np.random.Generator, dpi: int, base, line) -> Canvas:
    w, h = round(CARD_MM[0] / 25.4 * dpi), round(CARD_MM[1] / 25.4 * dpi)
    jitter = [int(c + np_rng.integers(-8, 9)) for c in base]
    return Canvas(w, h, dpi, rng, background=guilloche(np_rng, w, h, tuple(jitter), line, dpi))


def _pens(c: Canvas, rng: random.Random) -> tuple[Pen, Pen, Pen]:
    label = Pen(rng.choice(fonts.fonts_for("label")), c.mm(rng.uniform(1.6, 1.85)), INK)
    value = Pen(rng.choice(fonts.fonts_for("bold")), c.mm(rng.uniform(2.0, 2.3)), (10, 10, 10))
    head = Pen(rng.choice(fonts.fonts_for("bold")), c.mm(2.2), INK)
    return label, value, head


def _emblem(c: Canvas, cx: float, cy: float, r: float) -> None:
    d = c.draw
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(230, 180, 40))
    d.ellipse((cx - r * 0.82, cy - r * 0.82, cx + r * 0.82, cy + r * 0.82), fill=RED)
    import math
    pts = []
    for i in range(10):
        rad = r * (0.55 if i % 2 == 0 else 0.22)
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    d.polygon(pts, fill=(250, 215, 60))


def _photo(c: Canvas, x0: float, y0: float, x1: float, y1: float, rng: random.Random) -> None:
    d = c.draw
    shade = rng.randint(200, 235)
    d.rectangle((x0, y0, x1, y1), fill=(shade, shade, shade + 10), outline=(120, 120, 130), width=max(1, c.mm(0.2)))
    cx, w, h = (x0 + x1) / 2, x1 - x0, y1 - y0
    d.ellipse((cx - w * 0.22, y0 + h * 0.15, cx + w * 0.22, y0 + h * 0.52), fill=(150, 150, 160))
    d.chord((x0 + w * 0.08, y0 + h * 0.55, x1 - w * 0.08, y1 + h * 0.35), 180, 360, fill=(110, 110, 125))


def _header(c: Canvas, head: Pen, label: Pen, x_mid: float, title: str, subtitle: str) -> None:
    small = head.scaled(0.85)
    c.text(x_mid, c.mm(5.0), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", small, "header", anchor="ms")
    c.text(x_mid, c.mm(7.8), "SOCIALIST REPUBLIC OF VIET NAM", label.scaled(0.85), "header", anchor="ms")
    c.text(x_mid, c.mm(10.6), "Độc lập - Tự do - Hạnh phúc", small, "header", anchor="ms")
    c.text(x_mid, c.mm(13.2), "Independence - Freedom - Happiness", label.scaled(0.8), "header", anchor="ms")
    c.text(x_mid, c.mm(17.6), title, Pen(head.font, c.mm(3.4), RED), "header", anchor="ms")
    c.text(x_mid, c.mm(20.6), subtitle, label.scaled(0.9), "header", anchor="ms")


def _name(card: Card) -> tuple[str, str]:
    """(value, printed) of the holder's name: Title Case value, capitals on the card."""
    value = card.person.name
    printed = upper_vn(new_style_tones(value) if card.new_style else value)
    return value, printed


def cccd_front(card: Card, rng: random.Random, np_rng: np.random.Generator, dpi: int) -> tuple[Image.Image, TruthPage]:
    c = _canvas(rng, np_rng, dpi, (205, 228, 226), (170, 205, 200))
    label, value, head = _pens(c, rng)
    p = card.person
    _emblem(c, c.mm(10), c.mm(10), c.mm(7))
    _header(c, fit(head, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", c.mm(58)), label, c.mm(44), "CĂN CƯỚC CÔNG DÂN",
            "Citizen Identity Card")
    _qr(c, card, (c.mm(70), c.mm(2.5), c.mm(84), c.mm(16.5)), rng)
    _photo(c, c.mm(3.5), c.mm(22), c.mm(23), c.mm(44), rng)
    x, right, gap = c.mm(26), c.width - c.mm(2), c.mm(2.95)
    y = c.mm(25.5)
    _, xe = c.text(x, y, "Số / No.:", label)
    c.value("soDinhDanh", card.number, card.number, xe + c.mm(1.5), y + c.mm(0.3), Pen(value.font, c.mm(2.9), INK),
            right, gap)
    y += gap * 1.1
    c.text(x, y, "Họ và tên / Full name:", label)
    y += gap
    name_value, name_printed = _name(card)
    y, _ = c.value("hoTen", name_value, name_printed, x, y, fit(value, name_printed, right - x), right, gap)
    y += gap
    _, xe = c.text(x, y, "Ngày sinh / Date of birth:", label)
    c.value("ngaySinh", dotted(p.birth), slashed(p.birth), xe + c.mm(1), y, value, right, gap)
    y += gap
    _sex_nationality(c, x, y, right, gap, label, value, p)
    y += gap
    c.text(x, y, "Quê quán / Place of origin:", label)
    y += gap
    origin = p.origin.short()
    y, _ = c.value("queQuan", origin, origin, x, y, fit(value, origin, right - x), right, gap)
    y += gap
    _, xe = c.text(x, y, "Nơi thường trú / Place of residence:", label)
    home = p.residence.residence()
    first = home.split(",")[0]
    c.value("noiThuongTru", home, home, xe + c.mm(1), y, value, right, gap, x_next=x) \
        if xe + value.width(first) + c.mm(1) <= right else \
        c.value("noiThuongTru", home, home, x, y + gap, value, right, gap)
    small = label.scaled(0.85)
    c.text(c.mm(3.5), c.mm(47), "Có giá trị đến:", small)
    c.text(c.mm(3.5), c.mm(49.5), "Date of expiry", small)
    expiry = (dotted(card.expiry), slashed(card.expiry)) if card.expiry else ("Không thời hạn", "Không thời hạn")
    c.value("coGiaTriDen", expiry[0], expiry[1], c.mm(3.5), c.mm(52.5), fit(value, expiry[1], c.mm(20)),
            c.mm(24), gap)
    return c.img, _page(c, "cccd_front", card.qr_defect)


def fit(pen: Pen, text: str, width: float) -> Pen:
    """The pen, smaller if needed so `text` fits in `width` on one line."""
    w = pen.width(text)
    return pen if w <= width else pen.scaled(width / w * 0.98)


def _sex_nationality(c: Canvas, x: float, y: float, right: float, gap: float, label: Pen, value: Pen,
                     p: Person) -> None:
    _, xe = c.text(x, y, "Giới tính / Sex:", label)
    _, xe = c.value("gioiTinh", p.gender_code, "Nam" if p.male else "Nữ", xe + c.mm(1), y, value, right, gap)
    nat_label = "Quốc tịch / Nationality:"
    lab = fit(label, nat_label, right - xe - c.mm(3) - value.width("Việt Nam") - c.mm(1))
    _, xe = c.text(xe + c.mm(3), y, nat_label, lab)
    c.value("quocTich", "Việt Nam", "Việt Nam", xe + c.mm(1), y, value, c.width, gap)


def _fingerprint(c: Canvas, x0: float, y0: float, w: float, h: float) -> None:
    d = c.draw
    d.rectangle((x0, y0, x0 + w, y0 + h), outline=(120, 120, 120), width=max(1, c.mm(0.15)))
    cx, cy = x0 + w / 2, y0 + h / 2
    for i in range(1, 12):
        rx, ry = w * 0.035 * i, h * 0.04 * i
        d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=(90, 90, 100), width=max(1, c.mm(0.12)))


def cccd_back(card: Card, rng: random.Random, np_rng: np.random.Generator, dpi: int) -> tuple[Image.Image, TruthPage]:
    c = _canvas(rng, np_rng, dpi, (214, 230, 232), (185, 210, 212))
    label, value, head = _pens(c, rng)
    value = Pen(value.font, c.mm(2.3), INK)
    x, right, gap = c.mm(4), c.mm(52), c.mm(3.2)
    y = c.mm(6)
    c.draw.rounded_rectangle((c.mm(56), c.mm(4), c.mm(68), c.mm(13)), radius=c.mm(1.2), fill=(212, 175, 80),
                             outline=(150, 120, 50), width=max(1, c.mm(0.2)))
    c.text(x, y, "Đặc điểm nhân dạng / Personal identification:", label)
    y += gap
    y, _ = c.value("dacDiemNhanDang", card.mark, card.mark, x, y, value, right, gap)
    y += gap * 1.3
    _, xe = c.text(x, y, "Ngày, tháng, năm / Date, month, year:", label)
    c.value("ngayCap", dotted(card.issued), slashed(card.issued), xe + c.mm(1), y, value, c.width - c.mm(2), gap)
    y += gap * 1.2
    issuer = Pen(head.font, c.mm(1.9), INK)
    c.text(x, y, "CỤC TRƯỞNG CỤC CẢNH SÁT", issuer, "header")
    y += gap * 0.9
    c.text(x, y, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", issuer, "header")
    y += gap * 0.8
    c.text(x, y, "DIRECTOR GENERAL OF THE POLICE DEPARTMENT", label.scaled(0.7), "header")
    y += gap * 0.7
    c.text(x, y, "FOR ADMINISTRATIVE MANAGEMENT OF SOCIAL ORDER", label.scaled(0.7), "header")
    # stamp and signature
    sx, sy, r = c.mm(20), c.mm(33), c.mm(6)
    c.draw.ellipse((sx - r, sy - r, sx + r, sy + r), outline=(210, 60, 60), width=max(1, c.mm(0.35)))
    pts = [(c.mm(26) + i * c.mm(1.2), c.mm(33) + (c.mm(1.5) if i % 2 else -c.mm(1.2))) for i in range(10)]
    c.draw.line(pts, fill=(30, 40, 120), width=max(1, c.mm(0.25)), joint="curve")
    fx = c.mm(55)
    _fingerprint(c, fx, c.mm(15), c.mm(13), c.mm(17))
    _fingerprint(c, fx + c.mm(14.5), c.mm(15), c.mm(13), c.mm(17))
    c.text(fx, c.mm(34.5), "Ngón trỏ trái", label.scaled(0.7), "label")
    c.text(fx + c.mm(14.5), c.mm(34.5), "Ngón trỏ phải", label.scaled(0.7), "label")
    _mrz_band(c, card, c.mm(39))
    return c.img, _page(c, "cccd_back")


def _mrz_band(c: Canvas, card: Card, top: int) -> None:
    """The ICAO TD1 zone along the bottom of the chip card's back and the Căn cước back."""
    c.draw.rectangle((0, top, c.width, c.height), fill=(246, 246, 244))
    p = card.person
    surname = ascii_fold(p.surname)
    given = ascii_fold(" ".join(x for x in (p.middle, p.given) if x))
    lines = mrz.td1(card.number, p.birth, p.male, card.expiry, surname, given)
    mono = fonts.fonts_for("mrz")[0]
    em = c.mm(3.9)
    pen = Pen(mono, em, (15, 15, 15))
    width30 = pen.width("<" * 30)
    if width30 > c.width - c.mm(6):
        pen = Pen(mono, round(em * (c.width - c.mm(6)) / width30), (15, 15, 15))
    boxes = []
    for i, line in enumerate(lines):
        box, _ = c.text(c.mm(3), top + c.mm(4.5) + i * c.mm(4.3), line, pen, "mrz", ("mrz",))
        boxes.append(box)
    c.record("mrz", "\n".join(lines), boxes, "\n".join(lines))


def cancuoc_back(card: Card, rng: random.Random, np_rng: np.random.Generator, dpi: int) -> tuple[Image.Image, TruthPage]:
    """The 2024 Căn cước back: residence, place of birth registration, issue and expiry dates, the QR code
    (top right), the chip, the issuing authority and the MRZ."""
    c = _canvas(rng, np_rng, dpi, (232, 224, 218), (214, 198, 190))
    label, value, head = _pens(c, rng)
    value = Pen(value.font, c.mm(2.2), INK)
    p = card.person
    _qr(c, card, (c.mm(68), c.mm(2.5), c.mm(83), c.mm(17.5)), rng)
    c.draw.rounded_rectangle((c.mm(70), c.mm(20), c.mm(81), c.mm(29)), radius=c.mm(1.2), fill=(212, 175, 80),
                             outline=(150, 120, 50), width=max(1, c.mm(0.2)))
    x, right, gap = c.mm(3.5), c.mm(66), c.mm(3.0)
    y = c.mm(5)
    c.text(x, y, "Nơi cư trú / Place of residence:", label)
    y += gap
    home = p.residence.residence()
    y, _ = c.value("noiThuongTru", home, home, x, y, value, right, gap)
    y += gap * 1.15
    c.text(x, y, "Nơi đăng ký khai sinh / Place of birth:", label)
    y += gap
    born = p.origin.full(with_village=False)
    y, _ = c.value("noiDangKyKhaiSinh", born, born, x, y, value, right, gap)
    y += gap * 1.15
    _, xe = c.text(x, y, "Ngày, tháng, năm cấp / Date of issue:", label)
    c.value("ngayCap", dotted(card.issued), slashed(card.issued), xe + c.mm(1), y, value, right, gap)
    y += gap
    _, xe = c.text(x, y, "Ngày, tháng, năm hết hạn / Date of expiry:", label)
    expiry = (dotted(card.expiry), slashed(card.expiry)) if card.expiry else ("Không thời hạn", "Không thời hạn")
    c.value("coGiaTriDen", expiry[0], expiry[1], xe + c.mm(1), y, value, c.width - c.mm(2), gap)
    y += gap * 1.1
    issuer = Pen(head.font, c.mm(1.9), INK)
    c.text(x, y, "BỘ CÔNG AN", issuer, "header")
    c.text(x + c.mm(16), y, "MINISTRY OF PUBLIC SECURITY", label.scaled(0.75), "header")
    _mrz_band(c, card, c.mm(39))
    return c.img, _page(c, "cancuoc_back", card.qr_defect)


def cmnd_front(card: Card, rng: random.Random, np_rng: np.random.Generator, dpi: int) -> tuple[Image.Image, TruthPage]:
    c = _canvas(rng, np_rng, dpi, (196, 222, 240), (160, 195, 225))
    label, value, head = _pens(c, rng)
    typed = Pen(rng.choice(fonts.fonts_for("typed")), c.mm(2.6), (15, 15, 30))
    p = card.person
    _emblem(c, c.mm(13), c.mm(12), c.mm(8.5))
    _photo(c, c.mm(4), c.mm(24), c.mm(22), c.mm(48), rng)
    mid = c.mm(57)
    c.text(mid, c.mm(6.5), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", head.scaled(0.85), "header", anchor="ms")
    c.text(mid, c.mm(10), "Độc lập - Tự do - Hạnh phúc", head.scaled(0.8), "header", anchor="ms")
    c.text(mid, c.mm(15.5), "CHỨNG MINH NHÂN DÂN", Pen(head.font, c.mm(3.6), RED), "header", anchor="ms")
    x, right, gap = c.mm(26), c.width - c.mm(3), c.mm(4.2)
    y = c.mm(21.5)
    _, xe = c.text(c.mm(40), y, "Số", Pen(head.font, c.mm(3.2), RED))
    c.value("soDinhDanh", card.number, card.number, xe + c.mm(2), y, Pen(head.font, c.mm(3.6), RED), right, gap)
    y += gap * 1.1
    _, xe = c.text(x, y, "Họ tên", label)
    name_value, name_printed = _name(card)
    y, _ = c.value("hoTen", name_value, name_printed, xe + c.mm(2), y, typed, right, gap, x_next=x)
    y += gap
    _, xe = c.text(x, y, "Sinh ngày", label)
    birth_printed = f"{p.birth.day:02d}-{p.birth.month:02d}-{p.birth.year}"
    c.value("ngaySinh", dotted(p.birth), birth_printed, xe + c.mm(2), y, typed, right, gap)
    y += gap
    _, xe = c.text(x, y, "Nguyên quán", label)
    origin = p.origin.full(with_village=False)
    y, _ = c.value("queQuan", origin, origin, xe + c.mm(2), y, typed, right, gap, x_next=x)
    y += gap
    _, xe = c.text(x, y, "Nơi ĐKHK thường trú", label)
    home = p.residence.residence()
    c.value("noiThuongTru", home, home, xe + c.mm(2), y, typed, right, gap, x_next=x)
    return c.img, _page(c, "cmnd_front")


def cancuoc_front(card: Card, rng: random.Random, np_rng: np.random.Generator, dpi: int) -> tuple[Image.Image, TruthPage]:
    c = _canvas(rng, np_rng, dpi, (236, 222, 214), (220, 196, 186))
    label, value, head = _pens(c, rng)
    p = card.person
    _emblem(c, c.mm(10), c.mm(10), c.mm(7))
    small = head.scaled(0.85)
    mid = c.mm(48)
    c.text(mid, c.mm(5.5), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", small, "header", anchor="ms")
    c.text(mid, c.mm(8.5), "SOCIALIST REPUBLIC OF VIET NAM", label.scaled(0.85), "header", anchor="ms")
    c.text(mid, c.mm(14), "CĂN CƯỚC", Pen(head.font, c.mm(4.2), RED), "header", anchor="ms")
    c.text(mid, c.mm(17.5), "IDENTITY CARD", label, "header", anchor="ms")
    _photo(c, c.mm(3.5), c.mm(21), c.mm(23), c.mm(47), rng)
    x, right, gap = c.mm(26), c.width - c.mm(2.5), c.mm(3.3)
    y = c.mm(23)
    c.text(x, y, "Số định danh cá nhân / Personal identification number",
           fit(label, "Số định danh cá nhân / Personal identification number", right - x))
    y += gap * 1.15
    c.value("soDinhDanh", card.number, card.number, x, y, Pen(value.font, c.mm(3.4), INK), right, gap)
    y += gap * 1.1
    c.text(x, y, "Họ, chữ đệm và tên khai sinh /", label)
    y += gap * 0.85
    c.text(x, y, "Surname, middle name and given name", label.scaled(0.9))
    y += gap
    name_value, name_printed = _name(card)
    y, _ = c.value("hoTen", name_value, name_printed, x, y, value, right, gap)
    y += gap
    c.text(x, y, "Ngày, tháng, năm sinh / Date of birth", label.scaled(0.9))
    y += gap
    c.value("ngaySinh", dotted(p.birth), slashed(p.birth), x, y, value, right, gap)
    y += gap
    _sex_nationality(c, x, y, right, gap, label, value, p)
    return c.img, _page(c, "cancuoc_front")


def _page(c: Canvas, doc_type: str, qr_defect: str = "") -> TruthPage:
    return TruthPage(page=0, doc_type=doc_type, width=c.width, height=c.height, lines=c.lines, fields=c.fields,
                     owners=c.owners, qr=qr_defect, qr_payload=getattr(c, "qr_payload", ""))


def mrz_lines_of(page: TruthPage) -> list[str]:
    return page.fields["mrz"].value.split("\n")


