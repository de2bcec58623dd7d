"""Validators: single-field rules (named in profiles) and cross-field checks (profile `[[checks]]`).

Every failure says which rule broke in plain Vietnamese with an English gloss, because it is shown to
the reviewer as is. A `flag` is not a failure: it marks work outside the app (e.g. police reconciliation
of a 9-digit CMND).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from extract.ids import cccd_problem
from extract.normalize import parse_date

POLICE_RECONCILIATION = "doi_soat_cong_an"  # flag: 9-digit CMND, ask the police for the 12-digit number


@dataclass
class Check:
    ok: bool
    message: str = ""
    flag: str = ""


OK = Check(True)


def _fail(message: str) -> Check:
    return Check(False, message)


# ---------------------------------------------------------------- ID numbers

def check_cccd_number(value: str, params: dict | None = None) -> Check:
    """A 12-digit personal identification number: PPP G YY NNNNNN with a known province code."""
    problem = cccd_problem(value)
    return _fail(problem) if problem else OK


def check_id_number(value: str, params: dict | None = None) -> Check:
    """An ID paper number: 12 digits (CCCD rules apply) or 9 digits (CMND: flagged for the police)."""
    if re.fullmatch(r"\d{9}", value or ""):
        return Check(True, "CMND 9 số: cần đối chiếu với công an (9-digit CMND: police reconciliation needed)",
                     flag=POLICE_RECONCILIATION)
    if re.fullmatch(r"\d{12}", value or ""):
        # a 12-digit CMND (2012-2016) also starts with a province code; the century digit rule is CCCD's
        return check_cccd_number(value)
    return _fail("số giấy tờ phải có 9 hoặc 12 chữ số (ID number must have 9 or 12 digits)")


def check_id_matches_person(id_number: str, birth: str, sex: str) -> list[Check]:
    """The 12-digit number's century/sex digit and YY against the card's own date of birth and sex."""
    out: list[Check] = []
    if not re.fullmatch(r"\d{12}", id_number or ""):
        return out
    g, yy = int(id_number[3]), id_number[4:6]
    parsed = parse_date(birth) if birth else None
    if parsed:
        year = int(parsed[0][-4:])
        if yy != f"{year % 100:02d}":
            out.append(_fail("số định danh không khớp năm sinh (ID number does not match birth year)"))
        if g // 2 != (year - 1900) // 100:
            out.append(_fail("số định danh không khớp thế kỷ sinh (ID number does not match birth century)"))
    if sex in ("1", "2") and (g % 2 == 0) != (sex == "1"):
        out.append(_fail("số định danh không khớp giới tính (ID number does not match sex)"))
    return out


# ---------------------------------------------------------------- dates

def _bounds(value: str) -> tuple[date, date] | None:
    """Earliest and latest day a (possibly partial) date can mean."""
    parsed = parse_date(value)
    if parsed is None:
        return None
    text, precision = parsed
    if precision == "day":
        d = date(int(text[6:]), int(text[3:5]), int(text[:2]))
        return d, d
    if precision == "month":
        y, m = int(text[3:]), int(text[:2])
        last = (date(y + (m == 12), m % 12 + 1, 1) - date.resolution)
        return date(y, m, 1), last
    y = int(text)
    return date(y, 1, 1), date(y, 12, 31)


def check_date(value: str, params: dict | None = None) -> Check:
    if value in (params or {}).get("keep", []):  # a phrase the profile allows, e.g. "Không thời hạn"
        return OK
    if _bounds(value) is None:
        return _fail("ngày không tồn tại (date does not exist)")
    params = params or {}
    lo, hi = _bounds(value)
    if "min_year" in params and hi.year < int(params["min_year"]):
        return _fail(f"năm trước {params['min_year']} (year before {params['min_year']})")
    if params.get("not_future", True) and lo > date.today():
        return _fail("ngày ở tương lai (date in the future)")
    return OK


def check_date_order(earlier: str, later: str, message: str = "") -> Check:
    """`earlier` must not be after `later`; partial dates compare by the widest reading."""
    a, b = _bounds(earlier), _bounds(later)
    if a is None or b is None:
        return OK  # each date's own validator reports unreadable dates
    if a[0] > b[1]:
        return _fail(message or "ngày không đúng thứ tự (dates out of order)")
    return OK


# ---------------------------------------------------------------- patterns

def check_regex(value: str, params: dict | None = None) -> Check:
    """Profile-configured pattern (GCN serial, số vào sổ …): params.pattern, optional params.message."""
    params = params or {}
    pattern = params.get("pattern", "")
    if re.fullmatch(pattern, value or ""):
        return OK
    return _fail(params.get("message") or "không đúng mẫu (does not match the expected pattern)")


def check_not_empty(value: str, params: dict | None = None) -> Check:
    return OK if (value or "").strip() else _fail("trống (empty)")


def check_gender(value: str, params: dict | None = None) -> Check:
    return OK if value in ("1", "2", "3") else _fail("giới tính không hợp lệ (sex invalid)")


def check_mrz(value: str, params: dict | None = None) -> Check:
    from extract.mrz import clean_mrz_lines, parse_td1
    lines = clean_mrz_lines(value.splitlines())
    if len(lines) != 3:
        return _fail("không đọc được đủ 3 dòng MRZ (MRZ: 3 lines not found)")
    mrz = parse_td1(lines)
    return OK if mrz.valid else _fail("; ".join(mrz.failures()))


VALIDATORS: dict[str, Callable[[str, dict | None], Check]] = {
    "cccd_number": check_cccd_number,
    "id_number": check_id_number,
    "date": check_date,
    "regex": check_regex,
    "not_empty": check_not_empty,
    "gender": check_gender,
    "mrz": check_mrz,
}

# Profile [[checks]] come in two sorts. Validity rules can break: a failure makes the fields invalid.
# Agreement rules are evidence for acceptance only (two independent reads agree), evaluated by extraction where
# the page is at hand; a disagreement is never an error, so the review app and imports skip them.
VALIDITY_CHECKS = ("date_order", "id_matches_person")
AGREEMENT_CHECKS = ("same_as", "in_header")


class CrossCheckSpec(Protocol):
    rule: str
    fields: list[str]
    message: str


@dataclass
class CrossCheckResult:
    """One validity check run on a record's values: the fields it covers and what failed (empty = passed)."""
    rule: str
    keys: list[str]
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures


def run_cross_checks(checks: Iterable[CrossCheckSpec], values: Mapping[str, str]) -> list[CrossCheckResult]:
    """The validity checks whose first two fields have values, in profile order. One implementation for
    extraction, the review app and legacy imports: each used to interpret the rules on its own, and two of
    them read every non-date rule as the three-field ID check (a one-field `in_header` check crashed them)."""
    out: list[CrossCheckResult] = []
    for check in checks:
        if check.rule not in VALIDITY_CHECKS:
            continue
        got = [values.get(key) or "" for key in check.fields]
        if len(got) < 2 or not all(got[:2]):
            continue
        if check.rule == "date_order":
            results = [check_date_order(got[0], got[1], check.message)]
        else:
            results = check_id_matches_person(got[0], got[1], got[2] if len(got) > 2 else "")
        out.append(CrossCheckResult(check.rule, list(check.fields), [r.message for r in results if not r.ok]))
    return out


def run_validator(name: str, value: str, params: dict | None = None) -> Check:
    return VALIDATORS[name](value, params or {})
