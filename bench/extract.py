"""Extraction benchmark on the generator's corpus: per document type x capture condition, how often the
type is right, fields match the truth exactly, fields are accepted, and accepted fields are right.

Why also a "perfect OCR" mode: it scores extraction logic alone (truth lines as words), so a drop in the
real-OCR figures can be told apart from an extraction bug.
"""
from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from extract.types import FieldValue, Record

log = logging.getLogger(__name__)


@dataclass
class Tally:
    pages: int = 0
    type_ok: int = 0
    fields: int = 0
    exact: int = 0
    accepted: int = 0
    accepted_ok: int = 0
    hw_fields: int = 0
    hw_exact: int = 0
    hw_accepted: int = 0
    hw_accepted_ok: int = 0
    mrz: int = 0
    mrz_ok: int = 0
    qr_pages: int = 0        # pages carrying a QR code (truth), of them decoded …
    qr_read: int = 0
    qr_intact: int = 0       # … and of those left intact by the generator (defect "ok"), decoded
    qr_intact_read: int = 0
    places: int = 0          # place fields (profile `place = true`) in the truth, of them matched to the
    places_matched: int = 0  # official list (a <key>DVHC code), and matched with the right value
    places_right: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))


@dataclass
class Miss:
    file: str
    page: int
    doc_type: str
    key: str
    truth: str
    got: str
    status: str
    confidence: float
    handwritten: bool
    reason: str = ""


@dataclass
class PageRef:
    file: str
    page: int
    condition: str


@dataclass
class Result:
    pages: list[PageRef] = field(default_factory=list)
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    samples: list[tuple[float, bool, str, bool]] = field(default_factory=list)  # conf, correct, status, hw
    card_pages: list = field(default_factory=list)  # (truth page, record) of every ID-card side
    card_files: list[str] = field(default_factory=list)


def _compare(tally: Tally, result: Result, file: str, page: int, doc_type: str, key: str, truth, got: FieldValue | None) -> None:
    hw = bool(truth.handwritten)
    ok = got is not None and got.value == truth.value
    tally.fields += 1
    tally.exact += ok
    if hw:
        tally.hw_fields += 1
        tally.hw_exact += ok
    if got is not None and got.status == "accepted":
        tally.accepted += 1
        tally.accepted_ok += ok
        if hw:
            tally.hw_accepted += 1
            tally.hw_accepted_ok += ok
    if got is not None and got.source == "mrz" and got.status == "accepted":  # MRZ-verified
        tally.mrz += 1
        tally.mrz_ok += ok
    if got is not None:
        result.samples.append((got.confidence, ok, got.status, hw))
    if not ok or (got is not None and got.status != "accepted"):
        result.misses.append(Miss(file, page, doc_type, key, truth.value, got.value if got else "<none>",
                                  got.status if got else "missing", got.confidence if got else 0.0, hw,
                                  got.reason if got else ""))


def _place_keys(doc_type: str) -> set[str]:
    from extract.profiles import load_profiles
    profile = load_profiles().get(doc_type)
    return {f.key for f in profile.fields if f.place} if profile is not None else set()


def score_page(result: Result, tally: Tally, file: str, truth_page, record: Record) -> None:
    tally.pages += 1
    tally.type_ok += record.doc_type == truth_page.doc_type
    if truth_page.qr:
        decoded = _qr_on_page(record)
        tally.qr_pages += 1
        tally.qr_read += decoded
        if truth_page.qr == "ok":
            tally.qr_intact += 1
            tally.qr_intact_read += decoded
    for key in _place_keys(truth_page.doc_type) & set(truth_page.fields):
        code = record.fields.get(key + "DVHC")
        got = record.fields.get(key)
        tally.places += 1
        tally.places_matched += code is not None
        tally.places_right += code is not None and got is not None and got.value == truth_page.fields[key].value
    for key, truth in truth_page.fields.items():
        _compare(tally, result, file, truth_page.page, truth_page.doc_type, key, truth, record.fields.get(key))
    for i, owner in enumerate(truth_page.owners):
        got = record.owners[i] if i < len(record.owners) else None
        for key, truth in owner.items():
            _compare(tally, result, file, truth_page.page, truth_page.doc_type, f"chuSuDung[{i}].{key}", truth,
                     got.fields.get(key) if got else None)


def _qr_on_page(record: Record) -> bool:
    """The page's own QR code decoded (its model field says so; values shared from the other side later
    do not count)."""
    return any(fv.source == "rule" and "QR" in fv.reason for fv in record.fields.values())


