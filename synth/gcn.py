"""Land-use certificate (GCN) pages in the older 2014-style and the 2024-style layouts.

Section I names the owner(s): one person ("Ông"/"Bà") or a couple ("Ông … và vợ là bà …") with CMND or CCCD
numbers; section II the parcel. Also the serial (số phát hành), the register entry (số vào sổ) and the
issue date line "…, ngày 12 tháng 5 năm 2015".
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
from PIL import Image

from synth import fonts
from synth.canvas import Canvas, Pen, paper
from synth.people import Person, cccd_number, cmnd_number, dotted, random_person, random_place, upper_vn
from synth.truth import TruthPage

A4_MM = (210.0, 297.0)
RED = (190, 30, 40)
PURPOSES = ["Đất ở tại nông thôn", "Đất ở tại đô thị", "Đất trồng cây lâu năm", "Đất trồng lúa",
            "Đất ở tại nông thôn: 200 m²; Đất trồng cây lâu năm: 85 m²"]
ORIGINS = ["Nhà nước công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất",
           "Nhà nước giao đất có thu tiền sử dụng đất", "Nhận chuyển nhượng đất được Công nhận QSDĐ như giao đất có thu tiền",
           "Nhận thừa kế đất được Công nhận QSDĐ như giao đất có thu tiền sử dụng đất",
           "Được tặng cho đất được Nhà nước giao đất không thu tiền sử dụng đất"]
LETTERS = "ABCDEGHKLMNPQSTVXY"


def _serial(rng: random.Random, style: int) -> str:
    pre = rng.choice(["CS", "BĐ", "CH", "BX", "CĐ", "BY", "AA", "AB"]) if style == 2014 else \
        rng.choice(["AA", "AB", "AC", "AĐ"])
    digits = 6 if style == 2014 else 8
    return f"{pre} {rng.randrange(10**digits):0{digits}d}"


def render_gcn(style: int, rng: random.Random, np_rng: np.random.Generator, dpi: int) -> tuple[Image.Image, TruthPage]:
    issued = date(2010, 1, 1) + timedelta(days=rng.randrange(365 * 4)) if style == 2014 else \
        date(2024, 8, 1) + timedelta(days=rng.randrange(500))
    w, h = round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)
    tint = (252, 236, 236) if style == 2014 else (246, 246, 238)
    c = Canvas(w, h, dpi, rng, background=paper(np_rng, w, h, tint, 8))
    k = rng.uniform(0.92, 1.05)
    label = Pen(rng.choice(fonts.fonts_for("label")), c.mm(3.7 * k), (25, 25, 25))
    bold = Pen(rng.choice(fonts.fonts_for("bold")), c.mm(3.7 * k), (25, 25, 25))
    value = Pen(rng.choice(fonts.fonts_for("typed")), c.mm(3.8 * k), (10, 10, 10))
    left, right = c.mm(rng.uniform(18, 24)), w - c.mm(rng.uniform(15, 20))
    gap = c.mm(3.8 * k * rng.uniform(1.5, 1.7))
    frame = RED if style == 2014 else (40, 110, 70)
    c.draw.rectangle((c.mm(8), c.mm(8), w - c.mm(8), h - c.mm(8)), outline=frame, width=c.mm(0.8))
    c.draw.rectangle((c.mm(10), c.mm(10), w - c.mm(10), h - c.mm(10)), outline=frame, width=c.mm(0.3))
    y = c.mm(22)
    c.text(w / 2, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold, "header", anchor="ms")
    y += gap * 0.85
    c.text(w / 2, y, "Độc lập - Tự do - Hạnh phúc", bold.scaled(0.95), "header", anchor="ms")
    y += gap * 1.6
    title = Pen(bold.font, c.mm(6.2 * k), RED)
    c.text(w / 2, y, "GIẤY CHỨNG NHẬN", title, "header", anchor="ms")
    y += gap * 1.1
    sub = Pen(bold.font, c.mm(3.9 * k), RED)
    if style == 2014:
        c.text(w / 2, y, "QUYỀN SỬ DỤNG ĐẤT", sub, "header", anchor="ms")
        y += gap * 0.85
        c.text(w / 2, y, "QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT", sub, "header", anchor="ms")
    else:
        c.text(w / 2, y, "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT", sub, "header", anchor="ms")
        qr = (right - c.mm(24), c.mm(14), right - c.mm(2), c.mm(36))
        c.draw.rectangle(qr, fill=(255, 255, 255))
        cell = (qr[2] - qr[0]) / 25
        for i in range(25):
            for j in range(25):
                if rng.random() < 0.5:
                    c.draw.rectangle((qr[0] + i * cell, qr[1] + j * cell, qr[0] + (i + 1) * cell,
                                      qr[1] + (j + 1) * cell), fill=(0, 0, 0))
    y += gap * 1.2
    serial = _serial(rng, style)
    if style == 2024:
        _, xe = c.text(w / 2 - c.mm(32), y, "Số phát hành:", label)
        c.value("soPhatHanh", serial, serial, xe + c.mm(2), y, Pen(bold.font, c.mm(4.2 * k), RED), right, gap)
        y += gap * 1.5
    # --- I. owners
    sec1 = ("I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất" if style == 2014
            else "I. Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất")
    c.text(left, y, sec1, bold, "header")
    y += gap * 1.2
    home = random_place(rng, home_only=True)
    couple = rng.random() < 0.5
    first_male = couple or rng.random() < 0.6
    owners: list[Person] = [random_person(rng, date(issued.year - 75, 1, 1), date(issued.year - 22, 1, 1),
                                          male=first_male, residence=home)]
    if couple:
        owners.append(random_person(rng, date(issued.year - 72, 1, 1), date(issued.year - 20, 1, 1),
                                    male=False, residence=home))
    upper = style == 2024 or rng.random() < 0.5
    x2 = left + c.mm(6)
    for i, p in enumerate(owners):
        title_word = ("Ông" if p.male else "Bà") if i == 0 else "Và vợ là bà"
        _, xe = c.text(x2, y, f"{title_word}:", label)
        name = upper_vn(p.name) if upper else p.name
        _, xe = c.value("hoTen", p.name, name, xe + c.mm(2), y, value, right, gap, owner=i)
        _, xe = c.text(xe, y, ", năm sinh:" if style == 2014 else "; Năm sinh:", label)
        c.value("namSinh", str(p.birth.year), str(p.birth.year), xe + c.mm(2), y, value, right, gap, owner=i)
        y += gap
        cccd = issued.year >= 2016 and rng.random() < 0.7
        kind = "CCCD" if cccd else "CMND"
        number = cccd_number(rng, p) if cccd else cmnd_number(rng)
        _, xe = c.value("loaiGiayTo", kind, kind, x2, y, label, right, gap, owner=i)
        _, xe = c.text(xe + c.mm(1.2), y, "số:", label)
        c.value("soGiayTo", number, number, xe + c.mm(2), y, value, right, gap, owner=i)
        y += gap
    _, xe = c.text(x2, y, "Địa chỉ thường trú:" if style == 2014 else "Địa chỉ:", label)
    addr = home.full()
    keys = tuple(f"owners[{i}].diaChi" for i in range(1, len(owners)))
    y, _ = c.value("diaChi", addr, addr, xe + c.mm(2), y, value, right, gap, x_next=x2, owner=0, also=keys)
    for i in range(1, len(owners)):
        c.owners[i]["diaChi"] = c.owners[0]["diaChi"]
    y += gap * 1.6
    # --- II. parcel
    sec2 = ("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất" if style == 2014
            else "II. Thửa đất, tài sản gắn liền với đất")
    c.text(left, y, sec2, bold, "header")
    y += gap * 1.2
    parcel = random_place(rng, home_only=True, district=home.district)
    area = f"{rng.randint(40, 900)},{rng.randint(0, 9)}" if rng.random() < 0.7 else str(rng.randint(40, 900))
    purpose = rng.choice(PURPOSES)
    shared = rng.random() < 0.2
    rows = [
        ("a) Thửa đất số:", "thuaDatSo", str(rng.randint(1, 1200)), None),
        ("Tờ bản đồ số:", "toBanDoSo", str(rng.randint(1, 60)), "same"),
        ("b) Địa chỉ:", "diaChiThuaDat", parcel.full(), None),
        ("c) Diện tích:", "dienTich", area, None),
        ("d) Hình thức sử dụng:", "hinhThucSuDung", "Chung" if shared else "Riêng", None),
        ("đ) Mục đích sử dụng:", "mucDichSuDung", purpose, None),
        ("e) Thời hạn sử dụng:", "thoiHanSuDung",
         "Lâu dài" if purpose.startswith("Đất ở") else f"Đến năm {issued.year + 50}", None),
        ("g) Nguồn gốc sử dụng:", "nguonGocSuDung", rng.choice(ORIGINS), None),
    ]
    if style == 2014:
        c.text(x2, y, "1. Thửa đất:", label)
        y += gap
    x_end = 0.0
    for text, key, val, same in rows:
        if style == 2024:
            text = text.split(") ", 1)[-1]
        printed = val
        if key == "hinhThucSuDung" and style == 2014:
            printed = "Sử dụng " + val.lower()
        if same:
            _, xe = c.text(x_end + c.mm(8), y - gap, text, label)
            c.value(key, val, printed, xe + c.mm(2), y - gap, value, right, gap)
            continue
        _, xe = c.text(x2, y, text, label)
        y_last, x_end = c.value(key, val, printed, xe + c.mm(2), y, value, right, gap, x_next=x2 + c.mm(4))
        if key == "dienTich":
            c.text(x_end + c.mm(1), y, "m²", value)
        y = y_last + gap
    # --- signature block, serial, register entry
    y = max(y + gap, h - c.mm(78))
    town = home.district
    sx = w * 0.64
    _, xe = c.text(sx - c.mm(34), y, f"{town},", label.scaled(0.95))
    printed_date = f"ngày {issued.day} tháng {issued.month} năm {issued.year}" if rng.random() < 0.6 else \
        f"ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}"
    c.value("ngayCap", dotted(issued), printed_date, xe + c.mm(1.5), y, label.scaled(0.95), w - c.mm(12), gap)
    y += gap
    c.text(sx, y, upper_vn(f"TM. Ủy ban nhân dân {home.unit_kind} {home.district}"), bold.scaled(0.8), "header",
           anchor="ms")
    y += gap * 0.9
    c.text(sx, y, "CHỦ TỊCH", bold.scaled(0.85), "header", anchor="ms")
    c.draw.ellipse((sx - c.mm(14), y + c.mm(2), sx + c.mm(14), y + c.mm(30)), outline=(200, 50, 50),
                   width=c.mm(0.5))
    signer = random_person(rng, date(1960, 1, 1), date(1980, 1, 1), residence=home)
    c.text(sx, y + gap * 5.2, signer.name, bold.scaled(0.9), "header", anchor="ms")
    by = h - c.mm(22)
    if style == 2014:
        c.value("soPhatHanh", serial, serial, left, by - gap * 1.6, Pen(bold.font, c.mm(4.6 * k), RED), right, gap)
    entry = f"{rng.choice(['CH', 'CS', 'CT'])} {rng.randrange(10**5):05d}"
    _, xe = c.text(left, by, "Số vào sổ cấp GCN:" if style == 2014 else "Số vào sổ cấp Giấy chứng nhận:",
                   label.scaled(0.9))
    c.value("soVaoSo", entry, entry, xe + c.mm(2), by, value.scaled(0.95), right, gap)
    page = TruthPage(page=0, doc_type=f"gcn_{style}", width=w, height=h, lines=c.lines, fields=c.fields,
                     owners=c.owners)
    return c.img, page
