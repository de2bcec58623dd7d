"""The OCR benchmark's classes built from the project's OWN generator (synth/): the tuning set. The same
classes come, independently made, from synth.rendered (the measuring set, never tuned on).

Classes: line, word (crops cut from generated pages by their truth boxes, tight or loose margins, some
rescaled), screenshot (pages rendered at 96 dpi, lossless), lowres_scan (300-dpi pages reduced to
100-150 dpi and JPEG-compressed), photo (the phone capture), clean_page (GCN and register pages without
leaders), form_leaders (register pages with leader lines of every style synth/leaders.py draws, clean
or photocopied), card (ID cards, clean).
"""
from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

OWN_CLASSES = ("line", "word", "screenshot", "lowres_scan", "photo", "clean_page", "form_leaders", "card")
Box = tuple[int, int, int, int]


@dataclass
class ClassItem:
    """One benchmark image with its truth lines in reading order (boxes in `height`'s grid)."""
    file: str
    cls: str
    lines: list[tuple[str, Box]]
    width: int
    height: int
    dpi: float | None = None
    source: str = "own"
    extra: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(t for t, _ in self.lines)


def reading_order(lines: list[tuple[str, Box]]) -> list[tuple[str, Box]]:
    """Rows top to bottom (boxes overlapping vertically by half a line form one row), left to right."""
    ordered = sorted(lines, key=lambda ln: (ln[1][1] + ln[1][3]) / 2)
    rows: list[list[tuple[str, Box]]] = []
    for ln in ordered:
        if rows:
            last = rows[-1][-1][1]
            overlap = min(last[3], ln[1][3]) - max(last[1], ln[1][1])
            if overlap >= 0.5 * min(last[3] - last[1], ln[1][3] - ln[1][1]):
                rows[-1].append(ln)
                continue
        rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda x: x[1][0])]


def _save(img: Image.Image | np.ndarray, path: Path, jpeg: int | None = None, dpi: float | None = None) -> None:
    if isinstance(img, np.ndarray):
        img = Image.fromarray(img)
    kwargs = {"dpi": (round(dpi), round(dpi))} if dpi else {}
    if jpeg:
        img.convert("RGB").save(path, "JPEG", quality=jpeg, **kwargs)
    else:
        img.save(path, "PNG", **kwargs)


def _page(kind: str, rng: random.Random, np_rng: np.random.Generator, dpi: int, leaders: bool | None = None):
    """(image, TruthPage) of a register page or a GCN."""
    from synth import gcn, register

    if kind == "gcn":
        return gcn.render_gcn(rng.choice([2014, 2024]), rng, np_rng, dpi)
    book = register.random_book(rng)
    number = rng.randint(1, 180)
    day = date(book.year, 1, 1) + timedelta(days=min(364, number * 2))
    return register.render_page(book, number, number, day, rng, np_rng, dpi, 0.0, leaders=leaders)


def _lines(page) -> list[tuple[str, Box]]:
    return reading_order([(ln.text, tuple(ln.box)) for ln in page.lines if ln.text.strip()])


def _scaled(lines: list[tuple[str, Box]], f: float) -> list[tuple[str, Box]]:
    return [(t, tuple(int(round(v * f)) for v in b)) for t, b in lines]


