"""The `sohoa` command. Each stage package contributes its own commands from a module listed in
COMMAND_MODULES (usually `<package>/cli.py`):

    COMMANDS: list[click.Command]        # top-level subcommands, e.g. `sohoa prepare`
    BENCH_COMMANDS: list[click.Command]  # subcommands of `sohoa bench`, e.g. `sohoa bench ocr`

so a stage adds a command without touching this file. Stage cli modules import heavy libraries inside
the command functions, which keeps `sohoa --help` fast.
"""
from __future__ import annotations

import errno
import importlib
import logging
import re
import sys

import click

from common.crashpoints import InjectedFault
from common.errors import SohoaError
from sohoa import __version__

# Modules that contribute commands, in data-flow order; a stage without commands yet is skipped.
COMMAND_MODULES = ("synth.cli", "scanner.cli", "ocr.cli", "extract.cli", "store.cli", "hotfolders.cli",
                   "review.cli", "export.cli", "export.supervise_cli", "sohoa.demo", "bench.cli")


class UserFacingError(click.ClickException):
    """A sohoa error shown as one line, Vietnamese first (click's own prefix is English "Error:")."""

    def show(self, file=None) -> None:
        click.echo(f"Lỗi (error): {self.format_message()}", file=file, err=file is None)


# click's parameter messages (click/types.py), English only, reframed Vietnamese first; the English kept in brackets
_PARAM_MESSAGES = (
    (re.compile(r"^(?P<v>.*) is not in the range (?P<c>.*)\.$"), "{v} ngoài khoảng (not in the range) {c}"),
    (re.compile(r"^(?P<v>.*) is not a valid integer\.$"), "{v} không phải số nguyên (is not a valid integer)"),
    (re.compile(r"^(?P<v>.*) is not a valid float\.$"), "{v} không phải số (is not a valid number)"),
    (re.compile(r"^(?:File|Directory|Path) (?P<v>.*) does not exist\.$"), "không có {v} (does not exist)"),
    (re.compile(r"^(?:File|Directory|Path) (?P<v>.*) is a directory\.$"),
     "{v} là thư mục, cần một tệp (is a folder; a file is needed)"),
    (re.compile(r"^(?:File|Directory|Path) (?P<v>.*) is a file\.$"),
     "{v} là tệp, cần một thư mục (is a file; a folder is needed)"),
    (re.compile(r"^(?:File|Directory|Path) (?P<v>.*) is not readable\.$"), "không đọc được {v} (is not readable)"),
    (re.compile(r"^(?:File|Directory|Path) (?P<v>.*) is not writable\.$"), "không ghi được {v} (is not writable)"),
    (re.compile(r"^(?P<v>.*) is not (?:one of )?(?P<c>'.*)\.$", re.S),
     "{v} không có; chọn một trong (is not one of): {c}"),
)

# OS reasons a person meets most, Vietnamese first (the OS words them in English)
_OS_REASONS = {
    errno.ENOENT: "không có tệp hoặc thư mục này", errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục",
    errno.EEXIST: "đã có tệp trùng tên", errno.EISDIR: "là thư mục", errno.EACCES: "không có quyền",
    errno.EPERM: "không được phép", errno.ENAMETOOLONG: "tên quá dài", errno.ENOSPC: "hết chỗ trên đĩa",
    errno.EROFS: "ổ chỉ đọc", errno.EADDRINUSE: "cổng đang được dùng", errno.EADDRNOTAVAIL: "địa chỉ không có trên máy này",
}


def _param_message(message: str) -> str:
    for pattern, template in _PARAM_MESSAGES:
        match = pattern.match(message)
        if match:
            return template.format(**match.groupdict())
    return message


def vietnamese_usage_error(exc: click.ClickException) -> str:
    """click's usage errors framed in Vietnamese first (click words them in English only)."""
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        return f"thiếu (missing) {exc.param.get_error_hint(exc.ctx) if exc.ctx else exc.param.name}"
    if isinstance(exc, click.BadParameter) and (exc.param is not None or exc.param_hint):
        if exc.param is not None:
            hint = exc.param.get_error_hint(exc.ctx) if exc.ctx else exc.param.name
        else:
            hint = exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(exc.param_hint or ())
        return f"giá trị không hợp lệ cho (invalid value for) {hint}: {_param_message(exc.message)}"
    if isinstance(exc, click.NoSuchOption):
        guess = f"; có phải (did you mean) {', '.join(exc.possibilities)}?" if exc.possibilities else ""
        return f"không có tùy chọn (no such option) {exc.option_name}{guess}"
    command = re.match(r"^No such command (?P<v>.*)\.$", exc.message)
    if command:
        guess = getattr(exc, "possibilities", None)
        return (f"không có lệnh (no such command) {command['v']}"
                + (f"; có phải (did you mean) {', '.join(guess)}?" if guess else ""))
    return exc.format_message()


def os_error_message(exc: OSError) -> str:
    """An OSError as one line: the path(s), the reason Vietnamese first, the OS's own words in brackets."""
    paths = " -> ".join(str(p) for p in (exc.filename, exc.filename2) if p is not None)
    reason = exc.strerror or str(exc)
    vietnamese = _OS_REASONS.get(exc.errno or -1)
    said = f"{vietnamese} ({reason})" if vietnamese else reason
    return f"{paths}: {said}" if paths else said


def unexpected_message(exc: BaseException) -> str:
    """Last resort for an exception nothing above names: its type and first line; the traceback goes to the log."""
    lines = str(exc).strip().splitlines()
    first = lines[0][:300] if lines else ""
    return (f"lỗi không lường trước (unexpected error): {type(exc).__name__}" + (f": {first}" if first else "")
            + " — chạy lại với -v để xem chi tiết (run again with -v for details)")


class SohoaGroup(click.Group):
    """Every command's SohoaError (common/errors.py) ends as one clear line and exit status 1, not a traceback;
    so does an OSError (its path and the OS's reason) and, as a last resort, any exception nothing else names
    (its traceback in the log at DEBUG, shown with -v). Usage errors are worded Vietnamese first."""

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
        except click.ClickException as exc:  # click's own prefix is English "Error:"
            click.echo(f"Lỗi (error): {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Đã dừng (aborted).", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, InjectedFault):
            raise  # click's own, and a test's injected crash, which must stay a crash
        except SohoaError as exc:
            logging.getLogger("sohoa").debug("%s: %s", exc.code, exc.detail or exc.message)
            raise UserFacingError(exc.message) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # output piped into `head`: click quiets it
                raise
            logging.getLogger("sohoa").debug("OSError", exc_info=True)
            raise UserFacingError(os_error_message(exc)) from None
        except Exception as exc:
            logging.getLogger("sohoa").debug("lỗi không lường trước (unexpected error)", exc_info=True)
            raise UserFacingError(unexpected_message(exc)) from None


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
