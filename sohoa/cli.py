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

import click

from sohoa import __version__

# Modules that contribute commands, in data-flow order; a stage without commands yet is skipped.
COMMAND_MODULES = ("synth.cli", "scanner.cli", "ocr.cli", "extract.cli", "store.cli", "hotfolders.cli",
                   "review.cli", "export.cli", "export.supervise_cli", "sohoa.demo", "bench.cli")


@click.group(help="sohoa — số hóa hồ sơ hộ tịch, đất đai và căn cước "
                  "(digitise Vietnamese civil-status, land and ID records).\n\n"
                  "Ảnh chụp/bản quét → trang sạch → OCR tiếng Việt → trường dữ liệu đã kiểm tra → "
                  "mẫu Excel BTP và đất đai (photos/scans → clean pages → Vietnamese OCR → verified "
                  "fields → BTP and land Excel templates).")
@click.version_option(__version__, prog_name="sohoa")
@click.option("-v", "--verbose", is_flag=True, help="In thêm nhật ký (more log output).")
def main(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.group(help="Đo tốc độ, bộ nhớ và độ chính xác, in bảng số liệu (benchmarks: print measured figures).")
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
