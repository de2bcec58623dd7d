"""What reviewers read: field labels instead of raw keys, document-type titles instead of codes, and the
meaning of coded values ("Nữ (2)") — display only, the stored value stays the code."""
from __future__ import annotations

import html

import pytest

from common.doctypes import load_registry
from tests.support.review_kit import add_full_record, logged_in, make_env, save_form


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return make_env(tmp_path_factory.mktemp("wording"), n=4)


def _text(resp) -> str:
    assert resp.status_code == 200, resp.status_code
    return html.unescape(resp.text)


def test_land_fields_are_labelled_from_the_document_type_file(env):
    """Regression: GCN fields showed raw keys (`diaChiThuaDat`) as their label."""
    rid = add_full_record(env, "gcn_2014", flagged=("diaChiThuaDat",))
    page = _text(logged_in(env, "an").get(f"/record/{rid}"))
    assert "Địa chỉ thửa đất <small>diaChiThuaDat</small>" in page  # the profile's first printed label
    assert ">diaChiThuaDat <small>" not in page


def test_type_filter_and_queue_show_document_type_titles(env):
    """Regression: the type filter listed codes like `gcn_2014`."""
    add_full_record(env, "gcn_2014", flagged=("soVaoSo", "soPhatHanh"))
    page = _text(logged_in(env, "an").get("/"))
    title = load_registry().label("gcn_2014")
    assert f">{title}</option>" in page and f"<td>{title}</td>" in page
    assert ">gcn_2014</option>" not in page and "<td>gcn_2014</td>" not in page


def test_coded_values_show_their_meaning_but_stay_codes(env):
    """Regression: gender showed as `2`; now `Nữ (2)` beside the field, in the history and for the approver,
    while the form still posts — and the store still keeps — the code."""
    card = next(r for r in env.records if r.doc_type == "cccd_front")
    sex = card.shown["gioiTinh"]
    word = {"1": "Nam", "2": "Nữ"}[sex]
    client = logged_in(env, "an")
    page = _text(client.get(f"/record/{card.record_id}"))
    assert f"= {word} ({sex})" in page
    assert f'name="v:gioiTinh" value="{sex}"' in page
    form = save_form(client, card, values={k: card.truth[k] for k in card.flagged})
    assert client.post(f"/record/{card.record_id}/save", data=form).status_code == 302
    assert env.store.load_record(card.record_id).record.fields["gioiTinh"].value == card.truth["gioiTinh"]
