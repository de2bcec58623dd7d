"""The QR code of a chip CCCD front / Căn cước back: find it, decode it, parse its payload strictly.

Why the QR first: the code carries Reed-Solomon error correction, so a payload that decodes is the bytes the
police printed; its content has a strict shape (12-digit number, 9 digits or nothing, a name, two
ddmmyyyy dates, Nam/Nữ, an address), so a payload that parses is accepted on its own. OCR is then only a
cross-check (a disagreement goes into the field's reason; the QR wins).

Reader: zxing-cpp's Python bindings (`sohoa bench qr` compares it with OpenCV's two QR detectors and
pyzbar on the generator's cards per capture condition; figures in the README). Where to look: the
profile's QR region of the card first (upscaled when small), then the whole page as a fallback.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from common.text import nfc
from extract.profiles import QrSpec

log = logging.getLogger(__name__)

MIN_REGION_SIDE = 360   # a region crop smaller than this is upscaled: the reader wants >= 3 px a module


@dataclass
class QrRead:
    """A decoded and parsed code: the values by record key, where it was found and the raw text."""
    values: dict[str, str]
    box: tuple[int, int, int, int] | None
    where: str              # "region" | "page"
    raw: str = ""
    extra: list[str] = field(default_factory=list)


class PayloadError(ValueError):
    """The decoded text is not a card payload (wrong count of fields, a field of the wrong shape)."""


# ---------------------------------------------------------------- decoding

def decode_texts(image: np.ndarray) -> list[tuple[str, tuple[int, int, int, int] | None]]:
    """Every QR code zxing-cpp finds in a grey or RGB image: (UTF-8 text, bounding box)."""
    import zxingcpp

    if image.ndim == 3:
        import cv2
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    image = np.ascontiguousarray(image)
    out = []
    try:
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    except Exception:  # a reader failure is "no code here", never a lost page
        log.exception("QR reader failed")
        return []
    for code in found:
        text = _text_of(code)
        if text is None:
            continue
        p = code.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_right.x, p.bottom_left.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_right.y, p.bottom_left.y]
        out.append((text, (min(xs), min(ys), max(xs), max(ys))))
    return out


def _text_of(code) -> str | None:
    """The payload as UTF-8 (cards write UTF-8 without an ECI marker, so the bytes are decoded here rather
    than trusting the reader's character-set guess)."""
    raw = bytes(code.bytes or b"")
    try:
        return nfc(raw.decode("utf-8")) if raw else nfc(code.text or "")
    except UnicodeDecodeError:
        return nfc(code.text or "") or None


def _crop(image: np.ndarray, region: list[float]) -> tuple[np.ndarray, int, int]:
    h, w = image.shape[:2]
    x0, y0 = int(region[0] * w), int(region[1] * h)
    x1, y1 = int(np.ceil(region[2] * w)), int(np.ceil(region[3] * h))
    return image[y0:y1, x0:x1], x0, y0


def _sharpen(image: np.ndarray) -> np.ndarray:
    """Unsharp mask: a phone photo's soft module edges made crisp again (measured: the two intact phone codes
    of generator seed 4242 the plain crop lost decode sharpened)."""
    import cv2
    blur = cv2.GaussianBlur(image, (0, 0), 2.0)
    return cv2.addWeighted(image, 1.8, blur, -0.8, 0)


def read_qr(image: np.ndarray, spec: QrSpec, region: tuple[int, int, int, int] | None = None) -> QrRead | None:
    """The card's code: its region first (`region` in pixels of `image`, else the profile's fractions of
    `image` taken as the card) as it is (upscaled when small), sharpened, sharpened at twice the size, then
    the whole image (zxing-cpp finds a code seen at an angle by its finder patterns; cutting it out along
    OpenCV's corners first added nothing in measurement). Returns the first payload that parses, or None. A wrong payload cannot come out of a harder try: the code's error correction either
    restores the printed bytes or fails."""
    import cv2
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    if region is not None:
        x0, y0, x1, y1 = region
        crop, dx, dy = image[max(0, y0):max(0, y1), max(0, x0):max(0, x1)], max(0, x0), max(0, y0)
    else:
        crop, dx, dy = _crop(image, spec.region)
    # (image maker, scale, offset x, offset y, where): boxes come back in `image` pixels
    attempts: list = []
    if crop.size:
        side = min(crop.shape[:2])
        scale = MIN_REGION_SIDE / side if side < MIN_REGION_SIDE else 1.0
        if scale > 1.0:
            crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        attempts += [(lambda c=crop: c, scale, dx, dy, "region"),
                     (lambda c=crop: _sharpen(c), scale, dx, dy, "region"),
                     (lambda c=crop: cv2.resize(_sharpen(c), None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC),
                      2 * scale, dx, dy, "region")]
    attempts.append((lambda: image, 1.0, 0, 0, "page"))
    for make, scale, ox, oy, where in attempts:
        img = make()
        if img is None:
            continue
        for text, box in decode_texts(img):
            try:
                values, extra = parse_payload(text, spec)
            except PayloadError as exc:
                log.info("QR code found but not a card payload: %s", exc)
                continue
            if box is not None:
                box = (round(box[0] / scale) + ox, round(box[1] / scale) + oy,
                       round(box[2] / scale) + ox, round(box[3] / scale) + oy)
            return QrRead(values, box, where, text, extra)
    return None


# ---------------------------------------------------------------- parsing

def _id12(s: str) -> str:
    from extract.validate import check_cccd_number
    if not re.fullmatch(r"\d{12}", s) or not check_cccd_number(s).ok:
        raise PayloadError("số định danh không đúng 12 chữ số hợp lệ (ID is not a valid 12-digit number)")
    return s


def _id9_or_empty(s: str) -> str:
    if s and not re.fullmatch(r"\d{9}", s):
        raise PayloadError("số CMND cũ phải 9 chữ số hoặc trống (old CMND must be 9 digits or empty)")
    return s


def _name(s: str) -> str:
    from extract.normalize import norm_name
    if not re.fullmatch(r"[^\W\d_]+(?:[ '\-][^\W\d_]+)+", s.strip()):
        raise PayloadError("họ tên không hợp lệ (name is not letters and spaces)")
    return norm_name(s, {"min_words": 2}).value


def _ddmmyyyy(s: str) -> str:
    if not re.fullmatch(r"\d{8}", s):
        raise PayloadError("ngày phải là ddmmyyyy (date must be ddmmyyyy)")
    try:
        d = date(int(s[4:]), int(s[2:4]), int(s[:2]))
    except ValueError as exc:
        raise PayloadError(f"ngày không có thật (no such date): {s}") from exc
    if not 1900 <= d.year <= 2100:
        raise PayloadError(f"năm ngoài khoảng (year out of range): {s}")
    return d.strftime("%d.%m.%Y")


def _sex(s: str) -> str:
    code = {"nam": "1", "nữ": "2", "nu": "2"}.get(nfc(s).strip().lower())
    if code is None:
        raise PayloadError("giới tính phải là Nam hoặc Nữ (sex must be Nam or Nữ)")
    return code


def _text(s: str) -> str:
    from extract.normalize import norm_text
    n = norm_text(s)
    if not n.ok:
        raise PayloadError("trường văn bản trống (empty text field)")
    return n.value


PART_PARSERS: dict[str, Callable[[str], str]] = {
    "id12": _id12, "id9_or_empty": _id9_or_empty, "name": _name, "ddmmyyyy": _ddmmyyyy, "sex": _sex,
    "text": _text,
}


def parse_payload(text: str, spec: QrSpec) -> tuple[dict[str, str], list[str]]:
    """Values by record key (NFC, the project's tone-mark convention), and the tolerated extra fields.
    Raises PayloadError naming the first position that breaks the shape."""
    parts = nfc(text).strip().strip("\x00").split(spec.separator)
    need = len(spec.parts)
    if not need <= len(parts) <= need + spec.extra_parts:
        raise PayloadError(f"cần {need} trường, có {len(parts)} (expected {need} fields, got {len(parts)})")
    values: dict[str, str] = {}
    for i, (part, raw) in enumerate(zip(spec.parts, parts, strict=False)):
        try:
            value = PART_PARSERS[part.kind](raw.strip())
        except PayloadError as exc:
            raise PayloadError(f"trường {i + 1} ({part.key}): {exc}") from None
        if part.key:
            values[part.key] = value
    _check_consistency(values, spec)
    return values, parts[need:]


def _check_consistency(values: dict[str, str], spec: QrSpec) -> None:
    """The 12-digit number's century/sex and year digits must agree with the payload's birth date and sex."""
    from extract.validate import check_id_matches_person
    kinds: dict[str, str] = {}
    for p in spec.parts:
        if p.key:
            kinds.setdefault(p.kind, p.key)  # the first date is the birth date
    number, birth, sex = (values.get(kinds.get(k, ""), "") for k in ("id12", "ddmmyyyy", "sex"))
    if number and birth:
        failures = [r.message for r in check_id_matches_person(number, birth, sex) if not r.ok]
        if failures:
            raise PayloadError("; ".join(failures))
