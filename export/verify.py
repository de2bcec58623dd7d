"""Re-read every export after writing it, with the tools the receiving side uses.

xlsx: openpyxl (sheets, header, row count) and LibreOffice headless (converts the data sheet to CSV: if
LibreOffice cannot open it, neither can the provincial import); PDF: poppler `pdfinfo` (opens, page count);
zip: CRC test of every member, and the expected member list. One soffice start converts all workbooks of a
run; a private LibreOffice profile per call lets parallel runs coexist.
"""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from export.errors import VerifyError


@dataclass(frozen=True)
class XlsxCheck:
    path: Path
    sheet: str
    header: Sequence[str] | None = None  # expected row 1 (None: not checked)
    rows: int | None = None              # expected data rows (None: not checked)


@dataclass
class VerifyReport:
    checked: list[str] = field(default_factory=list)   # "<kind> <file name>: ok (...)"
    problems: list[str] = field(default_factory=list)
    libreoffice: bool = False                          # False when soffice was not found (said in `checked`)

    @property
    def ok(self) -> bool:
        return not self.problems


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def check_xlsx_openpyxl(check: XlsxCheck, *, count_rows: bool = True) -> list[str]:
    """Open read-only (rows stream, no full load) and check sheet, header and, unless `count_rows` is
    False, the number of data rows. Counting parses every cell, which costs about twice the writing: the
    backlog leaves the count to the LibreOffice re-read of the same file (count_rows=False), and then only
    the header row is read (check_xlsx_header: openpyxl's read-only mode still scans the whole sheet for its
    size when it opens a workbook, which cost more than writing a 200-row book)."""
    if not count_rows:
        return check_xlsx_header(check)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(check.path, read_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        return [f"{check.path.name}: openpyxl không mở được (cannot open): {exc}"]
    try:
        if check.sheet not in wb.sheetnames:
            return [f"{check.path.name}: thiếu trang {check.sheet!r} (sheet missing)"]
        ws = wb[check.sheet]
        problems = []
        rows = ws.iter_rows(values_only=True)
        header = next(rows, ())
        if check.header is not None and [str(v or "") for v in header] != list(check.header):
            problems.append(f"{check.path.name}: dòng tiêu đề khác mẫu (header row differs from template)")
        if not count_rows:
            return problems
        count = sum(1 for row in rows if any(v not in (None, "") for v in row))
        if check.rows is not None and count != check.rows:
            problems.append(f"{check.path.name}: {count} dòng dữ liệu, cần {check.rows} (data rows)")
        return problems
    finally:
        wb.close()


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATION = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _column(ref: str) -> int:
    """0-based column of a cell reference ("BK1" -> 62)."""
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch.upper()) - 64
    return n - 1


def _first_row(zf: zipfile.ZipFile, part: str) -> list[str]:
    """Row 1 of a sheet part as text, parsing the sheet XML only until that row ends."""
    from xml.etree import ElementTree as ET

    with zf.open(part) as fh:
        for _event, element in ET.iterparse(fh, events=("end",)):
            if element.tag != _MAIN + "row":
                continue
            cells: dict[int, str] = {}
            shared: list[str] | None = None
            for i, cell in enumerate(element.iter(_MAIN + "c")):
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    text = "".join(t.text or "" for t in cell.iter(_MAIN + "t"))
                else:
                    v = cell.find(_MAIN + "v")
                    text = v.text or "" if v is not None else ""
                    if kind == "s" and text:
                        if shared is None:
                            root = ET.fromstring(zf.read("xl/sharedStrings.xml"))
                            shared = ["".join(t.text or "" for t in si.iter(_MAIN + "t"))
                                      for si in root.iter(_MAIN + "si")]
                        text = shared[int(text)]
                cells[_column(cell.get("r", "")) if cell.get("r") else i] = text
            return [cells.get(i, "") for i in range(max(cells) + 1)] if cells else []
    return []


