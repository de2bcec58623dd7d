"""Capture conditions: what a scanner or a phone does to an upright page before sohoa sees it.

Each function returns the stored image and a truth.Capture saying exactly what was done, so the scanner
stage can be scored on orientation, deskew and page finding. page_quad = page corners (TL, TR, BR, BL) of
the upright page in the stored image. `rotation` = clockwise degrees the page is turned in the stored pixels;
for a phone JPEG with an EXIF orientation tag the pixels are turned and the tag says how to turn them back.
"""
from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image

from synth.canvas import smooth_noise
from synth.truth import Capture, Point

CONDITIONS = ("clean", "skewed", "photocopy", "phone")
EXIF_ROTATION = {6: 270, 8: 90, 3: 180}  # EXIF tag -> clockwise turn of the stored pixels


def _corners(w: int, h: int) -> list[Point]:
    return [(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))]


def _rotate_fine(img: Image.Image, angle: float, quad: list[Point], fill) -> tuple[Image.Image, list[Point]]:
    """Counter-clockwise by `angle` degrees, canvas grown to keep the whole page."""
    w, h = img.size
    out = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
    a = np.deg2rad(angle)
    cx, cy, ncx, ncy = w / 2, h / 2, out.width / 2, out.height / 2
    moved = [(ncx + (x - cx) * np.cos(a) + (y - cy) * np.sin(a), ncy - (x - cx) * np.sin(a) + (y - cy) * np.cos(a))
             for x, y in quad]
    return out, [(round(float(x), 2), round(float(y), 2)) for x, y in moved]


def _rotate_coarse(img: Image.Image, cw: int, quad: list[Point]) -> tuple[Image.Image, list[Point]]:
    w, h = img.size
    if cw == 90:
        return img.transpose(Image.Transpose.ROTATE_270), [(h - y, x) for x, y in quad]
    if cw == 180:
        return img.transpose(Image.Transpose.ROTATE_180), [(w - x, h - y) for x, y in quad]
    if cw == 270:
        return img.transpose(Image.Transpose.ROTATE_90), [(y, w - x) for x, y in quad]
    return img, quad


def clean(img: Image.Image, rng: random.Random, np_rng: np.random.Generator, dpi: int) -> tuple[Image.Image, Capture]:
    return img, Capture("clean", dpi=dpi, page_quad=_corners(*img.size))


def skewed(img: Image.Image, rng: random.Random, np_rng: np.random.Generator, dpi: int) -> tuple[Image.Image, Capture]:
    angle = round(rng.uniform(-10, 10) if rng.random() < 0.6 else rng.uniform(-2.5, 2.5), 2)
    coarse = rng.choice([0, 0, 0, 90, 180, 270])
    bed = (rng.randint(235, 255),) * 3
    out, quad = _rotate_fine(img, angle, _corners(*img.size), bed)
    out, quad = _rotate_coarse(out, coarse, quad)
    return out, Capture("skewed", rotation=coarse, skew_deg=angle, dpi=dpi, page_quad=quad)


