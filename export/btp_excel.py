"""One book's BTP import workbook, in the template's exact shape.

Sheet `DL Import`: row 1 = the template keys (with their allowed values after a line break where the template
has them), one registration per row from row 2 with `STT` numbering. Sheet `Ghi chu`: the code lists.
Every value cell is a string cell (xlsx type "s"), and every column but STT has number format "@" (text):
ID numbers keep their leading zeros, `dd.mm.yyyy` dates and codes are not turned into numbers or dates by
Excel/LibreOffice, on reading or when a clerk types into the sheet later. Unknown values are empty cells.

Written with openpyxl's write-only mode so rows stream to disk as inline strings (a book, or a 100,000-row
backlog benchmark, never sits in memory as cells). Only public openpyxl API: plain str values, the text
format set once per column, no per-cell style.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from common.text import nfc
from export.atomic import atomic_path
from export.templates import BtpTemplate
from export.types import Value, plain

TEXT_FORMAT = "@"
_NOT_PLAIN = "=#"  # first characters openpyxl would read as a formula ("=...") or an error code ("#N/A")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters an xlsx cannot hold


def normalize_date(value: object) -> str:
    """Dates as the template wants them: `dd.mm.yyyy` (partial `mm.yyyy`/`yyyy` kept). Accepts date
    objects and the common `d/m/yyyy`, `d-m-yyyy`, `yyyy-mm-dd` spellings; anything else is left alone."""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", text):
        return f"{int(m[1]):02d}.{int(m[2]):02d}.{m[3]}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return f"{m[3]}.{m[2]}.{m[1]}"
    if m := re.fullmatch(r"(\d{1,2})[./-](\d{4})", text):
        return f"{int(m[1]):02d}.{m[2]}"
    return text


def cell_text(key: str, value: Value, date_columns: frozenset[str]) -> str:
    text = plain(value) if not isinstance(value, dt.date) else value  # type: ignore[assignment]
    if key in date_columns and text:
        return normalize_date(text)
    return _ILLEGAL.sub(" ", nfc(str(text))).strip()


def _write_notes(ws, template: BtpTemplate) -> None:
    ws.append(["Mã (code)", "Ý nghĩa (meaning)"])
    for code_list in template.code_lists:
        ws.append([])
        ws.append([code_list.title])
        for code, meaning in code_list.codes:
            ws.append([code, meaning])


def _write_rows(ws, template: BtpTemplate, rows: Iterable[Mapping[str, Value]]) -> int:
    """Plain str values: openpyxl's write-only mode stores a str as an inline string cell (type "s"), so IDs
    keep their leading zeros without a per-cell style. openpyxl takes a text starting with "=" for a formula
    and an Excel error code ("#N/A", ...) for an error; those rare cells go as a WriteOnlyCell forced to
    type "s"."""
    from openpyxl.cell import WriteOnlyCell

    keys = template.columns
    dates = template.date_columns
    count = 0
    for count, row in enumerate(rows, start=1):
        out: list[object] = []
        last = 0  # trailing empty cells are not sent to openpyxl at all (most of a row is empty)
        for key in keys:
            if key == "STT":
                out.append(count)
                last = len(out)
                continue
            value = row.get(key)
            text = cell_text(key, value, dates)[:32767] if value is not None and value != "" else ""
            if not text:
                out.append(None)
                continue
            if text[0] in _NOT_PLAIN:
                cell = WriteOnlyCell(ws, value=text)
                cell.data_type = "s"  # stays text: never a formula or an error value
                out.append(cell)
            else:
                out.append(text)
            last = len(out)
        ws.append(out[:last])
    return count


def _text_columns(ws, template: BtpTemplate) -> None:
    """Number format "@" (text) on every template column but STT, set on the columns (write-only mode takes
    column styles before the first row): what a clerk later types into an empty cell of the sheet in Excel
    or LibreOffice stays text too, e.g. an ID with a leading zero."""
    from openpyxl.utils import get_column_letter

    for index, key in enumerate(template.columns, start=1):
        if key != "STT":
            ws.column_dimensions[get_column_letter(index)].number_format = TEXT_FORMAT


def _discard(ws) -> None:
    """A failed write (e.g. a PDF of the book failed mid-way): close the sheet's stream and delete the temp
    file openpyxl streams rows into, instead of leaving both until the process exits."""
    writer = getattr(ws, "_writer", None)
    with contextlib.suppress(Exception):
        ws.close()
    if writer is not None:
        with contextlib.suppress(OSError, TypeError):
            os.remove(writer.out)


def write_book_xlsx(path: Path, template: BtpTemplate, rows: Iterable[Mapping[str, Value]]) -> int:
    """Write the workbook to `path` (atomically: temp file + rename) and return the number of data rows.

    `rows` is consumed lazily, one registration at a time. A key the template does not have is ignored
    here (the caller decides whether that is an error); a template key the row lacks is an empty cell."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(template.sheet)
    _text_columns(ws, template)
    header = []
    for text in template.header():
        cell = WriteOnlyCell(ws, value=text)
        if "\n" in text:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    ws.append(header)

    try:
        count = _write_rows(ws, template, rows)
    except BaseException:
        _discard(ws)
        raise

    _write_notes(wb.create_sheet(template.notes_sheet), template)
    try:
        with atomic_path(path) as tmp:
            wb.save(tmp)
    except BaseException:
        for sheet in wb.worksheets:
            _discard(sheet)
        raise
    return count
