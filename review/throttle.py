"""Slow down password guessing: after a few failed logins for one name from one address, refuse further
tries for a while. In memory (one app process); a restart clears it, which is acceptable on a LAN."""
from __future__ import annotations

import threading
import time
from collections import deque

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
BLOCK_SECONDS = 5 * 60


class LoginThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 block: float = BLOCK_SECONDS) -> None:
        self.max_failures, self.window, self.block = max_failures, window, block
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, name: str, addr: str) -> bool:
        key, now = (name.strip().casefold(), addr), time.monotonic()
        with self._lock:
            times = self._failures.get(key)
            if not times:
                return False
            while times and now - times[0] > self.window:
                times.popleft()
            return len(times) >= self.max_failures and now - times[-1] < self.block

    def failed(self, name: str, addr: str) -> None:
        with self._lock:
            self._failures.setdefault((name.strip().casefold(), addr), deque(maxlen=self.max_failures)).append(
                time.monotonic())

    def succeeded(self, name: str, addr: str) -> None:
        with self._lock:
            self._failures.pop((name.strip().casefold(), addr), None)