def photocopy(img: Image.Image, rng: random.Random, np_rng: np.random.Generator, dpi: int) -> tuple[Image.Image, Capture]:
    angle = round(rng.uniform(-1.5, 1.5), 2)
    grey = img.convert("L")
    out, quad = _rotate_fine(grey, angle, _corners(*img.size), 255)
    a = np.asarray(out, dtype=np.float32)
    contrast, floor = rng.uniform(0.55, 0.8), rng.uniform(205, 235)
    a = floor - (floor - a * floor / 255.0) * contrast  # ink lighter, paper greyer
    h, w = a.shape
    a -= smooth_noise(np_rng, w, h, 5) * rng.uniform(5, 25)              # uneven toner
    speck = np_rng.random((h, w)) < rng.uniform(0.0005, 0.003)
    a[speck] = np_rng.uniform(20, 120, int(speck.sum()))
    for _ in range(rng.randint(1, 4)):                                  # drum streaks
        x = rng.randrange(w)
        width = rng.randint(1, max(2, dpi // 100))
        a[:, x:x + width] -= rng.uniform(30, 90)
    if rng.random() < 0.5:
        yb = rng.randrange(h)
        a[yb:yb + rng.randint(2, 8), :] -= rng.uniform(15, 40)
    a = cv2.GaussianBlur(np.clip(a, 0, 255), (0, 0), rng.uniform(0.3, 0.7))
    return Image.fromarray(a.astype(np.uint8), "L"), Capture("photocopy", skew_deg=angle, dpi=dpi, page_quad=quad)


def _table(np_rng: np.random.Generator, w: int, h: int, rng: random.Random) -> np.ndarray:
    """A textured surface: wood grain, cloth or stone, built from smooth noise."""
    base = np.array(rng.choice([(120, 85, 55), (160, 120, 80), (90, 90, 95), (200, 195, 185), (60, 70, 90)]),
                    np.float32)
    n1 = smooth_noise(np_rng, w, h, 12)
    yy = np.linspace(0, rng.uniform(20, 60), h, dtype=np.float32)[:, None]
    grain = np.sin(yy + n1 * rng.uniform(4, 12)) * 0.5 + 0.5
    tex = base[None, None, :] * (0.75 + 0.35 * grain[..., None])
    tex += np_rng.normal(0, 4, (h, w, 1)).astype(np.float32)
    return tex


def phone(img: Image.Image, rng: random.Random, np_rng: np.random.Generator, dpi: int,
          allow_exif: bool = True) -> tuple[Image.Image, Capture]:
    src = np.asarray(img.convert("RGB"), dtype=np.uint8)
    ph, pw = src.shape[:2]
    long_side = rng.randint(1600, 2600) if max(ph, pw) > 1500 else rng.randint(1100, 1700)
    portrait = ph >= pw
    W, H = (round(long_side * 0.75), long_side) if portrait else (long_side, round(long_side * 0.75))
    fill = rng.uniform(0.6, 0.85)
    s = min(W * fill / pw, H * fill / ph)
    cw, ch = pw * s, ph * s
    cx, cy = W / 2 + rng.uniform(-0.06, 0.06) * W, H / 2 + rng.uniform(-0.06, 0.06) * H
    ang = np.deg2rad(rng.uniform(-8, 8))
    dst = []
    for dx, dy in ((-cw / 2, -ch / 2), (cw / 2, -ch / 2), (cw / 2, ch / 2), (-cw / 2, ch / 2)):
        x = cx + dx * np.cos(ang) - dy * np.sin(ang) + rng.uniform(-0.05, 0.05) * cw
        y = cy + dx * np.sin(ang) + dy * np.cos(ang) + rng.uniform(-0.05, 0.05) * ch
        dst.append((float(np.clip(x, 2, W - 3)), float(np.clip(y, 2, H - 3))))
    m = cv2.getPerspectiveTransform(np.float32(_corners(pw, ph)), np.float32(dst))
    # downscale first so the warp samples cleanly and fast
    small = cv2.resize(src, (max(1, round(pw * s)), max(1, round(ph * s))), interpolation=cv2.INTER_AREA)
    m = m @ np.diag([1 / s, 1 / s, 1]).astype(np.float64)
    warped = cv2.warpPerspective(small, m, (W, H), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full(small.shape[:2], 255, np.uint8), m, (W, H), flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    photo = warped.astype(np.float32) * alpha + _table(np_rng, W, H, rng) * (1 - alpha)
    # light: a gradient across the frame and a soft shadow
    gx = np.linspace(rng.uniform(0.75, 1.0), rng.uniform(0.85, 1.1), W, dtype=np.float32)[None, :]
    gy = np.linspace(rng.uniform(0.8, 1.05), rng.uniform(0.8, 1.05), H, dtype=np.float32)[:, None]
    light = gx * gy * (1 - smooth_noise(np_rng, W, H, 3) * rng.uniform(0.1, 0.35))
    tint = np.array([rng.uniform(0.95, 1.05), 1.0, rng.uniform(0.9, 1.02)], np.float32)
    photo = photo * light[..., None] * tint[None, None, :]
    sigma = round(rng.uniform(0.4, 1.5), 2)
    photo = cv2.GaussianBlur(photo, (0, 0), sigma)
    photo += np_rng.normal(0, 3, photo.shape).astype(np.float32)
    out = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8), "RGB")
    quad = [(round(x, 2), round(y, 2)) for x, y in dst]
    exif = 1
    rotation = 0
    if allow_exif and rng.random() < 0.3:
        exif = rng.choice([6, 8, 3])
        rotation = EXIF_ROTATION[exif]
        out, quad = _rotate_coarse(out, rotation, quad)
        quad = [(round(float(x), 2), round(float(y), 2)) for x, y in quad]
    return out, Capture("phone", rotation=rotation, page_quad=quad, exif_orientation=exif, dpi=dpi,
                        jpeg_quality=rng.randint(70, 85), blur_sigma=sigma)


def apply(condition: str, img: Image.Image, rng: random.Random, np_rng: np.random.Generator, dpi: int,
          allow_exif: bool = True) -> tuple[Image.Image, Capture]:
    if condition == "phone":
        return phone(img, rng, np_rng, dpi, allow_exif)
    fn = {"clean": clean, "skewed": skewed, "photocopy": photocopy}.get(condition)
    if fn is None:
        raise ValueError(f"unknown condition {condition!r} (known: {', '.join(CONDITIONS)})")
    return fn(img, rng, np_rng, dpi)
