"""Opening a workbook a person hands in (a legacy export, the police's reconciliation reply): openpyxl
raises many kinds for a file that is not one (BadZipFile, KeyError, InvalidFileException …); each becomes
one WorkbookError naming the file and the reason in plain words."""
from __future__ import annotations

import zipfile
from pathlib import Path

from common.errors import InputError


class WorkbookError(InputError):
    """The file given as an Excel workbook cannot be opened as one."""

    code = "workbook"


def open_workbook(path: Path, *, read_only: bool = False, data_only: bool = True):
    """openpyxl's load_workbook, with a WorkbookError (Vietnamese first) for a file that is not a workbook."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=read_only, data_only=data_only)
    except InvalidFileException:
        reason = "không phải tệp Excel .xlsx/.xlsm (not an .xlsx/.xlsm workbook)"
        detail = "InvalidFileException"
    except (zipfile.BadZipFile, KeyError):  # not a zip at all / a zip without the workbook's parts
        reason = "tệp hỏng hoặc không phải Excel .xlsx (damaged or not an .xlsx workbook)"
        detail = "BadZipFile"
    except OSError:
        raise  # the file system's reason, with the path, is clearer than ours
    except Exception as exc:  # openpyxl's parsers raise many more for a damaged workbook
        lines = str(exc).strip().splitlines()
        reason = f"tệp hỏng (damaged workbook): {type(exc).__name__}" + (f": {lines[0][:200]}" if lines else "")
        detail = type(exc).__name__
    raise WorkbookError(f"không mở được tệp Excel {Path(path).name} (cannot open the workbook): {reason}",
                        detail=detail)
