"""`sohoa extract` and `sohoa bench extract`. Heavy imports stay inside the functions (fast `sohoa --help`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from common.cli_types import EXISTING_FILE


class ProfileName(click.ParamType):
    """An extraction profile's name (profiles/*.toml), read when the value is checked: an unknown one is a
    usage error listing those there are."""

    name = "profile"

    def convert(self, value, param, ctx):
        from extract.profiles import load_profiles

        names = sorted(load_profiles())
        if value not in names:
            self.fail(f"không có profile {value!r}; chọn một trong (no such profile; choose one of): "
                      f"{', '.join(names)}", param, ctx)
        return value


@click.command("extract", help="Nhận loại giấy tờ và trích các trường, mỗi trang một dòng JSON "
                               "(recognise the document type and extract its fields, one JSON object per page).")
@click.argument("files", nargs=-1, required=True, type=EXISTING_FILE)
@click.option("--profile", "profile_name", default=None, type=ProfileName(),
              help="Bỏ qua bước nhận loại, dùng profile này (skip classification, use this profile).")
@click.option("--json", "as_json", is_flag=True, default=True,
              help="In JSON (print JSON; the only output form).")
def extract_command(files: tuple[Path, ...], profile_name: str | None, as_json: bool) -> None:
    from extract.pipeline import ocr_and_extract, record_json
    from ocr.engine import get_engine
    from ocr.reading import line_reader
    from scanner.errors import IntakeError
    from scanner.prepare import prepare_file

    engine = get_engine("vie", 6)
    failed = False
    for path in files:
        try:
            pages = prepare_file(path, read_line=line_reader(engine))
        except IntakeError as exc:
            click.echo(f"Lỗi (error): {path}: {exc.code}: {exc.message}", err=True)
            failed = True
            continue
        for page in pages:
            record = ocr_and_extract(page, engine, profile_name)  # OCR layout hint: the profile's, else none
            click.echo(json.dumps(record_json(record, str(path), page.page_index), ensure_ascii=False))
    if failed:
        sys.exit(1)


COMMANDS = [extract_command]