def run(corpus: Path, *, perfect_ocr: bool = False, limit_files: int | None = None,
        limits: dict[str, float] | None = None) -> Result:
    from extract.pipeline import extract_page
    from synth.perfect_ocr import page_from_truth
    from synth.truth import load_manifest
    result = Result()
    engine = None
    done: list = []
    for n, tf in enumerate(load_manifest(corpus)):
        if limit_files is not None and n >= limit_files:
            break
        t0 = time.perf_counter()
        if perfect_ocr:
            pairs = [(None, page_from_truth(p), p) for p in tf.pages]
        else:
            from extract.pipeline import layout_of
            from ocr.engine import get_engine
            from ocr.reading import line_reader
            from scanner.prepare import prepare_file
            engine = engine or get_engine("vie", 6)
            prepared = prepare_file(corpus / tf.file, read_line=line_reader(engine))
            pairs = []
            for p in tf.pages:
                page = prepared[p.page] if p.page < len(prepared) else None
                if page is None:
                    continue
                # the hint a hot folder gives: its kind (the generator's kind stands for the folder)
                layout = layout_of(p.doc_type)  # the registry's hint for the page's type, as its folder gives
                pairs.append((page, engine.read_page(page.ocr_image, dpi=page.dpi, layout=layout), p))
        for page, ocr, truth_page in pairs:
            record = extract_page(page, ocr, engine, limits=limits)
            done.append((tf.file, truth_page, record, time.perf_counter() - t0))
            t0 = time.perf_counter()
    return score_all(done, result)


def score_all(done: list, result: Result | None = None) -> Result:
    """Score extracted pages `(file, truth page, record, seconds)`, card sides paired first as the app pairs
    them."""
    result = result or Result()
    _pair_cards(done)
    for file, truth_page, record, seconds in done:
        key = (truth_page.doc_type, truth_page.capture.condition)
        if truth_page.doc_type in _card_types():
            result.card_pages.append((truth_page, record))
            result.card_files.append(file)
        tally = result.tallies.setdefault(key, Tally())
        score_page(result, tally, file, truth_page, record)
        result.pages.append(PageRef(file, truth_page.page, truth_page.capture.condition))
        tally.seconds += seconds
    return result


@dataclass
class _Capture:
    condition: str


@dataclass
class _RenderedPage:
    """A rendered-set card (synth/rendered) seen as the scorer sees a generator page."""
    doc_type: str
    fields: dict
    capture: _Capture
    qr: str = ""
    page: int = 0
    owners: list = field(default_factory=list)


@dataclass
class _Truth:
    value: str
    handwritten: bool = False


def run_rendered(folder: Path, limit: int | None = None) -> Result:
    """The card class of the independent rendered set (synth/rendered), for measuring only: every card image
    through prepare + OCR + extraction as the hot folder does (folder kind: CCCD), scored per condition."""
    from extract.pipeline import layout_of
    from ocr.engine import get_engine
    from ocr.reading import line_reader
    from scanner.prepare import prepare_file
    from synth.rendered.model import load
    result = Result()
    engine = get_engine("vie", 6)
    cards = [it for it in load(folder) if it.cls == "card" and it.doc_type]
    done = []
    for item in cards[:limit]:
        t0 = time.perf_counter()
        page = prepare_file(Path(folder) / item.file, read_line=line_reader(engine))[0]
        # the hint a CCCD inbox folder gives (every card type shares the registry's "card" layout)
        ocr = engine.read_page(page.ocr_image, dpi=page.dpi, layout=layout_of(item.doc_type))
        record = extract_page_lazy(page, ocr, engine)
        qr = "" if not item.extra.get("qr_payload") else ("ok" if item.extra.get("qr_decodable") else "spoilt")
        truth = _RenderedPage(item.doc_type, {k: _Truth(v.value) for k, v in item.fields.items()},
                              _Capture(item.condition), qr)
        done.append((item.file, truth, record, time.perf_counter() - t0))
    for file, truth_page, record, seconds in done:
        key = (truth_page.doc_type, truth_page.capture.condition)
        tally = result.tallies.setdefault(key, Tally())
        score_page(result, tally, file, truth_page, record)
        result.pages.append(PageRef(file, 0, truth_page.capture.condition))
        result.card_pages.append((truth_page, record))
        result.card_files.append(file)
        tally.seconds += seconds
    return result


def extract_page_lazy(page, ocr, engine):
    from extract.pipeline import extract_page
    return extract_page(page, ocr, engine)


