"""`sohoa bench ocr`: character/word error rates of raw Tesseract vs sohoa per capture condition, speed, memory.

Systems compared on the same images:
  raw    — Tesseract's defaults (psm 3, `vie`) on the image as stored, no scanner, no text layer;
  sohoa  — scanner prepare, then the chosen model and psm, then the Vietnamese text layer with the corrector
           off and on (one OCR run, the text layer applied both ways to the same raw words);
  no-scan — the chosen model/psm and text layer on the image as stored: the OCR stage alone, so a scanner
           regression and an OCR regression can be told apart.

Scoring and reading order. Truth lines (synth.truth.TruthLine) are grouped into ROWS: lines whose boxes
overlap vertically by half their height form one row, read left to right (a form's "label: value" is one
row, as Tesseract reads it). Each OCR line is then assigned to the truth row it matches best
(rapidfuzz partial similarity, ties broken by relative vertical position on the page), and the OCR lines of a
row are read left to right. CER = Levenshtein edits of each row against its OCR text, plus every unassigned
OCR character as an insertion, over the number of truth characters. Why rows and not the page as one string:
psm 3 may read a column of labels before the column of values and a raw skewed page tilts its lines; a
whole-page alignment would count that reading order as thousands of character errors and hide the
recognition quality we want to compare; rows keep the comparison about characters while still penalising
anything misread, merged or invented. Edits are attributed to the truth character they touch, so a row
holding a printed label and a handwritten value splits its errors into the printed figure and the separate
handwritten figure. Both sides are NFC, tone marks placed by normalize_text (a tone placement convention is
not a recognition error) and whitespace collapsed. WER is the same over whitespace-separated words.
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
        text, flags = "", []
        for ln in sorted(group, key=lambda x: x.box[0]):
            piece = clean_text(ln.text)
            if not piece:
                continue
            if text:
                text += " "
                flags.append(flags[-1])
            text += piece
            flags.extend([ln.handwritten] * len(piece))
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
            value = fuzz.partial_ratio(row.text, text) - 40.0 * abs(row.centre - centre)
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
    scores: dict[str, Score] = field(default_factory=dict)  # system name -> score
    seconds: dict[str, float] = field(default_factory=dict)  # "prepare", "ocr:<variant>", "raw"


def variant_name(lang: str, psm: int) -> str:
    return f"{lang}/psm{psm}"


def evaluate_file(corpus: Path, truth: TruthFile, variants: list[tuple[str, int]], with_raw: bool
                  ) -> tuple[list[PageResult], int]:
    """Worker task: every page of one file through raw Tesseract and each sohoa variant. Returns the
    page results and this worker's peak RSS in bytes."""
    from ocr.engine import get_engine
    from ocr.pages import load_pages, raw_pages

    path = corpus / truth.file
    results = []
    t0 = time.perf_counter()
    prepared = load_pages(path)
    prepare_s = (time.perf_counter() - t0) / max(1, len(prepared))
    raws = raw_pages(path) if with_raw else []
    for i, tpage in enumerate(truth.pages):
        res = PageResult(truth.file, tpage.capture.condition)
        rows = truth_rows(tpage.lines, tpage.height)
        if with_raw and i < len(raws):
            t = time.perf_counter()
            lines = raw_tesseract_lines(get_engine("vie", 3, correct=False), raws[i].image, raws[i].dpi)
            res.seconds["raw"] = time.perf_counter() - t
            res.scores["raw"] = score_lines(rows, lines, raws[i].image.shape[0])
            name, (lang, psm) = variant_name(*variants[0]), variants[0]
            unprepared = get_engine(lang, psm, correct=False).read_page(raws[i].image, dpi=raws[i].dpi)
            res.scores[f"{name}:noscan"] = score_lines(rows, page_lines(unprepared, True), unprepared.height)
        res.seconds["prepare"] = prepare_s
        if i < len(prepared):
            for lang, psm in variants:
                t = time.perf_counter()
                page = get_engine(lang, psm, correct=False).read_page(prepared[i].image, dpi=prepared[i].dpi)
                name = variant_name(lang, psm)
                res.seconds[f"ocr:{name}"] = time.perf_counter() - t
                res.scores[f"{name}:off"] = score_lines(rows, page_lines(page, False), page.height)
                res.scores[f"{name}:on"] = score_lines(rows, page_lines(page, True), page.height)
        results.append(res)
    return results, peak_rss()


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
    """synth's corpus when synth.generate exists (n documents per kind and condition), else the dev
    stand-in (n pages per condition); the report names which."""
    try:
        from synth.generate import generate_corpus
    except ImportError:
        from ocr.devcorpus import write_dev_corpus

        return write_dev_corpus(out_dir, n, seed, tuple(conditions)), "ocr.devcorpus (synth.generate missing)"
    kinds = list(kinds or DEFAULT_KINDS)
    truths = generate_corpus(out_dir, n * len(kinds) * len(conditions), seed, kinds=kinds, conditions=conditions,
                             book_pages=(2, 3))
    return truths, f"synth.generate (kinds {', '.join(kinds)}; seed {seed})"


