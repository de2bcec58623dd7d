"""`sohoa demo`: the main job end to end on bundled synthetic samples, with the embedded SQLite store.

It does what an operator and a supervisor would do on a real day, in order: create a workspace, drop a
batch of scans into the hot folders (synthetic: a register book, loose register pages, ID cards and land
certificates, under all capture conditions), process them with `watch --once`, show the status, and
export. Nothing here is demo-only logic: each step calls the same functions as the real commands.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import click

DEMO_KINDS = ("book", "register", "cccd", "gcn", "cmnd", "cancuoc")
DEMO_MARKER = ".sohoa-demo"  # a workspace the demo made itself: the only kind it may delete and rebuild


def commune_folder(book: dict) -> str:
    """An operator's commune folder name: the commune, with its district when the province has two of the
    name ("xã Lê Lợi - Gia Lộc"; export/communes.py reads it against the official list)."""
    return f"{book['commune']} - {book['district']}" if book.get("district") else book["commune"]


def inbox_path(inbox: Path, truth, batch_commune: str) -> Path:
    """Where an operator would put this file: inbox/<loại>/<xã>/<quyển or batch>/<file>, the folder being the
    first inbox folder the document type's registry entry declares."""
    from common.doctypes import load_registry

    name = Path(truth.file).name
    doc = load_registry().get(truth.pages[0].doc_type)
    folder_kind = doc.type.inbox[0] if doc is not None and doc.type.inbox else "auto"
    if truth.book:  # register pages and books know their book
        book = truth.book
        folder = f"Q{int(book['quyenSo']):02d}_{book['year']}" if book.get("quyenSo", "").isdigit() \
            else f"{book.get('quyenSo', '')}_{book['year']}"
        return inbox / folder_kind / commune_folder(book) / folder / name
    return inbox / folder_kind / batch_commune / "lo-01" / name


def _clear_previous_demo(workspace: Path) -> None:
    """--fresh rebuilds only a workspace the demo made; anything else (a real one with users, records and
    originals, or any other folder with files) is refused, never deleted."""
    if not workspace.exists():
        return
    if (workspace / DEMO_MARKER).is_file():
        shutil.rmtree(workspace)
        return
    if workspace.is_dir() and not any(workspace.iterdir()):
        return
    raise click.ClickException(
        f"{workspace} đã có dữ liệu và không phải thư mục demo: không xóa. Chọn thư mục khác với --workspace, "
        f"hoặc --keep để chạy tiếp trên nó ({workspace} holds data and was not made by the demo: not deleted. "
        f"Pick another folder with --workspace, or --keep to run on it).")


@click.command("demo", help="Chạy thử toàn bộ công việc trên mẫu tổng hợp: tạo thư mục làm việc, thả tệp vào "
                            "inbox, xử lý, xuất Excel/zip và in nơi lưu kết quả (run the main job end to end on "
                            "synthetic samples: workspace, hot folders, processing, export).")
@click.option("--workspace", default="demo-workspace", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Thư mục làm việc (workspace folder).")
@click.option("--n", "n", default=12, show_default=True, help="Số tài liệu sinh ra (documents to generate).")
@click.option("--seed", default=1, show_default=True, help="Hạt giống ngẫu nhiên (random seed).")
@click.option("--fresh/--keep", default=True, show_default=True,
              help="Xóa thư mục làm việc cũ trước khi chạy (start from an empty workspace).")
@click.pass_context
def demo_command(ctx: click.Context, workspace: Path, n: int, seed: int, fresh: bool) -> None:
    from export.cli import export_command
    from hotfolders.status import status_report
    from hotfolders.watch import run_once
    from hotfolders.workspace import init_workspace
    from synth.generate import generate_corpus

    if fresh:
        _clear_previous_demo(workspace)
    made_here = not workspace.exists()
    ws = init_workspace(workspace)
    if made_here:
        (ws.root / DEMO_MARKER).write_text("sohoa demo\n", encoding="utf-8")
    click.echo(f"1. Thư mục làm việc (workspace): {ws.root}")

    samples = ws.root / "samples"
    truths = generate_corpus(samples, n=n, seed=seed, kinds=DEMO_KINDS, book_pages=(5, 6))
    commune = next((commune_folder(t.book) for t in truths if t.book), "Cẩm Hưng")
    for truth in truths:
        dest = inbox_path(ws.inbox, truth, commune)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(samples / truth.file, dest)
    pages = sum(len(t.pages) for t in truths)
    click.echo(f"2. Đã thả {len(truths)} tệp ({pages} trang) vào {ws.inbox} "
               f"(dropped {len(truths)} synthetic files, {pages} pages, into the hot folders)")

    click.echo("3. Xử lý (processing: intake → scanner → OCR → extract → store) …")
    config = ws.settings()
    stats = run_once(ws, config, lambda line: click.echo(f"   {line}", err=True))
    click.echo(f"   xong {stats.done}, cách ly {stats.quarantined}, trùng {stats.duplicates}, "
               f"{stats.pages} trang (done, quarantined, duplicates, pages)")
    click.echo(status_report(ws))

    click.echo("4. Xuất (export). Bản demo xuất cả bản ghi chưa duyệt vì chưa có ai duyệt; khi làm thật chỉ "
               "bản ghi đã phê duyệt mới được xuất (the demo includes unreviewed records because nobody has "
               "reviewed them yet; for real, only approved records export).")
    ctx.invoke(export_command, workspace=ws.root, out_dir=ws.out, books=(), types=(),
               include_unreviewed=True, keep_pdfs=False, no_libreoffice=False)
    click.echo(f"\nKết quả (results): {ws.out}")
    click.echo(f"Duyệt (review): sohoa user add <tên> --role reviewer; sohoa review serve {ws.root}")


COMMANDS = [demo_command]