def _pair_cards(done: list) -> None:
    """Card sides are scored after meeting their other side, as the app pairs them (store.cards): the corpus
    is one folder, its files in name order, each front with the nearest back that belongs to it
    (extract.merge.pair_in_order), both sides settled in place (settle_sides)."""
    from extract.merge import pair_in_order, settle_sides
    cards = sorted((entry for entry in done if entry[1].doc_type in _card_types()), key=lambda e: (e[0], e[1].page))
    records = [record for _f, _t, record, _s in cards]
    for i, j, _why in pair_in_order(records):
        settle_sides(records[i], records[j])


def _card_types() -> set[str]:
    from common.doctypes import load_registry
    return set(load_registry().names(family="card"))


def _card_of(file: str) -> str:
    return file.split("_front")[0].split("_back")[0]


def card_table(result: Result) -> str:
    """The ID-card rows the issue's targets are about: per condition, fields exact / accepted / precision,
    the QR decode rate, place fields matched to the official list; then the fields of cards whose QR code
    decoded (on either side)."""
    by_cond: dict[str, Tally] = {}
    for (doc, cond), t in result.tallies.items():
        if doc in _card_types():
            by_cond.setdefault(cond, Tally()).add(t)
    head = (f"{'cards':10} {'pages':>5} {'fields':>6} {'exact%':>6} {'accep%':>6} {'prec%':>6} {'qr n':>5} "
            f"{'qr%':>6} {'qrOk n':>6} {'qrOk%':>6} {'plc n':>5} {'plc%':>6} {'plcEx%':>6}")
    rows = [head, "-" * len(head)]
    total = Tally()
    for cond in sorted(by_cond):
        t = by_cond[cond]
        total.add(t)
        rows.append(_card_row(cond, t))
    rows.append("-" * len(head))
    rows.append(_card_row("ALL", total))
    decoded_cards = {_card_of(f) for f, _ in _decoded_files(result)}
    n = acc = ok = 0
    for truth_page, record, file in _card_records(result):
        if _card_of(file) not in decoded_cards:
            continue
        for key, truth in truth_page.fields.items():
            got = record.fields.get(key)
            n += 1
            if got is not None and got.status == "accepted":
                acc += 1
                ok += got.value == truth.value
    rows.append(f"cards whose QR decodes (both sides): {n} fields, accepted {_pct(acc, n).strip()} %, "
                f"precision {_pct(ok, acc).strip()} %")
    return "\n".join(rows)


def _decoded_files(result: Result):
    for _truth, record, file in _card_records(result):
        if _qr_on_page(record):
            yield file, record


def _card_records(result: Result):
    for (truth_page, record), ref in zip(result.card_pages, result.card_files, strict=True):
        yield truth_page, record, ref


def _card_row(cond: str, t: Tally) -> str:
    return (f"{cond:10} {t.pages:5d} {t.fields:6d} {_pct(t.exact, t.fields)} {_pct(t.accepted, t.fields)} "
            f"{_pct(t.accepted_ok, t.accepted)} {t.qr_pages:5d} {_pct(t.qr_read, t.qr_pages)} {t.qr_intact:6d} "
            f"{_pct(t.qr_intact_read, t.qr_intact)} {t.places:5d} {_pct(t.places_matched, t.places)} "
            f"{_pct(t.places_right, t.places)}")


def _pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:6.1f}" if den else "     -"


def table(result: Result) -> str:
    head = (f"{'doc type':14} {'condition':10} {'pages':>5} {'type%':>6} {'fields':>6} {'exact%':>6} "
            f"{'accep%':>6} {'prec%':>6} {'hw n':>5} {'hwEx%':>6} {'hwAc%':>6} {'hwPr%':>6} {'mrz n':>5} "
            f"{'mrz%':>6} {'s/page':>6}")
    rows = [head, "-" * len(head)]
    total = Tally()
    for (doc, cond), t in sorted(result.tallies.items()):
        total.add(t)
        rows.append(_row(doc, cond, t))
    rows.append("-" * len(head))
    rows.append(_row("ALL", "", total))
    return "\n".join(rows)


def _row(doc: str, cond: str, t: Tally) -> str:
    return (f"{doc:14} {cond:10} {t.pages:5d} {_pct(t.type_ok, t.pages)} {t.fields:6d} {_pct(t.exact, t.fields)} "
            f"{_pct(t.accepted, t.fields)} {_pct(t.accepted_ok, t.accepted)} {t.hw_fields:5d} "
            f"{_pct(t.hw_exact, t.hw_fields)} {_pct(t.hw_accepted, t.hw_fields)} "
            f"{_pct(t.hw_accepted_ok, t.hw_accepted)} {t.mrz:5d} {_pct(t.mrz_ok, t.mrz)} "
            f"{(t.seconds / t.pages if t.pages else 0):6.2f}")


