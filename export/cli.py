"""`sohoa export` and `sohoa import-reconciliation`: the store's records out as BTP/land files, and the
police's CMND answers back in. Heavy imports stay inside the commands (keeps `sohoa --help` fast)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from common.cli_types import EXISTING_DIR, EXISTING_FILE, DocTypeCode
from export.opening import open_workspace_store

EXPORT_TYPES = DocTypeCode(exporters=("btp", "land"))


@click.command("export", help="Xuất dữ liệu: mỗi quyển hộ tịch một tệp Excel mẫu BTP + một tệp zip các PDF; "
                              "đất đai: Excel chủ sử dụng và danh sách đối soát CMND (export: per civil-status "
                              "book the BTP Excel and a zip of per-registration PDFs; land: the owners Excel "
                              "and the CMND reconciliation list).")
@click.argument("workspace", type=EXISTING_DIR)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục ghi ra (output folder; default: <workspace>/out).")
@click.option("--book", "books", multiple=True,
              help="Chỉ xuất quyển này: số quyển, tên tệp hoặc nhãn xã/loại/năm/quyển (only this book: book number, "
                   "file name or label commune/type/year/book; repeatable).")
@click.option("--type", "types", multiple=True, type=EXPORT_TYPES,
              help="Chỉ loại này (only this type; repeatable).")
@click.option("--include-unreviewed", is_flag=True,
              help="Xuất cả bản ghi chưa duyệt hoặc có trường sai (also export unreviewed/invalid records).")
@click.option("--keep-pdfs", is_flag=True, help="Giữ các PDF rời bên cạnh zip (keep loose PDFs beside the zip).")
@click.option("--no-libreoffice", is_flag=True,
              help="Không kiểm tra lại bằng LibreOffice (skip the LibreOffice re-read).")
@click.option("--all", "all_books", is_flag=True,
              help="Xuất toàn bộ tồn đọng theo từng quyển, chạy lại được, kèm manifest; như `sohoa export-backlog` "
                   "(the whole backlog book by book, resumable, with a hand-over manifest).")
@click.pass_context
def export_command(ctx: click.Context, workspace: Path, out_dir: Path | None, books: tuple[str, ...],
                   types: tuple[str, ...], include_unreviewed: bool, keep_pdfs: bool, no_libreoffice: bool,
                   all_books: bool) -> None:
    from common.actor import cli_actor
    from common.doctypes import load_registry
    from export.books import ExportOptions
    from export.communes import load_communes
    from export.errors import ExportError
    from export.naming import load_naming
    from export.rules import workspace_rule

    if all_books:  # one implementation of the resumable backlog export, reached by either name
        from export.supervise_cli import export_backlog_command

        btp = set(load_registry().codes(exporter="btp"))
        ctx.invoke(export_backlog_command, workspace=workspace, out_dir=out_dir,
                   types=tuple(t for t in types if t in btp), include_unreviewed=include_unreviewed,
                   no_libreoffice=no_libreoffice)
        return
    ws, store = open_workspace_store(workspace)
    out_dir = out_dir or ws.out
    registry = load_registry()
    btp_codes, land_codes = set(registry.codes(exporter="btp")), set(registry.codes(family="land"))
    wanted = set(types) or (btp_codes | land_codes)
    communes = load_communes(ws.root)
    naming = load_naming()

    matched: set[str] = set()  # the --book values some record's book answered to

    def book_filter(book) -> bool:
        if not books:
            return True
        names = (book.book_no, book.book_no.lstrip("0"), naming.book_stem(book), naming.xlsx_name(book), book.label)
        hits = [b for b in books if b in names]
        matched.update(hits)
        return bool(hits)

    rule = workspace_rule(ws.root)
    options = ExportOptions(include_unreviewed=include_unreviewed, rule=rule, book_filter=book_filter,
                            types=frozenset(wanted & btp_codes), keep_pdfs=keep_pdfs, libreoffice=not no_libreoffice)
    who = cli_actor()
    try:
        with store:
            run_id = store.start_export_run(who, "export", {
                "out_dir": str(out_dir), "types": sorted(wanted), "books": list(books),
                "include_unreviewed": include_unreviewed, "libreoffice": not no_libreoffice})
            files: list[str] = []
            try:
                files += _export_btp_books(store, communes, wanted & btp_codes, ws.root, out_dir, options, naming,
                                           run_id=run_id, who=who)
                if wanted & land_codes and not books:
                    files += _export_land(store, communes, out_dir, rule=rule, include_unreviewed=include_unreviewed,
                                          libreoffice=not no_libreoffice, run_id=run_id, who=who)
            finally:
                store.finish_export_run(run_id, files)
    except ExportError as exc:
        click.echo(f"Lỗi (error): {exc}", err=True)
        sys.exit(1)
    unmatched = [b for b in dict.fromkeys(books) if b not in matched]
    if unmatched:  # a mistyped book name must not pass for "nothing to export"
        click.echo(f"Cảnh báo: không quyển nào khớp (warning: no book matched) --book {', '.join(unmatched)}; "
                   f"tên có thể là số quyển, tên tệp hoặc nhãn xã/loại/năm/quyển (a book is named by its number, "
                   f"file name or label commune/type/year/book)", err=True)
        sys.exit(1)


ATTEMPTS = 3  # a book whose records keep changing while it is written is given up after this many writes


def _warn_unapproved(unapproved: int) -> None:
    if unapproved:
        click.echo(f"Cảnh báo: {unapproved} bản ghi được xuất khi CHƯA phê duyệt; đã ghi lại ai xuất "
                   f"(warning: {unapproved} records exported WITHOUT approval; who exported them is recorded)",
                   err=True)


def _export_land(store, communes, out_dir: Path, *, rule, include_unreviewed: bool, libreoffice: bool,
                 run_id: int, who: str) -> list[str]:
    """Write each commune's land workbook and CMND list, then mark their records exported — only those still
    as they were read; a commune holding a record changed meanwhile (a reviewer, the police's answers being
    imported) is written again, as the BTP books are. Returns the file names written."""
    from export.errors import ExportError
    from export.from_store import land_records
    from export.land import export_land

    files: set[str] = set()
    again: set[str] | None = None  # commune codes to write again (None: all)
    for _attempt in range(ATTEMPTS):
        by_commune = land_records(store, communes)
        ids: list[int] = []
        versions: dict[int, int] = {}
        for code, records in sorted(by_commune.items()):
            if again is not None and code not in again:
                continue
            land = export_land(records, out_dir, code, include_unreviewed=include_unreviewed, rule=rule,
                               libreoffice=libreoffice)
            held = sum(land.held_back.values())
            click.echo(f"Đất đai xã {code}: {land.rows} dòng chủ sử dụng, {land.reconciliation_rows} "
                       f"CMND cần đối soát, {land.resolved_by_qr} đã liên kết từ mã QR, giữ lại {held} "
                       f"(land: owner rows, CMND to reconcile, linked by QR codes, held back) -> "
                       f"{land.xlsx.name}, {land.reconciliation.name}")
            files |= {land.xlsx.name, land.reconciliation.name}
            for record in records:
                if record.record_id not in land.held_back_ids:
                    ids.append(int(record.record_id))
                    if record.version is not None:
                        versions[int(record.record_id)] = record.version
        if not ids:
            return sorted(files)
        marked = store.mark_exported(ids, run_id=run_id, who=who, versions=versions)
        _warn_unapproved(marked.unapproved)
        if not marked.changed:
            return sorted(files)
        changed = {str(i) for i in marked.changed}
        again = {code for code, records in by_commune.items() if changed & {r.record_id for r in records}}
        click.echo(f"{len(changed)} bản ghi đất đai vừa được sửa trong lúc xuất: ghi lại {len(again)} xã "
                   f"(land records changed while being exported: writing their communes again)", err=True)
    raise ExportError(f"bản ghi đất đai vẫn đang được sửa sau {ATTEMPTS} lần ghi; chưa được đánh dấu đã xuất, "
                      f"hãy chạy lại sau (land records still being changed after {ATTEMPTS} writes: not marked "
                      f"exported; run the export again later)")


def _export_btp_books(store, communes, types, root: Path, out_dir: Path, options, naming, *, run_id: int,
                      who: str) -> list[str]:
    """Write the BTP books, then mark their records exported — only those still as they were read. A book
    holding a record someone saved while it was being written is written again (its file had the values
    from before the save), so what the store calls exported is exactly what the files hold. Returns the
    file names written."""
    from dataclasses import replace

    from export.books import export_books
    from export.errors import ExportError
    from export.from_store import book_records

    files: list[str] = []
    for _attempt in range(ATTEMPTS):
        versions: dict[int, int] = {}

        def noted(records, versions=versions):
            for record in records:
                if record.version is not None:
                    versions[int(record.record_id)] = record.version
                yield record

        report = export_books(noted(book_records(store, communes, types=types, workspace=root)), out_dir, options,
                              naming=naming)
        click.echo(report.summary())
        ids = []
        for book in report.books:
            click.echo(f"  {book.xlsx}" + (f"\n  {book.zip}" if book.zip else ""))
            files += [Path(book.xlsx).name] + ([Path(book.zip).name] if book.zip else [])
            ids += [int(i) for i in book.record_ids]
        marked = store.mark_exported(ids, run_id=run_id, who=who, versions=versions) if ids else None
        if marked is None or not marked.changed:
            _warn_unapproved(marked.unapproved if marked else 0)
            return sorted(set(files))
        _warn_unapproved(marked.unapproved)
        changed = {str(i) for i in marked.changed}
        again = {b.book for b in report.books if changed & set(b.record_ids)}
        click.echo(f"{len(changed)} bản ghi vừa được sửa trong lúc xuất: ghi lại {len(again)} quyển chứa chúng "
                   f"(records saved while being exported: writing their books again)", err=True)
        options = replace(options, book_filter=lambda book, again=again: book in again)
    raise ExportError(f"bản ghi vẫn đang được sửa sau {ATTEMPTS} lần ghi; các quyển đó chưa được đánh dấu đã xuất, "
                      f"hãy chạy lại sau (records still being changed after {ATTEMPTS} writes: those books are not "
                      f"marked exported; run the export again later)")


@click.command("import-reconciliation",
               help="Nhập kết quả đối soát CMND của công an (số định danh 12 số) vào hồ sơ; báo các dòng sai "
                    "theo số dòng (merge the police's CMND -> 12-digit answers into the records; bad rows are "
                    "reported by row number).")
@click.argument("file", type=EXISTING_FILE)
@click.option("--workspace", "-w", type=EXISTING_DIR, default=Path("."),
              show_default=True, help="Thư mục làm việc (workspace folder).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi (validate only, write nothing).")
def import_reconciliation_command(file: Path, workspace: Path, dry_run: bool) -> None:
    from export.land import import_reconciliation, merge_reconciliation

    try:
        replies = import_reconciliation(file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    bad = [r for r in replies if r.status == "invalid"]
    for reply in bad:
        click.echo(f"dòng {reply.row} (row {reply.row}): " + "; ".join(reply.errors), err=True)
    for reply in replies:
        for warning in reply.warnings:
            click.echo(f"dòng {reply.row}: {warning}", err=True)
    answered = sum(1 for r in replies if r.ok)
    unanswered = sum(1 for r in replies if r.status == "unanswered")
    click.echo(f"{answered} câu trả lời hợp lệ, {len(bad)} sai, {unanswered} chưa trả lời "
               f"({answered} valid, {len(bad)} invalid, {unanswered} unanswered)")
    if not dry_run:
        ws, store = open_workspace_store(workspace)
        with store:
            merged = merge_reconciliation(store, replies)
        click.echo(f"Đã cập nhật {merged.merged} chủ sử dụng (merged {merged.merged} owners)")
        for line in merged.skipped:
            click.echo(f"  bỏ qua (skipped) {line}", err=True)
    if bad:
        sys.exit(1)


COMMANDS = [export_command, import_reconciliation_command]
