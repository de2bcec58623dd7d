"""Build the rendered set: plan every image, render all HTML in one Chromium and all ODF in one LibreOffice
run, then apply the capture condition and cut line/word crops. See synth/rendered/README.md.
"""
from __future__ import annotations

import io
import random
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from synth.rendered import cards, degrade, office, pages
from synth.rendered.fonts import mrz_family, usable
from synth.rendered.html import A4_CSS, A5_CSS, Chromium, doc_html
from synth.rendered.idcard import random_citizen
from synth.rendered.model import Doc, FieldTruth, Item, Line, Word, save_manifest

CLASSES = ("line", "word", "screenshot", "lowres_scan", "photo", "clean_page", "two_column", "table",
           "form_leaders", "register", "card")
DEFAULT_N = 12


@dataclass
class Job:
    """One page to render (and later degrade, or cut into crops)."""
    name: str
    cls: str
    condition: str
    renderer: str                  # chromium | libreoffice
    dpi: int
    rng_seed: str
    doc: Doc | None = None         # pages
    html: str = ""                 # cards (ready markup)
    css_size: tuple[int, int] | None = None
    font: str = ""
    doc_type: str = ""
    fields: dict[str, FieldTruth] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    crops: int = 0                 # > 0: a source page for this many line/word crops
    image: np.ndarray | None = None
    lines: list[Line] = field(default_factory=list)


def _pick_renderer(rng: random.Random, lo_share: float) -> str:
    return "libreoffice" if rng.random() < lo_share else "chromium"


