"""Capture conditions of the rendered set, written here from scratch (synth/capture.py is not used).

Each function takes the rendered page (RGB uint8 array) and a numpy Generator and returns the degraded image
plus what it did (recorded in the manifest's `extra`). Geometry: `lowres_scan` and `clean_scan` keep the
page's pixel grid, so truth boxes stay valid; `photocopy` rotates slightly and `photo` warps the page onto a
desk, and both record the transform (`skew_deg`, `page_quad`).
"""
from __future__ import annotations

import cv2
import numpy as np


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1].copy()


def _noise(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    noisy = img.astype(np.float32) + rng.normal(0, sigma, img.shape[:2])[:, :, None]
    return np.clip(noisy, 0, 255).astype(np.uint8)


def clean_scan(img: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """A flatbed scan: faint paper tone and sensor noise, nothing else."""
    tone = np.array([rng.uniform(244, 255), rng.uniform(242, 253), rng.uniform(236, 250)], np.float32) / 255
    out = (img.astype(np.float32) * tone).astype(np.uint8)
    return _noise(out, rng, rng.uniform(0.8, 2.5)), {}


def lowres_scan(img: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Downscaled (0.45–0.8), upscaled back, JPEG-recompressed once or twice (q 30–70)."""
    h, w = img.shape[:2]
    f = float(rng.uniform(0.45, 0.8))
    small = cv2.resize(img, (max(8, round(w * f)), max(8, round(h * f))), interpolation=cv2.INTER_AREA)
    q1 = int(rng.integers(30, 71))
    small = _jpeg(small, q1)
    out = cv2.resize(small, (w, h), interpolation=[cv2.INTER_LINEAR, cv2.INTER_CUBIC, cv2.INTER_NEAREST][
        int(rng.integers(0, 3))])
    passes = [q1]
    if rng.random() < 0.5:
        q2 = int(rng.integers(40, 80))
        out = _jpeg(out, q2)
        passes.append(q2)
    return out, {"down_factor": round(f, 3), "jpeg": passes}


def photocopy(img: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Grey, high contrast, toner specks and a streak, slightly skewed on the glass."""
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gamma = rng.uniform(1.3, 2.2)
    grey = 255 * (grey / 255) ** gamma
    grey = np.clip((grey - rng.uniform(10, 40)) * rng.uniform(1.1, 1.35), 0, 255)
    h, w = grey.shape
    specks = rng.random((h, w)) < rng.uniform(0.0005, 0.003)
    grey[specks] = rng.uniform(0, 90)
    x = int(rng.integers(0, w))
    grey[:, x:x + int(rng.integers(1, 4))] *= rng.uniform(0.6, 0.9)
    grey = cv2.GaussianBlur(grey, (0, 0), rng.uniform(0.4, 0.9))
    angle = float(rng.uniform(-1.5, 1.5))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    grey = cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    out = _noise(np.repeat(grey.astype(np.uint8)[:, :, None], 3, axis=2), rng, rng.uniform(2, 6))
    return out, {"skew_deg": round(angle, 3)}


def desk_texture(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A wood-grain or cloth background: low-frequency noise stretched along one axis plus fibres."""
    base = np.array(rng.choice([[120, 85, 55], [150, 115, 80], [70, 70, 75], [180, 170, 150], [40, 45, 60]]),
                    np.float32)
    coarse = rng.normal(0, 1, (max(2, h // 40), max(2, w // 4))).astype(np.float32)
    grain = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    fine = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 1.2)
    tex = base[None, None, :] * (1 + 0.12 * grain[:, :, None] + 0.05 * fine[:, :, None])
    return np.clip(tex, 0, 255).astype(np.uint8)


def photo(img: np.ndarray, rng: np.random.Generator, glare_avoid: tuple[float, float, float, float] | None = None
          ) -> tuple[np.ndarray, dict]:
    """The page photographed on a desk: perspective, uneven light, a hand/phone shadow, defocus, noise, JPEG.

    `glare_avoid` (x0, y0, x1, y1 as fractions of the page) keeps the glare spot off a region (a card's QR).
    """
    h, w = img.shape[:2]
    pad = int(0.12 * max(h, w))
    out_w, out_h = w + 2 * pad, h + 2 * pad
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jit = 0.07 * min(w, h)
    dst = np.float32([[pad + rng.uniform(-jit, jit), pad + rng.uniform(-jit, jit)],
                      [pad + w + rng.uniform(-jit, jit), pad + rng.uniform(-jit, jit)],
                      [pad + w + rng.uniform(-jit, jit), pad + h + rng.uniform(-jit, jit)],
                      [pad + rng.uniform(-jit, jit), pad + h + rng.uniform(-jit, jit)]])
    m = cv2.getPerspectiveTransform(src, dst)
    page = cv2.warpPerspective(img, m, (out_w, out_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (out_w, out_h), flags=cv2.INTER_LINEAR)
    desk = desk_texture(out_h, out_w, rng)
    a = (mask.astype(np.float32) / 255)[:, :, None]
    out = page.astype(np.float32) * a + desk.astype(np.float32) * (1 - a)
    # light: a linear gradient, and a soft shadow from one side
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(ang) * xx / out_w + np.sin(ang) * yy / out_h)
    light = 1 - rng.uniform(0.1, 0.3) * (ramp - ramp.min()) / max(1e-6, np.ptp(ramp))
    edge = rng.uniform(0.2, 0.8)
    shadow = 1 - rng.uniform(0.15, 0.35) / (1 + np.exp(-(xx / out_w - edge) * 18 * rng.choice([-1, 1])))
    out *= (light * shadow)[:, :, None]
    info = {"page_quad": [[round(float(x), 1), round(float(y), 1)] for x, y in dst]}
    if rng.random() < 0.6:   # glare: a bright soft ellipse
        for _ in range(10):
            gx, gy = rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85)
            if glare_avoid is None or not (glare_avoid[0] - 0.12 <= gx <= glare_avoid[2] + 0.12
                                           and glare_avoid[1] - 0.12 <= gy <= glare_avoid[3] + 0.12):
                break
        else:
            gx = gy = None
        if gx is not None:
            cx, cy = cv2.perspectiveTransform(np.float32([[[gx * w, gy * h]]]), m)[0, 0]
            r = rng.uniform(0.06, 0.14) * min(w, h)
            g = np.exp(-(((xx - cx) / (1.6 * r)) ** 2 + ((yy - cy) / r) ** 2))
            out += (255 - out) * (rng.uniform(0.4, 0.75) * g)[:, :, None]
            info["glare"] = [round(float(gx), 3), round(float(gy), 3)]
    out = np.clip(out, 0, 255).astype(np.uint8)
    sigma = float(rng.uniform(0.4, 1.3))
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    out = _noise(out, rng, rng.uniform(2, 5))
    q = int(rng.integers(55, 86))
    info.update(blur_sigma=round(sigma, 2), jpeg=[q])
    return _jpeg(out, q), info


def blur_region(img: np.ndarray, box: tuple[int, int, int, int], sigma: float) -> np.ndarray:
    """Defocus or smudge one region (a QR code meant to be unreadable)."""
    x0, y0, x1, y1 = box
    out = img.copy()
    out[y0:y1, x0:x1] = cv2.GaussianBlur(img[y0:y1, x0:x1], (0, 0), sigma)
    return out


CONDITIONS = {"clean_scan": clean_scan, "lowres_scan": lowres_scan, "photocopy": photocopy, "photo": photo}