def check_xlsx_header(check: XlsxCheck) -> list[str]:
    """The workbook opens as a zip, names the sheet, and the sheet's row 1 is the template header: read
    from the package directly, stopping after row 1 (the rows are counted by the LibreOffice re-read)."""
    from xml.etree import ElementTree as ET

    name = check.path.name
    try:
        with zipfile.ZipFile(check.path) as zf:
            book = ET.fromstring(zf.read("xl/workbook.xml"))
            rid = next((s.get(_RELATION) for s in book.iter(_MAIN + "sheet") if s.get("name") == check.sheet), None)
            if rid is None:
                return [f"{name}: thiếu trang {check.sheet!r} (sheet missing)"]
            rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            target = next((r.get("Target", "") for r in rels if r.get("Id") == rid), "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            header = _first_row(zf, part)
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError, OSError, ET.ParseError) as exc:
        return [f"{name}: không mở được (cannot open): {exc}"]
    if check.header is not None and header != list(check.header):
        return [f"{name}: dòng tiêu đề khác mẫu (header row differs from template)"]
    return []


def _sheet_rows(data: bytes) -> int:
    """Row elements of a sheet's XML, the XML parsed whole by expat (well-formed, or ValueError). Counted by
    their start tags (a literal "<row" cannot occur in text, where "<" is escaped): a Python callback per
    element or text run cost as much as writing the rows."""
    from xml.parsers import expat

    try:
        expat.ParserCreate().Parse(data, True)
    except expat.ExpatError as exc:
        raise ValueError(f"XML hỏng (broken XML): {exc}") from exc
    return len(_ROW_TAG.findall(data))


_ROW_TAG = re.compile(rb"<row[\s>/]")


def check_xlsx_package(check: XlsxCheck) -> list[str]:
    """The whole workbook re-read as a package, without openpyxl: every member passes its CRC, every XML part
    parses (expat, to the end), the sheet is there with the template's header in row 1, and the data sheet
    holds the expected number of data rows. What the backlog checks on every book it writes; LibreOffice
    re-reads a sample of them (export.backlog)."""
    from xml.parsers import expat

    problems = check_xlsx_header(check)
    if problems:
        return problems
    name = check.path.name
    try:
        with zipfile.ZipFile(check.path) as zf:
            bad = zf.testzip()
            if bad is not None:
                return [f"{name}: sai CRC ở {bad} (CRC error)"]
            from xml.etree import ElementTree as ET

            book = ET.fromstring(zf.read("xl/workbook.xml"))
            rid = next(s.get(_RELATION) for s in book.iter(_MAIN + "sheet") if s.get("name") == check.sheet)
            rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            target = next((r.get("Target", "") for r in rels if r.get("Id") == rid), "")
            sheet_part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            rows = 0
            for member in zf.namelist():
                if not member.endswith((".xml", ".rels")):
                    continue
                data = zf.read(member)
                if member == sheet_part:
                    rows = _sheet_rows(data) - 1  # row 1 is the header
                else:
                    parser = expat.ParserCreate()
                    parser.Parse(data, True)
    except (zipfile.BadZipFile, KeyError, ValueError, StopIteration, OSError, expat.ExpatError) as exc:
        return [f"{name}: không đọc hết được (cannot read through): {exc}"]
    if check.rows is not None and rows != check.rows:
        return [f"{name}: {rows} dòng dữ liệu, cần {check.rows} (data rows)"]
    return []


def convert_with_libreoffice(paths: Sequence[Path], out_dir: Path, timeout: float) -> dict[Path, Path | str]:
    """Convert each workbook's first sheet to CSV; map each input to its CSV, or to an error message."""
    soffice = soffice_path()
    assert soffice, "soffice_path() checked by the caller"
    with tempfile.TemporaryDirectory(prefix="sohoa-lo-profile-") as profile:
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out_dir),
               *map(str, paths)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
            failure = "" if proc.returncode == 0 else f"soffice exit {proc.returncode}: {proc.stderr[-300:]}"
        except subprocess.TimeoutExpired:
            failure = f"LibreOffice quá thời gian {timeout:.0f} s (timed out)"
    result: dict[Path, Path | str] = {}
    for path in paths:
        csv_path = out_dir / (path.stem + ".csv")
        result[path] = csv_path if csv_path.exists() else (failure or "LibreOffice không tạo CSV (no CSV output)")
    return result


def check_csv(path: Path, check: XlsxCheck, csv_path: Path) -> list[str]:
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.reader(fh) if any(cell.strip() for cell in r)]
    problems = []
    if check.header is not None and (not rows or [c for c in rows[0]][:len(check.header)] != list(check.header)):
        problems.append(f"{path.name}: LibreOffice đọc tiêu đề khác (LibreOffice reads a different header)")
    if check.rows is not None and len(rows) - 1 != check.rows:
        problems.append(f"{path.name}: LibreOffice đọc {len(rows) - 1} dòng, cần {check.rows} (rows read)")
    return problems


