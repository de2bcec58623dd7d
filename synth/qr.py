"""The card's QR code: the payload the police print on the chip CCCD front and the Căn cước back, and the
ways a capture spoils it.

Payload (shared/domain.md, confirmed by public readers): UTF-8, fields joined by "|":
`ID12|CMND9 or empty|Full name|ddmmyyyy birth|Nam/Nữ|residence|ddmmyyyy issue`, some cards with one more
trailing field. Drawn with segno (a maintained, dependency-free QR encoder that follows ISO/IEC 18004 and
takes the error level, encoding and version as arguments, so every code is reproducible byte for byte).

Defects are real image damage, not flags: `small` prints the code so small its modules fall under about a
pixel at the capture's resolution, `blur` smears it past a module, `glare` washes out a finder pattern and
a good part of the modules, and photocopies add toner noise on top. Those must fail to decode (the reader
falls back to OCR); the truth says which defect was applied so the benchmark can count decode rates.
"""
from __future__ import annotations

import random
from datetime import date

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFilter

DEFECTS = ("ok", "small", "blur", "glare")
DEFECT_WEIGHTS = (0.76, 0.08, 0.08, 0.08)


def ddmmyyyy(d: date) -> str:
    return f"{d.day:02d}{d.month:02d}{d.year}"


def payload(number: str, old_id: str, name: str, birth: date, male: bool, residence: str, issued: date,
            extra: str | None = None) -> str:
    parts = [number, old_id, name, ddmmyyyy(birth), "Nam" if male else "Nữ", residence, ddmmyyyy(issued)]
    if extra is not None:
        parts.append(extra)
    return "|".join(parts)


def pick_defect(rng: random.Random) -> str:
    return rng.choices(DEFECTS, weights=DEFECT_WEIGHTS)[0]


def _matrix_image(text: str, module_px: int) -> Image.Image:
    """The code as a black-on-white greyscale image with a 2-module quiet zone (as cards print it)."""
    code = segno.make(text, error="m", encoding="utf-8", micro=False)
    m = np.array(list(code.matrix), dtype=np.uint8)
    img = np.where(m > 0, 0, 255).astype(np.uint8)
    img = np.pad(img, 2, constant_values=255)
    return Image.fromarray(img, "L").resize((img.shape[1] * module_px, img.shape[0] * module_px),
                                            Image.Resampling.NEAREST)


def draw_qr(img: Image.Image, box: tuple[int, int, int, int], text: str, defect: str, rng: random.Random,
            dpi: int) -> tuple[int, int, int, int]:
    """Draw the code into `box` (pixels) of the card image with the defect; returns the box actually used."""
    x0, y0, x1, y1 = box
    side = min(x1 - x0, y1 - y0)
    big = _matrix_image(text, 8)
    modules = big.width // 8
    if defect == "small":
        # under one pixel a module at any scan resolution: no reader can separate the modules
        side = max(12, round(modules * rng.uniform(0.7, 0.95)))
    code = big.resize((side, side), Image.Resampling.BOX)
    if defect == "blur":
        code = code.filter(ImageFilter.GaussianBlur(radius=side / modules * rng.uniform(1.6, 2.2)))
    rgb = Image.merge("RGB", (code, code, code))
    px, py = x0 + (x1 - x0 - side) // 2, y0
    img.paste(rgb, (px, py))
    if defect == "glare":
        _glare(img, (px, py, px + side, py + side), rng)
    return (px, py, px + side, py + side)


def _glare(img: Image.Image, box: tuple[int, int, int, int], rng: random.Random) -> None:
    """A specular highlight: a soft, nearly white blob over one finder pattern and a third of the code."""
    x0, y0, x1, y1 = box
    side = x1 - x0
    corner = rng.choice([(x0, y0), (x1, y0), (x0, y1)])  # the three finder patterns
    cx = corner[0] + (0.22 if corner[0] == x0 else -0.22) * side
    cy = corner[1] + (0.22 if corner[1] == y0 else -0.22) * side
    r = side * rng.uniform(0.42, 0.55)
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(radius=max(1.0, side * 0.05)))
    white = Image.new("RGB", img.size, (252, 252, 250))
    img.paste(white, (0, 0), mask)
