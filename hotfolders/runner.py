"""The pipeline runner: inbox files -> store rows -> worker pool -> one commit per file -> done/ or quarantine/.

Every step that matters is in the store before it happens, so a kill -9 anywhere is recovered on restart:
  1. a stable file is hashed and inserted as `received` (or as a `duplicate` of the first copy);
  2. it is set `processing` (attempt counted) and handed to a worker;
  3. pages + records + fields + state `done` commit in one transaction (or `quarantined` with a reason);
  4. the original is moved, then the move is noted. A file still in the inbox whose row is finished but not
     moved is simply moved on the next pass; `processing` rows of a dead run are requeued at start.
Several workstations may watch one shared inbox with one PostgreSQL store: each step above is done only
while holding the file's claim (store/files.py), renewed while this runner lives; the files of a runner
killed with -9 are taken over by the others once its leases run out. On SQLite the workspace lock makes
this runner the only one, so it takes every claim back at start.
Logs name files by id only: file names may hold personal names.
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import socket
import stat
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common.config import Settings
from common.crashpoints import maybe_crash
from common.errors import ClaimLost, FileKnown
from common.files import sha256_of
from hotfolders.junk import is_junk
from hotfolders.moves import (
    MOVE_PROBLEM,
    move_with_note,
    note_text,
    numbered,
    with_problem,
    without_move_problem,
)
from hotfolders.processor import ProcessorSettings, check_processor
from hotfolders.progress import Progress
from hotfolders.stability import StabilityTracker
from hotfolders.worker import Job, JobResult, init_worker, run_job
from hotfolders.workspace import Workspace
from store.db import Store
from store.types import Claim, FileRow, PageData

log = logging.getLogger(__name__)

MOVE_RETRY_SECONDS = 30.0
OTHERS_RECHECK_SECONDS = 1.0   # how often a file another workstation holds is tried again
NOTE_SUFFIX = {"quarantined": ".reason.txt", "duplicate": ".note.txt"}


def claimant_name(pid: int | None = None) -> str:
    """host:pid:start-time — unique per process for ever (a reused pid has another start time), and telling a
    restarted runner which claims belong to its own dead predecessors on this host."""
    import psutil

    pid = pid or os.getpid()
    return f"{socket.gethostname()[:60]}:{pid}:{int(psutil.Process(pid).create_time())}"


def is_dead_here(owner: str) -> bool:
    """True for a claimant of this host whose process is gone (a runner killed with -9 and restarted)."""
    import psutil

    host, pid, _started = (owner.rsplit(":", 2) + ["", ""])[:3]
    if host != socket.gethostname()[:60] or not pid.isdigit():
        return False
    try:
        return claimant_name(int(pid)) != owner
    except psutil.NoSuchProcess:
        return True
    except psutil.AccessDenied:
        return False


SYMLINK_REASON = ("liên kết tượng trưng (symlink), không phải một tệp: không đọc nơi nó trỏ tới; hãy chép chính "
                  "tệp vào inbox (a symbolic link, not a file: what it points to was not read; copy the file "
                  "itself into the inbox)")


def scan_inbox(inbox: Path) -> list[Path]:
    """Every candidate file under the inbox: hidden folders, junk and sidecar notes are skipped. A symbolic
    link is a candidate too — to a file or a folder, even a broken one — so it is quarantined, never
    followed (os.walk does not enter linked folders; they are listed here instead of silently skipped)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(inbox):
        found.extend(Path(dirpath) / d for d in sorted(dirnames) if os.path.islink(os.path.join(dirpath, d)))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and not os.path.islink(os.path.join(dirpath, d)))
        found.extend(Path(dirpath) / name for name in sorted(filenames) if not is_junk(name))
    return found


def link_hash(rel_path: str, target: str) -> str:
    """A symlink's identity in the store: where it sits and what it says, never what it points to."""
    return hashlib.sha256(f"symlink\0{rel_path}\0{target}".encode("utf-8", "surrogateescape")).hexdigest()


