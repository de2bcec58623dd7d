"""Reading a legacy workbook: choose the sheet, find the header rows, and yield data rows with merges undone.

Why not read-only mode: openpyxl only reports merged ranges on a fully loaded sheet, and legacy exports
merge both header cells (person groups over their columns, titles over the whole width) and data cells
(a book number merged down all its rows). Legacy files are a few thousand rows each, so loading is fine.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from common.text import nfc
from export.legacy.mapping import ColumnMatch, LegacyMapping, match_headers
from export.legacy.problems import LegacyImportError, Problem
from extract.textutil import fold

HEADER_SCAN_ROWS = 20
MIN_MATCHED_COLUMNS = 3


def text_of(value: object) -> str:
    if value is None:
        return ""
    return nfc(str(value)).strip()


@dataclass
class Grid:
    """A sheet's values with merged ranges remembered: `copies[(row, col)]` = the range a filled-in value
    came from (the value itself sits only in the range's top-left cell in the file)."""
    name: str
    rows: list[list[object]]
    copies: dict[tuple[int, int], str] = field(default_factory=dict)
    vertical_merges: list[tuple[str, int, int, int]] = field(default_factory=list)  # (range, col, first, last)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, col: int) -> object:
        r = self.rows[row - 1] if 0 < row <= len(self.rows) else []
        return r[col - 1] if 0 < col <= len(r) else None


def load_grid(ws) -> Grid:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    grid = Grid(ws.title, rows)
    width = grid.width
    for r in rows:
        r.extend([None] * (width - len(r)))
    for rng in ws.merged_cells.ranges:
        top = grid.value(rng.min_row, rng.min_col)
        for row in range(rng.min_row, min(rng.max_row, len(rows)) + 1):
            for col in range(rng.min_col, min(rng.max_col, width) + 1):
                if (row, col) != (rng.min_row, rng.min_col):
                    rows[row - 1][col - 1] = top
                    grid.copies[(row, col)] = rng.coord
        if rng.max_row > rng.min_row:
            grid.vertical_merges.append((rng.coord, rng.min_col, rng.min_row, rng.max_row))
    return grid


@dataclass
class Layout:
    sheet: str
    header_rows: tuple[int, ...]
    matches: list[ColumnMatch]

    @property
    def score(self) -> int:
        return sum(1 for m in self.matches if m.key)

    @property
    def by_column(self) -> dict[int, str]:
        return {m.column: m.key for m in self.matches if m.key}

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1


def header_texts(grid: Grid, rows: tuple[int, ...]) -> dict[int, str]:
    """Column -> header text; a two-row header reads '<group> <sub-heading>' (a cell merged down both
    rows gives its text once)."""
    out: dict[int, str] = {}
    for col in range(1, grid.width + 1):
        parts: list[str] = []
        for row in rows:
            text = text_of(grid.value(row, col))
            if text and (not parts or fold(parts[-1]) != fold(text)):
                parts.append(text)
        if parts:
            out[col] = " ".join(parts) if len(parts) > 1 else parts[0]
    return out


def find_layout(grid: Grid, mapping: LegacyMapping, keys: list[str], labels: dict[str, list[str]]) -> Layout:
    best = Layout(grid.name, (1,), [])
    for row in range(1, min(len(grid.rows), HEADER_SCAN_ROWS) + 1):
        for rows in ((row,), (row, row + 1)):
            if rows[-1] > len(grid.rows):
                continue
            headers = header_texts(grid, rows)
            if len(set(headers.values())) < 2:  # a title merged over the width, or an empty row
                continue
            layout = Layout(grid.name, rows, match_headers(headers, mapping, keys, labels))
            if layout.score > best.score:
                best = layout
    return best


def choose_sheet(path: Path, mapping: LegacyMapping, keys: list[str], labels: dict[str, list[str]],
                 sheet: str | None = None) -> tuple[Grid, Layout, list[Problem]]:
    """The sheet whose headers best match the template (or the one asked for), or a clear error naming
    every sheet found and how well it matched."""
    from export.workbooks import WorkbookError, open_workbook

    try:
        wb = open_workbook(path)
    except WorkbookError as exc:
        raise LegacyImportError(exc.message, detail=exc.detail) from exc
    try:
        names = wb.sheetnames
        if sheet is not None:
            wanted = next((n for n in names if fold(n) == fold(sheet)), None)
            if wanted is None:
                raise LegacyImportError(f"không có trang '{sheet}'; các trang có: {', '.join(names)} "
                                        f"(no sheet '{sheet}'; sheets found: {', '.join(names)})")
            names = [wanted]
        preferred = {fold(s): i for i, s in enumerate(mapping.sheets)}
        found: list[tuple[Grid, Layout]] = []
        for name in names:
            grid = load_grid(wb[name])
            found.append((grid, find_layout(grid, mapping, keys, labels)))
    finally:
        wb.close()
    grid, layout = max(found, key=lambda gl: (gl[1].score, -preferred.get(fold(gl[0].name), 99)))
    if layout.score < MIN_MATCHED_COLUMNS:
        seen = ", ".join(f"'{g.name}' ({lay.score} cột khớp)" for g, lay in found)
        seen_en = ", ".join(f"'{g.name}' ({lay.score} columns matched)" for g, lay in found)
        raise LegacyImportError(
            f"không có trang nào giống danh sách {mapping.doc_type} (cần ít nhất {MIN_MATCHED_COLUMNS} cột khớp); "
            f"các trang tìm thấy: {seen} (no sheet looks like a {mapping.doc_type} list; sheets found: {seen_en})")
    problems = []
    if len(found) > 1:
        others = ", ".join(f"'{g.name}' ({lay.score})" for g, lay in found if g is not grid)
        problems.append(Problem("info", f"đã chọn trang '{grid.name}' ({layout.score} cột khớp), bỏ qua {others} "
                                        f"(picked the best-matching sheet, skipped the others)", sheet=grid.name))
    rows = "–".join(str(r) for r in layout.header_rows)
    problems.append(Problem("info", f"tiêu đề ở dòng {rows}, dữ liệu từ dòng {layout.first_data_row} "
                                    f"(header rows {rows}, data from row {layout.first_data_row})", sheet=grid.name))
    return grid, layout, problems


@dataclass
class SheetRow:
    """One data row: sheet row number, column -> value, and which of those values are merge copies."""
    row: int
    values: dict[int, object]
    copied: set[int]

    def own(self) -> dict[int, object]:
        return {c: v for c, v in self.values.items() if c not in self.copied and text_of(v)}


def data_rows(grid: Grid, layout: Layout) -> Iterator[SheetRow]:
    for row in range(layout.first_data_row, len(grid.rows) + 1):
        values = {c: v for c, v in enumerate(grid.rows[row - 1], start=1) if text_of(v)}
        copied = {c for c in values if (row, c) in grid.copies}
        yield SheetRow(row, values, copied)


def column_letter(col: int) -> str:
    return get_column_letter(col)
