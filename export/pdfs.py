"""One PDF per registration, all its pages, colour, sized near 100 kB per A4 page (BTP guidance).

How the size is reached (the guidance sets no DPI, only ~100 kB per A4 page):
  1. the archival colour page is downsampled to 150 dpi (its dpi comes from the image file, else the
     scanner's 300 dpi is assumed) — 150 dpi keeps handwriting legible when printed and is where a JPEG
     of a text page lands near 100 kB at a decent quality;
  2. Pillow encodes it as a baseline JPEG (4:2:0) and a bisection over quality (35..90, 4 steps) picks the
     highest quality whose size stays within the page's byte budget (100 kB scaled by the page's area
     relative to A4); if even the lowest quality is well over budget (a noisy phone photo), the page is
     stepped down to 120 then 100 dpi;
  3. img2pdf embeds those JPEG bytes as they are (DCT pass-through, no second lossy step) and sizes the
     page from the JPEG's dpi, so an A4 scan prints as A4.
The output is deterministic: img2pdf's internal engine without dates (`nodate`), Pillow's JPEG encoder
with fixed settings — a re-export of unchanged pages is byte-identical.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from export.atomic import atomic_path

A4_INCHES = (210 / 25.4, 297 / 25.4)
A4_AREA = A4_INCHES[0] * A4_INCHES[1]


@dataclass(frozen=True)
class PdfSettings:
    target_dpi: int = 150
    fallback_dpis: tuple[int, ...] = (120, 100)
    target_kb_per_a4: float = 100.0
    min_quality: int = 35
    max_quality: int = 90
    search_steps: int = 4
    over_budget_factor: float = 1.25  # lowest quality this far over budget -> try a lower dpi
    assume_dpi: int = 300             # when the image file carries no resolution


@dataclass(frozen=True)
class EncodedPage:
    jpeg: bytes
    dpi: int
    quality: int
    width_in: float
    height_in: float

    @property
    def kb_per_a4(self) -> float:
        """Size normalised to an A4 page, the unit of the guidance."""
        return len(self.jpeg) / 1024 * A4_AREA / (self.width_in * self.height_in)


def _source_dpi(image, settings: PdfSettings) -> float:
    dpi = image.info.get("dpi")
    if dpi and dpi[0] and float(dpi[0]) >= 50:
        return float(dpi[0])
    return float(settings.assume_dpi)


def _jpeg(image, quality: int, dpi: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi), subsampling=2, optimize=True)
    return buf.getvalue()


def _best_quality(image, dpi: int, budget: float, settings: PdfSettings) -> tuple[bytes, int]:
    """Highest quality within budget by bisection; the lowest tried when none fits."""
    lo, hi = settings.min_quality, settings.max_quality
    best: tuple[bytes, int] | None = None
    data_hi = _jpeg(image, hi, dpi)
    if len(data_hi) <= budget:
        return data_hi, hi
    for _ in range(settings.search_steps):
        mid = (lo + hi) // 2
        data = _jpeg(image, mid, dpi)
        if len(data) <= budget:
            best, lo = (data, mid), mid
        else:
            hi = mid
        if hi - lo <= 1:
            break
    if best is None:
        return _jpeg(image, settings.min_quality, dpi), settings.min_quality
    return best


def encode_page(path: Path, settings: PdfSettings = PdfSettings()) -> EncodedPage:
    """The page as a JPEG near the byte budget, and the dpi that gives its true printed size."""
    from PIL import Image

    with Image.open(path) as opened:
        src_dpi = _source_dpi(opened, settings)
        image = opened.convert("RGB")
    width_in, height_in = image.width / src_dpi, image.height / src_dpi
    budget = settings.target_kb_per_a4 * 1024 * (width_in * height_in) / A4_AREA
    for dpi in (settings.target_dpi, *settings.fallback_dpis):
        dpi = int(min(dpi, round(src_dpi)))
        size = (max(1, round(width_in * dpi)), max(1, round(height_in * dpi)))
        scaled = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        data, quality = _best_quality(scaled, dpi, budget, settings)
        if len(data) <= budget * settings.over_budget_factor:
            break
    return EncodedPage(data, dpi, quality, size[0] / dpi, size[1] / dpi)


def pdf_bytes(pages: Sequence[EncodedPage]) -> bytes:
    import img2pdf

    return img2pdf.convert([p.jpeg for p in pages], engine=img2pdf.Engine.internal, nodate=True)


def write_registration_pdf(path: Path, page_images: Sequence[Path],
                           settings: PdfSettings = PdfSettings()) -> list[EncodedPage]:
    """Write one registration's PDF (atomically) and return its encoded pages (for size reports)."""
    if not page_images:
        raise ValueError("bản ghi không có trang ảnh nào (registration has no page images)")
    pages = [encode_page(p, settings) for p in page_images]
    data = pdf_bytes(pages)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return pages
