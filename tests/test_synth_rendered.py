"""The independent rendered set (synth/rendered): real Chromium and LibreOffice output, truth read back from the
renderers, QR codes a real reader decodes, MRZ check digits, deterministic truth for a seed."""
from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synth.rendered import CLASSES, generate, load
from synth.rendered import fonts as rfonts
from synth.rendered.generate import plan
from synth.rendered.idcard import mrz_check, td1, td1_valid
from synth.rendered.sources import id12, precomposed_letters, random_person, traditional_tones

PROFILES = Path(__file__).resolve().parents[1] / "profiles"
SEED = 5


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("rendered")
    return out, generate(out, n=1, seed=SEED)


@pytest.fixture(scope="module")
def card_set(tmp_path_factory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("cards")
    return out, generate(out, n=8, seed=SEED, classes=["card"])


def _image(out: Path, item) -> np.ndarray:
    return np.array(Image.open(out / item.file).convert("RGB"))


def test_every_class_is_generated_with_truth(rendered):
    out, items = rendered
    assert {it.cls for it in items} == set(CLASSES)
    for it in items:
        img = _image(out, it)
        assert img.shape[0] > 5 and img.shape[1] > 5, it.file
        assert it.lines and all(ln.text.strip() for ln in it.lines), it.file
        assert it.renderer in ("chromium", "libreoffice") and it.font
        for ln in it.lines:   # boxes lie on the rendered page
            x0, y0, x1, y1 = ln.box
            assert 0 <= x0 < x1 <= it.width + 2 and 0 <= y0 < y1 <= it.height + 2, (it.file, ln)


def test_manifest_round_trips(rendered):
    out, items = rendered
    assert load(out) == items


def test_leaders_are_not_text(rendered, card_set):
    for it in rendered[1] + card_set[1]:
        for ln in it.lines:
            assert "...." not in ln.text and "____" not in ln.text and "----" not in ln.text, (it.file, ln.text)


def _cer(a: str, b: str) -> float:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b) / max(1, len(b))


