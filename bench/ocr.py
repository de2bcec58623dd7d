"""`sohoa bench ocr`: character/word error rates of raw Tesseract vs sohoa per capture condition and per
document kind, speed and memory.

Systems compared on the same images:
  raw      — Tesseract's defaults (psm 3, `vie`) on the image as stored, no scanner, no text layer;
  sohoa    — scanner prepare, then OCR with the layout hint the hot folder's kind gives (card / form / page,
             the document-type registry, extract.pipeline.layout_for_folder), then the Vietnamese text layer; also shown with the corrector off
             ("no-layer") and with no hint at all ("shape": OCR decides from the image);
  no-scan  — sohoa's OCR on the image as stored: the OCR stage alone, so a scanner regression and an OCR
             regression can be told apart;
  fixed psm variants (--psms) on the prepared pages, for the record of why the policy is what it is.

Scoring and reading order. Truth lines (synth.truth.TruthLine) are grouped into ROWS: lines whose boxes
overlap vertically by half their height form one row, read left to right (a form's "label: value" is one
row, as Tesseract reads it); pieces of a row are joined with a space only when a gap was printed between
them. Each OCR line is assigned to the truth row that best explains it: rapidfuzz partial similarity scaled
by the share of the OCR line the row can cover (so a short row "Nam" does not swallow a whole line that
contains it), relative vertical position only breaking ties (the stored image of a raw capture may be
rotated or hold the page in a corner, so position is weak evidence). The OCR lines of a row are read left
to right. CER = Levenshtein edits of each row against its OCR text, plus every unassigned OCR character as
an insertion, over the number of truth characters. Why rows and not the page as one string: psm 3 may read a
column of labels before the column of values and a raw skewed page tilts its lines; a whole-page alignment
would count that reading order as thousands of character errors and hide the recognition quality we want to
compare; rows keep the comparison about characters while still penalising anything misread, merged or
invented. Rows are matched on text, not on truth-box positions, so prepare's crops and rotations need no
coordinate mapping. Edits are attributed to the truth character they touch, so a row holding a printed label
and a handwritten value splits its errors into the printed figure and the separate handwritten figure. Both
sides are NFC, tone marks placed by normalize_text (a tone placement convention is not a recognition error)
and whitespace collapsed; punctuation and spacing inside a row count. WER is the same over words.
"""
from __future__ import annotations

import resource
import statistics
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ocr.types import OcrPage
from ocr.vietnamese import apply_line_layer, normalize_text
from synth.truth import TruthFile, TruthLine, load_manifest

SPACE_GAP = 0.15  # of the line height: pieces of a row closer than this were printed with no space between
POSITION_WEIGHT = 10.0  # similarity points per page height: position only breaks ties between similar rows
TARGET_CER = {"clean": 0.002, "skewed": 0.002, "photocopy": 0.005, "phone": 0.015}


def clean_text(text: str) -> str:
    return " ".join(normalize_text(text).split())


@dataclass
class Row:
    text: str
    handwritten: list[bool]  # per character of text
    centre: float            # relative vertical position 0..1


def truth_rows(lines: list[TruthLine], page_height: int) -> list[Row]:
    """Truth lines grouped into left-to-right rows, top to bottom (see module docstring)."""
    ordered = sorted(lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2)
    groups: list[list[TruthLine]] = []
    for ln in ordered:
        if groups:
            last = groups[-1][-1]
            overlap = min(last.box[3], ln.box[3]) - max(last.box[1], ln.box[1])
            if overlap >= 0.5 * min(last.box[3] - last.box[1], ln.box[3] - ln.box[1]):
                groups[-1].append(ln)
                continue
        groups.append([ln])
    rows = []
    for group in groups:
        text, flags, right = "", [], None
        for ln in sorted(group, key=lambda x: x.box[0]):
            piece = clean_text(ln.text)
            if not piece:
                continue
            gap = ln.box[0] - right if right is not None else 0
            if text and gap >= SPACE_GAP * (ln.box[3] - ln.box[1]):
                text += " "
                flags.append(flags[-1])
            text += piece
            flags.extend([ln.handwritten] * len(piece))
            right = ln.box[2]
        if text:
            centre = sum((ln.box[1] + ln.box[3]) / 2 for ln in group) / len(group) / max(1, page_height)
            rows.append(Row(text, flags, centre))
    return rows


