"""Generate a synthetic corpus: image files, one `<stem>.json` ground truth per file and `manifest.json`.

Deterministic: each document draws from generators seeded by (seed, index) alone, so the same seed gives
byte-identical files and one document never depends on another. Kinds cycle through the list and each
kind meets each condition in turn, so even a small corpus is mixed.
"""
from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from PIL import Image

from synth import capture, cards, fonts, gcn, register, writer
from synth.truth import Capture, TruthFile, TruthPage

log = logging.getLogger(__name__)

DEFAULT_KINDS = ("cccd", "cmnd", "cancuoc", "gcn", "register", "book")
# register pages of one type, on request only (the default mix above stays what the benchmarks were run on)
KINDS = DEFAULT_KINDS + ("hn", "cmc")
CONDITIONS = capture.CONDITIONS
CARD_DPIS = (300, 400, 500, 600)
PAGE_DPIS = (200, 250, 300, 300, 350, 400)


def generate_corpus(out_dir: Path, n: int, seed: int, kinds: Sequence[str] | None = None,
                    conditions: Sequence[str] | None = None, handwritten_share: float = 0.2, *,
                    book_pages: tuple[int, int] = (5, 50), dpi: int | None = None) -> list[TruthFile]:
    """n documents (a CCCD document is two files, a book one multi-page file). `dpi` forces one resolution
    (small test corpora); `book_pages` bounds the pages per book."""
    kinds = tuple(kinds or DEFAULT_KINDS)
    conditions = tuple(conditions or CONDITIONS)
    for k in kinds:
        if k not in KINDS:
            raise ValueError(f"loại không có (unknown kind) {k!r}; known: {', '.join(KINDS)}")
    for c in conditions:
        if c not in CONDITIONS:
            raise ValueError(f"điều kiện không có (unknown condition) {c!r}; known: {', '.join(CONDITIONS)}")
    fonts.check_fonts()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    truths: list[TruthFile] = []
    entries = []
    books_before = 0
    for i in range(n):
        kind = kinds[i % len(kinds)]
        condition = conditions[(i // len(kinds)) % len(conditions)]
        doc = _Doc(out, i, seed, kind, condition, handwritten_share, dpi)
        if kind == "book":
            files = doc.book(book_pages, "pdf" if books_before % 2 == 0 else "tiff")
            books_before += 1
        else:
            files = getattr(doc, kind)()
        for tf in files:
            stem = Path(tf.file).stem
            (out / f"{stem}.json").write_text(tf.to_json(), encoding="utf-8")
            entries.append({"file": tf.file, "truth": f"{stem}.json", "kind": kind, "condition": condition})
            truths.append(tf)
        log.debug("document %d (%s, %s): %d file(s)", i, kind, condition, len(files))
    manifest = {"seed": seed, "files": entries}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True),
                                       encoding="utf-8")
    return truths


