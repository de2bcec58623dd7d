"""`sohoa bench pipeline`: generated pages into a fresh workspace, `watch --once` with the real processor,
then pages/s, time per stage, peak memory per worker and the projection for the province's 1.73 million
pages on one such workstation."""
from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common.doctypes import load_registry
from hotfolders.runner import Runner, RunStats
from hotfolders.workspace import init_workspace

PROVINCE_PAGES = 1_730_000


@dataclass
class BenchFigures:
    files: int
    pages: int
    seconds: float
    stats: RunStats
    workers: int
    peak_rss_mb: dict[int, float] = field(default_factory=dict)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


class RssSampler:
    """Peak resident memory of each worker process (children of this one), sampled a few times a second."""

    def __init__(self, interval: float = 0.2):
        import psutil

        self.me = psutil.Process()
        self.interval = interval
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            procs = self.me.children(recursive=True) or [self.me]
            for proc in procs:
                try:
                    rss = proc.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                self.peaks[proc.pid] = max(self.peaks.get(proc.pid, 0.0), rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_bench(out: Path, n: int, seed: int, kinds: list[str], workers: int | None, dpi: int | None) -> BenchFigures:
    from synth.generate import generate_corpus

    if out.exists():
        shutil.rmtree(out)
    corpus = out / "corpus"
    truths = generate_corpus(corpus, n=n, seed=seed, kinds=kinds, conditions=["clean", "skewed", "photocopy"],
                             dpi=dpi, book_pages=(3, 6))
    ws = init_workspace(out / "workspace")
    registry = load_registry()
    for i, truth in enumerate(truths):
        doc = registry.get(truth.pages[0].doc_type)
        kind_folder = doc.type.inbox[0] if doc is not None and doc.type.inbox else "auto"
        dest = ws.inbox / kind_folder / "Xã Thử Nghiệm" / f"Q{i % 3 + 1:02d}" / Path(truth.file).name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus / truth.file, dest)
    config = ws.settings()
    config.watch.stability_seconds = 0.0  # the files are complete: measure processing, not the pickup window
    config.watch.progress_seconds = 15.0
    if workers is not None:
        config.workers.count = workers
    start = time.perf_counter()
    with RssSampler() as sampler:
        runner = Runner(ws, config, report=print)
        try:
            stats = runner.run_once()
        finally:
            runner.close()
    seconds = time.perf_counter() - start
    peaks = {pid: mb for pid, mb in sampler.peaks.items() if pid in stats.worker_pids} or sampler.peaks
    return BenchFigures(files=len(truths), pages=stats.pages, seconds=seconds, stats=stats,
                        workers=config.workers.resolved, peak_rss_mb=peaks)


def format_figures(fig: BenchFigures, kinds: list[str]) -> str:
    s = fig.stats
    lines = [f"pipeline: {fig.files} tệp (files), {fig.pages} trang (pages), loại (kinds) {','.join(kinds)}, "
             f"{fig.workers} worker(s)",
             f"  xong/cách ly/trùng (done/quarantined/duplicate): {s.done}/{s.quarantined}/{s.duplicates}",
             f"  thời gian (wall time): {fig.seconds:.1f} s  ->  {fig.pages_per_second:.2f} trang/giây (pages/s)"]
    if fig.pages:
        lines.append("  thời gian mỗi trang theo bước (per-page seconds by stage, summed over workers):")
        for stage, seconds in sorted(s.stage_seconds.items(), key=lambda kv: -kv[1]):
            lines.append(f"    {stage:<10} {seconds / fig.pages:.3f} s")
    for pid, mb in sorted(fig.peak_rss_mb.items()):
        lines.append(f"  RSS đỉnh (peak RSS) pid {pid}: {mb:.0f} MB")
    if fig.pages_per_second:
        hours = PROVINCE_PAGES / fig.pages_per_second / 3600
        lines.append(f"  dự kiến 1,73 triệu trang (projection for 1.73 M pages): {hours:,.0f} giờ máy (machine hours)"
                     f" = {hours / 24:,.1f} ngày chạy liên tục (days non-stop) = {hours / 8:,.0f} ngày 8 giờ "
                     f"(8-hour days)")
        lines.append(f"  mục tiêu ≥ 1 trang/giây (target ≥ 1 page/s): "
                     f"{'đạt (met)' if fig.pages_per_second >= 1 else 'chưa đạt (not met)'}")
    return "\n".join(lines)