@dataclass
class Score:
    printed_err: int = 0
    printed_chars: int = 0
    hand_err: int = 0
    hand_chars: int = 0
    word_err: int = 0
    words: int = 0

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def cer(self) -> float:
        return self.printed_err / max(1, self.printed_chars)

    @property
    def hand_cer(self) -> float | None:
        return self.hand_err / self.hand_chars if self.hand_chars else None

    @property
    def wer(self) -> float:
        return self.word_err / max(1, self.words)


def score_lines(rows: list[Row], ocr_lines: list[tuple[str, tuple[int, int, int, int]]], page_height: int) -> Score:
    """Score OCR lines (text, box) against truth rows."""
    assigned: dict[int, list[tuple[int, str]]] = defaultdict(list)
    score = Score()
    for text, box in ocr_lines:
        text = clean_text(text)
        if not text:
            continue
        centre = (box[1] + box[3]) / 2 / max(1, page_height)
        best, best_value = -1, 30.0
        for i, row in enumerate(rows):
            value = (fuzz.partial_ratio(row.text, text) * min(1.0, len(row.text) / len(text))
                     - POSITION_WEIGHT * abs(row.centre - centre))
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            score.printed_err += len(text)       # invented text: all insertions
            score.word_err += len(text.split())
        else:
            assigned[best].append((box[0], text))
    for i, row in enumerate(rows):
        hyp = " ".join(t for _, t in sorted(assigned.get(i, [])))
        hand = sum(row.handwritten)
        score.hand_chars += hand
        score.printed_chars += len(row.text) - hand
        for op in Levenshtein.editops(row.text, hyp):
            if row.handwritten[min(op.src_pos, len(row.text) - 1)]:
                score.hand_err += 1
            else:
                score.printed_err += 1
        ref_words = row.text.split()
        score.words += len(ref_words)
        score.word_err += Levenshtein.distance(ref_words, hyp.split())
    return score


def raw_tesseract_lines(engine, image, dpi: float) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Tesseract's own words and lines, straight from the backend: no speck filter, no text layer."""
    lines: dict[int, list] = defaultdict(list)
    for rw in engine.backend.recognise(image, 3, dpi, None):
        lines[rw.line_no].append(rw)
    return [(" ".join(w.text for w in ws), (min(w.box[0] for w in ws), min(w.box[1] for w in ws),
                                            max(w.box[2] for w in ws), max(w.box[3] for w in ws)))
            for _, ws in sorted(lines.items())]


def page_lines(page: OcrPage, correct: bool | None) -> list[tuple[str, tuple[int, int, int, int]]]:
    """OCR lines as text: raw Tesseract words (None) or the text layer with the corrector off/on."""
    out = []
    for line in page.lines:
        if correct is None:
            text = " ".join(w.raw_text for w in line.words)
        else:
            text = " ".join(apply_line_layer([w.raw_text for w in line.words], correct=correct))
        out.append((text, line.box))
    return out


@dataclass
class PageResult:
    file: str
    condition: str
    family: str = "unknown"  # card | gcn | register (the generator's kind)
    a4: bool = False          # an A4 page (the speed target is per A4 page)
    scores: dict[str, Score] = field(default_factory=dict)  # system name -> score
    seconds: dict[str, float] = field(default_factory=dict)  # "prepare", "ocr", "raw", "ocr:<variant>"


def variant_name(lang: str, psm: int) -> str:
    return f"{lang}/psm{psm}"


def folder_hint(truth: TruthFile, page_doc_type: str) -> str:
    """The hint the hot folder would give this file: the folder kind an operator drops it in."""
    if truth.kind in ("cccd", "cmnd", "cancuoc"):
        return "CCCD"
    if truth.kind == "gcn":
        return "GCN"
    return page_doc_type.upper()  # register/book pages: the book type KS/KT/KH


