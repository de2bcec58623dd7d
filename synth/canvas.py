"""A page being drawn, with render-time bookkeeping: every text drawn becomes a TruthLine with its box,
and every field value records which lines carry it, so ground truth is exact without OCR."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from synth import fonts
from synth.fonts import FontChoice
from synth.truth import Box, TruthField, TruthLine

RGB = tuple[int, int, int]


@dataclass
class Pen:
    """A font at a size in a colour; `hand` draws glyph by glyph with jitter."""
    font: FontChoice
    size: int
    fill: RGB = (20, 20, 20)
    hand: bool = False

    def scaled(self, k: float) -> Pen:
        return Pen(self.font, max(6, round(self.size * k)), self.fill, self.hand)

    @property
    def pil(self):
        return fonts.load(self.font.path, self.size)

    def width(self, text: str) -> float:
        w = self.pil.getlength(text)
        return w * 1.06 if self.hand else w


def union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


class Canvas:
    def __init__(self, width: int, height: int, dpi: int, rng: random.Random, background: Image.Image | None = None,
                 paper: RGB = (255, 255, 255)):
        self.width, self.height, self.dpi, self.rng = width, height, dpi, rng
        self.img = background if background is not None else Image.new("RGB", (width, height), paper)
        self.draw = ImageDraw.Draw(self.img)
        self.lines: list[TruthLine] = []
        self.fields: dict[str, TruthField] = {}
        self.owners: list[dict[str, TruthField]] = []

    def mm(self, v: float) -> int:
        return round(v * self.dpi / 25.4)

    # --- drawing ----------------------------------------------------------------------------------
    def text(self, x: float, y: float, text: str, pen: Pen, role: str = "label", keys: tuple[str, ...] = (),
             anchor: str = "ls") -> tuple[Box, float]:
        """Draw one line at baseline y (anchor 'ls'), 'ms' centres it; returns its box and the x after it."""
        if pen.hand:
            if anchor[0] == "m":
                x -= pen.width(text) / 2
            box, x_end = self._hand(x, y, text, pen)
        else:
            self.draw.text((x, y), text, font=pen.pil, fill=pen.fill, anchor=anchor)
            b = self.draw.textbbox((x, y), text, font=pen.pil, anchor=anchor)
            box = (int(math.floor(b[0])), int(math.floor(b[1])), int(math.ceil(b[2])), int(math.ceil(b[3])))
            x_end = (x if anchor[0] == "l" else x - pen.width(text) / 2) + pen.width(text)
        self.lines.append(TruthLine(text=text, box=box, role=role, handwritten=pen.hand, font=pen.font.name,
                                    field_keys=list(keys)))
        return box, x_end

    def _hand(self, x: float, y: float, text: str, pen: Pen) -> tuple[Box, float]:
        """Handwriting: every glyph slightly moved, turned and resized, with a wandering baseline."""
        rng = self.rng
        boxes: list[Box] = []
        drift = 0.0
        slope = rng.uniform(-0.015, 0.015)
        for ch in text:
            size = max(6, round(pen.size * rng.uniform(0.92, 1.08)))
            font = fonts.load(pen.font.path, size)
            adv = font.getlength(ch) * rng.uniform(1.0, 1.12)
            drift += rng.uniform(-0.04, 0.04) * pen.size / 10
            drift = max(-pen.size * 0.08, min(pen.size * 0.08, drift))
            if not ch.isspace():
                pad = size // 2
                b = font.getbbox(ch, anchor="ls")
                gw, gh = b[2] - b[0] + 2 * pad, b[3] - b[1] + 2 * pad
                mask = Image.new("L", (gw, gh), 0)
                ImageDraw.Draw(mask).text((pad - b[0], pad - b[1]), ch, font=font, fill=255, anchor="ls")
                angle = rng.uniform(-6, 6)
                mask = mask.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False)
                ox = round(x + b[0] - pad + rng.uniform(-0.04, 0.04) * size)
                oy = round(y + drift + b[1] - pad + rng.uniform(-0.05, 0.05) * size)
                self.img.paste(pen.fill, (ox, oy), mask)
                mb = mask.getbbox()
                if mb:
                    boxes.append((ox + mb[0], oy + mb[1], ox + mb[2], oy + mb[3]))
            x += adv
            y += slope * adv
        if not boxes:
            boxes = [(round(x), round(y) - 1, round(x) + 1, round(y))]
        return union(boxes), x

    def wrapped(self, x: float, y: float, text: str, pen: Pen, right: float, line_h: float, x_next: float,
                role: str = "value", keys: tuple[str, ...] = ()) -> tuple[list[Box], float, float]:
        """Draw text from x, breaking at spaces so no line passes `right`; later lines start at x_next.
        Returns the boxes, the baseline of the last line and the x after it."""
        words = text.split(" ")
        boxes: list[Box] = []
        line = ""
        start = x
        for word in words:
            trial = f"{line} {word}" if line else word
            if line and start + pen.width(trial) > right:
                box, _ = self.text(start, y, line, pen, role, keys)
                boxes.append(box)
                y += line_h
                start = x_next
                line = word
            else:
                line = trial
        box, x_end = self.text(start, y, line, pen, role, keys)
        boxes.append(box)
        return boxes, y, x_end

    # --- bookkeeping --------------------------------------------------------------------------------
    def record(self, key: str, value: str, boxes: list[Box], printed: str, handwritten: bool = False,
               owner: int | None = None) -> None:
        f = TruthField(value=value, box=union(boxes) if boxes else None, handwritten=handwritten,
                       printed=printed if printed != value else "")
        if owner is None:
            self.fields[key] = f
        else:
            while len(self.owners) <= owner:
                self.owners.append({})
            self.owners[owner][key] = f

    def value(self, key: str, value: str, printed: str, x: float, y: float, pen: Pen, right: float,
              line_h: float, x_next: float | None = None, owner: int | None = None,
              also: tuple[str, ...] = ()) -> tuple[float, float]:
        """Draw a field's printed text (wrapping) and record the field. Returns (last baseline, x after)."""
        tag = key if owner is None else f"owners[{owner}].{key}"
        boxes, y_last, x_end = self.wrapped(x, y, printed, pen, right, line_h,
                                            x if x_next is None else x_next, "value", (tag, *also))
        self.record(key, value, boxes, printed, pen.hand, owner)
        return y_last, x_end


