"""Supervisors' commands: `sohoa report`, `sohoa import-legacy`, `sohoa export-backlog`, `sohoa bench export`.

Registered by sohoa/cli.py from this module's COMMANDS / BENCH_COMMANDS. Heavy imports stay inside the
command functions so `sohoa --help` stays fast.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from common.cli_types import EXISTING_DIR, EXISTING_FILE, DocTypeCode
from export.opening import open_workspace_store


def _workers(value: str) -> int:
    import os

    if value == "auto":
        return os.cpu_count() or 1
    try:
        return max(1, int(value))
    except ValueError as exc:
        raise click.BadParameter(f"cần một số hoặc auto (a number or auto): {value!r}") from exc


@click.command("report", help="Báo cáo tiến độ theo xã và huyện trong một ngày hoặc một tuần: Excel (một trang "
                              "mỗi cấp, có biểu đồ) và ảnh PNG cạnh tệp Excel (progress report per commune and "
                              "district for a day or an ISO week: Excel with a chart, and a PNG beside it).")
@click.argument("workspace", type=EXISTING_DIR)
@click.option("--day", help="Ngày YYYY-MM-DD (day; default: today).")
@click.option("--week", help="Tuần ISO YYYY-Www, ví dụ 2026-W19 (ISO week).")
@click.option("--by", "level", type=click.Choice(["xa", "huyen"]), default=None,
              help="Chỉ một cấp: xa (xã) hoặc huyen (huyện) (only one level; default: both).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp Excel ghi ra, FILE.xlsx (output workbook).")
def report_command(workspace: Path, day: str | None, week: str | None, level: str | None, out: Path) -> None:
    from export.communes import load_communes
    from export.report import LEVELS, build_report, write_report

    ws, store = open_workspace_store(workspace)
    try:
        with store:
            report = build_report(store, day, week, communes=load_communes(ws.root))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    xlsx, png = write_report(report, out, [level] if level else LEVELS)
    total = report.totals()
    click.echo(f"Kỳ báo cáo (period) {report.period.label}: {len(report.communes)} xã, {len(report.districts)} huyện; "
               f"{total.extracted} bản ghi trích xuất, {total.approved} đã duyệt; {total.quarantined} tệp cách ly "
               f"(records extracted, approved; files quarantined)")
    click.echo(f"  {xlsx}\n  {png}")


@click.command("import-legacy", help="Nhập tệp Excel xuất từ phần mềm hộ tịch cũ (kiểu MISA) vào kho dữ liệu, "
                                     "qua tệp ánh xạ cột; báo từng vấn đề theo dòng và cột (import a legacy "
                                     "MISA-style Excel export through a column mapping; every problem is "
                                     "reported by row and column).")
@click.argument("file", type=EXISTING_FILE)
@click.option("--type", "doc_type", required=True, type=DocTypeCode(legacy=True),
              help="Loại sổ (book type).")
@click.option("--map", "mapping", type=EXISTING_FILE, default=None,
              help="Tệp ánh xạ cột .toml (column mapping; default: profiles/legacy/misa_<type>.toml).")
@click.option("--workspace", "-w", type=EXISTING_DIR, default=Path("."),
              show_default=True, help="Thư mục làm việc (workspace folder).")
@click.option("--commune", help="Xã của tệp: mã hoặc tên (the file's commune: code or name; default: found in "
                                "the file).")
@click.option("--sheet", help="Tên trang cần đọc (sheet to read; default: the best-matching one).")
@click.option("--dry-run", is_flag=True, help="Chỉ đọc và kiểm tra, không ghi vào kho (read and check only).")
@click.option("--quiet", "-q", is_flag=True, help="Không in ghi chú, chỉ cảnh báo và lỗi (no notes, only "
                                                  "warnings and errors).")
def import_legacy_command(file: Path, doc_type: str, mapping: Path | None, workspace: Path, commune: str | None,
                          sheet: str | None, dry_run: bool, quiet: bool) -> None:
    from export.communes import load_communes
    from export.legacy.importer import import_legacy, read_legacy
    from export.legacy.problems import LegacyImportError

    try:
        if dry_run:
            result = read_legacy(file, doc_type, mapping, sheet=sheet, commune=commune,
                                 communes=load_communes(workspace))
        else:
            ws, store = open_workspace_store(workspace)
            with store:
                result = import_legacy(store, file, doc_type, mapping, sheet=sheet, commune=commune,
                                       communes=load_communes(ws.root))
    except LegacyImportError as exc:
        raise click.ClickException(str(exc)) from exc
    for problem in result.problems:
        if not (quiet and problem.severity == "info"):
            click.echo(str(problem), err=True)
    click.echo(result.summary())
    if dry_run:
        click.echo("(--dry-run: không ghi gì vào kho / nothing written)")
    if result.count("error"):
        click.echo("Các bản ghi có lỗi sẽ chờ kiểm tra trong ứng dụng rà soát (records with errors wait for "
                   "review in the review app).")


@click.command("export-backlog", help="Xuất toàn bộ tồn đọng theo từng quyển, chạy lại được sau khi bị ngắt "
                                      "(không ghi lại quyển đã xong), kèm danh mục bàn giao manifest (export the "
                                      "whole backlog book by book, resumable, with a hand-over manifest).")
@click.argument("workspace", type=EXISTING_DIR)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục ghi ra (output folder; default: <workspace>/out/backlog).")
@click.option("--type", "types", multiple=True, type=DocTypeCode(exporters=("btp",)),
              help="Chỉ loại này (only this type; repeatable).")
@click.option("--include-unreviewed", is_flag=True,
              help="Xuất cả bản ghi chưa duyệt hoặc có trường sai (also export unreviewed/invalid records).")
@click.option("--no-libreoffice", is_flag=True, help="Không kiểm tra lại bằng LibreOffice (skip LibreOffice).")
@click.option("--libreoffice-every", type=click.IntRange(min=1), default=10, show_default=True,
              help="LibreOffice đọc lại 1 quyển trong N (và quyển đầu mỗi loại); mọi quyển vẫn được đọc lại toàn bộ "
                   "gói xlsx; 1 = mọi quyển (LibreOffice re-reads 1 book in N and each type's first; every book is "
                   "still re-read whole as a package; 1 = every book).")
@click.option("--workers", default="auto", show_default=True,
              help="Số tiến trình ghi song song; auto = một mỗi lõi (parallel book writers; auto = one per core).")
def export_backlog_command(workspace: Path, out_dir: Path | None, types: tuple[str, ...], include_unreviewed: bool,
                           no_libreoffice: bool, workers: str, libreoffice_every: int = 10) -> None:
    from export.backlog import export_backlog
    from export.books import ExportOptions
    from export.communes import load_communes
    from export.errors import ExportError

    ws, store = open_workspace_store(workspace)
    from export.rules import workspace_rule

    rule = workspace_rule(ws.root)
    options = ExportOptions(include_unreviewed=include_unreviewed, libreoffice=not no_libreoffice, rule=rule,
                            libreoffice_every=libreoffice_every)
    try:
        with store:
            report = export_backlog(store, out_dir or ws.out / "backlog", communes=load_communes(ws.root),
                                    types=[t.upper() for t in types] or None, options=options,
                                    workspace=ws.root, progress=click.echo, workers=_workers(workers))
    except ExportError as exc:
        click.echo(str(exc), err=True)
        click.echo("Chạy lại lệnh để tiếp tục từ quyển chưa xong (run again to continue from the unfinished "
                   "book).", err=True)
        sys.exit(1)
    click.echo(report.summary())


COMMANDS = [report_command, import_legacy_command, export_backlog_command]