def build_own_set(out: Path, n: int, seed: int, classes: list[str] | None = None) -> list[ClassItem]:
    """n images per class (crops: n per class too), written under `out`, with manifest.json."""
    from synth import capture, cards

    classes = list(classes or OWN_CLASSES)
    out.mkdir(parents=True, exist_ok=True)
    items: list[ClassItem] = []
    sources: list[tuple[np.ndarray, list[tuple[str, Box]]]] = []  # pages to cut crops from
    for cls in classes:
        for i in range(n):
            rng = random.Random(f"own-ocr:{seed}:{cls}:{i}")
            np_rng = np.random.default_rng([seed, len(cls), i])
            name = f"{cls}_{i:03d}"
            kind = "gcn" if i % 2 else "register"
            if cls in ("clean_page", "screenshot", "lowres_scan", "line", "word"):
                dpi = 96 if cls == "screenshot" else rng.choice([250, 300, 300, 350])
                img, page = _page(kind, rng, np_rng, dpi, leaders=False if cls == "clean_page" else None)
                lines = _lines(page)
                if cls in ("clean_page", "screenshot"):
                    _save(img, out / f"{name}.png", dpi=dpi)
                    items.append(ClassItem(f"{name}.png", cls, lines, page.width, page.height, dpi))
                    continue
                target = rng.uniform(100, 150)
                f = target / dpi
                small = cv2.resize(np.asarray(img.convert("RGB")), None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
                if cls == "lowres_scan":
                    _save(small, out / f"{name}.jpg", jpeg=rng.randint(35, 70), dpi=target)
                    items.append(ClassItem(f"{name}.jpg", cls, _scaled(lines, f), small.shape[1], small.shape[0],
                                           target))
                    continue
                pick = rng.random() < 0.5
                base, base_lines = (small, _scaled(lines, f)) if pick else (np.asarray(img.convert("RGB")), lines)
                items.append(_crop(out, name, cls, base, base_lines, rng))
            elif cls == "photo":
                dpi = rng.choice([250, 300])
                img, page = _page(kind, rng, np_rng, dpi)
                stored, cap = capture.phone(img, rng, np_rng, dpi, allow_exif=False)
                _save(stored, out / f"{name}.jpg", jpeg=cap.jpeg_quality or 80)
                items.append(ClassItem(f"{name}.jpg", cls, _lines(page), page.width, page.height, None))
            elif cls == "form_leaders":
                dpi = rng.choice([200, 250, 300])
                img, page = _page("register", rng, np_rng, dpi, leaders=True)
                condition = "photocopy" if i % 3 == 2 else "clean"
                if condition == "photocopy":
                    img, _ = capture.photocopy(img, rng, np_rng, dpi)
                _save(img, out / f"{name}.png", dpi=dpi)
                items.append(ClassItem(f"{name}.png", cls, _lines(page), page.width, page.height, dpi,
                                       extra={"condition": condition}))
            elif cls == "card":
                dpi = rng.choice([300, 400, 500])
                card = cards.random_card(rng, date(2021, 1, 1), date(2024, 6, 30))
                render = rng.choice([cards.cccd_front, cards.cccd_back, cards.cmnd_front, cards.cancuoc_front])
                img, page = render(card, rng, np_rng, dpi)
                _save(img, out / f"{name}.png", dpi=dpi)
                items.append(ClassItem(f"{name}.png", cls, _lines(page), page.width, page.height, dpi))
    del sources
    (out / "manifest.json").write_text(json.dumps([asdict(it) for it in items], ensure_ascii=False), encoding="utf-8")
    return items


def _crop(out: Path, name: str, cls: str, page: np.ndarray, lines: list[tuple[str, Box]], rng: random.Random
          ) -> ClassItem:
    """A line (1-2 consecutive truth lines of one row) or a word cut out, tight or loose, sometimes rescaled
    so the line is 12-20 or 40-80 px tall, sometimes JPEG."""
    h, w = page.shape[:2]
    usable = [ln for ln in lines if len(ln[0]) >= (3 if cls == "line" else 2)]
    text, box = rng.choice(usable)
    if cls == "word":
        words = text.split()
        k = rng.randrange(len(words))
        x0, y0, x1, y1 = box
        # the word's share of the line, by characters (the generator keeps no word boxes)
        before = len(" ".join(words[:k])) + (1 if k else 0)
        left = x0 + (x1 - x0) * before / max(1, len(text))
        right = x0 + (x1 - x0) * (before + len(words[k])) / max(1, len(text))
        text, box = words[k], (int(left), y0, int(np.ceil(right)), y1)
    x0, y0, x1, y1 = box
    line_h = max(1, y1 - y0)
    margin = rng.choice([rng.randint(1, 3), int(line_h * rng.uniform(0.2, 0.8))])
    cx0, cy0 = max(0, x0 - margin), max(0, y0 - margin)
    cx1, cy1 = min(w, x1 + margin), min(h, y1 + margin)
    crop = np.ascontiguousarray(page[cy0:cy1, cx0:cx1])
    target = rng.choice([None, rng.uniform(12, 20), rng.uniform(40, 80)])
    f = 1.0
    if target:
        f = target / line_h
        crop = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
    jpeg = rng.choice([None, rng.randint(40, 90)])
    fname = f"{name}.{'jpg' if jpeg else 'png'}"
    _save(crop, out / fname, jpeg=jpeg)
    tb = (int((x0 - cx0) * f), int((y0 - cy0) * f), int((x1 - cx0) * f), int((y1 - cy0) * f))
    return ClassItem(fname, cls, [(text, tb)], crop.shape[1], crop.shape[0], None)


def load_own_set(folder: Path) -> list[ClassItem]:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [ClassItem(**{**d, "lines": [(t, tuple(b)) for t, b in d["lines"]]}) for d in data]


def rendered_items(folder: Path, classes: list[str] | None = None) -> list[ClassItem]:
    """The independent set (synth.rendered) as benchmark items: its lines are already in reading order."""
    from synth.rendered import load

    out = []
    for it in load(folder):
        if classes and it.cls not in classes:
            continue
        out.append(ClassItem(it.file, it.cls, [(ln.text, tuple(ln.box)) for ln in it.lines], it.width, it.height,
                             None, "rendered", extra={"condition": it.condition, "doc_type": it.doc_type}))
    return out