class _Doc:
    """One document of the corpus, with its own random generators."""

    def __init__(self, out: Path, index: int, seed: int, kind: str, condition: str, hand: float, dpi: int | None):
        self.out, self.index, self.seed, self.kind, self.condition = out, index, seed, kind, condition
        self.hand, self.dpi = hand, dpi
        self.rng = random.Random(f"sohoa-synth:{seed}:{index}")
        self.np = np.random.default_rng([seed, index])
        self.record_id = f"s{seed}-{index:05d}"

    def _stem(self, suffix: str = "") -> str:
        return f"{self.index:04d}_{self.kind}_{self.condition}{suffix}"

    def _card_dpi(self) -> int:
        return self.dpi or self.rng.choice(CARD_DPIS)

    def _page_dpi(self) -> int:
        return self.dpi or self.rng.choice(PAGE_DPIS)

    def _fmt(self, cap: Capture) -> str:
        if cap.condition == "phone":
            return "jpeg"
        choices = {"clean": ["png", "png", "jpeg", "tiff"], "skewed": ["png", "jpeg"],
                   "photocopy": ["png", "tiff"]}[cap.condition]
        fmt = self.rng.choice(choices)
        if fmt == "jpeg":
            cap.jpeg_quality = self.rng.randint(88, 95)
        return fmt

    def _single(self, img: Image.Image, page: TruthPage, suffix: str = "", book: dict | None = None) -> TruthFile:
        stored, cap = capture.apply(self.condition, img, self.rng, self.np, page.capture.dpi)
        fmt = self._fmt(cap)
        ext = {"jpeg": "jpg", "png": "png", "tiff": "tif"}[fmt]
        name = f"{self._stem(suffix)}.{ext}"
        writer.write_single(self.out / name, stored, fmt, cap)
        page.capture = cap
        page.record_id = page.record_id or self.record_id
        return TruthFile(file=name, kind=self.kind, seed=self.seed, pages=[page], book=book or {})

    def _card_files(self, card: cards.Card, renders) -> list[TruthFile]:
        dpi = self._card_dpi()
        files = []
        for render, suffix in renders:
            img, page = render(card, self.rng, self.np, dpi)
            page.capture = Capture(dpi=dpi)
            files.append(self._single(img, page, suffix))
        return files

    def cccd(self) -> list[TruthFile]:
        card = cards.random_card(self.rng, date(2021, 1, 1), date(2024, 6, 30))
        return self._card_files(card, [(cards.cccd_front, "_front"), (cards.cccd_back, "_back")])

    def cmnd(self) -> list[TruthFile]:
        card = cards.random_card(self.rng, date(1995, 1, 1), date(2015, 12, 31), old_id=True)
        return self._card_files(card, [(cards.cmnd_front, "")])

    def cancuoc(self) -> list[TruthFile]:
        card = cards.random_card(self.rng, date(2024, 7, 1), date(2025, 6, 30))
        return self._card_files(card, [(cards.cancuoc_front, "_front"), (cards.cancuoc_back, "_back")])

    def gcn(self) -> list[TruthFile]:
        dpi = self._page_dpi()
        img, page = gcn.render_gcn(self.rng.choice([2014, 2024]), self.rng, self.np, dpi)
        page.capture = Capture(dpi=dpi)
        return [self._single(img, page)]

    def hn(self) -> list[TruthFile]:
        return self.register("hn")

    def cmc(self) -> list[TruthFile]:
        return self.register("cmc")

    def register(self, book_type: str | None = None) -> list[TruthFile]:
        dpi = self._page_dpi()
        book = register.random_book(self.rng, book_type)
        number = self.rng.randint(1, 180)
        day = date(book.year, 1, 1) + timedelta(days=min(364, number * 2 + self.rng.randint(0, 3)))
        img, page = register.render_page(book, number, number + self.rng.randint(0, 3), day, self.rng, self.np,
                                         dpi, self.hand)
        page.capture = Capture(dpi=dpi)
        return [self._single(img, page, book=book.as_dict())]

    def book(self, page_range: tuple[int, int], fmt: str) -> list[TruthFile]:
        """A whole book as a scanner emits it: one multi-page PDF or TIFF, one registration per page."""
        dpi = self._page_dpi()
        book = register.random_book(self.rng)
        count = self.rng.randint(*page_range)
        number = self.rng.randint(1, 60)
        day = date(book.year, 1, 1) + timedelta(days=self.rng.randint(0, 120))
        stored: list[tuple[Image.Image, Capture]] = []
        pages: list[TruthPage] = []
        for k in range(count):
            img, page = register.render_page(book, number + k, number + k, day, self.rng, self.np, dpi, self.hand)
            out, cap = capture.apply(self.condition, img, self.rng, self.np, dpi, allow_exif=False)
            if fmt == "tiff":
                cap.jpeg_quality = None  # TIFF pages are stored losslessly
            page.page, page.capture, page.record_id = k, cap, f"{self.record_id}-p{k:03d}"
            stored.append((out, cap))
            pages.append(page)
            day = min(date(book.year, 12, 31), day + timedelta(days=self.rng.randint(0, 5)))
        name = f"{self._stem()}.{'pdf' if fmt == 'pdf' else 'tif'}"
        (writer.write_pdf if fmt == "pdf" else writer.write_tiff)(self.out / name, stored)
        return [TruthFile(file=name, kind="book", seed=self.seed, pages=pages, book=book.as_dict())]
