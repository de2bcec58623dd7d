"""Legacy cell values -> FieldValues exactly as extraction makes them (extract.normalize, extract.validate).

The extraction profile of the book type (profiles/ks.toml …) says which normaliser, parameters and
validators a template key gets; keys the profile does not cover get the same choice by their name
(…HoTen -> name, …Ngay… -> date, …DanToc -> ethnicity …). Before that, the cell is turned into the text a
person would have typed: Excel date cells and serial numbers become dd.mm.yyyy, a bare number in a date
column that looks like a year stays a year (partial date), and an ID number Excel stored as a number gets
back the leading zero it lost. Each of those conversions is reported with its row and column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from common.doctypes import load_registry
from export.legacy.problems import Problem
from extract.normalize import normalize
from extract.profiles import CrossCheck
from extract.types import FieldValue
from extract.validate import run_cross_checks, run_validator

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's 1900 system, as openpyxl reads it (the 1900 leap-year bug absorbed)


@dataclass(frozen=True)
class FieldRule:
    normalizer: str
    params: dict = field(default_factory=dict)
    validators: tuple[tuple[str, dict], ...] = ()


def rule_by_name(key: str) -> FieldRule:
    """The normaliser a template key gets when the extraction profile does not list it."""
    if key in ("so", "quyenSo"):
        return FieldRule("register_no")
    if key == "trangSo":
        return FieldRule("digits")
    if re.search(r"(^ngay|Ngay)", key) and "BangChu" not in key:
        return FieldRule("date", {}, (("date", {}),))
    if key.endswith("HoTen") or key in ("nguoiKy", "nguoiThucHien"):
        return FieldRule("name")
    if key.endswith("GioiTinh"):
        return FieldRule("gender", {}, (("gender", {}),))
    if key.endswith("DanToc"):
        return FieldRule("ethnicity")
    if re.search(r"QuocTich(Khac)?$", key):
        return FieldRule("nationality")
    if key.endswith("SoDinhDanh") or key.endswith("SoDinhDanhCaNhan"):
        return FieldRule("id_digits", {"lengths": [12]}, (("cccd_number", {}),))
    if key.endswith("SoGiayToTuyThan"):
        return FieldRule("id_digits", {"lengths": [9, 12]}, (("id_number", {}),))
    if key.endswith("LoaiGiayToTuyThan"):
        return FieldRule("code", {"table": "loaiGiayToTuyThan"})
    if key.endswith("LoaiCuTru"):
        return FieldRule("code", {"table": "loaiCuTru"})
    if key == "loaiDangKy":
        return FieldRule("code", {"table": "loaiDangKy"})
    return FieldRule("text")


@dataclass
class FieldRules:
    """Per key rules plus the profile's cross-field checks, for one book type."""
    rules: dict[str, FieldRule]
    checks: list[CrossCheck]                   # the profile's [[checks]]
    labels: dict[str, list[str]]               # key -> printed labels, used to guess headers
    main_person: str = ""                      # the registration's own person: its first required name field

    def rule(self, key: str) -> FieldRule:
        return self.rules.get(key) or rule_by_name(key)


def rules_for(doc_type: str) -> FieldRules:
    """From the extraction profile `profiles/<type>.toml` when it loads; by key name otherwise."""
    try:
        from extract.profiles import load_profiles

        registry = load_registry()
        named = [t.name for t in registry.by_code(doc_type) if t.export.exporter == "btp"]
        profile = load_profiles().get(named[0]) if named else None
    except Exception:  # a broken or missing profile must not stop an import: fall back to names
        profile = None
    if profile is None:
        return FieldRules({}, [], {})
    rules = {}
    labels = {}
    for spec in profile.fields:
        key = spec.template_column
        rules[key] = FieldRule(spec.normalizer, dict(spec.params),
                               tuple((v.name, dict(v.params)) for v in spec.validators))
        labels[key] = list(spec.labels)
    main = next((f.template_column for f in profile.fields if f.required and f.normalizer == "name"), "")
    return FieldRules(rules, list(profile.checks), labels, main)


def is_id_key(key: str) -> bool:
    return bool(re.search(r"(SoDinhDanh|SoDinhDanhCaNhan|SoGiayToTuyThan)$", key))


def cell_to_text(key: str, value: object, rule: FieldRule, where: dict) -> tuple[str, list[Problem]]:
    """The cell as the text a person typed, and what had to be converted to get it."""
    problems: list[Problem] = []
    if isinstance(value, datetime | date):
        if rule.normalizer in ("date", "year"):
            return value.strftime("%d.%m.%Y"), problems
        return value.strftime("%d.%m.%Y"), [Problem("warning", "ô kiểu ngày trong cột không phải ngày, đã ghi "
                                                    "thành dd.mm.yyyy (a date cell in a non-date column)", **where)]
    if isinstance(value, bool):
        return str(value), problems
    if isinstance(value, int | float):
        if rule.normalizer in ("date", "year"):
            number = float(value)
            if number.is_integer() and 1850 <= number <= 2100:
                return str(int(number)), problems   # a bare year: a partial date, kept as such
            if number.is_integer() and 1 <= number < 2958466:
                d = EXCEL_EPOCH + timedelta(days=int(number))
                text = d.strftime("%d.%m.%Y")
                problems.append(Problem("info", f"ngày dạng số Excel {int(number)} đọc là {text} "
                                                f"(Excel serial date read as {text})", **where))
                return text, problems
            return str(value), problems
        text = str(int(value)) if float(value).is_integer() else str(value)
        if is_id_key(key) and len(text) in (8, 11):
            problems.append(Problem("warning", f"số giấy tờ lưu dạng số, mất số 0 đầu: đã thêm lại ({len(text)} → "
                                               f"{len(text) + 1} chữ số) (ID stored as a number lost its "
                                               f"leading zero: restored)", **where))
            text = "0" + text
        return text, problems
    return str(value).strip(), problems


def to_field(key: str, raw: str, rule: FieldRule) -> FieldValue:
    """Normalise then validate, as extraction does; status accepted / needs_review / invalid."""
    result = normalize(rule.normalizer, raw, rule.params)
    status = "accepted" if result.ok else "needs_review"
    reasons = [result.reason] if result.reason else []
    if not result.ok and rule.normalizer == "date":
        status = "invalid"
    if result.ok:
        for name, params in rule.validators:
            check = run_validator(name, result.value, params)
            if not check.ok:
                status = "invalid"
                reasons.append(check.message)
            elif check.message:
                reasons.append(check.message)  # e.g. 9-digit CMND: police reconciliation needed
    return FieldValue(value=result.value, confidence=1.0 if status == "accepted" else 0.5, status=status,
                      reason="; ".join(reasons), source="legacy")


def cross_check(fields: dict[str, FieldValue], rules: FieldRules, doc_type: str) -> list[tuple[str, str]]:
    """The profile's cross-field checks; returns (key, message) for each failure and marks the field."""
    failures: list[tuple[str, str]] = []
    checks = list(rules.checks)
    values = {key: fv.value for key, fv in fields.items()}
    for result in run_cross_checks(checks, values):
        # the later date of an order check, the ID number of an ID check: the value a clerk re-types
        target = result.keys[1] if result.rule == "date_order" else result.keys[0]
        for message in result.failures:
            if target in fields:
                fv = fields[target]
                fv.status = "invalid"
                fv.confidence = min(fv.confidence, 0.5)
                fv.reason = "; ".join(r for r in (fv.reason, message) if r)
                failures.append((target, message))
    return failures