SPECIAL_KINDS = ((stat.S_ISFIFO, "named pipe / FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                 (stat.S_ISBLK, "block device"))


def special_kind(path: Path) -> str | None:
    """What a special file is (a pipe, a socket, a device), or None for a regular file, a folder, a link or
    a file gone meanwhile. Asked before anything opens the file: opening a pipe blocks."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None
    return next((name for test, name in SPECIAL_KINDS if test(mode)), None)


def special_hash(rel_path: str, kind: str) -> str:
    """A special file's identity in the store: where it sits and what kind it is (its content is never read)."""
    return hashlib.sha256(f"special\0{rel_path}\0{kind}".encode("utf-8", "surrogateescape")).hexdigest()


def special_reason(kind: str) -> str:
    return (f"tệp đặc biệt ({kind}), không phải một tệp ảnh hay PDF: không đọc; hãy chép chính tệp tài liệu vào "
            f"inbox (a special file, not an image or PDF: not read; copy the document file itself into the inbox)")


class InlineExecutor:
    """workers = 0: run jobs in this process (tests, debugging); same interface as the pool."""

    def __init__(self, spec: str, settings: ProcessorSettings):
        init_worker(spec, settings)

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


@dataclass
class InFlight:
    row: FileRow
    path: Path
    future: Future
    attempt: int


@dataclass
class RunStats:
    done: int = 0
    quarantined: int = 0
    duplicates: int = 0
    retried: int = 0
    moved_later: int = 0
    move_failures: int = 0
    pages: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    worker_pids: set[int] = field(default_factory=set)


class Runner:
    def __init__(self, ws: Workspace, config: Settings, *, report: Callable[[str], None] | None = None,
                 exclusive: bool = True):
        """`exclusive`: this runner holds the workspace lock (SQLite: the only runner); otherwise other
        workstations may work on the same inbox and store (PostgreSQL)."""
        check_processor(config.processor.name, config.processor.lang)  # before any file is touched
        self.ws, self.config = ws, config
        self.exclusive = exclusive
        self.store = Store(ws.store_url(config))
        self.claim = Claim(claimant_name(), timedelta(seconds=config.workers.lease_seconds))
        self.renewed_at = time.monotonic()
        self.others: dict[Path, float] = {}  # inbox files another workstation holds -> when to look again
        self.tracker = StabilityTracker(config.watch.stability_seconds)
        self.settings = ProcessorSettings(dpi=config.scan.dpi, max_pixels=config.scan.max_pixels, lang=config.processor.lang)
        self.executor = self._new_executor()
        self.in_flight: dict[int, InFlight] = {}
        self.retry_at: dict[int, tuple[float, Path]] = {}  # file id -> (monotonic time of next attempt, path)
        self.move_retry_at: dict[Path, float] = {}    # finished files that could not be moved yet
        self.hash_cache: dict[Path, tuple[int, int, str]] = {}
        self.stats = RunStats()
        self.progress = Progress(config.watch.progress_seconds, report or log.info)
        self.started = datetime.now(UTC)
        self.backlog = False
        self.unnoted: set[int] = set()  # rows another runner moved out of the inbox but has not noted yet
        self.unnoted_check_at = 0.0
        self._recover()

    # ---------------------------------------------------------------------------------------- set-up

    def _new_executor(self):
        n = self.config.workers.resolved
        if n == 0:
            return InlineExecutor(self.config.processor.name, self.settings)
        # spawn: the watcher has threads (watchdog), and forking a threaded process is unsafe
        return ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=init_worker, initargs=(self.config.processor.name, self.settings))

    def _pair_card_sides(self, file_id: int | None) -> None:
        """An ID card's front and back (two pages, or files dropped side by side) settle each other's fields
        (store/cards.py). A failure here costs the pairing, never the file: its results are committed; the
        next start tries again (file_id None: every folder still holding an unpaired front and back)."""
        try:
            if file_id is None:
                self.store.pair_unpaired_cards()
            else:
                self.store.pair_card_sides(file_id)
        except Exception:
            log.exception("không ghép được hai mặt thẻ (could not pair card sides) for file %s", file_id)

    def _recover(self) -> None:
        self._pair_card_sides(None)  # a run that stopped between a commit and its pairing
        if self.exclusive:  # the workspace lock says no other runner is alive: every claim is a dead one's
            self.store.release_claims(None)
            stale = self.store.requeue_stale(self.started)
            if stale:
                log.warning("xếp lại %d tệp dở dang từ lần chạy trước (requeued %d file(s) left processing by a "
                            "previous run): id %s", len(stale), len(stale), stale)
        else:  # other workstations' claims run out by themselves; our own host's dead runners' we free now
            for owner in self.store.claim_holders():
                if owner != self.claim.owner and is_dead_here(owner):
                    n = self.store.release_claims(owner)
                    log.warning("trả lại %d tệp của một lần chạy đã chết trên máy này (released %d claim(s) of a "
                                "dead runner of this workstation)", n, n)
        self._note_moves_of_the_dead()

    def _note_moves_of_the_dead(self) -> None:
        """A runner killed between moving a finished file out of the inbox and noting the move leaves a row
        that no inbox pass will ever meet again: note the move for it once its claim is free or has run out
        (at start, and — with other workstations alive — every few seconds, until no such row waits)."""
        self.unnoted = set()
        self.unnoted_check_at = time.monotonic() + OTHERS_RECHECK_SECONDS
        for row in self.store.files_not_moved():
            if row.id in self.in_flight or Path(row.origin_path).exists():
                continue  # ours, or still in the inbox: the normal pass moves it
            dest = self._find_moved_copy(row)
            if dest is None:
                continue  # not moved by anybody: nothing to note
            if not self.store.claim_file(row.id, self.claim):  # its holder lives (or its lease runs yet)
                self.unnoted.add(row.id)
                continue
            try:
                self.store.mark_moved(row.id, str(dest), self.claim)
                log.info("tệp %d đã được chuyển ở lần chạy trước; đã ghi nhận (moved by a previous run; noted)",
                         row.id)
            except ClaimLost:
                self.unnoted.add(row.id)

    def _moved_by_another(self, row: FileRow, path: Path, fresh_duplicate: bool) -> bool:
        """The file left the inbox before our move could: another runner moved it — one that registered the
        same re-dropped copy first (our fresh duplicate row then stands for nothing and is withdrawn), or
        one whose claim ran out while it was moving (the move is noted for it). True when settled."""
        if fresh_duplicate and self.store.withdraw_duplicate(row.id, self.claim):
            log.info("tệp %d: bản trùng đã được máy khác chuyển đi (moved by another workstation)", row.id)
            self.stats.duplicates -= 1
        else:
            dest = self._find_moved_copy(row)
            if dest is None:
                return False
            self.store.mark_moved(row.id, str(dest), self.claim)
            log.info("tệp %d đã được máy khác chuyển đi; đã ghi nhận (moved by another runner; noted)", row.id)
        self._gone_from_inbox(path)
        return True

    def _gone_from_inbox(self, path: Path) -> None:
        """Forget what this run kept about an inbox path whose file has left the inbox."""
        self.move_retry_at.pop(path, None)
        self.tracker.forget(path)
        self.hash_cache.pop(path, None)

    def _find_moved_copy(self, row: FileRow) -> Path | None:
        root = self.ws.quarantine if row.state == "quarantined" else self.ws.done
        dest = root / row.rel_path
        for n in range(1, 10_000):
            candidate = numbered(dest, n)  # the names free_name gives, long ones cut as it cuts them
            if not candidate.exists() and not candidate.is_symlink():
                return None
            if candidate.is_symlink():  # a quarantined link: compared by what it says, never followed
                if link_hash(row.rel_path, os.readlink(candidate)) == row.content_hash:
                    return candidate
                continue
            special = special_kind(candidate)
            if special:  # a quarantined pipe or device: compared by kind, never opened
                if special_hash(row.rel_path, special) == row.content_hash:
                    return candidate
                continue
            if candidate.stat().st_size == row.size and sha256_of(candidate) == row.content_hash:
                return candidate
        return None

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        try:
            self.store.release_claims(self.claim.owner)  # a clean stop: the others need not wait for leases
        finally:
            self.store.close()

    # ------------------------------------------------------------------------------------ main loop

    @property
    def busy(self) -> bool:
        """Work this run still has to wait for: files in flight, retries due, files not yet stable."""
        return bool(self.backlog or self.in_flight or self.retry_at or self.tracker.waiting or self.others
                    or self.unnoted)

    def recheck_paths(self) -> set[Path]:
        """Paths to look at again even without a new event: files still settling, retries, failed moves,
        files another workstation holds (taken over if it dies)."""
        return (set(self.tracker.paths) | {p for _, p in self.retry_at.values()} | set(self.move_retry_at)
                | set(self.others))

    def _prune_vanished(self) -> None:
        """A file waiting for a retry that the operator took away is no longer this run's work; a file
        another workstation held and has moved out is no longer anybody's."""
        for file_id, (_, path) in list(self.retry_at.items()):
            if not path.exists():
                del self.retry_at[file_id]
        for path in list(self.others):
            if not path.exists():
                del self.others[path]

    def _heartbeat(self) -> None:
        """Renew this runner's leases well before they run out (a third of the lease)."""
        if time.monotonic() - self.renewed_at >= self.claim.lease.total_seconds() / 3:
            self.store.renew_claims(self.claim)
            self.renewed_at = time.monotonic()

    def step(self, paths: Iterable[Path]) -> None:
        """Look at these inbox paths once, hand out what is ready, collect what finished."""
        self.backlog = False
        self._heartbeat()
        for path in paths:
            if len(self.in_flight) >= max(1, self.config.workers.resolved) * 2:
                self.collect(block=False)
                if len(self.in_flight) >= max(1, self.config.workers.resolved) * 2:
                    self.backlog = True  # the pool is full; the rest will be seen on the next pass
                    break
            self._consider(path)
        self.collect(block=False)
        self._prune_vanished()
        if not self.exclusive and time.monotonic() >= self.unnoted_check_at:
            self._note_moves_of_the_dead()
        self.progress.maybe_report(self.stats.done + self.stats.quarantined + self.stats.duplicates,
                                   len(self.in_flight) + len(self.retry_at) + self.tracker.waiting_count)

    def run_once(self, sleep: Callable[[float], None] = time.sleep) -> RunStats:
        """Process what is in the inbox now (waiting for files still being written), then return."""
        while True:
            self.step(scan_inbox(self.ws.inbox))
            if not self.busy:
                break
            self.collect(block=True, timeout=self.config.watch.poll_seconds)
            if not self.in_flight:
                sleep(self.config.watch.poll_seconds)
        self.progress.final(self.stats.done + self.stats.quarantined + self.stats.duplicates)
        return self.stats

    # ---------------------------------------------------------------------------------- one file

    def _consider(self, path: Path) -> None:
        special = special_kind(path)
        if path.is_symlink() or special:
            try:
                self._quarantine_unread(path, special)
            except (ClaimLost, FileKnown):  # another workstation is moving it
                self._held_elsewhere(path)
            return
        try:
            stat = path.stat()
        except FileNotFoundError:
            self.tracker.forget(path)
            return
        if not self.tracker.is_stable(path, stat.st_size, stat.st_mtime_ns):
            return
        if path in self.move_retry_at and time.monotonic() < self.move_retry_at[path]:
            return
        if any(item.path == path for item in self.in_flight.values()):
            return
        if path in self.others and time.monotonic() < self.others[path]:
            return
        try:
            content_hash = self._hash(path, stat.st_size, stat.st_mtime_ns)
        except FileNotFoundError:
            self.tracker.forget(path)
            return
        except OSError as exc:  # unreadable right now (share dropped, locked): look again later
            log.warning("chưa đọc được một tệp trong inbox (%s), sẽ thử lại (cannot read an inbox file yet; will retry)",
                        type(exc).__name__)
            return
        hint = self.ws.hint_for(path)
        try:
            self._take(path, hint, content_hash, stat.st_size)
        except (ClaimLost, FileKnown):  # another workstation got there first: it is theirs
            self._held_elsewhere(path)

    def _held_elsewhere(self, path: Path) -> None:
        self.others[path] = time.monotonic() + OTHERS_RECHECK_SECONDS

    def _take(self, path: Path, hint, content_hash: str, size: int) -> None:
        """Register, claim and hand out one stable inbox file (or move it when it is already finished)."""
        row = self.store.file_at(hint.rel_path, content_hash)
        if row is not None and not (row.state in ("done", "quarantined", "duplicate") and row.moved_at):
            if row.id in self.in_flight:
                return
            if not self.store.claim_file(row.id, self.claim):
                self._held_elsewhere(path)
                return
            self.others.pop(path, None)
            row = self.store.file(row.id)  # as claimed (a dead holder's `processing` is `received` again)
            if row.state in ("done", "quarantined", "duplicate"):
                self._move(row, path)       # finished before a crash (or a failed move): just move it
            else:
                due, _ = self.retry_at.get(row.id, (0.0, path))
                if time.monotonic() >= due:
                    self.retry_at.pop(row.id, None)
                    self._dispatch(row, path)
            return
        first = self.store.first_copy(content_hash)
        values = dict(origin_path=str(path), rel_path=hint.rel_path, kind_hint=hint.kind, commune=hint.commune,
                      book=hint.book)
        if first is None:
            row = self.store.add_file(content_hash=content_hash, size=size, claim=self.claim, **values)
            log.info("tệp %d: đã nhận (received)", row.id)
            maybe_crash("after_received")
            self._dispatch(row, path)
        elif first.state == "quarantined" and first.moved_at is not None:
            if not self.store.claim_file(first.id, self.claim):
                self._held_elsewhere(path)
                return
            self.store.reopen_file(first.id, claim=self.claim, **values)  # dropped again: try afresh
            log.info("tệp %d thả lại sau khi cách ly: xử lý lại (dropped again after quarantine: processing afresh)",
                     first.id)
            self._dispatch(self.store.file(first.id), path)
        else:
            reason = (f"trùng nội dung với tệp #{first.id} (duplicate of file #{first.id}, "
                      f"{first.rel_path})")
            row = self.store.add_file(content_hash=content_hash, size=size, duplicate_of=first.id,
                                      reason=reason, claim=self.claim, **values)
            log.info("tệp %d trùng với tệp %d (duplicate)", row.id, first.id)
            self.stats.duplicates += 1
            self._move(row, path, fresh_duplicate=True)

    def _quarantine_unread(self, path: Path, special: str | None = None) -> None:
        """A symlink (special None) or a special file — a named pipe, a socket, a device — dropped into the
        inbox is moved to quarantine/ as it is, with the reason beside it, and never opened: what a link points
        to may be outside the workspace, and reading a pipe waits for a writer for ever."""
        try:
            identity = os.readlink(path) if special is None else None
        except OSError:  # gone meanwhile
            return
        hint = self.ws.hint_for(path)
        digest = link_hash(hint.rel_path, identity) if special is None else special_hash(hint.rel_path, special)
        row = self.store.first_copy(digest)
        values = dict(origin_path=str(path), rel_path=hint.rel_path, kind_hint=hint.kind, commune=hint.commune,
                      book=hint.book)
        if row is None:
            row = self.store.add_file(content_hash=digest, size=0, claim=self.claim, **values)
        elif not self.store.claim_file(row.id, self.claim):
            self._held_elsewhere(path)
            return
        elif row.moved_at is not None:  # the same link (or pipe) dropped again
            self.store.reopen_file(row.id, claim=self.claim, **values)
        if self.store.file(row.id).state != "quarantined":
            if special is None:
                log.info("tệp %d là liên kết tượng trưng: cách ly, không đọc (a symlink: quarantined unread)", row.id)
                self._quarantine(self.store.file(row.id), path, "symlink", SYMLINK_REASON)
            else:
                log.info("tệp %d là tệp đặc biệt (%s): cách ly, không đọc (a special file: quarantined unread)",
                         row.id, special)
                self._quarantine(self.store.file(row.id), path, "special_file", special_reason(special))
        else:
            self._move(self.store.file(row.id), path)

    def _hash(self, path: Path, size: int, mtime_ns: int) -> str:
        cached = self.hash_cache.get(path)
        if cached and cached[:2] == (size, mtime_ns):
            return cached[2]
        digest = sha256_of(path)
        self.hash_cache[path] = (size, mtime_ns, digest)
        return digest

    def _dispatch(self, row: FileRow, path: Path) -> None:
        if row.attempts >= self.config.retry.max_attempts:
            # a file that keeps killing its worker (or the whole run) must not loop forever
            self._quarantine(row, path, "gave_up", f"đã thử {row.attempts} lần không thành công "
                             f"(gave up after {row.attempts} attempts)")
            return
        attempt = self.store.mark_processing(row.id, self.claim)
        maybe_crash("after_processing")
        hint = self.ws.hint_for(path)
        job = Job(row.id, str(path), hint, str(self.ws.work / str(row.id)))
        try:
            future = self.executor.submit(run_job, job)
        except BrokenProcessPool:
            self._restart_pool()
            future = self.executor.submit(run_job, job)
        self.in_flight[row.id] = InFlight(row, path, future, attempt)
        log.info("tệp %d: đang xử lý, lần %d (processing, attempt %d)", row.id, attempt, attempt)

    # ----------------------------------------------------------------------------------- results

    def collect(self, block: bool, timeout: float = 0.0) -> None:
        if not self.in_flight:
            return
        if block:
            from concurrent.futures import FIRST_COMPLETED, wait

            wait([i.future for i in self.in_flight.values()], timeout=timeout, return_when=FIRST_COMPLETED)
        broken = False
        for file_id, item in list(self.in_flight.items()):
            if not item.future.done():
                continue
            del self.in_flight[file_id]
            try:
                result: JobResult = item.future.result()
            except BrokenProcessPool:
                broken = True
                result = JobResult(file_id, failure="transient", code="worker_died",
                                   message="tiến trình xử lý bị dừng đột ngột (worker process died)")
            self._finish(item, result)
        if broken:
            self._restart_pool()

    def _restart_pool(self) -> None:
        log.warning("nhóm tiến trình xử lý bị hỏng, khởi động lại (worker pool broken; starting a new one)")
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new_executor()

    def _finish(self, item: InFlight, result: JobResult) -> None:
        try:
            self._record_result(item, result)
        except ClaimLost:  # stalled past our lease and taken over: the other workstation's result counts
            log.warning("tệp %d đã được máy khác nhận lại; bỏ kết quả này (taken over by another workstation; "
                        "this result is dropped)", item.row.id)
            self.retry_at.pop(item.row.id, None)
            self._held_elsewhere(item.path)

    def _record_result(self, item: InFlight, result: JobResult) -> None:
        row, path = item.row, item.path
        if result.worker_pid:
            self.stats.worker_pids.add(result.worker_pid)
        if result.outcome is not None:
            outcome = result.outcome
            pages = [PageData(p.page_index, p.prepared_path, p.archival_path, p.quality) for p in outcome.pages]
            record_ids = self.store.commit_file_results(row.id, pages, outcome.records, self.claim)
            maybe_crash("after_commit")
            self._pair_card_sides(row.id)
            log.info("tệp %d: xong, %d trang, bản ghi %s (done: pages, records)", row.id, len(pages), record_ids)
            self.stats.done += 1
            self.stats.pages += len(pages)
            for stage, seconds in outcome.stage_seconds.items():
                self.stats.stage_seconds[stage] = self.stats.stage_seconds.get(stage, 0.0) + seconds
            self._move(self.store.file(row.id), path)
        elif result.failure == "permanent":
            log.info("tệp %d: cách ly, mã %s (quarantined)", row.id, result.code)
            self._quarantine(row, path, result.code, result.message)
        else:
            log.warning("tệp %d: lần %d lỗi (%s), sẽ thử lại (attempt failed, will retry): %s", row.id, item.attempt,
                        result.code, result.detail)
            if item.attempt >= self.config.retry.max_attempts:
                self._quarantine(row, path, "gave_up", f"{result.message}; đã thử {item.attempt} lần "
                                 f"(gave up after {item.attempt} attempts)")
            else:
                self.store.mark_received(row.id, reason=result.message, reason_code=result.code, claim=self.claim)
                delay = self.config.retry.backoff_seconds * 2 ** (item.attempt - 1)
                self.retry_at[row.id] = (time.monotonic() + delay, path)
                self.stats.retried += 1

    def _quarantine(self, row: FileRow, path: Path, code: str, reason: str) -> None:
        self.store.quarantine_file(row.id, code, reason, self.claim)
        self.stats.quarantined += 1
        self._move(self.store.file(row.id), path)

    def _move(self, row: FileRow, path: Path, fresh_duplicate: bool = False) -> None:
        """Move a finished file out of the inbox (its outcome is already committed). A failure leaves it in
        place with a reason in the store; it is tried again later, and the run goes on. `fresh_duplicate`:
        the row was registered just now by this runner as a duplicate."""
        root = self.ws.quarantine if row.state == "quarantined" else self.ws.done
        reason = without_move_problem(row.reason)
        note = None
        if row.state in NOTE_SUFFIX:
            note = note_text(file_id=row.id, rel_path=row.rel_path, state=row.state, code=row.reason_code,
                             reason=reason, when=datetime.now(UTC))
        try:
            dest = move_with_note(path, root / row.rel_path, note, NOTE_SUFFIX.get(row.state, ""))
        except OSError as exc:
            if isinstance(exc, FileNotFoundError) and not os.path.lexists(path) and \
                    self._moved_by_another(row, path, fresh_duplicate):
                return
            problem = (f"{MOVE_PROBLEM} {root.name}/ ({type(exc).__name__}); tệp vẫn ở inbox, "
                       f"sẽ thử lại (could not move the file to {root.name}/; it stays in the inbox, will retry)")
            log.error("tệp %d đã lưu (%s) nhưng chưa chuyển được khỏi inbox (committed, could not be moved): %s",
                      row.id, row.state, type(exc).__name__)
            if row.state == "quarantined":
                self.store.note_problem(row.id, with_problem(row.reason, problem), row.reason_code, self.claim)
            else:
                self.store.note_problem(row.id, problem, "move_failed", self.claim)
            self.move_retry_at[path] = time.monotonic() + max(MOVE_RETRY_SECONDS, self.config.watch.rescan_seconds)
            self.stats.move_failures += 1
            return
        maybe_crash("after_move")
        self._gone_from_inbox(path)
        if row.reason_code == "move_failed":
            self.store.note_problem(row.id, "", "", self.claim)
            self.stats.moved_later += 1
        elif reason != row.reason:  # a quarantined file that could not be moved before: its own reason again
            self.store.note_problem(row.id, reason, row.reason_code, self.claim)
            self.stats.moved_later += 1
        self.store.mark_moved(row.id, str(dest), self.claim)
