"""Synthetic review work for tests and the benchmark: a workspace whose store holds records with page
images, some values deliberately misread and flagged, and the ground truth to check corrections against.

All names, dates and numbers are generated from small syllable lists with a seeded RNG: no real person.
Used when the full pipeline (synth -> scanner -> ocr -> extract) is not wanted or not available.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from extract.types import FieldValue, Record
from store.db import Store
from store.types import PageData
from synth.people import cccd_number, dotted, random_person

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PLACES = ["Xã Tân Phong, Huyện Cẩm Giàng, Tỉnh Hải Dương", "Phường Lê Lợi, Quận Ngô Quyền, TP Hải Phòng",
          "Xã Hòa Bình, Huyện Thanh Hà, Tỉnh Hải Dương"]
COMMUNES = ["10894", "10924"]


@dataclass
class SeededRecord:
    record_id: int
    doc_type: str
    truth: dict[str, str]
    shown: dict[str, str]                    # what extraction "read" (pre-filled in the form)
    flagged: list[str] = field(default_factory=list)

    @property
    def wrong(self) -> list[str]:
        return [k for k in self.flagged if self.shown[k] != self.truth[k]]


def _person(rng: random.Random, year_from: int, year_to: int) -> dict[str, str]:
    """A person from the generator's one people model (synth/people.py), as review fields."""
    p = random_person(rng, date(year_from, 1, 1), date(year_to, 12, 28))
    return {"hoTen": p.name, "ngaySinh": dotted(p.birth), "gioiTinh": p.gender_code,
            "soDinhDanh": cccd_number(rng, p)}


def card_truth(rng: random.Random) -> dict[str, str]:
    p = _person(rng, 1950, 2005)
    return {"soDinhDanh": p["soDinhDanh"], "hoTen": p["hoTen"], "ngaySinh": p["ngaySinh"],
            "gioiTinh": p["gioiTinh"], "quocTich": "Việt Nam", "queQuan": rng.choice(PLACES),
            "noiThuongTru": rng.choice(PLACES)}


def ks_truth(rng: random.Random) -> dict[str, str]:
    child, mother, father = _person(rng, 2008, 2020), _person(rng, 1975, 1995), _person(rng, 1970, 1992)
    year = int(child["ngaySinh"][-4:])
    return {"so": f"{rng.randint(1, 150):02d}/{year}", "quyenSo": "01",
            "ngayDangKy": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{year + 1}",
            "nksHoTen": child["hoTen"], "nksGioiTinh": child["gioiTinh"], "nksNgaySinh": child["ngaySinh"],
            "nksDanToc": "Kinh", "nksQuocTich": "Việt Nam", "meHoTen": mother["hoTen"],
            "meNgaySinh": mother["ngaySinh"], "chaHoTen": father["hoTen"], "chaNgaySinh": father["ngaySinh"]}


def misread(rng: random.Random, value: str) -> str:
    """A plausible OCR slip: a digit or a letter's tone changed, or a character dropped."""
    swaps = {"0": "8", "1": "7", "3": "8", "5": "6", "6": "5", "8": "3", "9": "0", "ễ": "ê", "ị": "i",
             "ú": "u", "à": "a", "ò": "o", "ũ": "u", "ă": "a", "ệ": "e", "ọ": "o", "ạ": "a", "ủ": "u"}
    spots = [i for i, c in enumerate(value) if c in swaps]
    if spots:
        i = rng.choice(spots)
        return value[:i] + swaps[value[i]] + value[i + 1:]
    return value[:-1] if len(value) > 1 else value + "x"


def render_page(path: Path, truth: dict[str, str], title: str) -> dict[str, tuple[int, int, int, int]]:
    """A clean synthetic form page (150 dpi A4) with 'label: value' lines; returns each value's box."""
    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    big, font = ImageFont.truetype(FONT, 44), ImageFont.truetype(FONT, 26)
    draw.text((120, 90), title, font=big, fill=0)
    draw.text((120, 150), "MẪU TỔNG HỢP — DỮ LIỆU GIẢ (synthetic sample)", font=font, fill=90)
    boxes: dict[str, tuple[int, int, int, int]] = {}
    y = 250
    for key, value in truth.items():
        label = f"{key}:"
        draw.text((120, y), label, font=font, fill=60)
        x0 = 400
        left, top, right, bottom = draw.textbbox((x0, y), value or " ", font=font)
        draw.text((x0, y), value, font=font, fill=0)
        boxes[key] = (left, top, max(1, right - left), max(1, bottom - top))
        y += 95
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "PNG", optimize=False)
    return boxes


def seed_workspace(workspace: Path, n: int = 6, seed: int = 7, *, flag_share: float = 0.35,
                   wrong_share: float = 0.5, clean_share: float = 0.2) -> list[SeededRecord]:
    """Fill a workspace store with n synthetic records (half ID cards, half KS) and their page images.

    In each record a share of fields is flagged needs_review; about `wrong_share` of flagged values are
    misread (the reviewer must retype them). `clean_share` of records are flagged but entirely right."""
    from review.app import open_store

    rng = random.Random(seed)
    workspace = Path(workspace).resolve()
    store: Store = open_store(workspace)
    out: list[SeededRecord] = []
    try:
        for i in range(n):
            doc_type = "cccd_front" if i % 2 == 0 else "ks"
            truth = card_truth(rng) if doc_type == "cccd_front" else ks_truth(rng)
            rel = Path("work") / "review-fixtures" / f"s{seed}_{i:04d}.png"
            boxes = render_page(workspace / rel, truth, "CĂN CƯỚC CÔNG DÂN" if doc_type == "cccd_front"
                                else "GIẤY KHAI SINH (bản sao sổ)")
            keys = list(truth)
            flagged = [k for k in keys if rng.random() < flag_share] or [rng.choice(keys)]
            clean = rng.random() < clean_share
            shown = dict(truth)
            for k in flagged:
                if not clean and rng.random() < wrong_share:
                    shown[k] = misread(rng, truth[k])
            rec = Record(doc_type=doc_type, doc_confidence=0.95, pages=[0])
            for k in keys:
                status = "needs_review" if k in flagged else "accepted"
                rec.fields[k] = FieldValue(value=shown[k], confidence=0.6 if k in flagged else 0.97,
                                           status=status, box=boxes[k], page=0,
                                           reason="độ tin cậy thấp (low confidence)" if k in flagged else "")
            digest = hashlib.sha256(f"{seed}-{i}".encode()).hexdigest()
            commune = COMMUNES[i % len(COMMUNES)]
            book = "KS.2010.01" if doc_type == "ks" else "CCCD-lo1"
            f = store.add_file(content_hash=digest, size=1, origin_path=str(workspace / rel), rel_path=str(rel),
                               kind_hint="auto", commune=commune, book=book)
            (record_id,) = store.commit_file_results(
                f.id, [PageData(page_index=0, prepared_path=str(rel), archival_path=str(rel))], [rec])
            out.append(SeededRecord(record_id, doc_type, truth, shown, flagged))
    finally:
        store.close()
    return out


def make_workspace(root: Path) -> Path:
    """A fresh workspace (hotfolders' layout when that package is present)."""
    try:
        from hotfolders.workspace import init_workspace
        return init_workspace(root).root
    except ImportError:
        root.mkdir(parents=True, exist_ok=True)
        return root.resolve()
