"""Leader lines of printed forms and register books: the dots, dashes or rule after a label, under or after
the value (`Họ và tên: ĐỖ THÙY HÀ..........`). Leaders are drawing, never text: they are not truth lines.

Styles vary as widely as the forms in the wild (this is the OCR stage's tuning set for leader removal):
pitch, dot shape and size, dash length, line weight, colour (grey, ink, blue), height relative to the
baseline (on it, below it, at the descenders), typed under the value or only after it, touching the text
or not, and leader CHARACTERS set in the page's own font (a typist's "....." or "_____") as well as
drawn patterns. Skew and photocopy come from the capture conditions (synth/capture.py).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import ImageDraw, ImageFont

KINDS = ("round_dots", "square_dots", "dashes", "dot_dash", "solid", "underscore_chars", "dot_chars",
         "ellipsis_chars")
GREYS = [(150, 150, 150), (110, 110, 110), (185, 185, 185), (60, 60, 60)]
BLUES = [(40, 60, 150), (70, 90, 170)]


@dataclass(frozen=True)
class LeaderStyle:
    kind: str                  # one of KINDS
    pitch_mm: float            # dot / dash repeat
    size_mm: float             # dot diameter, dash or rule thickness
    dash_mm: float             # dash length (dashes, dot_dash)
    colour: tuple[int, int, int] | None  # None = the page's ink
    drop_mm: float             # how far below the baseline (0 = on it; ~1 = descender level)
    under: bool                # runs under the value (value typed on it) rather than only after it
    gap_mm: float              # space between the label (or value) and the leader (0 = touching)
    char_scale: float = 1.0    # size of leader characters relative to the label font


def random_leader(rng: random.Random) -> LeaderStyle:
    kind = rng.choice(KINDS)
    colour = rng.choice([None, None, *GREYS, rng.choice(BLUES)])
    return LeaderStyle(
        kind=kind,
        pitch_mm=rng.choice([rng.uniform(0.7, 1.3), rng.uniform(1.3, 2.2), rng.uniform(2.2, 3.2)]),
        size_mm=rng.choice([rng.uniform(0.12, 0.22), rng.uniform(0.22, 0.35), rng.uniform(0.35, 0.6)]),
        dash_mm=rng.uniform(0.6, 2.5),
        colour=colour,
        drop_mm=rng.choice([0.0, rng.uniform(0.2, 0.6), rng.uniform(0.6, 1.3)]),
        under=rng.random() < 0.55,
        gap_mm=rng.choice([0.0, rng.uniform(0.3, 1.0), rng.uniform(1.0, 3.0)]),
        char_scale=rng.uniform(0.8, 1.15),
    )


def draw_leader(draw: ImageDraw.ImageDraw, x0: float, x1: float, baseline: float, style: LeaderStyle,
                px_per_mm: float, ink: tuple[int, int, int], font: ImageFont.FreeTypeFont | None = None) -> None:
    """Fill [x0, x1] at `baseline` (pixels) with the leader."""
    x0 += style.gap_mm * px_per_mm
    if x1 - x0 < px_per_mm:
        return
    colour = style.colour or ink
    y = baseline + style.drop_mm * px_per_mm
    size = max(1.0, style.size_mm * px_per_mm)
    pitch = max(size + 1.0, style.pitch_mm * px_per_mm)
    if style.kind.endswith("_chars") and font is not None:
        char = {"underscore_chars": "_", "dot_chars": ".", "ellipsis_chars": "…"}[style.kind]
        face = font.font_variant(size=max(6, round(font.size * style.char_scale)))
        step = max(1.0, face.getlength(char))
        count = int((x1 - x0) / step)
        if count > 0:
            draw.text((x0, baseline), char * count, font=face, fill=colour, anchor="ls")
        return
    if style.kind == "solid":
        draw.rectangle((x0, y - size, x1, y), fill=colour)
        return
    x = x0
    toggle = False
    while x + size <= x1:
        if style.kind == "round_dots" or (style.kind == "dot_dash" and toggle):
            draw.ellipse((x, y - size, x + size, y), fill=colour)
            x += pitch
        elif style.kind == "square_dots":
            draw.rectangle((x, y - size, x + size, y), fill=colour)
            x += pitch
        else:  # dashes, and the dash of dot_dash
            dash = max(size, style.dash_mm * px_per_mm)
            draw.rectangle((x, y - size, min(x1, x + dash), y), fill=colour)
            x += dash + pitch
        toggle = not toggle
