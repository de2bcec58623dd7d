"""The trust promises of the README not covered elsewhere, each against the real app or store: one text
boundary for what people type, a too-long value refused with the edit kept, the store and the session key
readable by their owner only, and a record exported without approval shown as such (never as approved)."""
from __future__ import annotations

import html
import stat

import pytest
from click.testing import CliRunner

from common.workspace import Workspace
from tests.support.review_kit import edited, logged_in, make_env, page_form


@pytest.fixture()
def env(tmp_path):
    return make_env(tmp_path, n=4, seed=11)


def _ks(env):
    return next(r for r in env.records if r.doc_type == "ks")


def _save(client, rec, values):
    client.post(f"/record/{rec.record_id}/claim", data={"csrf_token": page_form(
        client.get(f"/record/{rec.record_id}").text, "takeform").get("csrf_token", "")})
    form = edited(page_form(client.get(f"/record/{rec.record_id}").text), values)
    return client.post(f"/record/{rec.record_id}/save", data=form)


def test_typed_values_cross_one_text_boundary(env):
    """Zero-width, bidi-override and BOM characters, decomposed (NFD) letters and runs of spaces are cleaned
    before a reviewer's value is stored: NFC, no invisible characters, one space."""
    rec = _ks(env)
    client = logged_in(env, "an")
    typed = "\ufeffTrần\u200b  Thị \u202eHo\u0300a\u200d"
    resp = _save(client, rec, {**{k: rec.truth[k] for k in rec.flagged}, "meHoTen": typed})
    assert resp.status_code == 302, html.unescape(resp.text)[:500]
    assert env.store.load_record(rec.record_id).record.fields["meHoTen"].value == "Trần Thị Hòa"


def test_a_too_long_value_is_refused_whole_and_the_edit_is_kept(env):
    rec = _ks(env)
    client = logged_in(env, "an")
    values = {**{k: rec.truth[k] for k in rec.flagged}, "meHoTen": "Trần Thị Hòa " * 200}
    resp = _save(client, rec, values)
    assert resp.status_code == 422
    text = html.unescape(resp.text)
    assert "tối đa 500" in text and "at most 500" in text
    assert page_form(resp.text)["v:meHoTen"] == values["meHoTen"]
    stored = env.store.load_record(rec.record_id)
    assert stored.row.status == "extracted" and stored.record.fields["meHoTen"].value == rec.shown["meHoTen"]


def test_store_and_session_key_are_readable_by_their_owner_only(env):
    ws = Workspace(env.workspace)
    logged_in(env, "an")  # the app has written to the store (WAL files exist)
    from review.config import SECRET_NAME

    private = [ws.db_path, *ws.root.glob("sohoa.db-*"), ws.root / SECRET_NAME]
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in private}
    assert len(modes) >= 3 and set(modes.values()) == {0o600}, modes  # the store, its WAL files, the key


def test_a_record_exported_without_approval_is_shown_and_audited_as_such(env):
    from sohoa.cli import main

    rec = _ks(env)
    result = CliRunner().invoke(main, ["export", str(env.workspace), "--include-unreviewed", "--no-libreoffice"])
    assert result.exit_code == 0, result.output
    assert "CHƯA phê duyệt" in result.output and "WITHOUT approval" in result.output
    page = html.unescape(logged_in(env, "chi").get(f"/record/{rec.record_id}").text)
    assert "Đã xuất khi CHƯA phê duyệt" in page and '"state">Đã phê duyệt<' not in page
    run = env.store.export_run_rows()[0]
    assert run.who.startswith("os:") and run.finished_at is not None and run.unapproved == run.records > 0
    assert any(f.endswith(".xlsx") for f in run.files)
    assert env.store.export_run_record_ids(run.id)[rec.record_id] is False


def test_ids_past_the_store_range_are_not_found_not_a_server_error(env):
    """Regression: /record/<a 23-digit number> overflowed the database driver (HTTP 500)."""
    huge = "9" * 23
    client = logged_in(env, "chi")
    token = page_form(client.get(f"/record/{env.records[0].record_id}").text, "saveform")["csrf_token"]
    for url in (f"/record/{huge}", f"/img/record/{huge}/page/0", f"/img/record/{huge}/crop?key=hoTen",
                f"/img/record/{env.records[0].record_id}/page/{huge}"):
        assert client.get(url).status_code == 404, url
    for url in (f"/record/{huge}/claim", f"/record/{huge}/save", f"/record/{huge}/approve",
                f"/record/{huge}/send-back"):
        assert client.post(url, data={"csrf_token": token, "comment": "x"}).status_code == 404, url
    assert client.post(f"/api/record/{huge}/validate", json={"values": {}},
                       headers={"X-CSRFToken": token}).status_code == 404


def test_demo_never_deletes_a_workspace_it_did_not_make(env):
    """Regression: `sohoa demo --workspace EXISTING` deleted the workspace (users, records, originals)."""
    from sohoa.cli import main

    before = sorted(p.name for p in env.workspace.iterdir())
    result = CliRunner().invoke(main, ["demo", "--workspace", str(env.workspace)])
    assert result.exit_code == 1 and "không xóa" in result.output and "not deleted" in result.output
    assert sorted(p.name for p in env.workspace.iterdir()) == before
    assert env.store.user_row("an") is not None and len(env.store.record_rows()) == len(env.records)


def test_image_routes_serve_only_image_files_the_store_recorded(env):
    """Regression: a page path resolving to the store file (inside the workspace) was opened and served."""
    from store.schema import pages

    rec = env.records[0]
    client = logged_in(env, "an")
    with env.store.engine.begin() as conn:
        conn.execute(pages.update().values(prepared_path="sohoa.db", archival_path="sohoa.db"))
    for url in (f"/img/record/{rec.record_id}/page/0", f"/img/record/{rec.record_id}/crop?key={rec.flagged[0]}"):
        resp = client.get(url)
        assert resp.status_code in (404, 415) and b"SQLite format" not in resp.data, url
