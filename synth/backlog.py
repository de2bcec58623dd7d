"""Synthetic export input (page scans and registrations) for tests and export benchmarks, without OCR.

All values are invented; numbers follow the 12-digit structure with province 030 but belong to no one.
"""
from __future__ import annotations

import random
from pathlib import Path

from export.types import BookKey, ExportRecord
from synth.people import data, random_name


def synthetic_page(path: Path, seed: int, dpi: int = 200, size_in: tuple[float, float] = (8.27, 11.69)) -> Path:
    """A register-like colour page: tinted paper with grain, ruled lines, dark 'typed' strokes, blue
    'handwriting' and a red stamp — enough texture that JPEG sizes resemble a real scan's."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    w, h = round(size_in[0] * dpi), round(size_in[1] * dpi)
    paper = np.empty((h, w, 3), np.float32)
    paper[...] = (236, 230, 212)
    grain = Image.fromarray(rng.normal(128, 40, (h // 8, w // 8)).clip(0, 255).astype(np.uint8))
    paper += (np.asarray(grain.resize((w, h), Image.Resampling.BILINEAR), np.float32)[..., None] - 128) / 16
    paper += rng.normal(0, 0.6, (h, w, 1))  # fine sensor noise
    image = Image.fromarray(paper.clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    py = random.Random(seed)
    font_size = max(8, dpi // 7)  # ~10 pt
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", font_size)
    except OSError:
        font = ImageFont.load_default(size=font_size)
    names = data("names")
    words = list(names["surnames"])[:8] + names["given"]["male"][:10] + ["Họ và tên", "Ngày", "tháng", "năm", "sinh", "Nơi", "xã",
             "huyện", "tỉnh", "Cẩm Giàng", "Hải Dương", "Dân tộc", "Kinh", "Quốc tịch", "Việt Nam"]
    for y in range(dpi, h - dpi, dpi // 3):
        draw.line([(dpi // 2, y), (w - dpi // 2, y)], fill=(160, 160, 160), width=max(1, dpi // 150))
        if py.random() < 0.25:
            continue
        handwritten = py.random() < 0.4
        colour = (30, 40, 150) if handwritten else (25, 25, 25)
        text = " ".join(py.choice(words) for _ in range(py.randint(3, 9)))
        draw.text((dpi // 2 + py.randint(0, dpi), y - font_size - 4), text, fill=colour, font=font)
    cx, cy, r = w - 2 * dpi, h - 2 * dpi, dpi // 2
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(190, 30, 30), width=max(2, dpi // 40))
    image.save(path, dpi=(dpi, dpi))
    return path


def synthetic_name(rng: random.Random) -> str:
    """A full name from the generator's one name list (synth/people.py)."""
    return " ".join(part for part in random_name(rng, rng.random() < 0.5) if part)


def synthetic_ks_fields(rng: random.Random, number: int, year: int, book_no: str) -> dict[str, str]:
    """One plausible KS registration in template keys (dates dd.mm.yyyy, IDs as digit strings)."""
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    birth_year = year
    mother_year = rng.randint(1975, 1995)
    return {
        "so": f"{number:02d}/{year}", "quyenSo": book_no, "trangSo": str(number),
        "ngayDangKy": f"{day:02d}.{month:02d}.{year}", "loaiDangKy": "1",
        "noiDangKy": "UBND xã Cẩm Hưng", "nguoiKy": synthetic_name(rng), "chucVuNguoiKy": "Chủ tịch",
        "nksSoDinhDanh": f"030{2 + rng.randint(0, 1)}{birth_year % 100:02d}{rng.randint(0, 999999):06d}",
        "nksHoTen": synthetic_name(rng), "nksGioiTinh": str(rng.randint(1, 2)),
        "nksNgaySinh": f"{max(1, day - 3):02d}.{month:02d}.{birth_year}", "nksDanToc": "Kinh",
        "nksQuocTich": "Việt Nam", "nksNoiSinh": "Trạm y tế xã Cẩm Hưng",
        "meHoTen": synthetic_name(rng), "meNgaySinh": str(mother_year),
        "meSoDinhDanhCaNhan": f"0301{mother_year % 100:02d}{rng.randint(0, 999999):06d}",
        "meDanToc": "Kinh", "meQuocTich": "Việt Nam",
        "chaHoTen": synthetic_name(rng), "chaDanToc": "Kinh", "chaQuocTich": "Việt Nam",
        "nycHoTen": synthetic_name(rng), "nycQuanHe": "Cha",
    }


def synthetic_book(n: int, seed: int = 0, year: int = 2010, book_no: str = "01",
                   pages: list[Path] | None = None) -> list[ExportRecord]:
    """n KS registrations of one book; every record gets `pages` (shared image paths) when given."""
    rng = random.Random(seed)
    book = BookKey("KS", "10894", "Cẩm Giàng", "Hải Dương", str(year), book_no)
    return [ExportRecord(f"ks-{seed}-{i}", book, synthetic_ks_fields(rng, i, year, book_no), list(pages or []))
            for i in range(1, n + 1)]
