"""`sohoa bench …`: the benchmark commands. Each prints measured figures; the harnesses live beside this
file (bench/<stage>.py) and import heavy libraries only when a command runs, so `sohoa --help` stays fast.
Benchmarks are workbench, not product: nothing in the product folders imports this package."""
from __future__ import annotations

import tempfile
from pathlib import Path

import click

from common.cli_types import EXISTING_DIR, EXISTING_FILE


@click.command("scanner", help="Đo độ chính xác chỉnh nghiêng, xoay, tìm trang và tốc độ "
                               "(benchmark deskew, orientation, page finding and speed).")
@click.option("--n", "n", default=24, show_default=True, help="Số tệp sinh ra (files to generate).")
@click.option("--seed", default=1, show_default=True, help="Hạt giống ngẫu nhiên (random seed).")
@click.option("--corpus", type=EXISTING_DIR, default=None,
              help="Dùng bộ dữ liệu có sẵn thay vì sinh mới (use an existing corpus).")
@click.option("--pipeline-only", is_flag=True, help="Chỉ đo toàn bộ bước chuẩn bị (only the whole prepare step).")
def bench_scanner(n: int, seed: int, corpus: Path | None, pipeline_only: bool) -> None:
    import os

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from bench.scanner import bench

    click.echo(bench(n=n, seed=seed, corpus=corpus, methods=not pipeline_only))


@click.command("ocr", help="Đo CER của sohoa và của Tesseract thô (psm 3, 6, 7) theo lớp ảnh: dòng, từ, ảnh chụp "
                           "màn hình, bản quét độ phân giải thấp, ảnh chụp, trang sạch, hai cột, bảng, biểu mẫu có "
                           "dòng chấm, sổ, thẻ; tốc độ so với Tesseract thô (CER of sohoa vs raw Tesseract psm 3/6/7 "
                           "per image class, strict and reading-order tolerant; time ratio to raw Tesseract).")
@click.option("--n", default=3, show_default=True, help="Số ảnh mỗi lớp (images per class).")
@click.option("--seed", default=7, show_default=True)
@click.option("--set", "sets", default="own,rendered", show_default=True,
              help="own = bộ sinh của dự án (tuning set, synth/); rendered = bộ độc lập (synth.rendered, "
                   "measuring set, never tuned on).")
@click.option("--classes", default="", help="Chỉ các lớp này (only these classes, comma-separated).")
@click.option("--own-corpus", type=EXISTING_DIR,
              help="Bộ own đã sinh (an own set written before, with manifest.json).")
@click.option("--rendered-corpus", type=EXISTING_DIR,
              help="Bộ rendered đã sinh (a rendered set written before by `sohoa synth-rendered`).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Nơi ghi ảnh sinh ra (where to write generated images; default a temp dir).")
@click.option("--workers", default=1, show_default=True, help="Số tiến trình (worker processes).")
@click.option("--by-condition", is_flag=True,
              help="Bảng cũ theo điều kiện chụp và loại giấy tờ của synth (the earlier per-condition and per-kind "
                   "tables on synth.generate pages; uses --conditions --kinds --langs --psms).")
@click.option("--conditions", default="clean,skewed,photocopy,phone", show_default=True,
              help="Điều kiện chụp (capture conditions, --by-condition).")
@click.option("--langs", default="vie", show_default=True,
              help="Các mô hình cho bảng so sánh psm cố định (models for the fixed-psm comparison table).")
@click.option("--psms", default="", show_default=True,
              help="Các psm cố định để so sánh, ví dụ 3,6 (fixed page segmentation modes, --by-condition).")
@click.option("--kinds", default="cccd,cmnd,cancuoc,gcn,register", show_default=True,
              help="Loại giấy tờ của synth (synth document kinds, --by-condition).")
