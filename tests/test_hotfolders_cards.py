"""An ID card's two sides dropped into one inbox folder (or as one two-page file) meet in the store after
commit: the QR code on one side and the MRZ on the back settle the other side's fields, the review app and
the land export read the settled values, and what changed has its history row."""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from hotfolders_helpers import drop_document, make_workspace

from export.communes import load_communes
from export.from_store import land_records
from hotfolders.watch import run_once
from store.cards import WHO
from store.db import Store
from synth import mrz as synth_mrz

NUMBER = "001190012345"
MRZ = synth_mrz.td1(NUMBER, date(1990, 1, 5), False, date(2030, 1, 5), "NGUYEN", "THI THUY")


def ocr(value: str, status: str = "needs_review") -> dict:
    return {"value": value, "status": status, "source": "ocr", "confidence": 0.8}


def qr(value: str) -> dict:
    return {"value": value, "status": "accepted", "source": "qr", "confidence": 1.0}


FRONT = {"doc_type": "cancuoc_front", "fields": {
    "soDinhDanh": ocr(NUMBER), "hoTen": ocr("Nguyễn Thị Thùy"), "ngaySinh": ocr("05.01.1990"),
    "gioiTinh": ocr("2", "accepted"), "quocTich": ocr("Việt Nam", "accepted")}}
BACK = {"doc_type": "cancuoc_back", "fields": {
    "soDinhDanh": qr(NUMBER), "soCMNDCu": qr("123456789"), "hoTen": qr("Nguyễn Thị Thúy"),
    "ngaySinh": qr("05.01.1990"), "gioiTinh": qr("2"), "ngayCap": qr("10.08.2024"),
    "noiThuongTru": qr("Thôn Hạ, Lê Lợi, Gia Lộc, Hải Dương"), "coGiaTriDen": ocr("05.01.2030"),
    "mrz": {"value": "\n".join(MRZ[:2] + ["NGUYEN<<THTI<THUY<<<<<<<<<<<<<"]), "status": "needs_review",
            "source": "mrz"}}}
STRANGER = {"doc_type": "cccd_front", "fields": {"soDinhDanh": qr("079190001234"), "hoTen": qr("Trần Văn Bình"),
                                                 "ngaySinh": qr("01.02.1990"), "gioiTinh": qr("1")}}
GCN = {"doc_type": "gcn_2024", "fields": {"soPhatHanh": ocr("AA 05565655", "accepted")},
       "owners": [{"hoTen": ocr("Nguyễn Thị Thúy", "accepted"), "loaiGiayTo": ocr("CMND", "accepted"),
                   "soGiayTo": ocr("123456789", "accepted")}]}


@pytest.fixture()
def dropped(tmp_path):
    ws, config = make_workspace(tmp_path / "ws")
    drop_document(ws, "CCCD/Xã Thử/Q01/IMG_0001.json", **FRONT)
    drop_document(ws, "CCCD/Xã Thử/Q01/IMG_0002.json", **BACK)
    drop_document(ws, "CCCD/Xã Thử/Q01/IMG_0003.json", **STRANGER)
    drop_document(ws, "GCN/Xã Thử/so1/gcn.json", **GCN)
    stats = run_once(ws, config)
    assert (stats.done, stats.quarantined) == (4, 0)
    store = Store(ws.store_url())
    ids = {Path(f.rel_path).stem: store.record_rows(file_id=f.id)[0].id for f in store.files()}
    yield ws, store, ids
    store.close()


def test_the_backs_qr_code_settles_the_front_and_the_front_its_partner_only(dropped):
    _ws, store, ids = dropped
    front, back = ids["IMG_0001"], ids["IMG_0002"]
    assert store.card_other_side(front) == back and store.card_other_side(back) == front
    assert store.card_other_side(ids["IMG_0003"]) is None            # another person's card stays alone
    fields = store.load_record(front).record.fields
    assert (fields["hoTen"].value, fields["hoTen"].status, fields["hoTen"].source) == ("Nguyễn Thị Thúy", "accepted", "qr")
    assert "Nguyễn Thị Thùy" in fields["hoTen"].reason                # what OCR read stays in the reason
    assert fields["soDinhDanh"].status == fields["ngaySinh"].status == "accepted"   # agreeing readings
    history = [h for h in store.field_history(front) if h.key == "hoTen"]
    assert [(h.who, h.old_value, h.new_value) for h in history] == [(WHO, "Nguyễn Thị Thùy", "Nguyễn Thị Thúy")]
    back_fields = store.load_record(back).record.fields
    # the QR code's name mends the MRZ name line (no check digit) and accepts the zone
    assert back_fields["mrz"].value.split("\n")[2].startswith("NGUYEN<<THI<THUY<")
    assert back_fields["mrz"].status == "accepted"


