"""Invariants of the synthetic generator: MRZ and ID structure, render-time ground truth, NFC, fonts."""
from __future__ import annotations

import json
import random
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth import cards, fonts, mrz
from synth.generate import DEFAULT_KINDS, generate_corpus
from synth.people import ascii_fold, number_words
from synth.truth import load_manifest, load_truth


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    # 12 documents: every kind under 'clean' and 'phone', plus the two book formats; low dpi keeps it fast
    generate_corpus(out, 12, seed=7, conditions=["clean", "phone"], handwritten_share=0.5,
                    book_pages=(2, 3), dpi=120)
    return out


def test_icao_check_digits_of_the_specimen():
    # ICAO 9303 specimen values: document L898902C3 -> 6, birth 740812 -> 2, expiry 120415 -> 9
    assert mrz.check_digit("L898902C3") == "6"
    assert mrz.check_digit("740812") == "2"
    assert mrz.check_digit("120415") == "9"


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9))
def test_card_number_and_mrz_agree_with_birth_and_sex(seed):
    rng = random.Random(seed)
    card = cards.random_card(rng, date(2021, 1, 1), date(2024, 6, 30))
    p = card.person
    number = card.number
    assert len(number) == 12 and number.isdigit()
    g = int(number[3])
    assert g % 2 == (0 if p.male else 1)
    assert g // 2 == (p.birth.year - 1900) // 100
    assert number[4:6] == f"{p.birth.year % 100:02d}"
    assert number[:3] == p.origin.code
    lines = mrz.td1(number, p.birth, p.male, card.expiry, ascii_fold(p.surname),
                    ascii_fold(f"{p.middle} {p.given}".strip()))
    assert all(mrz.verify(lines).values())
    assert lines[0][5:14] == number[-9:] and lines[0][15:27] == number
    assert lines[1][0:6] == p.birth.strftime("%y%m%d")
    assert lines[1][7] == ("M" if p.male else "F")
    assert set("".join(lines)) <= set(fonts.MRZ_ALPHABET)


def test_corrupted_mrz_fails_verification():
    p_lines = mrz.td1("030095001234", date(1995, 3, 4), True, date(2035, 3, 4), "NGUYEN", "VAN<AN")
    bad = [p_lines[0][:6] + ("1" if p_lines[0][6] != "1" else "2") + p_lines[0][7:], *p_lines[1:]]
    assert not mrz.verify(bad)["document"]


def test_number_words():
    assert number_words(2015) == "hai nghìn không trăm mười lăm"
    assert number_words(2005) == "hai nghìn không trăm linh năm"
    assert number_words(24) == "hai mươi tư"
    assert number_words(1990) == "một nghìn chín trăm chín mươi"


def test_font_check_rejects_a_font_without_vietnamese_glyphs(monkeypatch):
    kristi = fonts._font_index().get("Kristi.ttf") or fonts._font_index().get("DancingScript-Regular.otf")
    if kristi is None:
        pytest.skip("neither Kristi nor Dancing Script installed (fonts-kristi / fonts-dancingscript)")
    lacking = fonts.missing_glyphs(Path(kristi))
    assert "ă" in lacking and "Ơ" in lacking
    assert fonts.missing_glyphs(Path(fonts.fonts_for("typed")[0].path)) == ""
    monkeypatch.setitem(fonts.CANDIDATES, "test-role", (Path(kristi).name, "NoSuchFont.ttf"))
    with pytest.raises(fonts.FontCoverageError) as err:
        fonts.fonts_for("test-role")
    assert Path(kristi).name in str(err.value) and "NoSuchFont.ttf" in str(err.value)


def test_every_role_has_a_usable_font():
    for role, chosen in fonts.check_fonts().items():
        assert chosen, role


