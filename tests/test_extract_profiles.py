"""Profiles are data: they load, they are checked with clear errors, and a new file adds a document type."""
from pathlib import Path

import pytest

from common.paths import profiles_dir
from extract.pipeline import extract_page
from extract.profiles import ProfileError, load_profile, load_profiles
from synth.perfect_ocr import page_of

SHIPPED = {"cccd_front", "cccd_back", "cmnd_front", "cancuoc_front", "cancuoc_back", "gcn_2014", "gcn_2024", "ks", "kt", "kh", "hn",
           "cmc"}

# A document type sohoa does not ship (adoption register): one file is all it takes.
NEW_TYPE = """
name = "ncn"
title = "Đăng ký nuôi con nuôi (adoption register page)"

[type]
code = "NCN"
family = "civil_status"
inbox = ["NCN"]
ocr_layout = "form"

[recognise]
min_score = 3.0
anchors = [{ phrase = "Sổ đăng ký nuôi con nuôi", weight = 3 },
           { phrase = "Người nhận con nuôi", weight = 1 }]

[[fields]]
key = "nccnHoTen"
labels = ["Họ, chữ đệm, tên", "Họ và tên"]
normalizer = "name"
required = true

[[fields]]
key = "nccnNgaySinh"
labels = ["Ngày, tháng, năm sinh", "Ngày sinh"]
normalizer = "date"
validators = ["date"]

[export]
exporter = "btp"
columns = ["STT", "so", "nccnHoTen", "nccnNgaySinh"]
"""


def test_shipped_profiles_load():
    profiles = load_profiles()
    assert set(profiles) >= SHIPPED
    for p in profiles.values():
        assert p.fields and p.recognise.anchors and p.source.endswith(".toml")


def test_register_keys_are_btp_template_columns():
    """Hộ tịch field keys are the BTP template keys themselves (issue 4): every type exported as a BTP book."""
    btp = [p for p in load_profiles().values() if p.export.exporter == "btp"]
    assert {p.name for p in btp} >= {"ks", "kt", "kh", "hn", "cmc"}
    for profile in btp:
        keys = {c if isinstance(c, str) else c["key"] for c in profile.export.columns}
        missing = [f.template_column for f in profile.fields if f.template_column not in keys]
        assert not missing, f"{profile.name}: {missing}"


def test_new_document_type_by_dropping_one_file(tmp_path, monkeypatch):
    for path in profiles_dir().glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    page = page_of(["SỔ ĐĂNG KÝ NUÔI CON NUÔI", "Họ, chữ đệm, tên: LÊ VĂN BA",
                    "Ngày, tháng, năm sinh: 03/04/1991", "Người nhận con nuôi: Lê Văn Tư"])
    assert extract_page(None, page).doc_type != "ncn"
    (tmp_path / "ncn.toml").write_text(NEW_TYPE, encoding="utf-8")
    monkeypatch.setenv("SOHOA_PROFILES", str(tmp_path))
    profiles = load_profiles()
    assert "ncn" in profiles and set(profiles) >= SHIPPED
    rec = extract_page(None, page)
    assert rec.doc_type == "ncn"
    assert rec.fields["nccnHoTen"].value == "Lê Văn Ba" and rec.fields["nccnNgaySinh"].value == "03.04.1991"
    assert load_profiles(tmp_path)["ncn"].title.startswith("Đăng ký nuôi")


CARD = '\n[card]\nmodels = [{ name = "m1", qr = true }]\n'


@pytest.mark.parametrize("edit, where, problem", [
    (lambda s: s.replace('normalizer = "name"', 'normalizer = "nom"'), "fields[0] (nccnHoTen).normalizer",
     "unknown normaliser"),
    (lambda s: s.replace('validators = ["date"]', 'validators = ["ngay"]'), "fields[1] (nccnNgaySinh).validators[0]",
     "unknown validator"),
    (lambda s: s.replace('family = "civil_status"', 'family = "book"'), "type.family", "expected one of"),
    (lambda s: s.replace('min_score = 3.0', 'min_score = "high"'), "recognise.min_score", "expected a number"),
    (lambda s: s.replace('required = true', 'required = true\ncolour = "red"'), "fields[0].colour", "unknown key"),
    (lambda s: s.replace('title = "Đăng ký nuôi con nuôi (adoption register page)"\n', ''),
     "title", "required key missing"),
    (lambda s: s.replace('[recognise]', '[recognise]\naspect = [2.0, 1.0]'), "recognise.aspect", "[min, max]"),
    (lambda s: s + '\n[[checks]]\nrule = "date_order"\nfields = ["nccnHoTen", "x"]\n', "checks[0].fields",
     "unknown field"),
    (lambda s: s.replace("[[fields]]", "[[fields]", 1), "", "TOML"),
    # region re-OCR runs in the page engine's language: a per-field lang would be silently ignored
    (lambda s: s.replace('required = true', 'required = true\nocr = { psm = 7, lang = "eng" }'),
     "fields[0].ocr.lang", "unknown key"),
    # card tables (models, QR code) are data too, and checked as strictly
    (lambda s: s + CARD + '\n[qr]\nregion = [0.7, 0.0, 1.0, 0.4]\nparts = [{ key = "x", kind = "barcode" }]\n',
     "qr.parts[0].kind", "expected one of"),
    (lambda s: s + CARD + '\n[qr]\nregion = [0.7, 0.5, 1.0, 0.4]\nparts = [{ key = "x", kind = "id12" }]\n',
     "qr.region", "card fractions"),
    (lambda s: s + '\n[qr]\nregion = [0.7, 0.0, 1.0, 0.4]\nparts = [{ key = "x", kind = "id12" }]\n',
     "qr", "[card]"),
    (lambda s: s + '\n[card]\nmodels = []\n', "card.models", "at least one"),
    (lambda s: s.replace('required = true', 'required = true\nplace = "yes"', 1), "fields[0].place", "true/false"),
])
def test_schema_errors_name_file_key_and_problem(tmp_path, edit, where, problem):
    path = tmp_path / "bad.toml"
    path.write_text(edit(NEW_TYPE), encoding="utf-8")
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    msg = str(exc.value)
    assert msg.startswith(str(path)) and where in msg and problem in msg


def test_duplicate_profile_names_rejected(tmp_path):
    (tmp_path / "a.toml").write_text(NEW_TYPE, encoding="utf-8")
    (tmp_path / "b.toml").write_text(NEW_TYPE, encoding="utf-8")
    with pytest.raises(ProfileError, match="duplicate profile name"):
        load_profiles(tmp_path)


def test_profiles_folder_is_data_only():
    """No Python next to the profiles: adding a type never needs code."""
    assert not list(Path(profiles_dir()).glob("*.py"))