# --- backgrounds -------------------------------------------------------------------------------------

def smooth_noise(np_rng: np.random.Generator, w: int, h: int, cells: int = 8) -> np.ndarray:
    """Low-frequency noise in 0..1 at full size, cheap: random grid upscaled with bicubic."""
    import cv2

    grid = np_rng.random((cells, max(2, round(cells * w / h)))).astype(np.float32)
    out = cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(out, 0, 1)


def paper(np_rng: np.random.Generator, w: int, h: int, tint: RGB, blotch: float = 6.0) -> Image.Image:
    """Paper of a tint with faint uneven tone (no per-pixel noise: keeps PNGs small, scans look clean).
    Built small and upscaled in uint8: full-size float arithmetic would cost most of a page's time."""
    import cv2

    cells = 6
    grid = np_rng.random((cells, max(2, round(cells * w / h)))).astype(np.float32)
    small = np.array(tint, np.float32)[None, None, :] - grid[..., None] * blotch
    small = np.clip(small, 0, 255).astype(np.uint8)
    return Image.fromarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC), "RGB")


def guilloche(np_rng: np.random.Generator, w: int, h: int, base: RGB, line: RGB, dpi: int) -> Image.Image:
    """Card security background: a tinted gradient crossed by fine interfering sine curves."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    scale = 300.0 / dpi
    xx *= scale
    yy *= scale
    f1, f2 = np_rng.uniform(0.02, 0.05), np_rng.uniform(0.01, 0.03)
    a1 = np_rng.uniform(10, 30)
    p1 = np.sin(yy * f1 + a1 * np.sin(xx * f2) * 0.2 + xx * 0.01)
    p2 = np.sin(xx * f1 * 0.8 + a1 * np.cos(yy * f2) * 0.2)
    mask = ((np.abs(p1) < 0.06) | (np.abs(p2) < 0.05)).astype(np.float32) * 0.55
    grad = (xx / max(1.0, xx.max()))[..., None]
    b = np.array(base, np.float32)
    tint = b * (1 - 0.08 * grad) + np.array([255, 255, 255], np.float32) * 0.08 * grad
    arr = tint * (1 - mask[..., None]) + np.array(line, np.float32) * mask[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
