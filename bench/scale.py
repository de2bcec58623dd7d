"""`sohoa bench scale`: the province's backlog in one store — 1.73 million civil-status registrations — on
PostgreSQL and on SQLite, and what the everyday commands cost at that size.

Filling: rows are inserted directly (store.bulk_insert: COPY on PostgreSQL, executemany on SQLite), no
OCR. Every registration is a KS record with its ~25 fields (synth.backlog's generator, invented people),
one scanned file and one page row (no image: the export counts it "without scans", as a legacy import),
spread over the province's communes (the official list of the commune table's province), 30 years and
books of ~280 registrations; statuses as a backlog in full swing: 75 % approved, 8 % reviewed, 15 %
extracted (half of them with a flagged name: the review queue), 2 % sent back; review decisions for every
reviewed record; 1 % more files quarantined; received times over the last 300 days.

Measured, each on the filled store:
- `status` (hotfolders.status.status_report) and `report` (build_report + write_report) wall time;
- the review queue page (GET / for a logged-in reviewer, Flask test client: server time, no network);
- `export --all` (export.backlog.export_backlog with the command's defaults: LibreOffice re-read, one
  writer per core) in a fresh process: rows exported, rows/s, peak RSS, and RSS sampled along the way
  (flat memory = the same at 10 % and at 100 %).
The worker sweep starts 1, 2 and 4 `sohoa watch --once` processes (one worker each) on one shared inbox
and one PostgreSQL database, with a processor that burns a fixed amount of CPU per file (BurnProcessor: a
stand-in for OCR's CPU load, so the figures show the coordination, not Tesseract), and reports files/s.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue as queue_module
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROVINCE_RECORDS = 1_730_000
YEARS = 30
FIRST_YEAR = 1995
CHUNK = 20_000
SPAN_DAYS = 300
Progress = Callable[[str], None]


@dataclass
class FillStats:
    records: int
    files: int
    fields: int
    decisions: int
    books: int
    seconds: float


@dataclass
class ScaleResult:
    backend: str
    fill: FillStats
    status_s: float = 0.0
    report_build_s: float = 0.0
    report_s: float = 0.0
    queue_ms: list[float] = field(default_factory=list)
    next_ms: list[float] = field(default_factory=list)
    export: dict = field(default_factory=dict)
    db_mb: float = 0.0


# ------------------------------------------------------------------------------------------ filling

def province_communes() -> list[str]:
    """The official commune codes of the commune table's province (Hải Dương: 207 wards and communes of
    the 2008–2025 list), so every export resolves its commune, district and province."""
    from export.communes import load_communes
    from extract.places import HISTORICAL, gazetteer

    table = load_communes(None)
    gz = gazetteer()
    from common.text import nfc

    wanted = nfc(table.province).casefold()
    province = next(p for p in gz.provinces(HISTORICAL) if wanted in nfc(p.name).casefold())
    return [unit.code for unit in gz.communes_of_province(province)]


def _book_of(index: int, n_books: int, n: int, communes: list[str]) -> tuple[str, int, str]:
    """(commune code, year, book label) of the record at `index`: consecutive records share a book."""
    b = index * n_books // n
    year = FIRST_YEAR + (b // len(communes)) % YEARS
    number = 1 + b // (len(communes) * YEARS)
    return communes[b % len(communes)], year, f"{year}-{number:02d}"


def fill(store, records: int, *, seed: int = 1, progress: Progress | None = None) -> FillStats:
    """Load `records` registrations (and their files, pages, fields, decisions) into an empty store."""
    from synth.backlog import synthetic_ks_fields

    started = time.perf_counter()
    communes = province_communes()
    n_books = max(1, min(len(communes) * YEARS * 4, records // 280 or 1))
    rng = random.Random(seed)
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    start = end - timedelta(days=SPAN_DAYS)
    totals = {"files": 0, "fields": 0, "decisions": 0}
    file_id = field_id = decision_id = 0
    # 4,096 generated registrations (invented people) reused with their own number, date and ID: generating
    # 1.73 million names one by one would take longer than loading them
    people = [synthetic_ks_fields(rng, 1, 2000, "01") for _ in range(4096)]
    for chunk_start in range(0, records, CHUNK):
        rows: dict[str, list[tuple]] = {t: [] for t in ("files", "pages", "records", "record_pages", "fields",
                                                         "review_decisions")}
        for i in range(chunk_start, min(records, chunk_start + CHUNK)):
            commune, year, book = _book_of(i, n_books, records, communes)
            received = start + timedelta(seconds=SPAN_DAYS * 86400 * i / records)
            done = received + timedelta(seconds=40)
            record_id = i + 1
            if i % 100 == 99:  # a file that could not be processed: no record
                file_id += 1
                rows["files"].append(_file_row(file_id, commune, book, received, "quarantined", "corrupt",
                                               "tệp bị hỏng (corrupt file)"))
            file_id += 1
            rows["files"].append(_file_row(file_id, commune, book, received, "done", "", ""))
            rows["pages"].append((file_id, file_id, 0, "", "", {}))
            roll = rng.random()
            status = ("approved" if roll < 0.75 else "reviewed" if roll < 0.83 else "extracted" if roll < 0.98
                      else "in_review")
            flagged = status == "extracted" and rng.random() < 0.5
            submitted = done + timedelta(days=1) if status != "extracted" else None
            approved = done + timedelta(days=2) if status == "approved" else None
            rows["records"].append((record_id, file_id, 0, "ks", commune, book, status, 0.97, "", 0, done,
                                    done if status == "extracted" else done + timedelta(days=2), submitted,
                                    approved))
            rows["record_pages"].append((record_id, file_id, 0))
            number = i % 280 + 1
            day, month = 1 + i % 28, 1 + i % 12
            values = dict(people[i % len(people)], so=f"{number:02d}/{year}", quyenSo=book.split("-")[1],
                          trangSo=str(number), ngayDangKy=f"{day:02d}.{month:02d}.{year}",
                          nksSoDinhDanh=f"030{2 + i % 2}{year % 100:02d}{i % 1_000_000:06d}",
                          nksNgaySinh=f"{max(1, day - 3):02d}.{month:02d}.{year}")
            for key, value in values.items():
                field_id += 1
                unsure = flagged and key == "nksHoTen"
                rows["fields"].append((field_id, record_id, key, None, value, 0.62 if unsure else 0.98,
                                       "needs_review" if unsure else "accepted", "", None, 0, "ocr", done))
            actions = {"approved": ("submitted", "approved"), "reviewed": ("submitted",),
                       "in_review": ("submitted", "sent_back")}.get(status, ())
            for k, action in enumerate(actions, start=1):
                decision_id += 1
                rows["review_decisions"].append((decision_id, record_id, action, "kiemtra" if k == 1 else "duyet",
                                                 done + timedelta(days=k), ""))
        for table, values in rows.items():
            store.bulk_insert(table, COLUMNS[table], values)
        totals["files"] += len(rows["files"])
        totals["fields"] += len(rows["fields"])
        totals["decisions"] += len(rows["review_decisions"])
        if progress:
            done_n = min(records, chunk_start + CHUNK)
            progress(f"  nạp (loaded) {done_n:,}/{records:,} bản ghi, {time.perf_counter() - started:.0f} s")
    store.reset_id_sequences()
    store.analyze()
    return FillStats(records, totals["files"], totals["fields"], totals["decisions"], n_books,
                     time.perf_counter() - started)


COLUMNS = {
    "files": ("id", "content_hash", "size", "origin_path", "rel_path", "kind_hint", "commune", "book", "state",
              "attempts", "reason_code", "reason", "duplicate_of", "dest_path", "received_at", "started_at",
              "finished_at", "moved_at", "updated_at"),
    "pages": ("id", "file_id", "page_index", "prepared_path", "archival_path", "quality"),
    "records": ("id", "file_id", "record_index", "doc_type", "commune", "book", "status", "doc_confidence",
                "reason", "version", "created_at", "updated_at", "first_submitted_at", "first_approved_at"),
    "record_pages": ("record_id", "page_id", "position"),
    "fields": ("id", "record_id", "key", "owner_index", "value", "confidence", "status", "reason", "box", "page",
               "source", "updated_at"),
    "review_decisions": ("id", "record_id", "action", "user_name", "at", "comment"),
}


def _file_row(file_id: int, commune: str, book: str, received: datetime, state: str, code: str,
              reason: str) -> tuple:
    finished = received + timedelta(seconds=40)
    rel = f"KS/{commune}/{book}/{file_id:07d}.jpg"
    return (file_id, hashlib.sha256(str(file_id).encode()).hexdigest(), 350_000, f"/kho/inbox/{rel}", rel, "KS",
            commune, book, state, 1, code, reason, None, f"/kho/done/{rel}", received, received + timedelta(
                seconds=5), finished, finished, finished)


# ------------------------------------------------------------------------------------------ measuring

def _timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def measure_status(ws) -> float:
    from hotfolders.status import status_report

    seconds, _ = _timed(lambda: status_report(ws))
    return seconds


def measure_report(ws) -> tuple[float, float]:
    """(seconds to build the report from the store, seconds for the whole `sohoa report`: build + Excel with
    its chart + PNG chart)."""
    from export.communes import load_communes
    from export.report import LEVELS, build_report, write_report
    from store.db import Store

    out = Path(tempfile.mkdtemp(prefix="sohoa-bench-report-"))
    try:
        t0 = time.perf_counter()
        with Store(ws.store_url()) as store:
            report = build_report(store, communes=load_communes(ws.root))
        built = time.perf_counter() - t0
        write_report(report, out / "bao-cao.xlsx", LEVELS)
        return built, time.perf_counter() - t0
    finally:
        shutil.rmtree(out, ignore_errors=True)


def measure_queue(ws, repeats: int = 5) -> tuple[list[float], list[float]]:
    """Server time of the reviewer's queue page (GET /) and of 'next' (POST /next: claim and open)."""
    import re

    from review.app import create_app
    from review.users import add_user

    app = create_app(ws.root, testing=True)
    password = "mat-khau-do-thu-9"
    add_user(app.config["STORE"], "kiemtra", "reviewer", password, actor="bench")
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"name": "kiemtra", "password": password, "csrf_token": token}).status_code == 302
    queue_ms, next_ms = [], []
    for _ in range(repeats):
        seconds, resp = _timed(lambda: client.get("/"))
        assert resp.status_code == 200
        queue_ms.append(seconds * 1000)
        token = re.search(r'name="csrf_token" value="([^"]+)"', resp.text).group(1)
        seconds, resp = _timed(lambda: client.post("/next", data={"csrf_token": token}))  # noqa: B023
        assert resp.status_code == 302
        next_ms.append(seconds * 1000)
    app.config["STORE"].close()
    return queue_ms, next_ms


