"""Progress for long runs: files finished, files/s and an ETA, printed every few seconds."""
from __future__ import annotations

import time
from collections.abc import Callable


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    def __init__(self, interval: float, report: Callable[[str], None], clock: Callable[[], float] = time.monotonic):
        self.interval, self.report, self.clock = interval, report, clock
        self.start = clock()
        self.last = self.start

    def line(self, finished: int, remaining: int) -> str:
        elapsed = max(self.clock() - self.start, 1e-9)
        rate = finished / elapsed
        eta = _duration(remaining / rate) if rate > 0 and remaining else "—"
        return (f"tiến độ (progress): {finished} tệp xong (files done), {remaining} đang chờ (waiting), "
                f"{rate:.2f} tệp/giây (files/s), còn khoảng (ETA) {eta}")

    def maybe_report(self, finished: int, remaining: int) -> None:
        now = self.clock()
        if self.interval > 0 and now - self.last >= self.interval:
            self.last = now
            self.report(self.line(finished, remaining))

    def final(self, finished: int) -> None:
        elapsed = self.clock() - self.start
        self.report(f"xong (finished): {finished} tệp trong {_duration(elapsed)} (files in {_duration(elapsed)})")
