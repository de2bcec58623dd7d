"""Document profiles (profiles/*.toml): how to recognise a document type and where its fields are.

Why data files: a new document type is a new TOML file, never a new Python module. The same file's `[type]`
and `[export]` tables are the document-type registry (common/doctypes.py); this module reads the rest.
Each file is checked against the dataclasses below when loaded; an error names the file, the key path
and the problem, e.g. `profiles/ks.toml: fields[3].normalizer: unknown normaliser 'dat' (known: …)`.
The check is written on the dataclasses themselves (type hints drive it), no schema library needed.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from common.doctypes import ExportSpec, TypeSpec
from common.errors import ConfigError
from common.schema import build

Position = Literal["right", "below", "right_or_below", "region", "mrz"]


class ProfileError(ConfigError):
    """A profile or template file that does not follow the schema."""


@dataclass
class Anchor:
    """A phrase (accent-insensitive, fuzzy) or a regex (on the raw text) that votes for a document type."""
    phrase: str = ""
    regex: str = ""
    weight: float = 1.0


@dataclass
class Recognise:
    anchors: list[Anchor]
    negative: list[Anchor] = field(default_factory=list)
    aspect: list[float] = field(default_factory=list)  # [min, max] of width/height, cards only
    min_score: float = 2.0                             # below this the page is not this type


@dataclass
class OcrSettings:
    """Settings for re-reading the field's region (engine.read_region). No language: the region re-read
    uses the page engine's language (OcrEngine.read_region has none), so a per-field one would be ignored."""
    psm: int = 7
    whitelist: str = ""


@dataclass
class ValidatorSpec:
    name: str
    params: dict = field(default_factory=dict)

    @classmethod
    def from_shorthand(cls, value: object) -> object:
        """validators = ["date"] is shorthand for [{name = "date"}]."""
        return {"name": value} if isinstance(value, str) else value


@dataclass
class FieldSpec:
    key: str
    labels: list[str] = field(default_factory=list)   # label variants as printed; longest tried first
    position: Position = "right_or_below"
    max_lines: int = 1           # lines below the label (or continuation lines when multiline)
    multiline: bool = False      # an address may run over several lines: joined with one space
    region: list[float] = field(default_factory=list)  # [x0, y0, x1, y1] page fractions (cards)
    after: list[str] = field(default_factory=list)     # search only below a line holding one of these
    before: list[str] = field(default_factory=list)    # … and above a line holding one of these
    ocr: OcrSettings = field(default_factory=OcrSettings)
    normalizer: str = "text"
    params: dict = field(default_factory=dict)
    validators: list[ValidatorSpec] = field(default_factory=list)
    column: str = ""             # template column; defaults to key
    required: bool = False
    handwriting: bool | None = None  # None = the profile's `handwriting_possible`
    place: bool = False          # an address / place: its units are matched to the official list
                                 # (extract/places.py), corrected and, on a unique close match, accepted
    place_code: str = ""         # record key for the matched unit's GSO code (e.g. "nksNoiSinhDVHC", a BTP
                                 # column); "" = no code field (a template without such a column)

    @property
    def template_column(self) -> str:
        return self.column or self.key


@dataclass
class CrossCheck:
    """rule 'date_order': fields = [earlier, later]; rule 'id_matches_person': fields = [id, birth, sex];
    rule 'same_as': fields = [field, other, …] — the field read identically to one of the others (two
    independent reads agree: both count as validated); rule 'in_header': fields = [field] — every
    comma-separated part of the value is printed in the page header above the title (the book's authority)."""
    rule: Literal["date_order", "id_matches_person", "same_as", "in_header"]
    fields: list[str]
    message: str = ""


@dataclass
class OwnersSpec:
    """Where the GCN owner block is (between a start and an end phrase) and how its parts are introduced."""
    start: list[str]
    end: list[str]
    key: str = "chuSuDung"
    places: list[str] = field(default_factory=list)  # owner fields matched to the official list of places


QrKind = Literal["id12", "id9_or_empty", "name", "ddmmyyyy", "sex", "text"]


@dataclass
class QrPart:
    """One `|`-separated position of a card's QR payload: which record field it fills, parsed how."""
    key: str
    kind: QrKind


@dataclass
class QrSpec:
    """Where a card side carries its QR code and what the payload holds. The code decodes with error
    correction and its content has a strict shape, so a payload that parses is accepted on its own."""
    region: list[float]                     # [x0, y0, x1, y1] fractions of the card where the code sits
    parts: list[QrPart]
    separator: str = "|"
    extra_parts: int = 1                    # trailing positions some cards add, tolerated and ignored


