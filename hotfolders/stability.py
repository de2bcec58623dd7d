"""A file is taken only once its size and mtime have stayed the same for the whole window: a scanner or a
copy over the network writes a file in pieces, and half a file must never be processed."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


class StabilityTracker:
    def __init__(self, window_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.window = window_seconds
        self.clock = clock
        self._seen: dict[Path, tuple[int, int, float]] = {}  # path -> (size, mtime_ns, since)

    def is_stable(self, path: Path, size: int, mtime_ns: int) -> bool:
        """Record this observation; True once the same (size, mtime) has been seen for the window."""
        now = self.clock()
        seen = self._seen.get(path)
        if seen is None or seen[:2] != (size, mtime_ns):
            self._seen[path] = (size, mtime_ns, now)
            return self.window <= 0
        return now - seen[2] >= self.window

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)

    @property
    def paths(self) -> list[Path]:
        return list(self._seen)

    @property
    def waiting_count(self) -> int:
        """Files seen but not yet stable (still being written, or seen for less than the window)."""
        now = self.clock()
        return sum(1 for _, _, since in self._seen.values() if now - since < self.window)

    @property
    def waiting(self) -> bool:
        return self.waiting_count > 0
