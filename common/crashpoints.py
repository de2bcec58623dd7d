"""Fault injection for the crash-safety tests: SOHOA_CRASH_AT="<point>:<n>" makes the process SIGKILL
itself the n-th time it reaches <point>; SOHOA_FAIL_AT="<point>:<n>" makes it raise InjectedFault there
instead (a failing disk or driver, in-process). Unset (always, outside tests) it costs one dict lookup.
These two variables are test hooks, not configuration.

With SOHOA_CRASH_ONCE=<marker file> the crash happens once across processes (a respawned worker or a
restarted watcher then runs clean): the marker is written just before the kill.

Points: after_received, after_processing (main, before the job is handed out), in_worker (inside the worker
process, mid-file), after_commit (results committed, file not yet moved), after_move (moved, not yet noted);
in the store: review_claim (a reviewer takes a record), review_field (before each field a review save
writes), review_decision (before its decision row), review_commit (all written, not committed), review_saved
(committed), approval / approval_commit (an approval or send-back before its row / before its commit),
export_run (a run's row written or finished), export_book (a backlog book started), export_mark (before
export marks a batch of records), export_commit (marked, not committed); in the exporters: export_file (a
file complete under its temporary name, before the rename) and export_publish (a book's workbook before it
takes its final name). tests/test_review_faults.py and tests/test_export_crash.py kill and fail at each.
"""
from __future__ import annotations

import os
import signal

CRASH_ENV = "SOHOA_CRASH_AT"
FAIL_ENV = "SOHOA_FAIL_AT"
ONCE_ENV = "SOHOA_CRASH_ONCE"
_hits: dict[str, int] = {}


class InjectedFault(RuntimeError):
    """Raised at a fault point by SOHOA_FAIL_AT (tests only)."""


def maybe_crash(point: str) -> None:
    failing = os.environ.get(FAIL_ENV)
    if failing and _reached(failing, point, "fail"):
        raise InjectedFault(f"injected fault at {point}")
    spec = os.environ.get(CRASH_ENV)
    if not spec or not _reached(spec, point, "crash"):
        return
    marker = os.environ.get(ONCE_ENV)
    if marker:
        if os.path.exists(marker):
            return
        with open(marker, "w") as fh:
            fh.write(point)
    os.kill(os.getpid(), signal.SIGKILL)


def reset() -> None:
    """Forget how often each point was reached (a test that sets SOHOA_FAIL_AT starts counting afresh)."""
    _hits.clear()


def _reached(spec: str, point: str, mode: str) -> bool:
    """True the n-th time (and after) `point` is reached under `spec` = "<point>:<n>"."""
    name, _, nth = spec.partition(":")
    if name != point:
        return False
    key = f"{mode}:{point}"
    _hits[key] = _hits.get(key, 0) + 1
    return _hits[key] >= int(nth or 1)
