"""The `sohoa` command. Each stage package contributes its own commands from a module listed in
COMMAND_MODULES (usually `<package>/cli.py`):

    COMMANDS: list[click.Command]        # top-level subcommands, e.g. `sohoa prepare`
    BENCH_COMMANDS: list[click.Command]  # subcommands of `sohoa bench`, e.g. `sohoa bench ocr`

so a stage adds a command without touching this file. Stage cli modules import heavy libraries inside
the command functions, which keeps `sohoa --help` fast.
"""
from __future__ import annotations

import importlib
import logging
import sys

import click

from common.errors import SohoaError
from sohoa import __version__

# Modules that contribute commands, in data-flow order; a stage without commands yet is skipped.
COMMAND_MODULES = ("synth.cli", "scanner.cli", "ocr.cli", "extract.cli", "store.cli", "hotfolders.cli",
                   "review.cli", "export.cli", "export.supervise_cli", "sohoa.demo", "bench.cli")


class UserFacingError(click.ClickException):
    """A sohoa error shown as one line, Vietnamese first (click's own prefix is English "Error:")."""

    def show(self, file=None) -> None:
        click.echo(f"Lỗi (error): {self.format_message()}", file=file, err=file is None)


def vietnamese_usage_error(exc: click.ClickException) -> str:
    """click's usage errors framed in Vietnamese first (click words them in English only)."""
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        return f"thiếu (missing) {exc.param.get_error_hint(exc.ctx) if exc.ctx else exc.param.name}"
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx) if exc.ctx else exc.param.name
        return f"giá trị không hợp lệ cho (invalid value for) {hint}: {exc.message}"
    if isinstance(exc, click.NoSuchOption):
        return f"không có tùy chọn (no such option) {exc.option_name}"
    return exc.format_message()


class SohoaGroup(click.Group):
    """Every command's SohoaError (common/errors.py) ends as one clear line and exit status 1, not a traceback;
    usage errors are worded Vietnamese first."""

    def main(self, *args, **kwargs):
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "sohoa"
            click.echo(f"Lỗi (error): {vietnamese_usage_error(exc)}\nXem (see): {command} --help", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Đã dừng (aborted).", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SohoaError as exc:
            logging.getLogger("sohoa").debug("%s: %s", exc.code, exc.detail or exc.message)
            raise UserFacingError(exc.message) from None


@click.group(cls=SohoaGroup, help="sohoa — số hóa hồ sơ hộ tịch, đất đai và căn cước "
                  "(digitise Vietnamese civil-status, land and ID records).\n\n"
                  "Ảnh chụp/bản quét → trang sạch → OCR tiếng Việt → trường dữ liệu đã kiểm tra → "
                  "mẫu Excel BTP và đất đai (photos/scans → clean pages → Vietnamese OCR → verified "
                  "fields → BTP and land Excel templates).")
@click.version_option(__version__, prog_name="sohoa")
@click.option("-v", "--verbose", is_flag=True, help="In thêm nhật ký (more log output).")
def main(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.group(cls=SohoaGroup, help="Đo tốc độ, bộ nhớ và độ chính xác, in bảng số liệu (benchmarks: print measured figures).")
def bench() -> None:
    pass


def _register() -> None:
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # stage without commands yet
                continue
            raise
        for command in getattr(module, "COMMANDS", []):
            main.add_command(command)
        for command in getattr(module, "BENCH_COMMANDS", []):
            bench.add_command(command)


_register()