def test_the_land_export_reads_the_settled_card(dropped):
    ws, store, _ids = dropped
    by_commune = land_records(store, load_communes(ws.root))
    (record,) = [r for records in by_commune.values() for r in records]
    card = record.owners[0].card
    assert card is not None and card["soDinhDanh"].value == NUMBER          # linked through the QR's old CMND
    assert card["hoTen"].value == "Nguyễn Thị Thúy"                         # the front's settled name


def test_the_review_app_shows_the_settled_value(dropped):
    from review.app import create_app
    from review.users import add_user
    from tests.support.review_kit import login

    ws, store, ids = dropped
    app = create_app(ws.root, testing=True)
    add_user(app.config["STORE"], "an", "reviewer", "mat-khau-thu-1", actor="test")
    client = app.test_client()
    assert login(client, "an", "mat-khau-thu-1").status_code == 302
    page = client.get(f"/record/{ids['IMG_0001']}").text
    assert "Nguyễn Thị Thúy" in page


def test_sides_committed_without_pairing_are_paired_on_the_next_start(tmp_path):
    from extract.types import FieldValue, Record
    from store.types import PageData

    store = Store(tmp_path / "s.db")

    def commit(name: str, doc: dict) -> int:
        row = store.add_file(content_hash=name, size=1, origin_path=name, rel_path=f"CCCD/X/Q/{name}",
                             kind_hint="CCCD", commune="X", book="Q")
        fields = {k: FieldValue(v["value"], v.get("confidence", 0.9), v["status"], source=v["source"])
                  for k, v in doc["fields"].items()}
        return store.commit_file_results(row.id, [PageData(0)], [Record(doc["doc_type"], 0.99, fields, pages=[0])])[0]

    front, back = commit("a.json", FRONT), commit("b.json", BACK)
    assert store.card_other_side(front) is None                      # a run stopped before pairing
    assert store.pair_unpaired_cards() == 1 and store.card_other_side(front) == back
    assert store.pair_unpaired_cards() == 0                          # nothing left, nothing twice
    store.close()


def test_a_reviewed_or_taken_side_is_linked_but_not_changed(tmp_path):
    ws, config = make_workspace(tmp_path / "ws")
    drop_document(ws, "CCCD/X/Q/1.json", **FRONT)
    run_once(ws, config)
    store = Store(ws.store_url())
    (front,) = [r.id for r in store.record_rows()]
    store.set_field(front, "hoTen", "Nguyễn Thị Thúy Hằng", who="an")   # a reviewer typed the name
    drop_document(ws, "CCCD/X/Q/2.json", **BACK)
    run_once(ws, config)
    fields = store.load_record(front).record.fields
    assert fields["hoTen"].value == "Nguyễn Thị Thúy Hằng" and fields["hoTen"].source == "reviewer"
    assert fields["soDinhDanh"].status == "accepted"                 # untouched fields still settle
    assert store.card_other_side(front) is not None
    store.close()


@pytest.mark.slow
def test_real_card_photos_dropped_side_by_side_settle_each_other(tmp_path):
    """The real processor (prepare, OCR, extraction) on a generated chip card's front and back dropped as two
    files: they are paired, the front's QR code settles the back's issue date, the back's MRZ the front's
    expiry, and the MRZ name line is confirmed."""
    from synth.generate import generate_corpus

    truths = generate_corpus(tmp_path / "corpus", n=1, seed=4, kinds=["cccd"], conditions=["clean"], dpi=300)
    ws, config = make_workspace(tmp_path / "ws", name="real")
    for i, tf in enumerate(sorted(truths, key=lambda t: "_back" in t.file)):
        dest = ws.inbox / "CCCD" / "Xã Thử" / "Q01" / f"IMG_{i:04d}{Path(tf.file).suffix}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "corpus" / tf.file, dest)
    stats = run_once(ws, config)
    assert (stats.done, stats.quarantined) == (2, 0)
    store = Store(ws.store_url())
    rows = {r.doc_type: r.id for r in store.record_rows()}
    assert set(rows) == {"cccd_front", "cccd_back"}
    assert store.card_other_side(rows["cccd_front"]) == rows["cccd_back"]
    truth = {t.pages[0].doc_type: t.pages[0] for t in truths}
    front = store.load_record(rows["cccd_front"]).record.fields
    back = store.load_record(rows["cccd_back"]).record.fields
    assert back["ngayCap"].value == truth["cccd_back"].fields["ngayCap"].value and back["ngayCap"].status == "accepted"
    assert front["coGiaTriDen"].value == truth["cccd_front"].fields["coGiaTriDen"].value
    assert front["coGiaTriDen"].status == "accepted"
    assert back["mrz"].value == truth["cccd_back"].fields["mrz"].value and back["mrz"].status == "accepted"
    json.dumps([f.value for f in front.values()])  # plain values, nothing lost on the way
    store.close()
