"""Golden files: a handful of generated clean pages (CCCD front + back, a GCN with a couple, a KT, a KS and a
KH register page) run through prepare + OCR + extraction; each field's value and status must equal the
stored expectation in tests/golden/extract/<page>.json.

Why values and statuses only: confidences and boxes move with every OCR or scanner tweak; what a reviewer
sees (the value, and whether it was accepted) is what must not regress silently.

The images are not stored: the generator is deterministic, so they are rebuilt from the seed. After an
intended change, regenerate the expectations and review the diff in git:

    SOHOA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_extract_golden.py -q
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "extract"
SEED = 15  # chosen so that these five documents give one page of every kind listed above (GCN: two owners)
KINDS = ["cccd", "gcn", "register", "register", "register"]
DPI = 300
STEMS = ["0000_cccd_clean_front", "0000_cccd_clean_back", "0001_gcn_clean", "0002_register_clean",
         "0003_register_clean", "0004_register_clean"]
UPDATE = os.environ.get("SOHOA_UPDATE_GOLDEN") == "1"


def summary(record_json: dict) -> dict:
    """The stable part of `record_json`: type, flags, and per field value + status."""
    fields = record_json["fields"]

    def brief(fv: dict) -> dict:
        return {"value": fv["value"], "status": fv["status"]}

    out: dict = {"doc_type": record_json["doc_type"], "fields": {}}
    for key, fv in sorted(fields.items()):
        out["fields"][key] = [{k: brief(v) for k, v in sorted(p.items())} for p in fv] if isinstance(fv, list) \
            else brief(fv)
    if record_json.get("flags"):
        out["flags"] = record_json["flags"]
    return out


def differences(expected: dict, got: dict) -> list[str]:
    """One readable line per changed field (or owner field)."""
    lines = []
    if expected["doc_type"] != got["doc_type"]:
        lines.append(f"doc_type: expected {expected['doc_type']!r}, got {got['doc_type']!r}")
    if expected.get("flags") != got.get("flags"):
        lines.append(f"flags: expected {expected.get('flags')}, got {got.get('flags')}")

    def flat(d: dict) -> dict:
        out = {}
        for key, fv in d["fields"].items():
            if isinstance(fv, list):
                for i, person in enumerate(fv):
                    out.update({f"{key}[{i}].{k}": v for k, v in person.items()})
            else:
                out[key] = fv
        return out

    e, g = flat(expected), flat(got)
    for key in sorted(set(e) | set(g)):
        if e.get(key) != g.get(key):
            def show(v):
                return "<absent>" if v is None else f"{v['value']!r} ({v['status']})"
            lines.append(f"{key}: expected {show(e.get(key))}, got {show(g.get(key))}")
    return lines


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> dict[str, dict]:
    generate = pytest.importorskip("synth.generate", reason="the generator (synth) is not installed")
    pytest.importorskip("scanner.prepare", reason="the scanner stage is not installed")
    pytest.importorskip("ocr.engine", reason="the OCR stage is not installed")
    from extract.pipeline import ocr_and_extract, record_json
    from ocr.engine import get_engine
    from ocr.reading import line_reader
    from scanner.prepare import prepare_file

    corpus = tmp_path_factory.mktemp("golden")
    truths = generate.generate_corpus(corpus, n=len(KINDS), seed=SEED, kinds=KINDS, conditions=["clean"],
                                      handwritten_share=0.0, dpi=DPI)
    engine = get_engine("vie", 6)
    out = {}
    for tf in truths:
        page = prepare_file(corpus / tf.file, read_line=line_reader(engine))[0]
        out[Path(tf.file).stem] = summary(record_json(ocr_and_extract(page, engine), tf.file, 0))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_golden_page(records, stem):
    assert stem in records, f"the generator no longer makes {stem} from seed {SEED}: {sorted(records)}"
    got = records[stem]
    path = GOLDEN / f"{stem}.json"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with SOHOA_UPDATE_GOLDEN=1 to create it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    diff = differences(expected, got)
    assert not diff, (f"{stem}: extraction differs from {path.name} (if intended: SOHOA_UPDATE_GOLDEN=1 "
                      "re-writes it; review the git diff)\n  " + "\n  ".join(diff))


def test_differences_name_the_changed_field():
    """The diff helper itself: a changed value, a changed status and a missing field each get a line."""
    expected = {"doc_type": "kh", "fields": {"a": {"value": "1", "status": "accepted"},
                                             "b": {"value": "x", "status": "accepted"},
                                             "c": {"value": "y", "status": "needs_review"},
                                             "chuSuDung": [{"hoTen": {"value": "A", "status": "accepted"}}]}}
    got = {"doc_type": "kh", "fields": {"a": {"value": "2", "status": "accepted"},
                                        "b": {"value": "x", "status": "needs_review"},
                                        "chuSuDung": [{"hoTen": {"value": "B", "status": "accepted"}}]}}
    lines = differences(expected, got)
    assert lines == ["a: expected '1' (accepted), got '2' (accepted)",
                     "b: expected 'x' (accepted), got 'x' (needs_review)",
                     "c: expected 'y' (needs_review), got <absent>",
                     "chuSuDung[0].hoTen: expected 'A' (accepted), got 'B' (accepted)"]
    assert differences(expected, expected) == []