def run(corpus: Path, truths: list[TruthFile], variants: list[tuple[str, int]], workers: int
        ) -> tuple[list[PageResult], int]:
    results: list[PageResult] = []
    peak = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(evaluate_file, corpus, t, variants, True) for t in truths]
        for fut in futures:
            pages, rss = fut.result()
            results.extend(pages)
            peak = max(peak, rss)
    return results, peak


def _pct(x: float | None) -> str:
    return "   -   " if x is None else f"{100 * x:6.2f}%"


def report(results: list[PageResult], variants: list[tuple[str, int]], peak_rss: int, source: str) -> str:
    """The tables `sohoa bench ocr` prints."""
    main = variant_name(*variants[0])
    by_cond: dict[str, list[PageResult]] = defaultdict(list)
    for r in results:
        by_cond[r.condition].append(r)
    out = [f"Corpus: {source}; {len(results)} pages. CER/WER on printed text; handwritten separately.",
           f"sohoa = scanner prepare + {main} + Vietnamese text layer. Peak RSS per worker: "
           f"{peak_rss / 2**20:.0f} MB (target <= 500 MB).", ""]
    head = (f"{'condition':10} {'pages':>5} {'raw CER':>8} {'CER off':>8} {'CER on':>8} {'target':>7} "
            f"{'no-scan':>8} {'raw WER':>8} {'WER on':>8} {'hand CER':>8} {'s/page':>7} {'raw s':>6}")
    out += [head, "-" * len(head)]
    for cond in sorted(by_cond, key=lambda c: list(TARGET_CER).index(c) if c in TARGET_CER else 99):
        pages = by_cond[cond]
        tot: dict[str, Score] = defaultdict(Score)
        for p in pages:
            for k, s in p.scores.items():
                tot[k].add(s)
        secs = [p.seconds.get("prepare", 0) + p.seconds.get(f"ocr:{main}", 0) for p in pages]
        raw_secs = [p.seconds.get("raw", 0) for p in pages]
        target = TARGET_CER.get(cond)
        out.append(f"{cond:10} {len(pages):5d} {_pct(tot['raw'].cer):>8} {_pct(tot[main + ':off'].cer):>8} "
                   f"{_pct(tot[main + ':on'].cer):>8} {_pct(target):>7} {_pct(tot[main + ':noscan'].cer):>8} "
                   f"{_pct(tot['raw'].wer):>8} "
                   f"{_pct(tot[main + ':on'].wer):>8} {_pct(tot[main + ':on'].hand_cer):>8} "
                   f"{statistics.mean(secs):7.2f} {statistics.mean(raw_secs):6.2f}")
    if len(variants) > 1:
        out += ["", "Model / page segmentation comparison (printed CER, corrector off -> on; s = OCR s/page):"]
        conds = sorted(by_cond)
        out.append(f"{'variant':24} " + " ".join(f"{c:>20}" for c in conds) + f" {'s':>6}")
        for lang, psm in variants:
            name = variant_name(lang, psm)
            cells = []
            for cond in conds:
                off, on = Score(), Score()
                for p in by_cond[cond]:
                    off.add(p.scores[name + ":off"])
                    on.add(p.scores[name + ":on"])
                cells.append(f"{_pct(off.cer).strip()} -> {_pct(on.cer).strip()}".rjust(20))
            sec = statistics.mean(p.seconds[f"ocr:{name}"] for p in results)
            out.append(f"{name:24} " + " ".join(cells) + f" {sec:6.2f}")
    return "\n".join(out)


def bench(out_dir: Path, n: int, seed: int, conditions: list[str], variants: list[tuple[str, int]],
          workers: int, corpus: Path | None = None, kinds: list[str] | None = None) -> str:
    if corpus is not None:
        truths, source = load_manifest(corpus), f"given corpus {corpus}"
        truths = [t for t in truths if not conditions or any(p.capture.condition in conditions for p in t.pages)]
    else:
        corpus = out_dir
        truths, source = build_corpus(out_dir, n, seed, conditions, kinds)
    results, peak = run(corpus, truths, variants, workers)
    return report(results, variants, peak, source)