def folder_layout(truth: TruthFile, page_doc_type: str) -> str | None:
    """The OCR layout hint the hot folder gives (the registry's, as the worker gets it)."""
    from extract.pipeline import layout_for_folder

    return layout_for_folder(folder_hint(truth, page_doc_type))


def family_of(truth: TruthFile) -> str:
    return {"cccd": "card", "cmnd": "card", "cancuoc": "card", "gcn": "gcn"}.get(truth.kind, "register")


def raw_pages(path: Path, dpi: int = 300) -> list:
    """The file's pages as stored (EXIF orientation applied), grey, without any scanner correction:
    (grey image, dpi) per page."""
    import cv2

    from scanner.intake import read_pages

    return [(cv2.cvtColor(page.image, cv2.COLOR_RGB2GRAY), page.dpi or dpi) for page in read_pages(Path(path), dpi=dpi)]


def evaluate_file(corpus: Path, truth: TruthFile, variants: list[tuple[str, int]], with_raw: bool,
                  lang: str = "vie") -> tuple[list[PageResult], int]:
    """Worker task: every page of one file through raw Tesseract, sohoa (prepare + policy + text layer, with
    the folder hint and with the page shape only), sohoa's OCR on the unprepared image, and each fixed
    variant. Returns the page results and this worker's peak RSS in bytes."""
    from ocr.engine import get_engine
    from ocr.reading import line_reader
    from scanner.prepare import prepare_file

    path = corpus / truth.file
    results = []
    t0 = time.perf_counter()
    prepared = prepare_file(path, read_line=line_reader())
    prepare_s = (time.perf_counter() - t0) / max(1, len(prepared))
    raws = raw_pages(path) if with_raw else []
    engine = get_engine(lang, 6, correct=False)
    for i, tpage in enumerate(truth.pages):
        hint = folder_layout(truth, tpage.doc_type)
        res = PageResult(truth.file, tpage.capture.condition, family_of(truth),
                         a4=tpage.height > 1.3 * tpage.width)
        rows = truth_rows(tpage.lines, tpage.height)
        if with_raw and i < len(raws):
            t = time.perf_counter()
            raw_image, raw_dpi = raws[i]
            lines = raw_tesseract_lines(get_engine("vie", 3, correct=False), raw_image, raw_dpi)
            res.seconds["raw"] = time.perf_counter() - t
            res.scores["raw"] = score_lines(rows, lines, raw_image.shape[0])
            unprepared = engine.read_page(raw_image, dpi=raw_dpi, layout=hint)
            res.scores["noscan"] = score_lines(rows, page_lines(unprepared, True), unprepared.height)
        res.seconds["prepare"] = prepare_s
        if i < len(prepared):
            image, dpi = prepared[i].ocr_image, prepared[i].dpi
            t = time.perf_counter()
            page = engine.read_page(image, dpi=dpi, layout=hint)
            res.seconds["ocr"] = time.perf_counter() - t
            res.scores["sohoa:off"] = score_lines(rows, page_lines(page, False), page.height)
            res.scores["sohoa:on"] = score_lines(rows, page_lines(page, True), page.height)
            if hint is not None:
                shape_only = engine.read_page(image, dpi=dpi)
                res.scores["shape:on"] = score_lines(rows, page_lines(shape_only, True), shape_only.height)
            else:
                res.scores["shape:on"] = res.scores["sohoa:on"]
            for v_lang, psm in variants:
                t = time.perf_counter()
                vpage = get_engine(v_lang, psm, correct=False).read_page(image, dpi=dpi, psm=psm)
                name = variant_name(v_lang, psm)
                res.seconds[f"ocr:{name}"] = time.perf_counter() - t
                res.scores[f"{name}:on"] = score_lines(rows, page_lines(vpage, True), vpage.height)
        results.append(res)
    return results, peak_rss()