def bench_ocr_command(n: int, seed: int, sets: str, classes: str, own_corpus: Path | None,
                      rendered_corpus: Path | None, out: Path | None, workers: int, by_condition: bool,
                      conditions: str, langs: str, psms: str, kinds: str) -> None:
    from bench.ocr import bench, bench_classes

    with tempfile.TemporaryDirectory(prefix="sohoa-bench-ocr-") as tmp:
        where = out or Path(tmp)
        if by_condition:
            conds = [c for c in conditions.split(",") if c]
            click.echo(bench(where, n, seed, conds, _variants(langs, psms), workers, kinds=kinds.split(",")))
            return
        click.echo(bench_classes(where, n, seed, [s for s in sets.split(",") if s],
                                 [c for c in classes.split(",") if c] or None, workers, own_corpus, rendered_corpus))


def _variants(langs: str, psms: str) -> list[tuple[str, int]]:
    from ocr.engine import normalise_lang

    return [(normalise_lang(lang), int(psm)) for lang in langs.split(",") if lang
            for psm in psms.split(",") if psm]


@click.command("extract", help="Đo độ chính xác trích trường trên kho ảnh sinh ra: loại giấy tờ, trường đúng, "
                               "tỷ lệ chấp nhận, độ chính xác của trường được chấp nhận, chữ viết tay, MRZ "
                               "(extraction accuracy on a generated corpus: type, exact fields, accepted share, "
                               "accepted precision, handwritten, MRZ).")
@click.option("--n", default=10, show_default=True, help="Số tài liệu sinh ra (documents to generate).")
@click.option("--seed", default=11, show_default=True)
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path),
              help="Dùng kho ảnh có sẵn hoặc ghi vào đây (use an existing corpus with manifest.json, or write here).")
@click.option("--kinds", default="cccd,cmnd,cancuoc,gcn,register", show_default=True,
              help="Loại giấy tờ của synth (synth document kinds).")
@click.option("--conditions", default="clean,skewed,photocopy,phone", show_default=True,
              help="Điều kiện chụp (capture conditions).")
@click.option("--perfect-ocr", is_flag=True,
              help="Dùng dòng chữ chuẩn thay OCR: chỉ đo bước trích (truth lines instead of OCR: extraction only).")
