"""The closed lists and code tables in extract/data/*.toml, loaded once. Data, not code: extend the files."""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def _load(name: str) -> dict:
    with open(DATA_DIR / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def province_codes() -> dict[str, str]:
    """'001' -> 'Hà Nội' … the 63 provinces of the 12-digit ID number."""
    return dict(_load("provinces")["codes"])


def ethnicities() -> dict[str, list[str]]:
    """Official name -> other spellings, the 54 ethnic groups."""
    return dict(_load("ethnicities")["groups"])


def countries() -> dict[str, list[str]]:
    return dict(_load("countries")["countries"])


def code_table(name: str) -> dict[str, list[str]]:
    """A word -> code table from codes.toml, e.g. 'gender', 'loaiDangKy', 'loaiGiayToTuyThan'."""
    tables = _load("codes")
    if name not in tables:
        raise KeyError(f"bảng mã không tồn tại: {name} (no such code table in extract/data/codes.toml)")
    return dict(tables[name])


def thresholds() -> dict[str, float]:
    return {k: float(v) for k, v in _load("thresholds").items()}
