"""Run extract's validators and normalisers on what a reviewer typed, and say in Vietnamese what is wrong.

The record type's extraction profile (profiles/<type>.toml) says which normaliser, validators and
cross-field checks apply, exactly as extraction applied them. Keys a profile does not describe (GCN owner
fields, types without a profile) fall back to rules chosen from the key's name — the BTP and card keys are
systematic: `nksNgaySinh`, `meSoDinhDanhCaNhan`, `gioiTinh` … Empty values pass: "illegible/absent" is a
legitimate reviewer answer.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

from extract import normalize as N
from extract import validate as V

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class FieldRule:
    normaliser: str | None = None
    params: dict = field(default_factory=dict)
    validators: tuple[tuple[str, dict], ...] = ()


def _bare(key: str) -> str:
    return key.rsplit(".", 1)[-1]


_PROFILES: dict[str, tuple[float, object]] = {}
PROFILE_TTL = 5.0  # seconds: a validation asks for its profile once per field; stat the folder less often


def _profile(doc_type: str):
    hit = _PROFILES.get(doc_type)
    if hit is not None and time.monotonic() - hit[0] < PROFILE_TTL:
        return hit[1]
    try:
        from extract.profiles import load_profiles
        profile = load_profiles().get(doc_type)
    except Exception:  # noqa: BLE001 - a broken profile folder must not stop reviewers; name rules apply
        log.warning("profiles unavailable; validating by key names")
        profile = None
    _PROFILES[doc_type] = (time.monotonic(), profile)
    return profile


def rule_for(key: str, doc_type: str = "") -> FieldRule:
    """The profile's rule for a top-level key of this record type, else one chosen from the key's name."""
    profile = _profile(doc_type) if doc_type and "." not in key else None
    if profile is not None:
        spec = next((f for f in profile.fields if f.key == key), None)
        if spec is not None:
            typed_params = {k: v for k, v in spec.params.items() if k not in N.PRINT_FORM_PARAMS}
            return FieldRule(spec.normalizer, typed_params,
                             tuple((v.name, dict(v.params)) for v in spec.validators))
    bare = _bare(key)
    for pattern, validator, normaliser in RULES:
        if pattern.match(bare):
            return FieldRule(normaliser, {}, ((validator, {}),) if validator else ())
    return FieldRule()


def normalise(key: str, value: str, doc_type: str = "") -> str:
    """The value in the project's convention when the normaliser can read it; otherwise as typed."""
    rule = rule_for(key, doc_type)
    text = " ".join(value.split())
    if not text or rule.normaliser is None:
        return text
    result = N.normalize(rule.normaliser, text, rule.params)
    return result.value if result.ok else text


def check_field(key: str, value: str, doc_type: str = "") -> str:
    """'' when the value passes, else the reason in plain Vietnamese (English gloss)."""
    value = value.strip()
    if not value:
        return ""
    rule = rule_for(key, doc_type)
    if rule.normaliser is not None:
        result = N.normalize(rule.normaliser, value, rule.params)
        if not result.ok:
            return result.reason
        value = result.value
    for name, params in rule.validators:
        check = V.run_validator(name, value, params)
        if not check.ok:
            return check.message
    return ""


def profile_checks(doc_type: str, values: dict[str, str]) -> dict[str, str] | None:
    """The profile's [[checks]] on normalised values, the message on every field of a failing check
    (as extraction marks them); None when the type has no profile."""
    profile = _profile(doc_type)
    if profile is None:
        return None
    normalised = {k: normalise(k, values.get(k, ""), doc_type) for c in profile.checks for k in c.fields}
    out: dict[str, str] = {}
    for result in V.run_cross_checks(profile.checks, normalised):
        if result.ok:
            continue
        for key in result.keys:
            if values.get(key, "").strip():
                out.setdefault(key, "; ".join(result.failures))
    return out


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
    errors = {k: m for k, v in values.items() if (m := check_field(k, v, doc_type))}
    checked = profile_checks(doc_type, values)
    if checked is None:
        checked = cross_checks(values)
    else:  # owners' fields are not in the profile's checks: name-based ones for them
        checked.update({k: m for k, m in cross_checks(values).items() if "." in k})
    for key, message in checked.items():
        errors.setdefault(key, message)
    return errors
