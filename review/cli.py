"""Commands: `sohoa review serve DIR`, `sohoa user add NAME --role …`, `sohoa bench review`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from common.cli_types import EXISTING_DIR

ROLE_CHOICE = click.Choice(["operator", "reviewer", "approver", "admin"])


@click.group(help="Ứng dụng web kiểm tra và phê duyệt dữ liệu (review and approval web app).")
def review() -> None:
    pass


@review.command(help="Chạy ứng dụng kiểm tra cho thư mục làm việc DIR (serve the review app for workspace DIR).")
@click.argument("workspace", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Địa chỉ lắng nghe; 0.0.0.0 để máy khác trong mạng nội bộ truy cập (listen address).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Cổng (port).")
@click.option("--threads", type=click.IntRange(1, 256), default=None,
              help="Số luồng phục vụ (server threads; default [review] threads in sohoa.toml, 8).")
@click.option("--dev", is_flag=True,
              help="Máy chủ phát triển của werkzeug, chỉ để lập trình (werkzeug's development server: for "
                   "development only, never for reviewers).")
def serve(workspace: Path, host: str, port: int, threads: int | None, dev: bool) -> None:
    from common.workspace import open_workspace
    from review.app import create_app

    app = create_app(workspace)
    if dev:
        from werkzeug.serving import run_simple

        click.echo(f"Mở trình duyệt tại http://{host}:{port}/ (open this address in a browser); Ctrl+C để dừng.")
        click.echo("Cảnh báo: máy chủ phát triển, không dùng cho người kiểm tra (warning: development server, "
                   "not for reviewers).", err=True)
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
        return
    from review.server import create_server

    threads = threads or open_workspace(workspace).settings().review.threads
    try:
        server = create_server(app, host, port, threads=threads)  # binds here: the address is known good after
    except ValueError:  # waitress's word for a host it cannot resolve
        raise click.BadParameter(f"không dùng được địa chỉ {host!r} (not a usable listen address)",
                                 param_hint="'--host'") from None
    except OSError as exc:
        raise click.ClickException(f"không lắng nghe được tại (cannot listen on) {host}:{port}: "
                                   + _listen_reason(exc)) from None
    click.echo(f"Mở trình duyệt tại http://{host}:{port}/ (open this address in a browser); Ctrl+C để dừng.")
    click.echo(f"waitress, {threads} luồng (threads)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("dừng (stopped)", err=True)


def _listen_reason(exc: OSError) -> str:
    import errno

    known = {errno.EADDRINUSE: "cổng đang được chương trình khác dùng; chọn --port khác (the port is in use; "
                               "choose another --port)",
             errno.EACCES: "không có quyền dùng cổng này (no permission for this port)",
             errno.EADDRNOTAVAIL: "địa chỉ không có trên máy này (the address is not on this machine)"}
    return known.get(exc.errno or -1, exc.strerror or str(exc))


@click.group(help="Tài khoản người dùng của ứng dụng kiểm tra; mọi thay đổi được ghi vết (review app accounts; "
                  "every change is audited).")
def user() -> None:
    pass


WORKSPACE_OPTION = click.option("--workspace", "-w", default=".", show_default=True, type=EXISTING_DIR,
                                help="Thư mục làm việc (workspace).")


def _read_password() -> str:
    """Hidden prompt asked twice on a terminal; one line from stdin when piped (scripts, tests)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Mật khẩu (password)", hide_input=True, confirmation_prompt="Nhập lại mật khẩu (repeat)")


def _store(workspace: Path):
    from review.app import open_store

    return open_store(workspace.resolve())  # WorkspaceError (one clear line) when it is not a workspace


@user.command("add", help="Thêm hoặc đặt lại tài khoản NAME (add or reset account NAME; a reset ends its "
                          "sessions).")
@click.argument("name")
@click.option("--role", required=True, type=ROLE_CHOICE,
              help="operator = nhập liệu, reviewer = kiểm tra, approver = phê duyệt, admin = quản trị.")
@WORKSPACE_OPTION
def add(name: str, role: str, workspace: Path) -> None:
    from common.actor import cli_actor
    from review.users import add_user

    store = _store(workspace)
    try:
        add_user(store, name, role, _read_password(), actor=cli_actor())
    finally:
        store.close()
    click.echo(f"Đã lưu tài khoản {name} ({role}) (account saved).")


@user.command("passwd", help="Đặt mật khẩu mới cho NAME; các phiên đang mở kết thúc (new password; live "
                             "sessions end).")
@click.argument("name")
@WORKSPACE_OPTION
def passwd(name: str, workspace: Path) -> None:
    from common.actor import cli_actor
    from review.users import set_password

    store = _store(workspace)
    try:
        set_password(store, name, _read_password(), actor=cli_actor())
    finally:
        store.close()
    click.echo(f"Đã đổi mật khẩu của {name} (password changed).")


@user.command("role", help="Đổi vai trò của NAME; các phiên đang mở kết thúc (change the role; sessions end).")
@click.argument("name")
@click.argument("role", type=ROLE_CHOICE)
@WORKSPACE_OPTION
def role(name: str, role: str, workspace: Path) -> None:
    from common.actor import cli_actor

    store = _store(workspace)
    try:
        store.set_user_role(name, role, actor=cli_actor())
    finally:
        store.close()
    click.echo(f"{name}: vai trò mới {role} (role changed).")


@user.command("disable", help="Khóa tài khoản NAME; các phiên đang mở kết thúc (disable; sessions end).")
@click.argument("name")
@WORKSPACE_OPTION
def disable(name: str, workspace: Path) -> None:
    _set_disabled(name, True, workspace)
    click.echo(f"Đã khóa tài khoản {name} (account disabled).")


@user.command("enable", help="Mở lại tài khoản NAME (enable the account again).")
@click.argument("name")
@WORKSPACE_OPTION
def enable(name: str, workspace: Path) -> None:
    _set_disabled(name, False, workspace)
    click.echo(f"Đã mở lại tài khoản {name} (account enabled).")


def _set_disabled(name: str, disabled: bool, workspace: Path) -> None:
    from common.actor import cli_actor

    store = _store(workspace)
    try:
        store.set_user_disabled(name, disabled, actor=cli_actor())
    finally:
        store.close()


@user.command("list", help="Danh sách tài khoản và các thay đổi gần đây (accounts and recent changes).")
@WORKSPACE_OPTION
def list_users(workspace: Path) -> None:
    store = _store(workspace)
    try:
        for row in store.user_rows():
            click.echo(f"{row.name:<20} {row.role:<9} {'đã khóa (disabled)' if row.disabled else 'hoạt động (active)'}")
        click.echo("Thay đổi gần đây (recent changes):")
        for event in store.audit_rows(limit=20):
            click.echo(f"  {event.at:%Y-%m-%d %H:%M} {event.actor} {event.action} {event.subject} {event.detail or ''}")
    finally:
        store.close()


COMMANDS = [review, user]
