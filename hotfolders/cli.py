"""Commands of the hot-folder stage: sohoa init, sohoa watch, sohoa status."""
from __future__ import annotations

from pathlib import Path

import click

from common.cli_types import EXISTING_DIR, NEW_FOLDER


@click.command("init", help="Tạo thư mục làm việc: cấu hình, CSDL, inbox/<loại>/, done/, quarantine/, out/ "
                            "(create a workspace: config, store, inbox/<type>/, done/, quarantine/, out/). "
                            "Chạy lại không mất gì (idempotent).")
@click.argument("directory", type=NEW_FOLDER)
@click.option("--store-url", default=None, metavar="URL",
              help="CSDL PostgreSQL dùng chung cho nhiều máy, ví dụ postgresql://sohoa@may-chu/sohoa (a shared "
                   "PostgreSQL for several workstations; default: the workspace's own SQLite file).")
def init_command(directory: Path, store_url: str | None) -> None:
    from hotfolders.workspace import init_workspace

    ws = init_workspace(directory, store_url=store_url)
    click.echo(f"Thư mục làm việc (workspace): {ws.root}")
    click.echo(f"  cấu hình (config): {ws.config_path}")
    click.echo(f"  thả tệp vào (drop files into): {ws.inbox}/<{'|'.join(ws.inbox_folders())}>/<xã>/<quyển>/")
    _warn_unknown_folders(ws)


@click.command("watch", help="Theo dõi inbox và xử lý tệp mới (watch the inbox and process new files).")
@click.argument("directory", type=EXISTING_DIR)
@click.option("--once", is_flag=True, help="Xử lý những gì đang có rồi thoát (process what is there, then exit).")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Số tiến trình xử lý, 0 = trong tiến trình chính (worker processes; 0 = in-process).")
def watch_command(directory: Path, once: bool, workers: int | None) -> None:
    from hotfolders.watch import run_once, watch_forever
    from hotfolders.workspace import open_workspace

    ws = open_workspace(directory)
    config = ws.settings()
    if workers is not None:
        config.workers.count = workers
    _warn_unknown_folders(ws)

    def report(line: str) -> None:
        click.echo(line, err=True)

    try:
        stats = run_once(ws, config, report) if once else watch_forever(ws, config, report)
    except KeyboardInterrupt:
        click.echo("dừng (stopped); tệp dở dang sẽ được xử lý lại lần sau (unfinished files resume next time)",
                   err=True)
        return
    click.echo(f"xong (done): {stats.done}, cách ly (quarantined): {stats.quarantined}, "
               f"trùng (duplicates): {stats.duplicates}, trang (pages): {stats.pages}, "
               f"không chuyển được (not moved): {stats.move_failures}")


@click.command("status", help="Số tệp theo trạng thái, theo xã/quyển, và lý do cách ly "
                              "(counts by state, by commune/book, and quarantine reasons).")
@click.argument("directory", type=EXISTING_DIR)
def status_command(directory: Path) -> None:
    from hotfolders.status import status_report
    from hotfolders.workspace import open_workspace

    click.echo(status_report(open_workspace(directory)))


def _warn_unknown_folders(ws) -> None:
    """An inbox folder no document type declares is read as `auto` (classified): say so at start-up."""
    unknown = ws.unknown_inbox_folders()
    if unknown:
        click.echo(f"Cảnh báo: thư mục inbox không thuộc loại giấy tờ nào, tệp trong đó sẽ được tự nhận dạng như "
                   f"`auto` (warning: inbox folders no document type declares; their files are classified as "
                   f"`auto`): {', '.join(unknown)}. Các loại có (declared): {', '.join(ws.inbox_folders())}",
                   err=True)


@click.command("backup", help="Sao lưu kho dữ liệu khi mọi người vẫn làm việc: SQLite bằng API sao lưu trực tuyến, "
                              "PostgreSQL bằng pg_dump (back up the store while work goes on: SQLite's online "
                              "backup API, PostgreSQL's pg_dump).")
@click.argument("directory", type=EXISTING_DIR)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp sao lưu (backup file).")
def backup_command(directory: Path, out: Path) -> None:
    from hotfolders.workspace import open_workspace
    from store.backup import backup

    ws = open_workspace(directory)
    result = backup(ws.store_url(), out)
    click.echo(f"Đã sao lưu (backed up, {result.kind}): {result.path} ({result.size:,} byte)")


@click.command("restore", help="Khôi phục kho dữ liệu từ bản sao lưu; dừng mọi `sohoa watch` và ứng dụng kiểm tra "
                               "trước (restore the store from a backup; stop every watcher and the review app "
                               "first).")
@click.argument("directory", type=EXISTING_DIR)
@click.option("--from", "source", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Tệp sao lưu (backup file).")
@click.option("--yes", is_flag=True, help="Không hỏi lại (do not ask for confirmation).")
def restore_command(directory: Path, source: Path, yes: bool) -> None:
    from hotfolders.watch import WorkspaceLock
    from hotfolders.workspace import open_workspace
    from store.backup import restore
    from store.db import Store

    ws = open_workspace(directory, store_must_exist=False)  # it brings a lost store back
    url = ws.store_url()
    if not yes:
        click.confirm("Thay toàn bộ kho dữ liệu bằng bản sao lưu? (replace the whole store with the backup?)",
                      abort=True)
    shared = not url.startswith("sqlite")
    with WorkspaceLock(ws, shared=shared):  # SQLite: refused while this workspace's watcher runs
        restore(url, source)
    Store(url).close()  # a backup from an older version is brought to the newest schema
    click.echo(f"Đã khôi phục từ (restored from) {source}")


COMMANDS = [init_command, watch_command, status_command, backup_command, restore_command]