def worker_alone(corpus: Path, files: list[str], lang: str = "vie") -> tuple[int, float, float, int]:
    """A fresh worker doing only what a hot-folder worker does per A4 page: prepare + full-page OCR (policy
    by shape). Returns (pages, wall seconds, CPU seconds, peak RSS bytes): the speed and memory targets are
    about this process, not the bench process that also holds comparison images."""
    from ocr.engine import get_engine
    from ocr.reading import line_reader
    from scanner.prepare import prepare_file

    engine = get_engine(lang, 6)
    pages, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    for name in files:
        for prepared in prepare_file(corpus / name, read_line=line_reader(engine)):
            engine.read_page(prepared.ocr_image, dpi=prepared.dpi)
            pages += 1
            del prepared
    return pages, time.perf_counter() - wall0, time.process_time() - cpu0, peak_rss()


def peak_rss() -> int:
    """This process's peak resident memory in bytes. VmHWM, not ru_maxrss: a spawned worker's ru_maxrss
    still carries the peak of the parent it was forked from before exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


DEFAULT_KINDS = ("cccd", "cmnd", "cancuoc", "gcn", "register")  # "book" adds many register pages, opt in


def build_corpus(out_dir: Path, n: int, seed: int, conditions: list[str], kinds: list[str] | None = None
                 ) -> tuple[list[TruthFile], str]:
    """The generator's corpus: n documents per kind and condition; the report names it."""
    from synth.generate import generate_corpus

    kinds = list(kinds or DEFAULT_KINDS)
    truths = generate_corpus(out_dir, n * len(kinds) * len(conditions), seed, kinds=kinds, conditions=conditions,
                             book_pages=(2, 3))
    return truths, f"synth.generate (kinds {', '.join(kinds)}; seed {seed})"


@dataclass
class WorkerFigures:
    pages: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss: int = 0


def run(corpus: Path, truths: list[TruthFile], variants: list[tuple[str, int]], workers: int
        ) -> tuple[list[PageResult], int, WorkerFigures]:
    results: list[PageResult] = []
    peak = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(evaluate_file, corpus, t, variants, True) for t in truths]
        for fut in futures:
            pages, rss = fut.result()
            results.extend(pages)
            peak = max(peak, rss)
    a4_files = [t.file for t in truths if t.pages and t.pages[0].height > 1.3 * t.pages[0].width]
    alone = WorkerFigures()
    if a4_files:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            alone = WorkerFigures(*pool.submit(worker_alone, corpus, a4_files).result())
    return results, peak, alone


def _pct(x: float | None) -> str:
    return "   -   " if x is None else f"{100 * x:6.2f}%"


def _totals(pages: list[PageResult]) -> dict[str, Score]:
    tot: dict[str, Score] = defaultdict(Score)
    for p in pages:
        for k, s in p.scores.items():
            tot[k].add(s)
    return tot


def _table(title: str, groups: dict[str, list[PageResult]], targets: dict[str, float]) -> list[str]:
    head = (f"{title:10} {'pages':>5} {'raw CER':>8} {'sohoa':>8} {'target':>7} {'no-layer':>8} "
            f"{'shape':>8} {'no-scan':>8} {'raw WER':>8} {'WER':>8} {'hand CER':>8} {'raw hand':>8}")
    out = [head, "-" * len(head)]
    for name, pages in groups.items():
        tot = _totals(pages)
        out.append(f"{name:10} {len(pages):5d} {_pct(tot['raw'].cer):>8} {_pct(tot['sohoa:on'].cer):>8} "
                   f"{_pct(targets.get(name)):>7} {_pct(tot['sohoa:off'].cer):>8} {_pct(tot['shape:on'].cer):>8} "
                   f"{_pct(tot['noscan'].cer):>8} {_pct(tot['raw'].wer):>8} {_pct(tot['sohoa:on'].wer):>8} "
                   f"{_pct(tot['sohoa:on'].hand_cer):>8} {_pct(tot['raw'].hand_cer):>8}")
    return out


