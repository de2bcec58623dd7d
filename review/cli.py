"""Commands: `sohoa review serve DIR`, `sohoa user add NAME --role …`, `sohoa bench review`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

ROLE_CHOICE = click.Choice(["operator", "reviewer", "approver", "admin"])


@click.group(help="Ứng dụng web kiểm tra và phê duyệt dữ liệu (review and approval web app).")
def review() -> None:
    pass


@review.command(help="Chạy ứng dụng kiểm tra cho thư mục làm việc DIR (serve the review app for workspace DIR).")
@click.argument("workspace", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Địa chỉ lắng nghe; 0.0.0.0 để máy khác trong mạng nội bộ truy cập (listen address).")
@click.option("--port", default=8080, show_default=True, type=int, help="Cổng (port).")
def serve(workspace: Path, host: str, port: int) -> None:
    from werkzeug.serving import run_simple

    from review.app import create_app

    app = create_app(workspace)
    click.echo(f"Mở trình duyệt tại http://{host}:{port}/ (open this address in a browser); Ctrl+C để dừng.")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@click.group(help="Tài khoản người dùng của ứng dụng kiểm tra (review app accounts).")
def user() -> None:
    pass


def _read_password() -> str:
    """Hidden prompt asked twice on a terminal; one line from stdin when piped (scripts, tests)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Mật khẩu (password)", hide_input=True, confirmation_prompt="Nhập lại mật khẩu (repeat)")


@user.command("add", help="Thêm hoặc đặt lại tài khoản NAME (add or reset account NAME).")
@click.argument("name")
@click.option("--role", required=True, type=ROLE_CHOICE,
              help="operator = nhập liệu, reviewer = kiểm tra, approver = phê duyệt, admin = quản trị.")
@click.option("--workspace", "-w", default=".", show_default=True,
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Thư mục làm việc (workspace).")
def add(name: str, role: str, workspace: Path) -> None:
    from review.app import open_store
    from review.users import UserError, add_user

    password = _read_password()
    store = open_store(workspace.resolve())
    try:
        add_user(store.engine, name, role, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(f"Đã lưu tài khoản {name} ({role}) (account saved).")


COMMANDS = [review, user]
