"""`sohoa watch`: watchdog events for speed, a periodic full rescan because network shares drop events,
and a re-check of files still settling (a file that stops changing sends no further event)."""
from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from common.config import Settings
from common.errors import WorkspaceError
from hotfolders.junk import is_junk
from hotfolders.runner import Runner, RunStats, scan_inbox
from hotfolders.workspace import Workspace

log = logging.getLogger(__name__)


class WorkspaceBusy(WorkspaceError):
    """Another watcher already works on this workspace."""

    code = "workspace_busy"


class WorkspaceLock:
    """One watcher per workspace: two would race on the same inbox files."""

    def __init__(self, ws: Workspace):
        self.path = ws.root / ".watch.lock"
        self.fh = None

    def __enter__(self) -> WorkspaceLock:
        self.fh = open(self.path, "a+")  # noqa: SIM115 — held for the life of the watcher
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self.fh.close()
            raise WorkspaceBusy("một tiến trình `sohoa watch` khác đang chạy trên thư mục này "
                                "(another `sohoa watch` is running on this workspace)") from exc
        return self

    def __exit__(self, *exc) -> None:
        if self.fh:
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()


class _Collector:
    """Watchdog handler: remembers which paths changed; the main loop decides what to do with them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.paths: set[Path] = set()

    def dispatch(self, event) -> None:
        if event.is_directory:
            return
        for attr in ("src_path", "dest_path"):
            raw = getattr(event, attr, "")
            if raw:
                path = Path(raw.decode() if isinstance(raw, bytes) else raw)
                if not is_junk(path.name):
                    with self.lock:
                        self.paths.add(path)

    def drain(self) -> set[Path]:
        with self.lock:
            paths, self.paths = self.paths, set()
        return paths


def run_once(ws: Workspace, config: Settings, report: Callable[[str], None] | None = None) -> RunStats:
    with WorkspaceLock(ws):
        runner = Runner(ws, config, report=report)
        try:
            return runner.run_once()
        finally:
            runner.close()


def watch_forever(ws: Workspace, config: Settings, report: Callable[[str], None] | None = None,
                  stop: threading.Event | None = None) -> RunStats:
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    stop = stop or threading.Event()
    with WorkspaceLock(ws):
        runner = Runner(ws, config, report=report)
        collector = _Collector()
        observer = PollingObserver() if config.watch.observer == "polling" else Observer()
        observer.schedule(collector, str(ws.inbox), recursive=True)
        observer.start()
        log.info("đang theo dõi inbox, %d tiến trình (watching the inbox, %d worker(s))", config.workers.resolved,
                 config.workers.resolved)
        last_rescan = float("-inf")
        try:
            while not stop.is_set():
                paths = collector.drain() | runner.recheck_paths()
                if time.monotonic() - last_rescan >= config.watch.rescan_seconds:
                    paths |= set(scan_inbox(ws.inbox))
                    last_rescan = time.monotonic()
                runner.step(sorted(p for p in paths if p.is_relative_to(ws.inbox)))
                runner.collect(block=True, timeout=config.watch.poll_seconds)
                if not runner.in_flight:
                    stop.wait(config.watch.poll_seconds)
        finally:
            observer.stop()
            observer.join(timeout=5)
            runner.close()
        return runner.stats