def report(results: list[PageResult], variants: list[tuple[str, int]], peak_rss: int, source: str,
           alone: WorkerFigures | None = None) -> str:
    """The tables `sohoa bench ocr` prints."""
    by_cond: dict[str, list[PageResult]] = defaultdict(list)
    by_family: dict[str, list[PageResult]] = defaultdict(list)
    for r in sorted(results, key=lambda r: list(TARGET_CER).index(r.condition) if r.condition in TARGET_CER else 99):
        by_cond[r.condition].append(r)
        by_family[r.family].append(r)
    out = [f"Corpus: {source}; {len(results)} pages. CER/WER on printed text; handwritten CER separately.",
           "raw = Tesseract psm 3 on the stored image; sohoa = scanner prepare + segmentation policy with the "
           "folder hint + text layer; no-layer = sohoa with the corrector off; shape = policy from the page "
           "shape alone (no hint); no-scan = sohoa's OCR on the unprepared image.", ""]
    out += _table("condition", by_cond, TARGET_CER) + [""]
    out += _table("kind", dict(sorted(by_family.items())), {}) + [""]
    a4 = [r for r in results if r.a4]
    if a4:
        secs = [r.seconds.get("prepare", 0) + r.seconds.get("ocr", 0) for r in a4]
        raw_secs = [r.seconds.get("raw", 0) for r in a4]
        out.append(f"A4 pages in the bench process: prepare + OCR {statistics.mean(secs):.2f} s/page mean, "
                   f"raw Tesseract {statistics.mean(raw_secs):.2f} s/page.")
    if alone and alone.pages:
        out.append(f"Worker alone (prepare + OCR, {alone.pages} A4 pages): {alone.wall / alone.pages:.2f} s/page "
                   f"wall, {alone.cpu / alone.pages:.2f} s/page CPU (target <= 2.0 s per core); peak RSS "
                   f"{alone.peak_rss / 2**20:.0f} MB (target <= 500 MB).")
    out.append(f"Bench worker peak RSS (holds raw + prepared images): {peak_rss / 2**20:.0f} MB.")
    if variants:
        out += ["", "Fixed segmentation on prepared pages (printed CER with the text layer; s = OCR s/page):"]
        conds = list(by_cond)
        out.append(f"{'variant':24} " + " ".join(f"{c:>10}" for c in conds) + " "
                   + " ".join(f"{f:>10}" for f in sorted(by_family)) + f" {'s':>6}")
        for lang, psm in variants:
            name = variant_name(lang, psm)
            cells = [_pct(_totals(by_cond[c])[name + ":on"].cer) for c in conds]
            cells += [_pct(_totals(by_family[f])[name + ":on"].cer) for f in sorted(by_family)]
            sec = statistics.mean(p.seconds.get(f"ocr:{name}", 0) for p in results)
            out.append(f"{name:24} " + " ".join(f"{c:>10}" for c in cells) + f" {sec:6.2f}")
    return "\n".join(out)


def bench(out_dir: Path, n: int, seed: int, conditions: list[str], variants: list[tuple[str, int]],
          workers: int, corpus: Path | None = None, kinds: list[str] | None = None) -> str:
    if corpus is not None:
        truths, source = load_manifest(corpus), f"given corpus {corpus}"
        truths = [t for t in truths if not conditions or any(p.capture.condition in conditions for p in t.pages)]
    else:
        corpus = out_dir
        truths, source = build_corpus(out_dir, n, seed, conditions, kinds)
    results, peak, alone = run(corpus, truths, variants, workers)
    return report(results, variants, peak, source, alone)


# ------------------------------------------------------------------------------------ per-class benchmark

RAW_PSMS = (3, 6, 7)


@dataclass
class ItemResult:
    file: str
    cls: str
    source: str
    chars: int
    edits: dict[str, tuple[int, int]] = field(default_factory=dict)  # system -> (strict edits, tolerant edits)
    seconds: dict[str, float] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)            # system -> exception text
    empty: dict[str, bool] = field(default_factory=dict)