@dataclass
class CardModel:
    """One printed model of a card side (CMND, CCCD 2016, chip CCCD 2021, Căn cước 2024), told apart by
    phrases on the card and by whether a QR code decoded on this side."""
    name: str
    title: str = ""
    anchors: list[Anchor] = field(default_factory=list)
    qr: bool | None = None                  # True: has a QR code on this side; False: never; None: either
    number_lengths: list[int] = field(default_factory=list)  # digits of its number, when that tells it


@dataclass
class CardSpec:
    """An ID-1 card (85.6 x 54 mm): found in the photo, warped to a canonical size, then read by region."""
    models: list[CardModel]
    size_mm: list[float] = field(default_factory=lambda: [85.6, 54.0])
    width_px: int = 1280                    # canonical width of the warped card (about 380 dpi)
    model_key: str = "mauThe"               # record field naming the model found


@dataclass
class Profile:
    name: str
    title: str
    recognise: Recognise
    fields: list[FieldSpec]
    type: TypeSpec                     # the registry part: code, family, inbox folders … (common/doctypes.py)
    export: ExportSpec = field(default_factory=ExportSpec)  # the export template (common/doctypes.py)
    handwriting_possible: bool = False
    stop_labels: list[str] = field(default_factory=list)  # headings that end any value
    titles: list[str] = field(default_factory=list)       # title lines: never searched for labels
    checks: list[CrossCheck] = field(default_factory=list)
    owners: OwnersSpec | None = None
    card: CardSpec | None = None       # ID cards: size, models; field regions are fractions of the card
    qr: QrSpec | None = None           # the card side's QR code, when it has one
    source: str = ""                   # file it came from (set by the loader)

    def field(self, key: str) -> FieldSpec:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


def _check_profile(p: Profile) -> None:
    from extract.normalize import NORMALIZERS
    from extract.validate import VALIDATORS
    if not re.fullmatch(r"[a-z][a-z0-9_]*", p.name):
        raise ProfileError(f"name: '{p.name}' phải là chữ thường/số/_ (must be lower-case letters, digits, _)")
    if not p.recognise.anchors:
        raise ProfileError("recognise.anchors: cần ít nhất một dấu hiệu (at least one anchor needed)")
    for group in ("anchors", "negative"):
        for i, a in enumerate(getattr(p.recognise, group)):
            where = f"recognise.{group}[{i}]"
            if bool(a.phrase) == bool(a.regex):
                raise ProfileError(f"{where}: cần đúng một trong phrase/regex (exactly one of phrase, regex)")
            if a.regex:
                _compile(a.regex, f"{where}.regex")
    if p.recognise.aspect and (len(p.recognise.aspect) != 2 or p.recognise.aspect[0] > p.recognise.aspect[1]):
        raise ProfileError("recognise.aspect: cần [min, max] (expected [min, max])")
    seen: set[str] = set()
    for i, f in enumerate(p.fields):
        where = f"fields[{i}] ({f.key})"
        if f.key in seen:
            raise ProfileError(f"{where}.key: trùng khóa (duplicate key)")
        seen.add(f.key)
        if f.normalizer not in NORMALIZERS:
            raise ProfileError(f"{where}.normalizer: không biết '{f.normalizer}' (unknown normaliser; "
                               f"known: {sorted(NORMALIZERS)})")
        for j, v in enumerate(f.validators):
            if v.name not in VALIDATORS:
                raise ProfileError(f"{where}.validators[{j}]: không biết '{v.name}' (unknown validator; "
                                   f"known: {sorted(VALIDATORS)})")
            if v.name == "regex":
                _compile(v.params.get("pattern", ""), f"{where}.validators[{j}].params.pattern")
        if f.region and (len(f.region) != 4 or not all(0 <= x <= 1 for x in f.region)
                         or f.region[0] >= f.region[2] or f.region[1] >= f.region[3]):
            raise ProfileError(f"{where}.region: cần [x0, y0, x1, y1] trong 0..1 (expected page fractions)")
        if f.position == "region" and not f.region:
            raise ProfileError(f"{where}.region: position = 'region' cần region (region required)")
        if f.position in ("right", "below", "right_or_below") and not f.labels:
            raise ProfileError(f"{where}.labels: cần nhãn (labels required for position '{f.position}')")
        if f.max_lines < 1:
            raise ProfileError(f"{where}.max_lines: phải >= 1 (must be at least 1)")
    _check_card(p, seen)
    for i, c in enumerate(p.checks):
        need = {"date_order": 2, "id_matches_person": 3, "in_header": 1}.get(c.rule, max(2, len(c.fields)))
        if len(c.fields) != need:
            raise ProfileError(f"checks[{i}].fields: '{c.rule}' cần {need} trường (needs {need} fields)")
        for k in c.fields:
            if k not in seen:
                raise ProfileError(f"checks[{i}].fields: trường '{k}' không có trong profile (unknown field)")