def plan(n: int, seed: int, classes: list[str]) -> list[Job]:
    """Every image of the set, decided before anything is rendered (so the truth depends on the seed only)."""
    jobs: list[Job] = []
    for cls in classes:
        if cls in ("line", "word"):
            for i in range(max(1, -(-n // 6))):
                key = f"{seed}-{cls}-src-{i}"
                rng = random.Random(key)
                make = rng.choice([pages.article, pages.letter, pages.table_page, lambda r: pages.form_page(r)[0],
                                   pages.two_column])
                jobs.append(Job(f"{cls}_src{i:03d}", cls, "crop", _pick_renderer(rng, 0.5),
                                rng.choice([150, 200, 300]), key, doc=make(rng), crops=min(6, n - 6 * i)))
            continue
        for i in range(n):
            key = f"{seed}-{cls}-{i}"
            rng = random.Random(key)
            jobs.append(_plan_one(cls, i, key, rng))
    return jobs


def _plan_one(cls: str, i: int, key: str, rng: random.Random) -> Job:
    name = f"{cls}_{i:03d}"
    if cls == "screenshot":
        return Job(name, cls, "screenshot", "chromium", 96, key, doc=pages.web_page(rng))
    if cls == "lowres_scan":
        make = rng.choice([pages.letter, pages.article, pages.table_page, lambda r: pages.form_page(r)[0]])
        return Job(name, cls, "lowres_scan", _pick_renderer(rng, 0.7), rng.choice([96, 110, 120, 150]), key,
                   doc=make(rng))
    if cls == "photo":
        make = rng.choice([pages.letter, pages.article, lambda r: pages.form_page(r)[0]])
        return Job(name, cls, "photo", _pick_renderer(rng, 0.5), rng.choice([150, 180, 200]), key, doc=make(rng))
    if cls == "clean_page":
        make = rng.choice([pages.letter, pages.article])
        return Job(name, cls, "clean_scan", _pick_renderer(rng, 0.7), 300, key, doc=make(rng))
    if cls == "two_column":
        return Job(name, cls, rng.choice(["clean_scan", "clean_scan", "lowres_scan"]), _pick_renderer(rng, 0.5),
                   rng.choice([200, 300]), key, doc=pages.two_column(rng))
    if cls == "table":
        return Job(name, cls, rng.choice(["clean_scan", "clean_scan", "lowres_scan"]), _pick_renderer(rng, 0.5),
                   rng.choice([200, 300]), key, doc=pages.table_page(rng))
    if cls == "form_leaders":
        doc, info = pages.form_page(rng)
        return Job(name, cls, rng.choice(["clean_scan", "photocopy"]), _pick_renderer(rng, 0.5),
                   rng.choice([200, 300]), key, doc=doc, extra=info)
    if cls == "register":
        kind = ("ks", "kt", "kh")[i % 3]
        condition = ("clean_scan", "lowres_scan", "photo")[(i // 3) % 3]
        style = i % 5   # every fifth page without leaders, every fifth with solid rules: the bench compares
        leader = pages.Leader("none") if style == 0 else \
            pages.Leader("solid", "line", size=rng.uniform(0.7, 1.3)) if style == 1 else None
        doc, f, info = pages.register_page(rng, kind, leader)
        dpi = {"clean_scan": 300, "lowres_scan": rng.choice([100, 120, 150]), "photo": 200}[condition]
        return Job(name, cls, condition, _pick_renderer(rng, 0.5), dpi, key, doc=doc, doc_type=kind, fields=f,
                   extra=info)
    if cls == "card":
        side = ("cccd_front", "cccd_back", "cancuoc_front", "cancuoc_back", "cmnd_front")[i % 5]
        condition = ("clean_scan", "photo", "photocopy", "qr_small_blur")[(i // 5 + i) % 4]
        citizen = random_citizen(rng, old_card=side == "cmnd_front")
        fam = rng.choice([f for f in usable() if f.kind == "sans"])
        head = fam.name if fam.bold else "Liberation Sans"
        markup, truth, qr = cards.SIDES[side](citizen, rng, fam.name, head)
        has_qr = side in cards.QR_BOX_MM
        dpi = {"clean_scan": 300, "photo": rng.choice([330, 360, 400]), "photocopy": 300,
               "qr_small_blur": rng.choice([96, 110, 130])}[condition]
        fields = dict(truth)
        for k, v in qr.items():
            fields.setdefault(k, v)
        extra = {"side": side, "has_qr": has_qr, "qr_payload": citizen.qr_payload() if has_qr else "",
                 "qr_decodable": has_qr and condition != "qr_small_blur", "qr_only_fields": sorted(set(qr) - set(truth)),
                 "mrz_font": mrz_family() if side.endswith("back") else ""}
        if has_qr:
            x0, y0, x1, y1 = cards.QR_BOX_MM[side]
            extra["qr_box_frac"] = [x0 / cards.CARD_MM[0], y0 / cards.CARD_MM[1], x1 / cards.CARD_MM[0],
                                    y1 / cards.CARD_MM[1]]
        return Job(name, cls, condition, "chromium", dpi, key, html=markup, css_size=cards.CARD_CSS, font=fam.name,
                   doc_type=side, fields=fields, extra=extra)
    raise ValueError(f"Lớp không rõ (unknown class): {cls}; có (known): {', '.join(CLASSES)}")


# --- rendering -------------------------------------------------------------------------------------------

def _render_chromium(jobs: list[Job], done) -> None:
    if not jobs:
        return
    with Chromium() as ch:
        for job in jobs:
            scale = job.dpi / 96
            if job.doc is not None:
                markup = doc_html(job.doc)
                width = job.doc.web_width if job.doc.page == "web" else (A4_CSS if job.doc.page == "a4" else A5_CSS)[0]
                png, lines = ch.render(markup, width, scale)
                job.font = job.doc.family
            else:
                png, lines = ch.render(job.html, job.css_size[0], scale, clip_height=job.css_size[1])
            job.image = np.array(Image.open(io.BytesIO(png)).convert("RGB"))
            job.lines = lines
            done(job)


def _render_office(jobs: list[Job], work: Path, done) -> None:
    if not jobs:
        return
    pdfs = office.convert_batch({j.name: office.doc_fodt(j.doc) for j in jobs}, work)
    for job in jobs:
        png = office.rasterize(pdfs[job.name], job.dpi, work / f"{job.name}.png")
        job.image = np.array(Image.open(png).convert("RGB"))
        job.lines = office.pdf_lines(pdfs[job.name], job.dpi)
        job.font = job.doc.family
        done(job)


# --- after rendering: conditions and crops ----------------------------------------------------------------

def _save(img: np.ndarray, path: Path, jpeg: int | None = None) -> None:
    if jpeg:
        cv2.imwrite(str(path), img[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, jpeg])
    else:
        cv2.imwrite(str(path), img[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 3])


def _finish_page(job: Job, out: Path, np_rng: np.random.Generator) -> Item:
    img, info = job.image, {}
    if job.condition == "qr_small_blur":
        img, info = degrade.clean_scan(img, np_rng)
        fx0, fy0, fx1, fy1 = job.extra["qr_box_frac"] if job.extra.get("has_qr") else (0, 0, 0, 0)
        h, w = img.shape[:2]
        if job.extra.get("has_qr"):
            img = degrade.blur_region(img, (int(fx0 * w), int(fy0 * h), int(fx1 * w), int(fy1 * h)),
                                      float(np_rng.uniform(1.2, 2.2)))
    elif job.condition == "photo":
        avoid = job.extra.get("qr_box_frac")
        img, info = degrade.photo(img, np_rng, tuple(avoid) if avoid else None)
    elif job.condition in degrade.CONDITIONS:
        img, info = degrade.CONDITIONS[job.condition](img, np_rng)
    jpeg = info.get("jpeg", [None])[-1] if job.condition in ("photo", "lowres_scan") else None
    file = f"{job.name}.{'jpg' if jpeg else 'png'}"
    _save(img, out / file, jpeg)
    h, w = job.image.shape[:2]
    return Item(file=file, cls=job.cls, condition=job.condition, renderer=job.renderer, font=job.font, dpi=job.dpi,
                width=w, height=h, lines=job.lines, fields=job.fields, doc_type=job.doc_type,
                extra={**job.extra, **info})


def _moved(b, origin, f: float) -> tuple[int, int, int, int]:
    """A page box in the coordinates of a crop starting at `origin`, scaled by `f`."""
    return (round((b[0] - origin[0]) * f), round((b[1] - origin[1]) * f), round((b[2] - origin[0]) * f),
            round((b[3] - origin[1]) * f))


def _crop_items(job: Job, out: Path, rng: random.Random, np_rng: np.random.Generator) -> list[Item]:
    """Line crops (1–3 consecutive lines) or word crops from the clean rendered page, tight or loose, scaled
    to a target height (tiny 12–20 px included)."""
    img, lines = job.image, [ln for ln in job.lines if ln.text.strip()]
    items: list[Item] = []
    for k in range(job.crops):
        if not lines:
            break
        if job.cls == "line":
            start = rng.randrange(len(lines))
            count = rng.choice([1, 1, 1, 2, 3])
            chosen = [lines[start]]
            for ln in lines[start + 1:start + count]:   # only lines stacked right under the previous one
                prev = chosen[-1]
                if ln.box[1] >= prev.box[1] and ln.box[1] - prev.box[3] < (prev.box[3] - prev.box[1]) \
                        and min(ln.box[2], prev.box[2]) > max(ln.box[0], prev.box[0]):
                    chosen.append(ln)
            pieces = [Line(ln.text, ln.box, ln.words) for ln in chosen]
        else:
            words = [w for ln in lines for w in ln.words if len(w.text) >= 2]
            if not words:
                break
            w = rng.choice(words)
            pieces = [Line(w.text, w.box, [w])]
        x0 = min(p.box[0] for p in pieces)
        y0 = min(p.box[1] for p in pieces)
        x1 = max(p.box[2] for p in pieces)
        y1 = max(p.box[3] for p in pieces)
        lh = max(4, pieces[0].box[3] - pieces[0].box[1])
        tight = rng.random() < 0.5
        mx = rng.randint(1, 3) if tight else int(lh * rng.uniform(0.3, 1.2))
        my = rng.randint(1, 3) if tight else int(lh * rng.uniform(0.1, 0.3))
        box = [max(0, x0 - mx), max(0, y0 - my), min(img.shape[1], x1 + mx), min(img.shape[0], y1 + my)]
        others = [ln for ln in job.lines if ln.text not in {p.text for p in pieces}
                  and min(ln.box[2], box[2]) > max(ln.box[0], box[0]) and min(ln.box[3], box[3]) > max(ln.box[1], box[1])]
        if others:   # a loose margin would take in part of another line: fall back to tight
            tight = True
            box = [max(0, x0 - 2), max(0, y0 - 1), min(img.shape[1], x1 + 2), min(img.shape[0], y1 + 1)]
        crop = img[box[1]:box[3], box[0]:box[2]]
        per_line = rng.choice([rng.randint(12, 20), rng.randint(20, 40), rng.randint(40, 80), 0])
        f = 1.0 if per_line == 0 else per_line / lh
        if f != 1.0:
            crop = cv2.resize(crop, (max(2, round(crop.shape[1] * f)), max(2, round(crop.shape[0] * f))),
                              interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
        info = {"source": job.name, "tight": tight, "scale": round(f, 3), "line_height_px": round(lh * f, 1),
                "lines": len(pieces)}
        if rng.random() < 0.3:
            q = rng.randint(45, 85)
            ok, buf = cv2.imencode(".jpg", crop[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, q])
            crop = cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1]
            info["jpeg"] = [q]

        truth = [Line(p.text, _moved(p.box, box, f), [Word(w.text, _moved(w.box, box, f)) for w in p.words])
                 for p in pieces]
        name = f"{job.name.replace('_src', '_')}_{k}.png"
        _save(np.ascontiguousarray(crop), out / name)
        items.append(Item(file=name, cls=job.cls, condition="crop", renderer=job.renderer, font=job.font,
                          dpi=job.dpi, width=crop.shape[1], height=crop.shape[0], lines=truth, extra=info))
    return items


def generate(out_dir: str | Path, *, n: int = DEFAULT_N, seed: int = 1, classes: list[str] | None = None
             ) -> list[Item]:
    """Render `n` images per class into `out_dir` with `manifest.json`; returns the manifest's items."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    classes = list(classes or CLASSES)
    unknown = [c for c in classes if c not in CLASSES]
    if unknown:
        raise ValueError(f"Lớp không rõ (unknown class): {', '.join(unknown)}; có (known): {', '.join(CLASSES)}")
    start = time.perf_counter()
    jobs = plan(n, seed, classes)
    work = Path(tempfile.mkdtemp(prefix="sohoa-rendered-"))
    results: dict[int, list[Item]] = {}
    index = {id(j): i for i, j in enumerate(jobs)}

    def done(job: Job) -> None:
        """Degrade and save a page as soon as it is rendered, then drop its pixels (memory stays flat)."""
        idx = index[id(job)]
        np_rng = np.random.default_rng([seed, CLASSES.index(job.cls), idx])
        results[idx] = (_crop_items(job, out, random.Random(job.rng_seed + "-crops"), np_rng) if job.crops
                        else [_finish_page(job, out, np_rng)])
        job.image = None

    try:
        _render_chromium([j for j in jobs if j.renderer == "chromium"], done)
        _render_office([j for j in jobs if j.renderer == "libreoffice"], work, done)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    items = [it for i in sorted(results) for it in results[i]]
    save_manifest(out, items, seed, {"n_per_class": n, "classes": classes,
                                     "seconds": round(time.perf_counter() - start, 1)})
    return items
