"""Slow password guessing down without letting anyone lock a user out.

Failures are counted twice: per client address (across every name it tries: spraying many names from one
machine is slowed) and per account name (across addresses: a distributed guess at one account is slowed).
After FREE_FAILURES failures, each further try must wait a delay that doubles with every failure, capped
(ADDRESS_CAP for an address, NAME_CAP for a name). There is no lockout: once the delay has passed a right
password gets in, so five failures by one person never shut out a colleague behind the same NAT address for
more than a minute, and nobody can keep an account shut by failing its logins.

In memory (one app process: waitress serves with threads), bounded: at most MAX_ENTRIES of each kind, the
oldest forgotten first, and an entry is dropped once its window has passed.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

FREE_FAILURES = 3
BASE_DELAY = 1.0
ADDRESS_CAP = 60.0
NAME_CAP = 15.0
WINDOW_SECONDS = 15 * 60
MAX_ENTRIES = 10_000


@dataclass
class _Failures:
    count: int
    last: float


class _Counter:
    def __init__(self, cap: float, window: float, max_entries: int) -> None:
        self.cap, self.window, self.max_entries = cap, window, max_entries
        self.items: OrderedDict[str, _Failures] = OrderedDict()

    def wait(self, key: str, now: float) -> float:
        entry = self.items.get(key)
        if entry is None:
            return 0.0
        if now - entry.last > self.window:
            del self.items[key]
            return 0.0
        if entry.count <= FREE_FAILURES:
            return 0.0
        delay = min(self.cap, BASE_DELAY * 2 ** (entry.count - FREE_FAILURES - 1))
        return max(0.0, entry.last + delay - now)

    def fail(self, key: str, now: float) -> None:
        entry = self.items.pop(key, None)
        if entry is None or now - entry.last > self.window:
            entry = _Failures(0, now)
        entry.count, entry.last = entry.count + 1, now
        self.items[key] = entry
        while len(self.items) > self.max_entries:
            self.items.popitem(last=False)

    def clear(self, key: str) -> None:
        self.items.pop(key, None)


class LoginThrottle:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_entries: int = MAX_ENTRIES) -> None:
        self.clock = clock
        self._by_address = _Counter(ADDRESS_CAP, WINDOW_SECONDS, max_entries)
        self._by_name = _Counter(NAME_CAP, WINDOW_SECONDS, max_entries)
        self._lock = threading.Lock()

    @staticmethod
    def _name(name: str) -> str:
        return name.strip().casefold()[:64]

    def wait_seconds(self, name: str, addr: str) -> float:
        """How long this try must wait before a password is even checked (0 = go ahead)."""
        now = self.clock()
        with self._lock:
            return max(self._by_address.wait(addr, now), self._by_name.wait(self._name(name), now))

    def failed(self, name: str, addr: str) -> None:
        now = self.clock()
        with self._lock:
            self._by_address.fail(addr, now)
            self._by_name.fail(self._name(name), now)

    def succeeded(self, name: str, addr: str) -> None:
        """A right password clears the name's count (not the address's: a guesser cannot launder its
        address by logging into an account of its own)."""
        with self._lock:
            self._by_name.clear(self._name(name))

    def sizes(self) -> tuple[int, int]:
        with self._lock:
            return len(self._by_address.items), len(self._by_name.items)