def _fractions(box: list[float]) -> bool:
    return len(box) == 4 and all(0 <= x <= 1 for x in box) and box[0] < box[2] and box[1] < box[3]


def _check_card(p: Profile, field_keys: set[str]) -> None:
    """The card and QR tables: regions are card fractions, QR parts fill distinct keys, models are named."""
    if p.qr is not None:
        if not _fractions(p.qr.region):
            raise ProfileError("qr.region: cần [x0, y0, x1, y1] trong 0..1 (expected card fractions)")
        keys = [part.key for part in p.qr.parts if part.key]
        if len(keys) != len(set(keys)) or not keys:
            raise ProfileError("qr.parts: mỗi khóa một lần, ít nhất một (each key once, at least one)")
        if not p.qr.separator:
            raise ProfileError("qr.separator: không được rỗng (must not be empty)")
        if p.qr.extra_parts < 0:
            raise ProfileError("qr.extra_parts: phải >= 0 (must be at least 0)")
    if p.card is not None:
        if len(p.card.size_mm) != 2 or min(p.card.size_mm) <= 0:
            raise ProfileError("card.size_mm: cần [rộng, cao] mm (expected [width, height] in mm)")
        if not p.card.models:
            raise ProfileError("card.models: cần ít nhất một mẫu thẻ (at least one card model)")
        names = [m.name for m in p.card.models]
        if len(names) != len(set(names)):
            raise ProfileError("card.models: trùng tên mẫu (duplicate model name)")
        if p.card.model_key in field_keys:
            raise ProfileError(f"card.model_key: '{p.card.model_key}' trùng một trường (clashes with a field)")
        for i, m in enumerate(p.card.models):
            for j, a in enumerate(m.anchors):
                if bool(a.phrase) == bool(a.regex):
                    raise ProfileError(f"card.models[{i}].anchors[{j}]: cần đúng một trong phrase/regex "
                                       "(exactly one of phrase, regex)")
                if a.regex:
                    _compile(a.regex, f"card.models[{i}].anchors[{j}].regex")
    if p.qr is not None and p.card is None:
        raise ProfileError("qr: chỉ dùng cho thẻ, cần bảng [card] (QR codes need a [card] table)")


def _compile(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ProfileError(f"{where}: biểu thức chính quy lỗi (bad regex): {exc}") from None


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: TOML lỗi cú pháp (TOML syntax error): {exc}") from None


def load_profile(path: Path) -> Profile:
    path = Path(path)
    try:
        profile = build(Profile, _read(path), "", ProfileError)
        _check_profile(profile)
    except ProfileError as exc:
        msg = str(exc)
        raise ProfileError(msg if msg.startswith(str(path)) else f"{path}: {msg}", code=exc.code) from None
    profile.source = str(path)
    return profile


def _resolve(dir: Path | str | None) -> Path:
    if dir is not None:
        return Path(dir)
    from common.paths import profiles_dir
    return profiles_dir()


@lru_cache(maxsize=8)
def _cached(dir: str, stamp: tuple) -> dict[str, Profile]:
    out: dict[str, Profile] = {}
    for path in sorted(Path(dir).glob("*.toml")):
        profile = load_profile(path)
        if profile.name in out:
            raise ProfileError(f"{path}: name '{profile.name}' trùng với {out[profile.name].source} "
                               f"(duplicate profile name)")
        out[profile.name] = profile
    return out


def load_profiles(dir: Path | str | None = None) -> dict[str, Profile]:
    """All profiles of `dir` (default: $SOHOA_PROFILES or the checkout's profiles/), by name. Cached until a
    file in the folder changes."""
    root = _resolve(dir)
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(root.glob("*.toml")))
    return _cached(str(root.resolve()), stamp)