def strict_edits(truth_lines: list[str], ocr_lines: list[str]) -> int:
    """Edits between the whole text in reading order and the OCR text in its own order (lines joined by one
    space): a reading order that differs from the page's is counted as errors."""
    ref = " ".join(clean_text(t) for t in truth_lines if clean_text(t))
    hyp = " ".join(clean_text(t) for t in ocr_lines if clean_text(t))
    return Levenshtein.distance(ref, hyp)


def _tolerant_edits(item, ocr_lines: list[tuple[str, tuple[int, int, int, int]]], ocr_height: int) -> int:
    truth = [TruthLine(text=t, box=b) for t, b in item.lines]
    score = score_lines(truth_rows(truth, item.height), ocr_lines, ocr_height)
    return score.printed_err + score.hand_err


def _truth_chars(item) -> int:
    return len(" ".join(clean_text(t) for t, _ in item.lines if clean_text(t)))


def evaluate_item(folder: Path, item, systems: tuple[str, ...] = ("sohoa", "psm3", "psm6", "psm7")) -> ItemResult:
    """Worker task: one image through sohoa (prepare + OCR, no hint: what `sohoa ocr FILE` does) and raw
    Tesseract (the stored image, grey, no text layer) at psm 3, 6 and 7; times measured in this process."""
    import traceback

    from ocr.engine import get_engine
    from ocr.reading import line_reader
    from scanner.prepare import prepare_page

    res = ItemResult(item.file, item.cls, item.source, _truth_chars(item))
    path = Path(folder) / item.file
    truth_texts = [t for t, _ in item.lines]
    engine = get_engine("vie", 6)
    raw_engine = get_engine("vie", 3, correct=False)
    try:
        raws = raw_pages(path)
    except Exception as exc:  # an unreadable file fails every system alike
        for name in systems:
            res.failed[name] = f"{type(exc).__name__}: {exc}"
        return res
    grey, dpi = raws[0]
    for name in systems:
        t0 = time.perf_counter()
        try:
            if name == "sohoa":
                from scanner.intake import read_pages

                source = next(iter(read_pages(path)))
                prepared = prepare_page(source, read_line=line_reader(engine))
                t1 = time.perf_counter()
                page = engine.read_page(prepared.ocr_image, dpi=prepared.dpi)
                res.seconds["sohoa_ocr"] = time.perf_counter() - t1
                lines = page_lines(page, True)
                height = page.height
            else:
                psm = int(name[3:])
                lines = raw_lines(raw_engine, grey, dpi, psm)
                height = grey.shape[0]
        except Exception as exc:
            res.failed[name] = f"{type(exc).__name__}: {exc} | " + traceback.format_exc(limit=-2).replace("\n", " ")
            res.seconds[name] = time.perf_counter() - t0
            res.edits[name] = (res.chars, res.chars)
            continue
        res.seconds[name] = time.perf_counter() - t0
        res.empty[name] = not any(t.strip() for t, _ in lines)
        res.edits[name] = (strict_edits(truth_texts, [t for t, _ in lines]), _tolerant_edits(item, lines, height))
    return res


def raw_lines(engine, image, dpi: float, psm: int) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Tesseract's own words and lines at one psm, straight from the backend: no speck filter, no text layer."""
    lines: dict[int, list] = defaultdict(list)
    for rw in engine.backend.recognise(image, psm, dpi, None):
        lines[rw.line_no].append(rw)
    return [(" ".join(w.text for w in ws), (min(w.box[0] for w in ws), min(w.box[1] for w in ws),
                                            max(w.box[2] for w in ws), max(w.box[3] for w in ws)))
            for _, ws in sorted(lines.items())]


def run_classes(folder: Path, items: list, workers: int) -> list[ItemResult]:
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        return list(pool.map(evaluate_item, [folder] * len(items), items))


CLASS_ORDER = ("line", "word", "screenshot", "lowres_scan", "photo", "clean_page", "two_column", "table",
               "form_leaders", "register", "card")


