"""The card QR code: strict payload parsing, decoding from the card's region or the whole page, defects that
must not decode, and the values it gives a record (accepted, the QR wins over OCR)."""
from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest
from PIL import Image

from extract.profiles import load_profiles
from extract.qr import PayloadError, parse_payload, read_qr
from synth import qr as synth_qr

GOOD = "030190001234|142345678|NGUYỄN THỊ THUÝ|12031990|Nữ|Thôn Đông Khê, Cẩm Điền, Cẩm Giàng, Hải Dương|05062022"


@pytest.fixture(scope="module")
def spec():
    return load_profiles()["cccd_front"].qr


def test_payload_gives_every_field_in_the_project_forms(spec):
    values, extra = parse_payload(GOOD, spec)
    assert values == {"soDinhDanh": "030190001234", "soCMNDCu": "142345678", "hoTen": "Nguyễn Thị Thúy",
                      "ngaySinh": "12.03.1990", "gioiTinh": "2",
                      "noiThuongTru": "Thôn Đông Khê, Cẩm Điền, Cẩm Giàng, Hải Dương", "ngayCap": "05.06.2022"}
    assert extra == []


def test_payload_tolerates_one_trailing_field_and_an_empty_old_number(spec):
    values, extra = parse_payload(GOOD.replace("|142345678|", "||") + "|", spec)
    assert values["soCMNDCu"] == "" and extra == [""]


@pytest.mark.parametrize("bad", [
    GOOD.rsplit("|", 1)[0],                                    # a field missing
    GOOD + "|x|y",                                             # two extra fields
    GOOD.replace("030190001234", "03019000123"),               # 11 digits
    GOOD.replace("|142345678|", "|14234567|"),                 # 8-digit CMND
    GOOD.replace("12031990", "31021990"),                      # no 31 February
    GOOD.replace("|Nữ|", "|F|"),                               # sex not Nam/Nữ
    GOOD.replace("|Nữ|", "|Nam|"),                             # odd century digit = female: disagrees
    GOOD.replace("12031990", "12031991"),                      # year digits of the number disagree
    GOOD.replace("NGUYỄN THỊ THUÝ", "NGUYEN 7HI"),             # digits in a name
])
def test_payload_of_the_wrong_shape_is_refused(spec, bad):
    with pytest.raises(PayloadError):
        parse_payload(bad, spec)


def _card_with_code(defect: str, seed: int = 3, dpi: int = 300) -> np.ndarray:
    w, h = round(85.6 / 25.4 * dpi), round(54 / 25.4 * dpi)
    img = Image.new("RGB", (w, h), (205, 228, 226))
    mm = dpi / 25.4
    synth_qr.draw_qr(img, (round(70 * mm), round(2.5 * mm), round(84 * mm), round(16.5 * mm)), GOOD, defect,
                     random.Random(seed), dpi)
    return np.asarray(img)


def test_code_is_read_from_the_region_and_from_the_whole_page(spec):
    card = _card_with_code("ok")
    found = read_qr(card, spec)
    assert found is not None and found.where == "region" and found.values["soCMNDCu"] == "142345678"
    h, w = card.shape[:2]
    wide = np.full((h * 2, w * 2, 3), 240, np.uint8)
    wide[h:, :w] = card  # the card at the bottom left of a bigger photo: the region misses it
    found = read_qr(wide, spec)
    assert found is not None and found.where == "page"


@pytest.mark.parametrize("defect", ["small", "blur", "glare"])
def test_spoilt_codes_do_not_decode(spec, defect):
    for seed in range(3):
        assert read_qr(_card_with_code(defect, seed), spec) is None, (defect, seed)


def test_payload_dates_are_real_dates():
    assert synth_qr.ddmmyyyy(date(2022, 6, 5)) == "05062022"


def _soft_code(side: int, sigma: float, slant: float = 0.0):
    """A phone photo's code: small (under 3 px a module), soft-edged and, with `slant`, seen at an angle."""
    import cv2
    big = np.array(synth_qr._matrix_image(GOOD, 8))
    page = np.full((500, 700), 235, np.uint8)
    page[150:150 + side, 300:300 + side] = cv2.resize(big, (side, side), interpolation=cv2.INTER_AREA)
    if slant:
        src = np.float32([[300, 150], [300 + side, 150], [300 + side, 150 + side], [300, 150 + side]])
        dst = np.float32([[300, 150], [300 + side, 150 + slant * side], [300 + side, 150 + side * (1 - slant * 0.3)],
                          [300, 150 + side]])
        page = cv2.warpPerspective(page, cv2.getPerspectiveTransform(src, dst), (700, 500), borderValue=235)
    if sigma:
        page = cv2.GaussianBlur(page, (0, 0), sigma)
    return page, (270, 120, 330 + side, 200 + side)


@pytest.mark.parametrize("side, sigma, slant", [(120, 1.3, 0.0), (130, 0.0, 0.45)])
def test_soft_or_slanted_phone_codes_decode_sharpened_and_enlarged(spec, side, sigma, slant):
    from extract.qr import decode_texts
    page, region = _soft_code(side, sigma, slant)
    assert not any(text == GOOD for text, _ in decode_texts(page))       # the plain reader gives up
    found = read_qr(page, spec, region)
    assert found is not None and found.raw == GOOD and found.where == "region"