def test_manifest_lists_every_file_and_truth_loads_back(corpus):
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 7
    kinds = {e["kind"] for e in manifest["files"]}
    assert kinds == set(DEFAULT_KINDS)
    for entry in manifest["files"]:
        assert (corpus / entry["file"]).stat().st_size > 0
        tf = load_truth(corpus / entry["truth"])
        assert tf.file == entry["file"] and tf.kind == entry["kind"]
        assert all(p.capture.condition == entry["condition"] for p in tf.pages)
    assert {Path(e["file"]).suffix for e in manifest["files"] if e["kind"] == "book"} == {".pdf", ".tif"}


def test_truth_json_is_nfc(corpus):
    for path in corpus.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text, path.name


def _field_items(page):
    for key, f in page.fields.items():
        yield key, f
    for i, owner in enumerate(page.owners):
        for key, f in owner.items():
            yield f"owners[{i}].{key}", f


def test_every_truth_value_is_drawn_on_the_page(corpus):
    checked = 0
    for tf in load_manifest(corpus):
        for page in tf.pages:
            assert page.fields, (tf.file, page.page)
            for line in page.lines:
                x0, y0, x1, y1 = line.box
                assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height, (tf.file, line.text)
            for tag, f in _field_items(page):
                if f.carrier == "qr":  # only in the QR code (synth/qr.py): no text line carries it
                    assert page.qr and f.box is not None, (tf.file, tag)
                    continue
                carrying = [ln for ln in page.lines if tag in ln.field_keys]
                assert carrying, (tf.file, tag)
                drawn = " ".join(ln.text for ln in carrying)
                assert drawn == (f.printed or f.value).replace("\n", " "), (tf.file, tag)
                assert f.box is not None
                assert 0 <= f.box[0] < f.box[2] <= page.width and 0 <= f.box[1] < f.box[3] <= page.height
                assert all(ln.handwritten == f.handwritten for ln in carrying), (tf.file, tag)
                checked += 1
    assert checked > 100


def test_values_follow_the_project_conventions(corpus):
    for tf in load_manifest(corpus):
        for page in tf.pages:
            for key, f in _field_items(page):
                v = f.value
                if key.endswith(("NgaySinh", "ngaySinh", "ngayCap", "ngayDangKy", "NgayChet")):
                    parts = v.split(".")
                    assert [len(p) for p in parts] in ([2, 2, 4], [2, 4], [4]), (key, v)
                if key.endswith(("GioiTinh", "gioiTinh")):
                    assert v in ("1", "2"), (key, v)
                if key.endswith(("HoTen", "hoTen", "nguoiKy")):
                    assert v == " ".join(w[:1].upper() + w[1:].lower() for w in v.split()), (key, v)
                if key == "dienTich":
                    assert v.replace(",", "").isdigit()


def test_cards_front_and_back_agree(corpus):
    truths = load_manifest(corpus)
    by_record: dict[str, dict] = {}
    for tf in truths:
        for page in tf.pages:
            by_record.setdefault(page.record_id, {})[page.doc_type] = page
    pairs = [r for r in by_record.values() if "cccd_front" in r and "cccd_back" in r]
    assert pairs
    for r in pairs:
        front, back = r["cccd_front"].fields, r["cccd_back"].fields
        lines = back["mrz"].value.split("\n")
        assert all(mrz.verify(lines).values())
        number = front["soDinhDanh"].value
        assert lines[0][15:27] == number
        d, m, y = front["ngaySinh"].value.split(".")
        assert lines[1][0:6] == y[2:] + m + d and number[4:6] == y[2:]
        assert lines[1][7] == ("M" if front["gioiTinh"].value == "1" else "F")
        assert int(number[3]) % 2 == (0 if front["gioiTinh"].value == "1" else 1)
        surname = ascii_fold(front["hoTen"].value.split()[0])
        assert lines[2].startswith(surname + "<<")


def test_capture_is_recorded(corpus):
    for tf in load_manifest(corpus):
        for page in tf.pages:
            cap = page.capture
            assert cap.page_quad is not None and len(cap.page_quad) == 4
            if cap.condition == "phone":
                assert 70 <= (cap.jpeg_quality or 0) <= 85 or tf.file.endswith(".tif")
                assert cap.exif_orientation in (1, 3, 6, 8)
