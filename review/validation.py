"""Run extract's validators and normalisers on what a reviewer typed, and say in Vietnamese what is wrong.

Which rule applies to which field comes from the key's name (the BTP and card keys are systematic:
`nksNgaySinh`, `meSoDinhDanhCaNhan`, `gioiTinh` …), so the same checks work for every record type without
reading extraction's profiles. Empty values pass: "illegible/absent" is a legitimate reviewer answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extract import normalize as N
from extract import validate as V

# (regex on the key after any owners.<i>. prefix, validator name or None, normaliser name or None)
RULES: list[tuple[re.Pattern[str], str | None, str | None]] = [
    (re.compile(r"(?i)^(\w*SoDinhDanh(CaNhan)?)$"), "cccd_number", "id_digits"),
    (re.compile(r"(?i)^(\w*soGiayTo(TuyThan)?|so(CMND|CCCD))$"), "id_number", "id_digits"),
    (re.compile(r"(?i)^\w*NgaySinhBangChu$|^\w*BangChu$|^\w*GhiBangChu$"), None, None),
    (re.compile(r"(?i)^(\w*ngay\w*|\w*NgayCap\w*|coGiaTriDen)$"), "date", "date"),
    (re.compile(r"(?i)^\w*namSinh$"), "date", "year"),
    (re.compile(r"(?i)^\w*gioiTinh$"), "gender", "gender"),
    (re.compile(r"(?i)^\w*hoTen$"), None, "name"),
    (re.compile(r"(?i)^\w*danToc$"), None, "ethnicity"),
    (re.compile(r"(?i)^\w*quocTich$"), None, "nationality"),
    (re.compile(r"(?i)^dienTich$"), None, "area"),
]

# Prefixes of the people a record can describe: the card holder ("") and the hộ tịch roles.
PERSON_PREFIXES = ("", "nks", "nkt", "me", "cha", "nyc", "chong", "vo", "nxn", "cm", "nc")


@dataclass
class FieldDecision:
    """What the reviewer did with one field in the save form."""
    key: str
    value: str
    state: str          # pending | accepted | changed | illegible
    confirmed: bool = False  # accepted explicitly although a validator disagrees


def _bare(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def rule_for(key: str) -> tuple[str | None, str | None]:
    bare = _bare(key)
    for pattern, validator, normaliser in RULES:
        if pattern.match(bare):
            return validator, normaliser
    return None, None


def normalise(key: str, value: str) -> str:
    """The value in the project's convention when the normaliser can read it; otherwise as typed."""
    _, normaliser = rule_for(key)
    text = " ".join(value.split())
    if not text or normaliser is None:
        return text
    result = N.normalize(normaliser, text)
    return result.value if result.ok else text


def check_field(key: str, value: str) -> str:
    """'' when the value passes, else the reason in plain Vietnamese (English gloss)."""
    value = value.strip()
    if not value:
        return ""
    validator, normaliser = rule_for(key)
    if normaliser is not None:
        result = N.normalize(normaliser, value)
        if not result.ok:
            return result.reason
        value = result.value
    if validator is not None:
        check = V.run_validator(validator, value)
        if not check.ok:
            return check.message
    return ""


def _first(values: dict[str, str], *keys: str) -> tuple[str, str] | None:
    for k in keys:
        if values.get(k, "").strip():
            return k, values[k].strip()
    return None


def cross_checks(values: dict[str, str]) -> dict[str, str]:
    """ID number against birth date and sex, per person; registration date not before birth."""
    out: dict[str, str] = {}
    groups: dict[str, dict[str, str]] = {}
    for key, value in values.items():  # owners.<i>.x keys form their own group
        head, _, bare = key.rpartition(".")
        groups.setdefault(head, {})[bare] = value
    for head, group in groups.items():
        prefix = f"{head}." if head else ""
        for p in PERSON_PREFIXES:
            def cap(bare: str, p: str = p) -> str:
                return f"{p}{bare[0].upper()}{bare[1:]}" if p else bare
            id_hit = _first(group, cap("soDinhDanh"), cap("soDinhDanhCaNhan"), cap("soGiayToTuyThan"),
                            cap("soGiayTo"))
            birth = _first(group, cap("ngaySinh"), cap("namSinh"))
            sex = _first(group, cap("gioiTinh"))
            if not id_hit or not (birth or sex):
                continue
            birth_value = normalise(birth[0], birth[1]) if birth else ""
            sex_value = normalise(sex[0], sex[1]) if sex else ""
            for check in V.check_id_matches_person(normalise(id_hit[0], id_hit[1]), birth_value, sex_value):
                out.setdefault(prefix + id_hit[0], check.message)
        for p in ("nks", "nkt"):
            birth = group.get(f"{p}NgaySinh", "").strip()
            reg = group.get("ngayDangKy", "").strip()
            if birth and reg:
                check = V.check_date_order(normalise("ngay", birth), normalise("ngay", reg),
                                           "ngày đăng ký trước ngày sinh (registered before birth)")
                if not check.ok:
                    out.setdefault(prefix + "ngayDangKy", check.message)
    return out


def validate_values(doc_type: str, values: dict[str, str]) -> dict[str, str]:
    """Field key -> what is wrong, for every failing field of one record."""
    errors = {k: m for k, v in values.items() if (m := check_field(k, v))}
    for key, message in cross_checks(values).items():
        errors.setdefault(key, message)
    return errors
