"""A generated card through prepare + OCR + extraction: the QR code gives exact, accepted values and the old
CMND; a spoilt code falls back to OCR; place fields carry their official code; the model is told."""
from __future__ import annotations

import pytest

from extract.merge import merge_card
from extract.pipeline import ocr_and_extract
from ocr.engine import get_engine
from scanner.prepare import prepare_file
from synth.generate import generate_corpus


def _extract(tmp_path, seed: int):
    truths = generate_corpus(tmp_path, 2, seed, kinds=["cccd", "cancuoc"], conditions=["clean"], dpi=300)
    engine = get_engine("vie", 6)
    out = {}
    for tf in truths:
        page = prepare_file(tmp_path / tf.file)[0]
        out[tf.pages[0].doc_type] = (tf.pages[0], ocr_and_extract(page, engine, layout="card"))
    return out


@pytest.fixture(scope="module")
def intact(tmp_path_factory):
    return _extract(tmp_path_factory.mktemp("qr-ok"), 4)  # seed 4: both codes intact, both holders had a CMND


def test_chip_front_qr_gives_exact_accepted_values_and_the_old_cmnd(intact):
    truth, rec = intact["cccd_front"]
    assert truth.qr == "ok"
    for key in ("soDinhDanh", "soCMNDCu", "hoTen", "ngaySinh", "gioiTinh", "noiThuongTru"):
        fv = rec.fields[key]
        assert (fv.value, fv.status, fv.source) == (truth.fields[key].value, "accepted", "qr"), key
    assert rec.fields["ngayCap"].source == "qr"                       # printed on the back only
    assert rec.fields["mauThe"].value == "cccd_2021"
    assert rec.fields["noiThuongTruDVHC"].value.isdigit() and len(rec.fields["noiThuongTruDVHC"].value) == 5


def test_cancuoc_back_qr_and_front_join(intact):
    truth, back = intact["cancuoc_back"]
    front_truth, front = intact["cancuoc_front"]
    assert back.fields["soCMNDCu"].value == truth.fields["soCMNDCu"].value
    assert back.fields["mauThe"].value == "cancuoc_2024"
    merge_card(front, back)                                            # the back's code settles the front
    for key in ("soDinhDanh", "hoTen", "ngaySinh", "gioiTinh"):
        assert front.fields[key].value == front_truth.fields[key].value and front.fields[key].status == "accepted"


def test_spoilt_codes_fall_back_to_ocr(tmp_path):
    got = _extract(tmp_path, 17)                                       # seed 17: both codes blurred
    truth, rec = got["cccd_front"]
    assert truth.qr == "blur"
    assert all(fv.source != "qr" for fv in rec.fields.values())
    assert "soCMNDCu" not in rec.fields and rec.fields["soDinhDanh"].value == truth.fields["soDinhDanh"].value
    assert rec.fields["mauThe"].value == "cccd_2021"                   # the code is seen, though unreadable
    truth, rec = got["cancuoc_back"]
    assert truth.qr == "blur" and all(fv.source != "qr" for fv in rec.fields.values())
