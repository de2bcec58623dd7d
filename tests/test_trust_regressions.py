"""Issue 15's findings, one regression test each (those not covered in test_review_trust.py or beside their
module's own tests)."""
from __future__ import annotations

import os
import re

from click.testing import CliRunner

from review.queries import state_of
from sohoa.cli import main
from store.db import Store
from tests.support.review_kit import add_full_record, csrf_token, logged_in, make_env, take, version_of


def test_a_save_without_the_flagged_fields_is_refused(tmp_path):
    """Regression: a save posting no field values marked the record reviewed with its flagged fields undecided."""
    env = make_env(tmp_path)
    rec = env.records[0]
    client = logged_in(env, "an")
    take(client, rec.record_id)
    page = client.get(f"/record/{rec.record_id}").text
    resp = client.post(f"/record/{rec.record_id}/save",
                       data={"csrf_token": csrf_token(page), "version": version_of(page)})
    assert resp.status_code == 422 and "Chưa xử lý các trường" in resp.text
    assert Store(env.store.url).load_record(rec.record_id).row.status == "extracted"


def test_export_without_approval_is_shown_and_audited_as_such(tmp_path):
    """Regression: `export --include-unreviewed` marked records exported and the app then showed them as
    approved with no approver; nothing recorded who exported."""
    env = make_env(tmp_path)
    result = CliRunner().invoke(main, ["export", str(env.workspace), "--out", str(tmp_path / "out"),
                                       "--include-unreviewed", "--no-libreoffice"])
    assert result.exit_code == 0, result.output
    assert "CHƯA phê duyệt" in result.output
    store = Store(env.store.url)
    (run,) = store.export_run_rows()
    assert run.who.startswith("os:") and run.command == "export" and run.files and run.unapproved == run.records > 0
    exported = store.export_run_record_ids(run.id)
    rid = next(iter(exported))
    assert exported[rid] is False
    decisions = store.decisions_of(rid)
    assert [d.action for d in decisions] == ["exported_unapproved"] and decisions[0].user == run.who
    page = logged_in(env, "chi").get(f"/record/{rid}").text
    assert "Đã xuất khi CHƯA phê duyệt" in page and "Đã phê duyệt" not in page
    assert state_of("exported", "exported_unapproved", approved_once=False) == "exported_unapproved"


def test_a_password_reset_ends_live_sessions(tmp_path):
    """Regression: a password reset (or a role change, or disabling) did not end the user's live sessions."""
    env = make_env(tmp_path)
    client = logged_in(env, "an")
    assert client.get("/").status_code == 200
    result = CliRunner().invoke(main, ["user", "passwd", "an", "-w", str(env.workspace)],
                                input="mot-mat-khau-moi-dai\n")
    assert result.exit_code == 0, result.output
    resp = client.get("/")
    assert resp.status_code == 302 and "/login" in resp.location
    other = logged_in(env, "binh")
    CliRunner().invoke(main, ["user", "disable", "binh", "-w", str(env.workspace)])
    assert other.get("/").status_code == 302


def test_image_routes_open_only_recorded_image_files(tmp_path):
    """Regressions: the image route opened any file inside the workspace (a page path resolving to sohoa.db
    dropped the server's SQLite locks when closed); a page file that is not an image answered 500."""
    env = make_env(tmp_path)
    rec = env.records[0]
    stored = env.store.load_record(rec.record_id)
    fake = env.workspace / "work" / "not-an-image.png"
    fake.write_bytes(b"this is text, not a PNG")
    client = logged_in(env, "an")
    for target in ("sohoa.db", str(fake)):
        with env.store.engine.begin() as conn:  # a tampered page row (tests may write SQL; the product may not)
            from sqlalchemy import update

            from store.schema import pages
            conn.execute(update(pages).where(pages.c.id == stored.pages[0].id)
                         .values(prepared_path=target, archival_path=target))
        assert client.get(f"/img/record/{rec.record_id}/page/0").status_code == 404, target
        assert client.get(f"/record/{rec.record_id}").status_code == 200, target


def test_odd_parameters_answer_without_a_server_error(tmp_path):
    """Regressions: HTTP 500 on /next?after=<huge integer>, /report?day=0001-01-01, /report?week=9999-W52."""
    env = make_env(tmp_path)
    reviewer, approver = logged_in(env, "an"), logged_in(env, "chi")
    assert reviewer.get("/next?after=99999999999999999999999999").status_code == 302
    token = csrf_token(reviewer.get("/").text)
    assert reviewer.post("/next?after=-5", data={"csrf_token": token}).status_code == 302
    for query in ("day=0001-01-01", "week=9999-W52", "day=2026-13-40", "week=2026-W99"):
        assert approver.get(f"/report?{query}").status_code == 400, query


def test_status_and_watch_on_a_folder_that_is_not_a_workspace(tmp_path):
    """Regression: `status` / `watch` on a folder that is not a workspace printed a 25-line traceback."""
    for args in (["status", str(tmp_path)], ["watch", "--once", str(tmp_path)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.output.count("\n") <= 2 and "sohoa init" in result.output
    assert not os.listdir(tmp_path)


def test_a_changed_value_is_validated_whatever_the_form_calls_it(tmp_path):
    """Regression (outside probe): the server validated a value only when the form said `s:<key>=changed`;
    the page marks accepted fields `accepted` in hidden inputs, so a form posted without the page's script
    (or crafted) saved `99.99.9999` as an accepted birth date."""
    env = make_env(tmp_path)
    rid = add_full_record(env, "ks")
    client = logged_in(env, "an")
    take(client, rid)
    page = client.get(f"/record/{rid}").text
    before = Store(env.store.url).load_record(rid).record.fields["nksNgaySinh"].value
    resp = client.post(f"/record/{rid}/save", data={"csrf_token": csrf_token(page), "version": version_of(page),
                                                    "v:nksNgaySinh": "99.99.9999", "s:nksNgaySinh": "accepted"})
    assert resp.status_code == 422
    stored = Store(env.store.url).load_record(rid)
    assert stored.row.status == "extracted" and stored.record.fields["nksNgaySinh"].value == before


def test_a_save_or_decision_without_the_records_version_is_refused(tmp_path):
    """Regression (outside probe): a save or an approval posted without `version` (or with `version=abc`)
    skipped the stale-form check and could overwrite what someone saved after the page was opened."""
    env = make_env(tmp_path)
    rid = add_full_record(env, "ks")
    client = logged_in(env, "an")
    take(client, rid)
    page = client.get(f"/record/{rid}").text
    for version in ({}, {"version": "abc"}):
        resp = client.post(f"/record/{rid}/save", data={"csrf_token": csrf_token(page), **version,
                                                        "v:nksHoTen": "Nguyễn Văn Bình", "s:nksHoTen": "changed"})
        assert resp.status_code == 400 and "phiên bản" in resp.text
    assert Store(env.store.url).load_record(rid).row.status == "extracted"
    approver = logged_in(env, "chi")
    page = approver.get("/approvals").text
    approver.post(f"/record/{rid}/approve", data={"csrf_token": csrf_token(page)})
    assert Store(env.store.url).load_record(rid).row.status == "extracted"
    version = re.search(rf'/record/{rid}/approve".*?name="version" value="(\d+)"', page, re.S).group(1)
    assert approver.post(f"/record/{rid}/approve", data={"csrf_token": csrf_token(page),
                                                         "version": version}).status_code == 302
    assert Store(env.store.url).load_record(rid).row.status == "approved"