def write_misses(result: Result, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [m.__dict__ for m in result.misses]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def by_field(result: Result) -> dict[str, int]:
    """Wrong values per (doc type, key): where to look first."""
    out: dict[str, int] = defaultdict(int)
    for m in result.misses:
        if m.truth != m.got:
            out[f"{m.doc_type}.{m.key.split('.')[-1]}"] += 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def by_reason(result: Result, conditions: tuple[str, ...] = ("clean",)) -> dict[str, int]:
    """Typed fields that were read right but not accepted, per reason (the rule that kept them back), on
    these capture conditions: where independent evidence would raise the accepted share."""
    cond = {(t.file, t.page): t.condition for t in result.pages}
    out: dict[str, int] = defaultdict(int)
    for m in result.misses:
        if m.truth == m.got and not m.handwritten and m.status != "accepted" \
                and cond.get((m.file, m.page)) in conditions:
            out[m.reason.split(" (")[0] or m.status] += 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


# ----------------------------------------------------------------------- register pages with leader lines

def leader_group(style: str) -> str:
    """A rendered page's leader style in three groups: none, solid rules (solid, underscore), dotted or
    dashed (dots, dashes, dot-dash) — the last are what broke OCR."""
    if not style or style == "none":
        return "none"
    if style.startswith(("solid", "underscore")):
        return "rules"
    return "dotted/dashed"


@dataclass
class RegisterTally:
    pages: int = 0
    fields: int = 0
    exact: int = 0
    accepted: int = 0
    accepted_ok: int = 0
    seconds: float = 0.0


def run_registers(folder: Path, engine=None) -> dict[tuple[str, str, str], RegisterTally]:
    """The rendered set's register pages (synth.rendered, class `register`) through the worker's path:
    prepare, OCR with the layout hint a KS/KT/KH folder gives, extraction with the book's profile. Keyed by
    (doc type, condition, leader group); typed fields only (the set has no handwriting)."""
    from extract.pipeline import extract_page, layout_of
    from ocr.engine import get_engine
    from ocr.reading import line_reader
    from scanner.prepare import prepare_file
    from synth.rendered import load

    engine = engine or get_engine("vie", 6)
    out: dict[tuple[str, str, str], RegisterTally] = {}
    for item in load(folder):
        if item.cls != "register":
            continue
        t0 = time.perf_counter()
        page = prepare_file(Path(folder) / item.file, read_line=line_reader(engine))[0]
        ocr = engine.read_page(page.ocr_image, dpi=page.dpi, layout=layout_of(item.doc_type))
        record = extract_page(page, ocr, engine, item.doc_type)
        tally = out.setdefault((item.doc_type, item.condition, leader_group(item.extra.get("leader", ""))),
                               RegisterTally())
        tally.pages += 1
        tally.seconds += time.perf_counter() - t0
        for key, truth in item.fields.items():
            got = record.fields.get(key)
            ok = got is not None and got.value == truth.value
            tally.fields += 1
            tally.exact += ok
            if got is not None and got.status == "accepted":
                tally.accepted += 1
                tally.accepted_ok += ok
    return out


def register_table(tallies: dict[tuple[str, str, str], RegisterTally]) -> str:
    head = (f"{'condition':12} {'leaders':14} {'pages':>5} {'fields':>6} {'exact%':>6} {'accep%':>6} {'prec%':>6} "
            f"{'s/page':>6}")
    rows = ["Register pages of the independent rendered set (synth.rendered: leader styles tuning never saw), "
            "typed fields:", head, "-" * len(head)]
    merged: dict[tuple[str, str], RegisterTally] = {}
    for (_doc, cond, group), t in tallies.items():
        for key in ((cond, group), (cond, "all")):
            m = merged.setdefault(key, RegisterTally())
            for name in RegisterTally.__dataclass_fields__:
                setattr(m, name, getattr(m, name) + getattr(t, name))
    for (cond, group), t in sorted(merged.items()):
        rows.append(f"{cond:12} {group:14} {t.pages:5d} {t.fields:6d} {_pct(t.exact, t.fields)} "
                    f"{_pct(t.accepted, t.fields)} {_pct(t.accepted_ok, t.accepted)} "
                    f"{(t.seconds / t.pages if t.pages else 0):6.2f}")
    rows.append("Target: typed fields exact >= 95 % on clean scans with leaders (issue 11).")
    return "\n".join(rows)
