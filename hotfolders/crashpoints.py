"""Fault injection for the crash-safety tests: SOHOA_CRASH_AT="<point>:<n>" makes the process SIGKILL
itself the n-th time it reaches <point>. Unset (always, outside tests) it costs one dict lookup.

With SOHOA_CRASH_ONCE=<marker file> the crash happens once across processes (a respawned worker or a
restarted watcher then runs clean): the marker is written just before the kill.

Points: after_received, after_processing (main, before the job is handed out), in_worker (inside the worker
process, mid-file), after_commit (results committed, file not yet moved), after_move (moved, not yet noted).
"""
from __future__ import annotations

import os
import signal

CRASH_ENV = "SOHOA_CRASH_AT"
ONCE_ENV = "SOHOA_CRASH_ONCE"
_hits: dict[str, int] = {}


def maybe_crash(point: str) -> None:
    spec = os.environ.get(CRASH_ENV)
    if not spec:
        return
    name, _, nth = spec.partition(":")
    if name != point:
        return
    _hits[point] = _hits.get(point, 0) + 1
    if _hits[point] >= int(nth or 1):
        marker = os.environ.get(ONCE_ENV)
        if marker:
            if os.path.exists(marker):
                return
            with open(marker, "w") as fh:
                fh.write(point)
        os.kill(os.getpid(), signal.SIGKILL)
