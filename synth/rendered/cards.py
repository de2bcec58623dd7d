"""ID cards as HTML/CSS at ID-1 size (85.6 × 54 mm): chip CCCD 2021 front/back, Căn cước 2024 front/back,
old 9-digit CMND front. Labels follow shared/domain.md; the layout is our own reading of public specimens.

Each side returns its markup and its truth fields (card profile keys, values as extraction outputs them:
dates dd.mm.yyyy, sex 1/2, names as written with diacritics). A side that carries the QR code also lists the
values the QR alone gives (`qr_fields`), `soCMNDCu` among them.
"""
from __future__ import annotations

import random

from synth.rendered.html import esc
from synth.rendered.idcard import Citizen, qr_svg, td1
from synth.rendered.model import FieldTruth
from synth.rendered.sources import dotted, slashed, upper

CARD_MM = (85.6, 54.0)
CARD_CSS = (round(85.6 / 25.4 * 96), round(54.0 / 25.4 * 96))   # 324 × 204 CSS px


def _frame(inner: str, bg: str, font: str, head: str, extra_css: str = "") -> str:
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>
html,body{{margin:0;padding:0;background:#fff}}
.card{{position:relative;width:85.6mm;height:54mm;overflow:hidden;border-radius:3.2mm;background:{bg};
font-family:'{font}';color:#1b1b22;font-size:5.6pt;line-height:1.18}}
.card p{{margin:0;white-space:nowrap}}
.abs{{position:absolute}}
.h{{font-family:'{head}';font-weight:bold}}
.v{{font-family:'{head}';font-weight:bold;font-size:7pt}}
.lab{{font-size:5.2pt}}
.qr svg{{width:100%;height:100%;shape-rendering:crispEdges;display:block}}
.photo{{background:linear-gradient(180deg,#d8dbe2 0 45%,#9aa0ad 45% 100%);border:0.2mm solid #888}}
.emblem{{border-radius:50%;background:radial-gradient(circle,#f4cf3a 0 22%,#c8202a 23% 78%,#e0b030 79%)}}
.chip{{border-radius:1.2mm;background:linear-gradient(135deg,#e8c66a,#b88e2e);border:0.2mm solid #8a6a20}}
.card p.mrz{{font-family:'OCR B';font-size:7.3pt;letter-spacing:0;line-height:1.32;white-space:pre}}
{extra_css}
</style></head><body><div class="card">{inner}</div></body></html>"""


def _bg(rng: random.Random, hues: tuple[int, int]) -> str:
    h = rng.randint(*hues)
    return (f"repeating-radial-gradient(circle at {rng.randint(20, 80)}% {rng.randint(20, 80)}%, "
            f"hsl({h},35%,90%) 0 0.7mm, hsl({h + 12},30%,84%) 0.7mm 1.1mm), hsl({h},35%,88%)")


def _p(x: float, y: float, html: str, b: str, cls: str = "", w: float | None = None) -> str:
    width = f"width:{w}mm;white-space:normal;" if w else ""
    return f'<p data-b="{b}" class="abs {cls}" style="left:{x}mm;top:{y}mm;{width}">{html}</p>'


def _national(x_mid: float, top: float, english: bool) -> str:
    lines = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "h", 0)]
    if english:
        lines.append(("SOCIALIST REPUBLIC OF VIET NAM", "", 2.3))
    lines.append(("Độc lập - Tự do - Hạnh phúc", "h", 2.3 * len(lines)))
    if english:
        lines.append(("Independence - Freedom - Happiness", "", 2.3 * len(lines)))
    return "".join(f'<p data-b="n{i}" class="abs {c}" style="left:{x_mid - 30}mm;width:60mm;text-align:center;'
                   f'top:{top + dy}mm">{esc(t)}</p>' for i, (t, c, dy) in enumerate(lines))


def _common_truth(c: Citizen) -> dict[str, FieldTruth]:
    p = c.person
    return {"soDinhDanh": FieldTruth(c.number), "hoTen": FieldTruth(p.name, upper(p.name)),
            "ngaySinh": FieldTruth(dotted(p.birth), slashed(p.birth)),
            "gioiTinh": FieldTruth(p.sex_code, p.sex_word), "quocTich": FieldTruth("Việt Nam")}


def qr_fields(c: Citizen) -> dict[str, FieldTruth]:
    """What a decoded QR gives exactly (issue 12)."""
    p = c.person
    return {"soDinhDanh": FieldTruth(c.number), "soCMNDCu": FieldTruth(c.old_number),
            "hoTen": FieldTruth(p.name), "ngaySinh": FieldTruth(dotted(p.birth)),
            "gioiTinh": FieldTruth(p.sex_code, p.sex_word), "noiThuongTru": FieldTruth(p.residence),
            "ngayCap": FieldTruth(dotted(c.issued), slashed(c.issued))}


def _expiry(c: Citizen) -> FieldTruth:
    return FieldTruth(dotted(c.expiry), slashed(c.expiry)) if c.expiry else FieldTruth("Không thời hạn")


QR_BOX_MM = {"cccd_front": (70.0, 3.0, 83.5, 16.5), "cancuoc_back": (66.0, 3.0, 83.0, 20.0)}


def cccd_front(c: Citizen, rng: random.Random, font: str, head: str) -> tuple[str, dict, dict]:
    p = c.person
    qx0, qy0, qx1, qy1 = QR_BOX_MM["cccd_front"]
    inner = [
        '<div class="abs emblem" style="left:4mm;top:3mm;width:11mm;height:11mm"></div>',
        _national(43, 2.6, True),
        _p(22, 12.6, '<span style="color:#c0161f;font-size:9pt" class="h">CĂN CƯỚC CÔNG DÂN</span>', "t1"),
        _p(30, 16.6, "Citizen Identity Card", "t2"),
        f'<div class="abs qr" style="left:{qx0}mm;top:{qy0}mm;width:{qx1 - qx0}mm;height:{qy1 - qy0}mm">'
        f"{qr_svg(c.qr_payload())}</div>",
        '<div class="abs photo" style="left:3mm;top:21mm;width:18mm;height:23mm"></div>',
        _p(24, 20.5, f'Số / No.: <span class="v" style="font-size:9pt">{c.number}</span>', "f1"),
        _p(24, 24.5, "Họ và tên / Full name:", "f2"),
        _p(24, 26.8, f'<span class="v">{esc(upper(p.name))}</span>', "f3"),
        _p(24, 30.0, f'Ngày sinh / Date of birth: <span class="v">{slashed(p.birth)}</span>', "f4"),
        _p(24, 32.6, f'Giới tính / Sex: <span class="v">{p.sex_word}</span>'
                     '<span style="display:inline-block;width:6mm"></span>'
                     'Quốc tịch / Nationality: <span class="v">Việt Nam</span>', "f5"),
        _p(24, 35.2, "Quê quán / Place of origin:", "f6"),
        _p(24, 37.5, f'<span class="v">{esc(p.origin.short())}</span>', "f7"),
        _p(24, 40.3, f'Nơi thường trú / Place of residence: <span class="v">{esc(p.residence)}</span>', "f8",
           w=59),
        _p(3, 45.5, "Có giá trị đến:", "e1", "lab"),
        _p(3, 47.6, f'<span class="v" style="font-size:6pt">{_expiry(c).printed or _expiry(c).value}</span>',
           "e2"),
        _p(3, 50.0, "Date of expiry", "e3", "lab"),
    ]
    truth = _common_truth(c) | {"queQuan": FieldTruth(p.origin.short()), "noiThuongTru": FieldTruth(p.residence),
                                "coGiaTriDen": _expiry(c)}
    return _frame("".join(inner), _bg(rng, (150, 190)), font, head), truth, qr_fields(c)


def cccd_back(c: Citizen, rng: random.Random, font: str, head: str) -> tuple[str, dict, dict]:
    mrz = td1(c.number, c.person, c.expiry)
    inner = [
        '<div class="abs chip" style="left:60mm;top:4mm;width:11mm;height:8.5mm"></div>',
        _p(3, 3.5, "Đặc điểm nhân dạng / Personal identification:", "d1"),
        _p(3, 6.0, f'<span class="v" style="font-size:6pt">{esc(c.mark)}</span>', "d2", w=52),
        _p(3, 12.0, f'Ngày, tháng, năm / Date, month, year: <span class="v" style="font-size:6pt">'
                    f"{slashed(c.issued)}</span>", "d3"),
        _p(3, 15.0, '<span class="h">CỤC TRƯỞNG CỤC CẢNH SÁT</span>', "d4"),
        _p(3, 17.3, '<span class="h">QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI</span>', "d5"),
        _p(3, 19.6, "DIRECTOR GENERAL OF THE POLICE DEPARTMENT", "d6", "lab"),
        _p(3, 21.6, "FOR ADMINISTRATIVE MANAGEMENT OF SOCIAL ORDER", "d7", "lab"),
        '<div class="abs" style="left:8mm;top:24mm;width:13mm;height:13mm;border:0.5mm solid #d0343a;'
        'border-radius:50%;opacity:0.8"></div>',
        '<div class="abs" style="left:57mm;top:14mm;width:12mm;height:15mm;border:0.2mm solid #777;'
        'background:repeating-radial-gradient(ellipse,#999 0 0.25mm,transparent 0.25mm 0.6mm)"></div>',
        '<div class="abs" style="left:71mm;top:14mm;width:12mm;height:15mm;border:0.2mm solid #777;'
        'background:repeating-radial-gradient(ellipse,#999 0 0.25mm,transparent 0.25mm 0.6mm)"></div>',
        _p(57, 30, "Ngón trỏ trái", "g1", "lab"),
        _p(71, 30, "Ngón trỏ phải", "g2", "lab"),
        '<div class="abs" style="left:0;top:38mm;width:85.6mm;height:16mm;background:#f6f6f2"></div>',
        f'<p data-b="mrz" data-nomerge class="abs mrz" style="left:3mm;top:39.2mm">{esc(chr(10).join(mrz))}</p>',
    ]
    truth = {"dacDiemNhanDang": FieldTruth(c.mark), "ngayCap": FieldTruth(dotted(c.issued), slashed(c.issued)),
             "mrz": FieldTruth("\n".join(mrz))}
    return _frame("".join(inner), _bg(rng, (170, 200)), font, head), truth, {}


def cancuoc_front(c: Citizen, rng: random.Random, font: str, head: str) -> tuple[str, dict, dict]:
    p = c.person
    inner = [
        '<div class="abs emblem" style="left:4mm;top:3mm;width:11mm;height:11mm"></div>',
        _national(45, 2.8, True),
        _p(33, 12.4, '<span style="color:#b3121c;font-size:10pt" class="h">CĂN CƯỚC</span>', "t1"),
        _p(36.5, 16.8, "IDENTITY CARD", "t2"),
        '<div class="abs chip" style="left:71mm;top:5mm;width:10mm;height:8mm"></div>',
        '<div class="abs photo" style="left:3mm;top:21mm;width:19mm;height:25mm"></div>',
        _p(25, 21, "Số định danh cá nhân / Personal identification number:", "f1", "lab"),
        _p(25, 23.4, f'<span class="v" style="font-size:8.5pt">{c.number}</span>', "f2"),
        _p(25, 27.4, '<span style="font-size:4.7pt">Họ, chữ đệm và tên khai sinh / Surname, middle name and given '
                     'name:</span>', "f3"),
        _p(25, 29.6, f'<span class="v">{esc(upper(p.name))}</span>', "f4"),
        _p(25, 33.0, "Ngày, tháng, năm sinh / Date of birth:", "f5", "lab"),
        _p(25, 35.2, f'<span class="v">{slashed(p.birth)}</span>', "f6"),
        _p(25, 38.6, f'Giới tính / Sex: <span class="v">{p.sex_word}</span>'
                     '<span style="display:inline-block;width:5mm"></span>'
                     'Quốc tịch / Nationality: <span class="v">Việt Nam</span>', "f7"),
    ]
    return _frame("".join(inner), _bg(rng, (10, 40)), font, head), _common_truth(c), {}


def cancuoc_back(c: Citizen, rng: random.Random, font: str, head: str) -> tuple[str, dict, dict]:
    p = c.person
    mrz = td1(c.number, p, c.expiry)
    qx0, qy0, qx1, qy1 = QR_BOX_MM["cancuoc_back"]
    exp = _expiry(c)
    inner = [
        f'<div class="abs qr" style="left:{qx0}mm;top:{qy0}mm;width:{qx1 - qx0}mm;height:{qy1 - qy0}mm">'
        f"{qr_svg(c.qr_payload())}</div>",
        _p(3, 3.0, "Nơi cư trú / Place of residence:", "r1", "lab"),
        _p(3, 5.3, f'<span class="v" style="font-size:6.2pt">{esc(p.residence)}</span>', "r2", w=60),
        _p(3, 11.6, "Nơi đăng ký khai sinh / Place of birth:", "r3", "lab"),
        _p(3, 13.9, f'<span class="v" style="font-size:6.2pt">{esc(p.origin.address())}</span>', "r4", w=60),
        _p(3, 20.2, f'Ngày, tháng, năm cấp / Date of issue: <span class="v" style="font-size:6pt">'
                    f"{slashed(c.issued)}</span>", "r5"),
        _p(3, 23.2, f'Ngày, tháng, năm hết hạn / Date of expiry: <span class="v" style="font-size:6pt">'
                    f"{exp.printed or exp.value}</span>", "r6"),
        _p(42, 27.5, '<span class="h">BỘ CÔNG AN</span>', "r7"),
        _p(36, 30.0, "MINISTRY OF PUBLIC SECURITY", "r8", "lab"),
        '<div class="abs" style="left:0;top:38mm;width:85.6mm;height:16mm;background:#f6f6f2"></div>',
        f'<p data-b="mrz" data-nomerge class="abs mrz" style="left:3mm;top:39.2mm">{esc(chr(10).join(mrz))}</p>',
    ]
    truth = {"noiThuongTru": FieldTruth(p.residence), "noiDangKyKhaiSinh": FieldTruth(p.origin.address()),
             "ngayCap": FieldTruth(dotted(c.issued), slashed(c.issued)), "coGiaTriDen": exp,
             "mrz": FieldTruth("\n".join(mrz))}
    return _frame("".join(inner), _bg(rng, (20, 50)), font, head), truth, qr_fields(c)


def cmnd_front(c: Citizen, rng: random.Random, font: str, head: str) -> tuple[str, dict, dict]:
    """Old CMND: 9 digits in red, values typed on dotted lines."""
    p = c.person
    number = c.old_number or c.number[-9:]
    dots = ("background-image:radial-gradient(circle,#333 0.28px,transparent 0.7px);background-size:1.1mm 1.18em;"
            "background-position:0 0.62em;white-space:normal;line-height:1.18")
    birth = f"{p.birth.day:02d}-{p.birth.month:02d}-{p.birth.year}"

    def row(y: float, label: str, value: str, b: str) -> str:
        return (f'<p data-b="{b}" class="abs" style="left:27mm;top:{y}mm;width:56mm;{dots}">{esc(label)} '
                f'<span class="v" style="font-family:\'{font}\';font-weight:normal">{esc(value)}</span></p>')

    inner = [
        '<div class="abs emblem" style="left:5mm;top:4mm;width:15mm;height:15mm"></div>',
        _national(55, 3.0, False),
        _p(33, 8.8, '<span style="color:#c0161f;font-size:8.5pt" class="h">GIẤY CHỨNG MINH NHÂN DÂN</span>', "t1"),
        _p(40, 14.2, f'<span style="color:#c0161f;font-size:9.5pt" class="h">SỐ {number}</span>', "t2"),
        '<div class="abs photo" style="left:4mm;top:23mm;width:19mm;height:25mm"></div>',
        row(20.5, "Họ tên", upper(p.name), "f1"),
        row(26.0, "Sinh ngày", birth, "f2"),
        row(30.5, "Nguyên quán", p.origin.short(), "f3"),
        row(35.0, "Nơi ĐKHK thường trú", p.residence, "f4"),
    ]
    truth = {"soDinhDanh": FieldTruth(number), "hoTen": FieldTruth(p.name, upper(p.name)),
             "ngaySinh": FieldTruth(dotted(p.birth), birth), "queQuan": FieldTruth(p.origin.short()),
             "noiThuongTru": FieldTruth(p.residence)}
    return _frame("".join(inner), _bg(rng, (195, 215)), font, head), truth, {}


SIDES = {"cccd_front": cccd_front, "cccd_back": cccd_back, "cancuoc_front": cancuoc_front,
         "cancuoc_back": cancuoc_back, "cmnd_front": cmnd_front}