def _export_child(root: str, workers: int, libreoffice: bool, max_books: int | None, results) -> None:
    try:
        results.put(("ok", _export_here(Path(root), workers, libreoffice, max_books)))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export_here(root: Path, workers: int, libreoffice: bool, max_books: int | None = None) -> dict:
    """`sohoa export --all` as the command runs it, in this (fresh) process."""
    import psutil

    from common.workspace import open_workspace
    from export.backlog import export_backlog
    from export.books import ExportOptions
    from export.communes import load_communes
    from export.from_store import count_books
    from export.rules import workspace_rule
    from store.db import Store

    ws = open_workspace(root)
    me = psutil.Process()
    samples: list[tuple[int, float]] = []
    books_done = [0]
    with Store(ws.store_url()) as store:
        total = min(count_books(store), max_books or 10**9)
        marks = {max(1, round(total * f)) for f in (0.1, 0.25, 0.5, 0.75, 1.0)}
        baseline = me.memory_info().rss / 2**20

        def progress(_line: str) -> None:
            books_done[0] += 1
            if books_done[0] in marks:
                samples.append((round(100 * books_done[0] / total), me.memory_info().rss / 2**20))

        out = Path(tempfile.mkdtemp(prefix="sohoa-bench-scale-export-"))
        try:
            t0, cpu0 = time.perf_counter(), time.process_time()
            report = export_backlog(store, out, communes=load_communes(ws.root),
                                    options=ExportOptions(libreoffice=libreoffice, rule=workspace_rule(ws.root)),
                                    workspace=ws.root, progress=progress, workers=workers, max_books=max_books)
            seconds = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
        finally:
            shutil.rmtree(out, ignore_errors=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    rows = sum(e.rows for e in report.written)
    return {"rows": rows, "books": len(report.written), "seconds": seconds, "rows_per_s": rows / seconds,
            "cpu_s": cpu + children.ru_utime + children.ru_stime, "peak_rss_mb": _max_rss_mb(),
            "baseline_rss_mb": baseline, "worker_peak_rss_mb": children.ru_maxrss / 1024, "rss_samples": samples,
            "held_back": sum(report.held_back.values()), "workers": workers, "libreoffice": libreoffice}


def measure_export(root: Path, workers: int, libreoffice: bool = True, max_books: int | None = None) -> dict:
    """The export in a fresh process, so its peak RSS is its own."""
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    proc = ctx.Process(target=_export_child, args=(str(root), workers, libreoffice, max_books, results))
    proc.start()
    try:
        while True:
            try:
                status, payload = results.get(timeout=2.0)
                break
            except queue_module.Empty:
                if not proc.is_alive():
                    raise RuntimeError(f"tiến trình xuất đã dừng (export process died), exit {proc.exitcode}") from None
    finally:
        proc.join(timeout=60)
    if status == "error":
        raise RuntimeError(f"lỗi khi xuất (export failed):\n{payload}")
    return payload


def measure_filled(root: Path, *, export: bool = True, export_workers: int = 2, libreoffice: bool = True,
                   max_books: int | None = None, progress: Progress | None = None) -> ScaleResult:
    """Measure a workspace a previous run filled (`--keep`): the same figures, without filling again."""
    from common.workspace import open_workspace
    from store.db import Store

    ws = open_workspace(root)
    with Store(ws.store_url()) as store:
        backend = "sqlite" if store.url.startswith("sqlite") else "postgresql"
        records = sum(store.count_records_by_status().values())
        files = sum(store.count_files_by_state().values())
        stats = FillStats(records, files, store.count_fields(), 0, len(store.record_books(["ks"])), 0.0)
        size = store.database_size() / 2**20
    return _measure(ScaleResult(backend, stats, db_mb=size), ws, export, export_workers, libreoffice, progress,
                    max_books)


def _warm_up(ws) -> None:
    """Load once what every command loads whatever the store's size (the official list of places, the
    chart library), so the figures are the store's work and the first backend measured pays no more."""
    import matplotlib.pyplot  # noqa: F401

    from export.communes import load_communes

    load_communes(ws.root).resolve("10507")


def _measure(result: ScaleResult, ws, export: bool, export_workers: int, libreoffice: bool,
             progress: Progress | None, max_books: int | None = None) -> ScaleResult:
    say = progress or (lambda _line: None)
    say(f"[{result.backend}] đo status, report, hàng đợi (measuring status, report, queue)")
    _warm_up(ws)
    result.status_s = measure_status(ws)
    result.report_build_s, result.report_s = measure_report(ws)
    result.queue_ms, result.next_ms = measure_queue(ws)
    if export:
        say(f"[{result.backend}] export --all ({export_workers} tiến trình ghi, LibreOffice "
            f"{'có' if libreoffice else 'không'})")
        result.export = measure_export(ws.root, export_workers, libreoffice, max_books)
    return result


def run_backend(backend: str, url: str | None, root: Path, records: int, *, seed: int = 1, export: bool = True,
                export_workers: int = 2, libreoffice: bool = True, max_books: int | None = None,
                progress: Progress | None = None) -> ScaleResult:
    """Fill a fresh workspace's store on this backend, then measure. `url` None = the workspace's SQLite."""
    from hotfolders.workspace import init_workspace
    from store.db import Store

    shutil.rmtree(root, ignore_errors=True)  # a fresh workspace every run (a leftover names an old database)
    ws = init_workspace(root, store_url=url)
    say = progress or (lambda _line: None)
    say(f"[{backend}] nạp {records:,} bản ghi (filling {records:,} records)")
    with Store(ws.store_url()) as store:
        stats = fill(store, records, progress=progress)
        size = store.database_size() / 2**20
    return _measure(ScaleResult(backend, stats, db_mb=size), ws, export, export_workers, libreoffice, progress,
                    max_books)


# ------------------------------------------------------------------------------------------ worker sweep

class BurnProcessor:
    """A processor that burns a fixed amount of CPU per file (SOHOA_BURN_SECONDS, default 0.25 s) and yields
    one record: OCR's CPU load without Tesseract, so the sweep measures how the processes share the work."""

    def __init__(self, settings):
        self.seconds = float(os.environ.get("SOHOA_BURN_SECONDS", "0.25"))

    def process_file(self, path, hint, out_dir):
        from extract.types import FieldValue, Record
        from hotfolders.processor import FileOutcome, PageOutcome

        end = time.process_time() + self.seconds
        digest = b""
        while time.process_time() < end:
            digest = hashlib.sha256(digest + path.name.encode()).digest()
        record = Record(doc_type=hint.profile_name or "ks", doc_confidence=0.99, pages=[0],
                        fields={"so": FieldValue(path.stem, 0.99, "accepted")})
        return FileOutcome(pages=[PageOutcome(0, "", "", {})], records=[record], stage_seconds={"burn": self.seconds})


def sweep(make_url: Callable[[], str], root: Path, files: int, processes: tuple[int, ...] = (1, 2, 4),
          burn: float = 0.25, progress: Progress | None = None) -> list[dict]:
    """For each process count: a fresh database and workspace, `files` files in the shared inbox, that many
    `sohoa watch --once` processes (one worker each) started together; files/s until the last one exits."""
    from hotfolders.workspace import init_workspace
    from store.db import Store

    out = []
    for n in processes:
        folder = root / f"sweep-{n}"
        shutil.rmtree(folder, ignore_errors=True)
        ws = init_workspace(folder, store_url=make_url())
        text = ws.config_path.read_text(encoding="utf-8")
        for key, value in (("stability_seconds", "0.2"), ("rescan_seconds", "1.0"), ("poll_seconds", "0.05"),
                           ("count", "1"), ("name", '"bench.scale:BurnProcessor"'), ("progress_seconds", "0")):
            text = "\n".join(f"{key} = {value}" if line.startswith(f"{key} =") else line for line in text.splitlines())
        ws.config_path.write_text(text + "\n", encoding="utf-8")
        for i in range(files):
            path = ws.inbox / "KS" / "10507" / f"{2000 + i % 20}-01" / f"trang-{i:05d}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"i": i}), encoding="utf-8")
        time.sleep(0.5)  # every file older than the stability window before the clock starts
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
        env.update(OMP_THREAD_LIMIT="1", SOHOA_BURN_SECONDS=str(burn))
        t0 = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", "from sohoa.cli import main; main()", "watch", "--once",
                                   str(ws.root)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(n)]
        codes = [p.wait(timeout=3600) for p in procs]
        seconds = time.perf_counter() - t0
        with Store(ws.store_url()) as store:
            states = store.count_files_by_state()
            records = len(store.record_rows())
        row = {"processes": n, "files": files, "seconds": seconds, "files_per_s": files / seconds,
               "done": states.get("done", 0), "records": records, "exit_codes": codes}
        out.append(row)
        if progress:
            progress(f"  {n} tiến trình (processes): {files} tệp trong {seconds:.1f} s = {files / seconds:.2f} tệp/s")
        shutil.rmtree(folder, ignore_errors=True)
    return out