def class_table(results: list[ItemResult], title: str) -> str:
    """n, failures, CER strict / tolerant per system, s/page and sohoa's time ratio to raw psm 3."""
    systems = ("sohoa", "psm3", "psm6", "psm7")
    by_cls: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        by_cls[r.cls].append(r)
    head = (f"{'class':13} {'n':>3} {'fail':>4} {'empty':>5} | "
            + " | ".join(f"{s + ' strict':>12} {'tol':>7}" for s in systems)
            + f" | {'s/img':>6} {'ocr s':>6} {'raw s':>6} {'ratio':>5} {'ocr r':>5} | best raw")
    out = [title, head, "-" * len(head)]
    order = [c for c in CLASS_ORDER if c in by_cls] + sorted(c for c in by_cls if c not in CLASS_ORDER)
    for cls in order + ["ALL"]:
        rs = results if cls == "ALL" else by_cls[cls]
        chars = max(1, sum(r.chars for r in rs))
        cells = []
        best_raw, best_val = "", 9e9
        for s in systems:
            strict = sum(r.edits.get(s, (r.chars, r.chars))[0] for r in rs) / chars
            tol = sum(r.edits.get(s, (r.chars, r.chars))[1] for r in rs) / chars
            cells.append(f"{100 * strict:11.2f}% {100 * tol:6.2f}%")
            if s != "sohoa" and tol < best_val:
                best_raw, best_val = s, tol
        fails = sum(1 for r in rs if "sohoa" in r.failed)
        empties = sum(1 for r in rs if r.empty.get("sohoa") and r.chars)
        t = statistics.mean(r.seconds.get("sohoa", 0) for r in rs)
        t_ocr = statistics.mean(r.seconds.get("sohoa_ocr", 0) for r in rs)
        raw = statistics.mean(r.seconds.get("psm3", 0) for r in rs)
        out.append(f"{cls:13} {len(rs):3d} {fails:4d} {empties:5d} | " + " | ".join(cells)
                   + f" | {t:6.2f} {t_ocr:6.2f} {raw:6.2f} {t / max(raw, 1e-9):5.2f} {t_ocr / max(raw, 1e-9):5.2f}"
                   + f" | {best_raw}")
    raw_fail = {s: sum(1 for r in results if s in r.failed) for s in systems[1:]}
    out.append("fail = traceback (sohoa); empty = nothing read where the truth has text; strict = the whole text "
               "in reading order; tol = reading-order tolerant (rows matched by text); raw = Tesseract on the "
               "stored image, no preparation, no text layer; s/img = sohoa prepare + OCR, ocr s = its OCR "
               "alone, raw s = raw psm 3, same process; ratio / ocr r = s/img / ocr s over raw s. "
               f"Raw failures: {raw_fail}.")
    for r in results:
        if "sohoa" in r.failed:
            out.append(f"  FAILED {r.file}: {r.failed['sohoa'][:300]}")
    return "\n".join(out)


def bench_classes(out_dir: Path, n: int, seed: int, sets: list[str], classes: list[str] | None, workers: int,
                  own_corpus: Path | None = None, rendered_corpus: Path | None = None) -> str:
    """`sohoa bench ocr`: the per-class tables, own generator (tuning set) and/or the rendered set."""
    from bench.ocr_classes import build_own_set, load_own_set, rendered_items

    parts = []
    if "own" in sets:
        folder = own_corpus or out_dir / "own"
        items = load_own_set(folder) if own_corpus else build_own_set(folder, n, seed, classes)
        if classes:
            items = [it for it in items if it.cls in classes]
        parts.append(class_table(run_classes(folder, items, workers),
                                 f"Own generator (synth/, the tuning set): {len(items)} images, seed {seed}"))
    if "rendered" in sets:
        if rendered_corpus is None:
            from synth.rendered import generate

            rendered_corpus = out_dir / "rendered"
            generate(rendered_corpus, n=n, seed=seed, classes=classes)
        items = rendered_items(rendered_corpus, classes)
        parts.append(class_table(run_classes(rendered_corpus, items, workers),
                                 f"Independent rendered set (synth.rendered, measured, never tuned on): "
                                 f"{len(items)} images, {rendered_corpus}"))
    return "\n\n".join(parts)