@click.option("--misses", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Ghi các trường sai/chưa chấp nhận ra JSON (write wrong/unaccepted fields to this JSON file).")
@click.option("--thresholds", type=EXISTING_FILE, default=None,
              help="Thử một tệp ngưỡng khác (try another thresholds TOML, to calibrate extract/data/thresholds.toml).")
@click.option("--rendered", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Đo các thẻ của bộ độc lập synth-rendered trong thư mục này, chỉ để đo (score the card class of an "
                   "independent `sohoa synth-rendered` folder: measuring only, never tuning).")
@click.option("--registers", "registers", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Chỉ đo các trang sổ của bộ rendered ở thư mục này (sinh nếu chưa có), theo kiểu dòng chấm "
                   "(only the rendered set's register pages in this folder, generated when missing, by leader "
                   "style: the register-pages-with-leaders rows).")
def bench_extract_command(n: int, seed: int, corpus: Path | None, kinds: str, conditions: str, perfect_ocr: bool,
                          misses: Path | None, thresholds: Path | None, rendered: Path | None,
                          registers: Path | None) -> None:
    import tomllib

    if registers is not None:
        from bench.extract import register_table, run_registers

        if not (registers / "manifest.json").exists():
            from synth.rendered import generate

            click.echo(f"sinh {n} trang sổ (generating {n} register pages) -> {registers}", err=True)
            generate(registers, n=n, seed=seed, classes=["register"])
        click.echo(register_table(run_registers(registers)))
        return

    from bench.extract import by_field, by_reason, card_table, run, run_rendered, table, write_misses
    from extract.data import thresholds as default_thresholds

    limits = None
    if thresholds is not None:
        with open(thresholds, "rb") as fh:
            limits = {**default_thresholds(), **{k: float(v) for k, v in tomllib.load(fh).items()}}

    tmp = None
    if rendered is not None:
        result = run_rendered(rendered)
        click.echo("Bộ độc lập synth-rendered, thẻ (independent rendered set, cards)\n" + table(result) + "\n\n"
                   + card_table(result))
        worst = list(by_field(result).items())[:12]
        if worst:
            click.echo("sai nhiều nhất (most wrong values): " + ", ".join(f"{k} {v}" for k, v in worst))
        if misses:
            write_misses(result, misses)
        return
    if corpus is None or not (corpus / "manifest.json").exists():
        from synth.generate import generate_corpus
        if corpus is None:
            tmp = tempfile.TemporaryDirectory(prefix="sohoa-bench-extract-")
            corpus = Path(tmp.name)
        click.echo(f"sinh {n} tài liệu (generating {n} documents) -> {corpus}", err=True)
        generate_corpus(corpus, n=n, seed=seed, kinds=[k for k in kinds.split(",") if k],
                        conditions=[c for c in conditions.split(",") if c])
    try:
        result = run(corpus, perfect_ocr=perfect_ocr, limits=limits)
    finally:
        if tmp is not None:
            tmp.cleanup()
    click.echo(("OCR hoàn hảo (perfect OCR: truth lines)\n" if perfect_ocr else "") + table(result))
    if result.card_pages:
        click.echo("\nThẻ căn cước theo điều kiện chụp: mã QR đọc được, địa danh khớp danh mục chính thức "
                   "(ID cards per capture condition: QR decoded, place fields matched to the official list)\n"
                   + card_table(result))
    worst = list(by_field(result).items())[:12]
    if worst:
        click.echo("sai nhiều nhất (most wrong values): " + ", ".join(f"{k} {v}" for k, v in worst))
    kept = by_reason(result)
    if kept:
        click.echo("đúng nhưng chưa chấp nhận, bản quét sạch, theo lý do (right but not accepted on clean scans, "
                   "by reason): " + "; ".join(f"{k} {v}" for k, v in kept.items()))
    if misses:
        write_misses(result, misses)


@click.command("qr", help="So sánh các bộ đọc mã QR (zxing-cpp, OpenCV, pyzbar) trên thẻ sinh ra theo điều kiện "
                          "chụp (QR readers compared on generated cards per capture condition).")
@click.option("--n", default=16, show_default=True, help="Số thẻ sinh ra (cards to generate).")
@click.option("--seed", default=5, show_default=True)
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Dùng kho ảnh có sẵn hoặc ghi vào đây (use an existing corpus, or write here).")
def bench_qr_command(n: int, seed: int, corpus: Path | None) -> None:
    from bench.qr import bench

    click.echo(bench(n, seed, corpus))


@click.command("review", help="Đo tốc độ kiểm tra bằng bàn phím trong trình duyệt thật "
                              "(benchmark keyboard review in a real browser).")
@click.option("--n", default=50, show_default=True, help="Số bản ghi (records to review).")
@click.option("--seed", default=11, show_default=True)
@click.option("--out", default="bench-out/review", show_default=True, type=click.Path(path_type=Path),
              help="Thư mục tạm cho không gian làm việc (scratch workspace folder).")
def bench_review(n: int, seed: int, out: Path) -> None:
    from bench.review import run_bench

    result = run_bench(out, n=n, seed=seed)
    click.echo(result.table())


@click.command("pipeline", help="Đo cả dây chuyền: thả N trang sinh ra vào thư mục làm việc mới, chạy watch --once, "
                                "in trang/giây, thời gian từng bước, RAM đỉnh mỗi worker và dự kiến cho 1,73 triệu "
                                "trang (whole pipeline: pages/s, per-stage time, peak RSS per worker, projection).")
@click.option("--n", "n", default=6, show_default=True, help="Số tài liệu sinh ra (documents to generate).")
@click.option("--seed", default=1, show_default=True)
@click.option("--kinds", default="register", show_default=True,
              help="Loại tài liệu, cách nhau dấu phẩy (kinds: register,book,gcn,cccd,cmnd,cancuoc).")
@click.option("--workers", type=int, default=None, help="Số worker (default: config = one per core).")
@click.option("--dpi", type=int, default=None, help="Ép độ phân giải ảnh sinh ra (force generated dpi).")
@click.option("--out", "out_dir", default="bench-out/pipeline", show_default=True,
              type=click.Path(file_okay=False, path_type=Path))
def bench_pipeline_command(n: int, seed: int, kinds: str, workers: int | None, dpi: int | None, out_dir: Path) -> None:
    from bench.pipeline import format_figures, run_bench

    kind_list = [k.strip() for k in kinds.split(",") if k.strip()]
    figures = run_bench(out_dir, n, seed, kind_list, workers, dpi)
    click.echo(format_figures(figures, kind_list))


@click.command("export", help="Đo tốc độ xuất tồn đọng trên dữ liệu giả lập không OCR: dòng/s, MB/s, bộ nhớ "
                              "đỉnh ở hai cỡ (benchmark the backlog export on a synthetic backlog without OCR: "
                              "rows/s, MB/s, peak memory at two sizes).")
@click.option("--rows", default=100_000, show_default=True, help="Số dòng lần đo lớn (rows, large run).")
@click.option("--small", default=10_000, show_default=True, help="Số dòng lần đo nhỏ (rows, small run; 0 = skip).")
@click.option("--book-size", default=1000, show_default=True, help="Số dòng mỗi quyển (rows per book).")
@click.option("--no-verify", is_flag=True, help="Bỏ mọi bước đọc lại (skip every re-read).")
@click.option("--no-libreoffice", is_flag=True,
              help="Bỏ đọc lại bằng LibreOffice; openpyxl đếm dòng (skip the LibreOffice re-read; openpyxl counts rows).")
@click.option("--workers", default="1,auto", show_default=True,
              help="Số tiến trình ghi, có thể nhiều giá trị cách nhau dấu phẩy (parallel writers; comma list).")
def bench_export_command(rows: int, small: int, book_size: int, no_verify: bool, no_libreoffice: bool,
                         workers: str) -> None:
    from bench.export import run_isolated
    from export.verify import soffice_path

    libreoffice = not no_verify and not no_libreoffice and soffice_path() is not None
    reread = ("" if no_verify else " + đọc lại LibreOffice mọi quyển, openpyxl tiêu đề (re-read: LibreOffice every "
              "book, openpyxl header)" if libreoffice else " + đọc lại openpyxl (openpyxl re-read)")

    click.echo(f"Tồn đọng giả lập KS, {book_size} dòng/quyển, ghi Excel write-only + sha256 + manifest"
               f"{reread} (synthetic KS backlog, no OCR, no PDFs)")
    click.echo(f"{'rows':>8} {'workers':>7} {'books':>6} {'wall s':>8} {'rows/s':>8} {'rows/CPU-s':>10} {'MB/s':>6} "
               f"{'peak RSS MB':>11} {'(start MB)':>10} {'worker MB':>9}")
    from export.supervise_cli import _workers

    counts = list(dict.fromkeys(_workers(w.strip()) for w in workers.split(",") if w.strip()))
    for w in counts:
        for n in [s for s in (small, rows) if s > 0]:
            r = run_isolated(n, book_size, verify=not no_verify, workers=w, libreoffice=libreoffice)
            click.echo(f"{r.rows:>8} {r.workers:>7} {r.books:>6} {r.seconds:>8.1f} {r.rows_per_s:>8.0f} "
                       f"{r.rows_per_cpu_s:>10.0f} {r.mb_per_s:>6.2f} {r.peak_rss_mb:>11.0f} "
                       f"{r.baseline_rss_mb:>10.0f} {r.worker_peak_rss_mb:>9.0f}")
    click.echo("Mục tiêu (target): ≥ 2000 dòng/s; bộ nhớ đỉnh không tăng theo số dòng (peak memory flat in rows).")


@click.command("scale", help="Kho dữ liệu cỡ cả tỉnh (1,73 triệu bản ghi hộ tịch) trên PostgreSQL và SQLite: "
                             "thời gian status, report, trang hàng đợi, tốc độ và bộ nhớ của export --all, và số "
                             "tiến trình watch (the province's backlog in one store on PostgreSQL and SQLite: "
                             "status, report, queue page times, export --all rows/s and memory, and a worker sweep).")
@click.option("--records", default=1_730_000, show_default=True, help="Số bản ghi nạp vào (records to load).")
@click.option("--stores", default="postgresql,sqlite", show_default=True,
              help="Kho đo, cách nhau dấu phẩy (stores to measure, comma list).")
@click.option("--pg-url", default=None, metavar="URL",
              help="CSDL PostgreSQL rỗng để nạp (an empty PostgreSQL database to fill; default: a throwaway "
                   "server started for the run).")
@click.option("--no-export", is_flag=True, help="Không đo export --all (skip the export).")
@click.option("--export-workers", default=2, show_default=True, help="Số tiến trình ghi của export (writers).")
@click.option("--no-libreoffice", is_flag=True, help="Export không đọc lại bằng LibreOffice (skip the re-read).")
@click.option("--export-books", type=int, default=None,
              help="Chỉ xuất chừng này quyển đầu (export only the first N books: a time-boxed measurement of "
                   "rows/s and memory on the full store; default all).")
@click.option("--sweep-files", default=400, show_default=True,
              help="Số tệp cho phép đo 1, 2, 4 tiến trình watch; 0 = bỏ (files for the worker sweep; 0 = skip).")
@click.option("--sweep", "sweep_processes", default="1,2,4", show_default=True,
              help="Số tiến trình watch của phép đo (watch processes to compare, comma list).")
@click.option("--burn", default=0.25, show_default=True, help="Giây CPU mỗi tệp của bộ xử lý giả (CPU s per file).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục làm việc tạm (scratch folder; default a temp dir; needs ~15 GB for 1.73M records).")
@click.option("--measure-only", "measure_only", multiple=True, type=EXISTING_DIR,
              help="Chỉ đo một thư mục làm việc đã nạp sẵn, không nạp lại (measure a workspace filled before; "
                   "repeatable).")
def bench_scale_command(records: int, stores: str, pg_url: str | None, no_export: bool, export_workers: int,
                        no_libreoffice: bool, sweep_files: int, sweep_processes: str, burn: float,
                        out: Path | None, measure_only: tuple[Path, ...], export_books: int | None) -> None:
    from bench.scale import bench

    backends = tuple(s.strip() for s in stores.split(",") if s.strip())
    unknown = set(backends) - {"postgresql", "sqlite"}
    if unknown:
        raise click.BadParameter(f"kho không biết (unknown stores): {', '.join(sorted(unknown))}")

    def run(folder: Path) -> str:
        return bench(records, folder, backends=backends, export=not no_export, export_workers=export_workers,
                     libreoffice=not no_libreoffice, sweep_files=sweep_files, burn=burn, pg_url=pg_url,
                     sweep_processes=tuple(int(n) for n in sweep_processes.split(",") if n.strip()),
                     measure_only=tuple(measure_only), max_books=export_books,
                     progress=lambda line: click.echo(line, err=True))

    if out is None:
        with tempfile.TemporaryDirectory(prefix="sohoa-bench-scale-") as tmp:
            click.echo(run(Path(tmp)))
    else:
        click.echo(run(out))
    click.echo("Mục tiêu (targets, 2 lõi): export ≥ 2000 dòng/s, bộ nhớ phẳng; status/report ≤ 2 s; trang hàng đợi "
               "≤ 200 ms (export ≥ 2,000 rows/s with flat memory, status/report ≤ 2 s, queue page ≤ 200 ms).")


BENCH_COMMANDS = [bench_scanner, bench_ocr_command, bench_extract_command, bench_qr_command, bench_pipeline_command, bench_review,
                  bench_export_command, bench_scale_command]