def libreoffice_problems(checks: Sequence[XlsxCheck], timeout: float = 180, jobs: int = 1
                         ) -> dict[Path, list[str]]:
    """LibreOffice re-read of each workbook (header and data rows from its CSV): problems per workbook.

    One soffice start serves many workbooks (a start costs about as much CPU as converting ten 1,000-row
    books); `jobs` > 1 splits them over that many soffice processes, each with its own profile, so a
    big batch uses every core."""
    from concurrent.futures import ThreadPoolExecutor

    by_path = {c.path: c for c in checks}
    paths = list(by_path)
    chunks = [paths[i::max(1, jobs)] for i in range(max(1, jobs))]
    chunks = [c for c in chunks if c]
    result: dict[Path, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="sohoa-verify-") as tmp:
        def run(n: int) -> dict[Path, Path | str]:
            out = Path(tmp) / str(n)  # one folder per soffice: same-named books never collide
            out.mkdir()
            return convert_with_libreoffice(chunks[n], out, timeout + 20 * len(chunks[n]))

        with ThreadPoolExecutor(len(chunks) or 1) as pool:
            for converted in pool.map(run, range(len(chunks))):
                for path, outcome in converted.items():
                    result[path] = ([f"{path.name}: {outcome}"] if isinstance(outcome, str)
                                    else check_csv(path, by_path[path], outcome))
    return result


def check_pdf(path: Path, pages: int | None, timeout: float = 60) -> list[str]:
    pdfinfo = shutil.which("pdfinfo")
    if not pdfinfo:
        return [f"{path.name}: thiếu pdfinfo (poppler-utils not installed)"]
    try:
        proc = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return [f"{path.name}: pdfinfo quá thời gian (timed out)"]
    if proc.returncode != 0:
        return [f"{path.name}: poppler không mở được PDF (cannot open): {proc.stderr.strip()[-200:]}"]
    found = next((int(line.split()[1]) for line in proc.stdout.splitlines() if line.startswith("Pages:")), None)
    if pages is not None and found != pages:
        return [f"{path.name}: {found} trang, cần {pages} (page count)"]
    return []


def check_zip(path: Path, members: Sequence[str] | None) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"{path.name}: zip hỏng (broken zip): {exc}"]
    problems = []
    if bad is not None:
        problems.append(f"{path.name}: sai CRC ở {bad} (CRC error)")
    if any("/" in n or "\\" in n for n in names):
        problems.append(f"{path.name}: zip có thư mục, cần phẳng (zip must be flat)")
    if members is not None and sorted(names) != sorted(members):
        problems.append(f"{path.name}: danh sách tệp trong zip khác (member list differs)")
    return problems


def verify_exports(xlsx: Sequence[XlsxCheck] = (), pdfs: dict[Path, int | None] | None = None,
                   zips: dict[Path, Sequence[str] | None] | None = None, *, libreoffice: bool = True,
                   openpyxl: bool = True, timeout: float = 180, raise_on_error: bool = True,
                   libreoffice_jobs: int = 1) -> VerifyReport:
    """Check everything; return the report, or raise VerifyError listing every problem."""
    report = VerifyReport()
    for check in xlsx if openpyxl else ():
        problems = check_xlsx_openpyxl(check)
        report.problems += problems
        if not problems:
            report.checked.append(f"xlsx {check.path.name}: openpyxl ok")
    if xlsx and libreoffice:
        if soffice_path() is None:
            report.checked.append("LibreOffice (soffice) không có: bỏ qua (not installed: skipped)")
        else:
            report.libreoffice = True
            for path, problems in libreoffice_problems(xlsx, timeout, libreoffice_jobs).items():
                report.problems += problems
                if not problems:
                    report.checked.append(f"xlsx {path.name}: LibreOffice ok")
    for path, pages in (pdfs or {}).items():
        problems = check_pdf(path, pages)
        report.problems += problems
        if not problems:
            report.checked.append(f"pdf {path.name}: pdfinfo ok")
    for path, members in (zips or {}).items():
        problems = check_zip(path, members)
        report.problems += problems
        if not problems:
            report.checked.append(f"zip {path.name}: CRC ok")
    if raise_on_error and report.problems:
        raise VerifyError("Kiểm tra lại tệp xuất thất bại (export re-read failed):\n  " + "\n  ".join(report.problems))
    return report