def test_truth_lines_are_what_is_drawn(rendered):
    """Raw Tesseract (vie, psm 7) reads lines cut at the truth boxes of 200–300 dpi pages close to the truth,
    from both renderers: the truth text and boxes are the drawn text, not our idea of it."""
    import pytesseract

    out, items = rendered
    checked = {"chromium": [], "libreoffice": []}
    for it in items:
        if it.condition not in ("clean_scan",) or it.dpi < 200:
            continue
        img = Image.open(out / it.file).convert("L")
        for ln in [ln for ln in it.lines if len(ln.text) >= 12][:3]:
            x0, y0, x1, y1 = ln.box
            pad = max(4, (y1 - y0) // 3)
            crop = img.crop((max(0, x0 - pad), max(0, y0 - pad), x1 + pad, y1 + pad))
            read = " ".join(pytesseract.image_to_string(crop, lang="vie", config="--psm 7").split())
            checked[it.renderer].append(_cer(read, ln.text))
    for renderer, cers in checked.items():
        assert cers, f"no clean line of {renderer} in the set"
        assert sum(cers) / len(cers) < 0.12, (renderer, cers)


def test_register_values_are_drawn_and_keyed_like_profiles(rendered):
    out, items = rendered
    regs = [it for it in items if it.cls == "register"]
    assert regs
    for it in regs:
        keys = {f["key"] for f in tomllib.loads((PROFILES / f"{it.doc_type}.toml").read_text())["fields"]}
        assert set(it.fields) <= keys, set(it.fields) - keys
        text = " ".join(ln.text for ln in it.lines)
        for key, f in it.fields.items():
            assert (f.printed or f.value) in text, (key, f)


def test_card_fields_are_keyed_like_card_profiles(card_set):
    known = set()
    for name in ("cccd_front", "cccd_back", "cancuoc_front", "cmnd_front"):
        known |= {f["key"] for f in tomllib.loads((PROFILES / f"{name}.toml").read_text())["fields"]}
    known |= {"soCMNDCu", "ngayCap", "noiDangKyKhaiSinh"}   # QR field (issue 12) and the Căn cước back's
    for it in card_set[1]:
        assert set(it.fields) <= known, set(it.fields) - known
        text = " ".join(ln.text for ln in it.lines)
        for key, f in it.fields.items():
            if key not in it.extra["qr_only_fields"] and key != "mrz":
                assert (f.printed or f.value) in text, (it.file, key, f)


def test_qr_codes_decode_to_the_truth(card_set):
    import zxingcpp

    out, items = card_set
    with_qr = [it for it in items if it.extra["has_qr"]]
    assert any(it.extra["qr_decodable"] for it in with_qr) and any(not it.extra["qr_decodable"] for it in with_qr)
    for it in with_qr:
        found = [r.text for r in zxingcpp.read_barcodes(_image(out, it)) if r.format == zxingcpp.BarcodeFormat.QRCode]
        if it.extra["qr_decodable"]:
            assert found == [it.extra["qr_payload"]], (it.file, it.condition, found)
            payload = it.extra["qr_payload"].split("|")
            assert len(payload) == 7 and payload[0] == it.fields["soDinhDanh"].value
            assert payload[1] == it.fields["soCMNDCu"].value
        else:
            assert it.extra["qr_payload"] not in found, (it.file, it.condition)


def test_mrz_check_digits_verify(card_set):
    assert (mrz_check("D23145890"), mrz_check("740812"), mrz_check("120415")) == ("7", "2", "9")  # ICAO specimen
    backs = [it for it in card_set[1] if "mrz" in it.fields]
    assert backs
    for it in backs:
        lines = it.fields["mrz"].value.split("\n")
        assert td1_valid(lines), lines
        assert lines[0][15:27] == it.fields.get("soDinhDanh", it.fields["mrz"]).value[:12] or \
            lines[0][15:27].isdigit()
        drawn = [ln.text.replace(" ", "") for ln in it.lines]
        assert all(line in drawn for line in lines), (lines, drawn)
        broken = [lines[0], lines[1][:7] + ("M" if lines[1][7] == "F" else "F") + lines[1][8:], lines[2]]
        assert td1_valid(broken) or broken[1][7] != lines[1][7]


def test_same_seed_same_truth(card_set, tmp_path):
    a, b = plan(2, SEED, list(CLASSES)), plan(2, SEED, list(CLASSES))
    assert [(j.doc, j.html, j.fields, j.extra) for j in a] == [(j.doc, j.html, j.fields, j.extra) for j in b]
    assert [j.doc for j in plan(2, SEED + 1, ["register"])] != [j.doc for j in a if j.cls == "register"]
    again = generate(tmp_path, n=2, seed=SEED, classes=["card"])
    first = card_set[1][:2]
    assert [(it.lines, it.fields, it.extra) for it in again] == [(it.lines, it.fields, it.extra) for it in first]


def test_fonts_cover_vietnamese_and_differ_from_synth():
    from synth import fonts as synth_fonts

    assert len(precomposed_letters()) == 134
    families = rfonts.usable()
    assert len(families) >= 8
    synth_files = {Path(f).stem for files in synth_fonts.CANDIDATES.values() for f in files}
    for fam in rfonts.FAMILIES:
        if fam.name in {f.name for f in families}:
            assert rfonts.lacking(fam.regular) == ""
            assert Path(fam.regular).stem not in synth_files
    assert rfonts.mrz_family() == "OCR B"


def test_text_sources():
    assert [traditional_tones(w) for w in ("hoà", "khoẻ", "thuý", "quý", "uỷ ban", "toàn")] == \
        ["hòa", "khỏe", "thúy", "quý", "ủy ban", "toàn"]
    import random

    rng = random.Random(3)
    for _ in range(50):
        p = random_person(rng, date(1950, 1, 1), date(2010, 1, 1))
        n = id12(rng, p)
        assert len(n) == 12 and n.isdigit()
        century = (p.birth.year - 1900) // 100
        assert int(n[3]) == 2 * century + (0 if p.male else 1) and n[4:6] == f"{p.birth.year % 100:02d}"
        assert td1_valid(td1(n, p, None))
