"""`sohoa bench scanner`: score every deskew and orientation method and the whole prepare step against the
ground truth of a generated corpus, and print the figures."""
from __future__ import annotations

import importlib.util
import resource
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ocr.reading import line_reader
from scanner import deskew, orientation
from scanner.intake import read_pages
from scanner.page_finding import warp_page
from scanner.prepare import prepare_page
from synth.truth import Capture

READER = line_reader()  # orientation reads lines with the OCR stage's engine, as the worker does


@dataclass
class BenchCase:
    path: Path
    page_index: int
    capture: Capture


@dataclass
class BenchResult:
    skew: dict[str, dict[str, list[float]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    skew_seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    orient: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    orient_seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    pipeline_skew: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    pipeline_orient: list[bool] = field(default_factory=list)
    quad_error: list[float] = field(default_factory=list)        # % of diagonal, corners named as the page's
    quad_error_any: list[float] = field(default_factory=list)    # % of diagonal, best corner naming
    photo_called: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    retake: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    megapixels: list[float] = field(default_factory=list)


def corpus_cases(corpus: Path | None, n: int, seed: int, workdir: Path) -> tuple[list[BenchCase], str]:
    """Cases from a given corpus, else a fresh synth corpus, else the scanner's own dev pages."""
    if corpus is None and importlib.util.find_spec("synth.generate") is not None:
        from synth.generate import generate_corpus

        corpus = workdir / "corpus"
        # books are long multi-page files; their pages are register pages, which "register" already covers
        generate_corpus(corpus, n=n, seed=seed, kinds=("cccd", "cmnd", "cancuoc", "gcn", "register"))
    if corpus is not None:
        from synth.truth import load_manifest

        cases = [BenchCase(Path(corpus) / tf.file, tp.page, tp.capture)
                 for tf in load_manifest(Path(corpus)) for tp in tf.pages]
        return cases, f"synth corpus {corpus}"
    from synth.devpages import write_dev_corpus

    made = write_dev_corpus(workdir / "dev", n=n, seed=seed)
    return [BenchCase(path, 0, capture) for path, capture in made], "scanner dev pages (synth not available)"


def _quad_errors(found: tuple, truth: list, diag: float) -> tuple[float, float]:
    est, ref = np.array(found, float), np.array(truth, float)
    strict = float(np.max(np.hypot(*(est - ref).T)) / diag * 100)
    any_order = min(float(np.max(np.hypot(*(np.roll(est, k, axis=0) - ref).T)) / diag * 100) for k in range(4))
    return strict, any_order


def run(cases: list[BenchCase], dpi: int = 300, methods: bool = True) -> BenchResult:
    res = BenchResult()
    loaded: tuple[Path | None, list] = (None, [])  # one file's pages in memory at a time
    for case in cases:
        if loaded[0] != case.path:
            loaded = (None, [])
            loaded = (case.path, list(read_pages(case.path, dpi=dpi)))
        source = loaded[1][case.page_index]
        cap = case.capture
        # intake already undid an EXIF tag: what is left to correct is the pixels' turn plus that undoing
        want_rotation = (360 - cap.rotation - source.exif_rotated) % 360
        truth_quad = _after_exif(cap.page_quad, source.exif_rotated, source.image.shape) if cap.page_quad else None
        phone = cap.condition == "phone"
        grey = cv2.cvtColor(source.image, cv2.COLOR_RGB2GRAY)
        if phone:  # methods are compared on the flattened sheet (truth quad), where skew is ~0 by construction
            if truth_quad:
                grey = cv2.cvtColor(warp_page(source.image, _as_seen(truth_quad, want_rotation)),
                                    cv2.COLOR_RGB2GRAY)
            truth_skew = 0.0
        else:
            truth_skew = cap.skew_deg
        if methods:
            for name, fn in deskew.METHODS.items():
                if name == "jdeskew" and importlib.util.find_spec("jdeskew") is None:
                    continue
                t0 = time.perf_counter()
                angle = fn(grey)
                res.skew_seconds[name].append(time.perf_counter() - t0)
                res.skew[name][cap.condition].append(abs(deskew._fold(angle - truth_skew)))
            upright_skew = deskew.rotate_image(grey, -deskew.estimate_skew(grey))
            for name, fn in orientation.METHODS.items():
                t0 = time.perf_counter()
                got = fn(upright_skew, READER)
                res.orient_seconds[name].append(time.perf_counter() - t0)
                res.orient[name].append(got == want_rotation)
        t0, c0 = time.perf_counter(), time.process_time()
        prepared = prepare_page(source, read_line=READER)
        res.seconds.append(time.perf_counter() - t0)
        res.cpu_seconds.append(time.process_time() - c0)
        res.megapixels.append(source.image.shape[0] * source.image.shape[1] / 1e6)
        res.pipeline_orient.append(prepared.rotation == want_rotation)
        res.photo_called[cap.condition].append(prepared.crop_quad is not None)
        res.retake[cap.condition].append(prepared.quality.retake)
        if phone and truth_quad:
            truth = np.array(truth_quad, float)
            diag = float(np.hypot(*(truth[2] - truth[0])))
            if prepared.crop_quad is None:
                res.quad_error.append(100.0)
                res.quad_error_any.append(100.0)
            else:
                strict, any_order = _quad_errors(prepared.crop_quad, truth_quad, diag)
                res.quad_error.append(strict)
                res.quad_error_any.append(any_order)
        else:
            res.pipeline_skew[cap.condition].append(abs(deskew._fold(cap.skew_deg + prepared.skew_angle)))
    return res


def _after_exif(quad: list, degrees: int, shape: tuple) -> list:
    """Truth corners are in the stored pixels; intake turned them clockwise by `degrees` (new shape given)."""
    h, w = shape[:2]  # after turning
    if degrees == 90:   # stored height = w
        return [(w - y, x) for x, y in quad]
    if degrees == 180:
        return [(w - x, h - y) for x, y in quad]
    if degrees == 270:  # stored width = h
        return [(y, h - x) for x, y in quad]
    return list(quad)


def _as_seen(page_quad: list, correction: int) -> tuple:
    """Truth corners are the page's own (TL of the upright page first); warping wants them as seen."""
    return tuple(np.roll(np.array(page_quad, float), -(correction // 90), axis=0).tolist())


def _stats(values: list[float]) -> str:
    if not values:
        return "      -      "
    arr = np.array(values)
    return f"{np.median(arr):5.3f}/{np.percentile(arr, 95):5.3f}"


def report(res: BenchResult, source: str, n_cases: int) -> str:
    out = [f"sohoa bench scanner — {n_cases} pages from {source}", ""]
    conditions = sorted({c for per in res.skew.values() for c in per} | set(res.pipeline_skew))
    if res.skew:
        out.append("Residual skew, degrees, median/p95 (target ≤0.100/≤0.300); phone = on the truth-flattened sheet")
        out.append(f"{'method':22s}" + "".join(f"{c:>14s}" for c in conditions) + f"{'all':>14s}{'ms/page':>9s}")
        for name, per in res.skew.items():
            every = [v for c in conditions for v in per.get(c, [])]
            out.append(f"{name:22s}" + "".join(f"{_stats(per.get(c, [])):>14s}" for c in conditions)
                       + f"{_stats(every):>14s}{1000 * np.mean(res.skew_seconds[name]):9.0f}")
        out.append(f"(kept: {deskew.KEPT_METHOD})")
        out.append("")
        out.append("Orientation 0/90/180/270, share correct (target ≥0.995)")
        for name, ok in res.orient.items():
            out.append(f"{name:22s}{np.mean(ok):8.3f}   {1000 * np.mean(res.orient_seconds[name]):6.0f} ms/page"
                       f"   ({int(np.sum(ok))}/{len(ok)})")
        out.append(f"(kept: {orientation.KEPT_METHOD})")
        out.append("")
    out.append("Whole prepare_page")
    every = [v for vals in res.pipeline_skew.values() for v in vals]
    out.append(f"  residual skew (scans) median/p95: {_stats(every)}   per condition: "
               + ", ".join(f"{c} {_stats(v)}" for c, v in sorted(res.pipeline_skew.items())))
    out.append(f"  orientation correct: {np.mean(res.pipeline_orient):.3f} ({int(np.sum(res.pipeline_orient))}/"
               f"{len(res.pipeline_orient)})")
    if res.quad_error:
        q, qa = np.array(res.quad_error), np.array(res.quad_error_any)
        out.append(f"  phone quad error, max corner distance % of diagonal: median {np.median(q):.2f}%, "
                   f"p95 {np.percentile(q, 95):.2f}%, within 1%: {np.mean(q <= 1):.3f} (target ≥0.95); "
                   f"ignoring corner naming: within 1% {np.mean(qa <= 1):.3f}")
    out.append("  treated as photo (page found and warped): " + ", ".join(
        f"{c} {np.mean(v):.2f}" for c, v in sorted(res.photo_called.items())))
    out.append("  quality gate says retake (these pages are all readable, so this is the false-alarm rate): "
               + ", ".join(f"{c} {np.mean(v):.2f}" for c, v in sorted(res.retake.items())))
    secs, cpu = np.array(res.seconds), np.array(res.cpu_seconds)
    out.append(f"  seconds per page (wall): mean {secs.mean():.2f}, median {np.median(secs):.2f}, max {secs.max():.2f} "
               f"(mean {np.mean(res.megapixels):.1f} MP/page); CPU mean {cpu.mean():.2f}, median "
               f"{np.median(cpu):.2f}")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.append(f"  peak RSS of this benchmark process (all methods, corpus generation): {rss_mb:.0f} MB")
    return "\n".join(out)


def _prepare_only(paths: list[str], dpi: int, queue) -> None:
    """In a fresh process: prepare every page of the files, report CPU s/page and peak RSS (VmHWM)."""
    import os

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    pages, c0 = 0, time.process_time()
    for path in paths:
        for source in read_pages(Path(path), dpi=dpi):
            prepare_page(source, read_line=READER)
            pages += 1
    cpu = (time.process_time() - c0) / max(1, pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    except OSError:
        pass
    queue.put((pages, cpu, peak))


def prepare_only(cases: list[BenchCase], dpi: int = 300) -> str:
    """What a pipeline worker pays for the scanner alone: a fresh process, pages prepared one after another."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    paths = sorted({str(c.path) for c in cases})
    proc = ctx.Process(target=_prepare_only, args=(paths, dpi, queue))
    proc.start()
    pages, cpu, peak = queue.get()
    proc.join()
    return (f"  prepare only, fresh process ({pages} pages): CPU {cpu:.2f} s/page (target ≤0.50 for A4 300 dpi), "
            f"peak RSS (VmHWM) {peak:.0f} MB (target ≤500)")


def bench(n: int, seed: int, corpus: Path | None, methods: bool = True) -> str:
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-scanner-") as tmp:
        cases, source = corpus_cases(corpus, n, seed, Path(tmp))
        res = run(cases, methods=methods)
        return report(res, source, len(cases)) + "\n" + prepare_only(cases)
