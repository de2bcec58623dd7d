"""Data files checked against dataclasses: profiles, the document-type registry and sohoa.toml all go through
`build`, so every file sohoa reads refuses an unknown key, a missing required key or a wrong type with the key's
path, in plain Vietnamese with an English gloss. The type hints of the dataclass are the schema.

A dataclass may accept a shorthand by defining `from_shorthand(cls, value)` (e.g. `validators = ["date"]` for
`[{name = "date"}]`); fields named in `SKIP` (e.g. `source`, filled by the loader) are not read from the file.
"""
from __future__ import annotations

import types
import typing
from dataclasses import MISSING, fields, is_dataclass
from typing import Literal, TypeVar

from common.errors import ConfigError

T = TypeVar("T")
SKIP = frozenset({"source", "sources"})


def build(cls: type[T], data: object, where: str = "", error: type[ConfigError] = ConfigError) -> T:
    """An instance of dataclass `cls` from parsed TOML `data`; `error` (a ConfigError) names what is wrong."""
    shorthand = getattr(cls, "from_shorthand", None)
    if shorthand is not None and not isinstance(data, dict):
        data = shorthand(data)
    if not isinstance(data, dict):
        raise error(f"{where or cls.__name__}: cần một bảng (expected a table) for {cls.__name__}")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if f.name not in SKIP}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise error(f"{_join(where, unknown[0])}: khóa không biết (unknown key); known: {sorted(known)}",
                    code="unknown_key")
    kwargs = {}
    for name, f in known.items():
        if name in data:
            kwargs[name] = convert(hints[name], data[name], _join(where, name), error)
        elif f.default is MISSING and f.default_factory is MISSING:
            raise error(f"{_join(where, name)}: thiếu khóa bắt buộc (required key missing)", code="missing_key")
    return cls(**kwargs)


def convert(tp: object, value: object, where: str, error: type[ConfigError] = ConfigError) -> object:
    """`value` as type `tp` (unions tried in order, Literal, list, dict, nested dataclasses, scalars)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        failures = []
        for option in (a for a in args if a is not type(None)):
            try:
                return convert(option, value, where, error)
            except ConfigError as exc:
                failures.append(exc)
        raise failures[-1]
    if origin is Literal:
        if value not in args:
            raise error(f"{where}: {value!r} không hợp lệ, chọn một trong {list(args)} "
                        f"(invalid value, expected one of {list(args)})", code="bad_value")
        return value
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise error(f"{where}: cần một danh sách (expected a list), got {type(value).__name__}", code="bad_value")
        items = [convert(args[0], v, f"{where}[{i}]", error) for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if is_dataclass(tp):
        return build(tp, value, where, error)
    if tp is dict or origin is dict:
        if not isinstance(value, dict):
            raise error(f"{where}: cần một bảng (expected a table)", code="bad_value")
        return dict(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise error(f"{where}: cần một số (expected a number), got {value!r}", code="bad_value")
        return float(value)
    if tp is bool and not isinstance(value, bool):
        raise error(f"{where}: cần true/false (expected a boolean), got {value!r}", code="bad_value")
    if tp is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise error(f"{where}: cần một số nguyên (expected an integer), got {value!r}", code="bad_value")
    if tp is str and not isinstance(value, str):
        raise error(f"{where}: cần một chuỗi (expected a string), got {value!r}", code="bad_value")
    return value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