# ------------------------------------------------------------------------------------------ printing

def table(results: list[ScaleResult]) -> str:
    lines = ["| store | records | fields | fill | store size | status | report: built / with Excel + PNG | "
             "queue page (median / max) | next (median) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        fill = f"{r.fill.seconds:.0f} s" if r.fill.seconds else "(filled before)"
        lines.append(f"| {r.backend} | {r.fill.records:,} | {r.fill.fields:,} | {fill} | "
                     f"{r.db_mb:,.0f} MB | {r.status_s:.2f} s | {r.report_build_s:.2f} / {r.report_s:.2f} s | "
                     f"{statistics.median(r.queue_ms):.0f} / {max(r.queue_ms):.0f} ms | "
                     f"{statistics.median(r.next_ms):.0f} ms |")
    exports = [r for r in results if r.export]
    if exports:
        lines += ["", "| store | export --all rows | books | wall | rows/s | rows per CPU-second | peak RSS (start) | "
                      "RSS at 10 / 50 / 100 % of books | writers' peak RSS |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in exports:
            e = r.export
            samples = dict(e["rss_samples"])
            at = " / ".join(f"{samples[k]:.0f}" if k in samples else "–" for k in (10, 50, 100))
            lines.append(f"| {r.backend} | {e['rows']:,} | {e['books']:,} | {e['seconds']:.0f} s | "
                         f"{e['rows_per_s']:,.0f} | {e['rows'] / e['cpu_s']:,.0f} | {e['peak_rss_mb']:.0f} MB "
                         f"({e['baseline_rss_mb']:.0f}) | {at} MB | {e['worker_peak_rss_mb']:.0f} MB |")
    return "\n".join(lines)


def sweep_table(rows: list[dict], burn: float) -> str:
    lines = ["| watch processes (1 worker each) | files | wall | files/s | done / records (exactly once) |",
             "|---|---|---|---|---|"]
    base = rows[0]["files_per_s"] if rows else 1.0
    for r in rows:
        lines.append(f"| {r['processes']} | {r['files']} | {r['seconds']:.1f} s | {r['files_per_s']:.2f} "
                     f"(×{r['files_per_s'] / base:.2f}) | {r['done']} / {r['records']} |")
    lines.append(f"\n(BurnProcessor: {burn:.2f} CPU-s per file, PostgreSQL, one shared inbox)")
    return "\n".join(lines)


def bench(records: int, out: Path, *, backends: tuple[str, ...] = ("postgresql", "sqlite"), export: bool = True,
          export_workers: int = 2, libreoffice: bool = True, sweep_files: int = 0, burn: float = 0.25,
          pg_url: str | None = None, sweep_processes: tuple[int, ...] = (1, 2, 4),
          measure_only: tuple[Path, ...] = (), max_books: int | None = None,
          progress: Progress | None = None) -> str:
    """Everything `sohoa bench scale` prints. PostgreSQL: `pg_url` (a database to fill: emptied first is the
    caller's job) or a throwaway server (bench/pgserver.py) for the run."""
    from bench.pgserver import TempPostgres

    out.mkdir(parents=True, exist_ok=True)
    server = None
    made = iter(range(1, 1000))

    def pg_database() -> str:
        nonlocal server
        if pg_url:
            return pg_url
        if server is None:
            server = TempPostgres(options="-c shared_buffers=512MB -c max_wal_size=4GB -c fsync=off "
                                          "-c synchronous_commit=off -c full_page_writes=off").start()
        name = f"bench_{next(made)}"
        return server.create_database(name)

    results: list[ScaleResult] = [measure_filled(root, export=export, export_workers=export_workers,
                                                 libreoffice=libreoffice, max_books=max_books, progress=progress)
                                  for root in measure_only]
    parts = []
    try:
        for backend in backends if not measure_only else ():
            url = pg_database() if backend == "postgresql" else None
            results.append(run_backend(backend, url, out / backend, records, export=export,
                                       export_workers=export_workers, libreoffice=libreoffice,
                                       max_books=max_books, progress=progress))
            shutil.rmtree(out / backend, ignore_errors=True)
            if server is not None and url:
                server.drop_database(url.split("/")[-1].split("?")[0])
        if results:
            parts.append(table(results))
        if sweep_files:
            rows = sweep(pg_database, out, sweep_files, sweep_processes, burn=burn, progress=progress)
            parts.append(sweep_table(rows, burn))
    finally:
        if server is not None:
            server.stop()
    return "\n\n".join(parts)

