"""Review app views through Flask's test client: access control, CSRF, locks, two-person rule, audit."""
from __future__ import annotations

import logging
import re
import time

import pytest

from extract.profiles import load_profiles
from review.throttle import LoginThrottle
from store.db import Store
from tests.support.review_kit import (
    PASSWORD,
    add_full_record,
    csrf_token,
    logged_in,
    login,
    make_env,
    save_form,
    take,
    version_of,
)


@pytest.fixture()
def env(workspace_store_url, tmp_path):
    return make_env(tmp_path, store_url=workspace_store_url)


def _values(store: Store, record_id: int) -> dict[str, str]:
    return {k: v.value for k, v in store.load_record(record_id).record.fields.items()}


# ------------------------------------------------------------------------------------ access control

def test_every_page_and_image_needs_login(env):
    client = env.app.test_client()
    rid = env.records[0].record_id
    for url in ("/", "/approvals", f"/record/{rid}", "/next"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.location, url
    for url in (f"/img/record/{rid}/page/0", f"/img/record/{rid}/crop?key=hoTen"):
        resp = client.get(url)
        assert resp.status_code == 401 and not resp.mimetype.startswith("image/"), url
    resp = client.post(f"/api/record/{rid}/validate", json={"values": {}})
    assert resp.status_code in (400, 401)


def test_login_logout_and_page_shows_user(env):
    client = env.app.test_client()
    assert login(client, "an", "wrong-password").status_code == 401
    resp = login(client, "an")
    assert resp.status_code == 302
    page = client.get("/")
    assert 'id="who">an<' in page.text and "Đăng xuất" in page.text
    # logging out is a POST with the token; a GET does nothing
    assert client.get("/logout").status_code == 405
    stolen = client.get_cookie("sohoa_review").value
    resp = client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert resp.status_code == 302
    assert client.get("/").status_code == 302
    # a copy of the cookie taken before logging out is worthless afterwards
    other = env.app.test_client()
    other.set_cookie("sohoa_review", stolen)
    resp = other.get("/")
    assert resp.status_code == 302 and "/login" in resp.location


def test_repeated_failed_logins_are_slowed_not_locked(env):
    """Guessing slows down across names (spraying) and per name, but nobody can lock a user out: once the
    delay has passed the right password gets in. Regression: five failures locked the user out for everyone
    behind one address, spraying many names was never slowed, and the failure table grew without bound."""
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0], max_entries=50)
    env.app.config["LOGIN_THROTTLE"] = throttle
    client = env.app.test_client()
    for name in ("x1", "x2", "x3", "x4"):                         # spraying names from one address
        assert login(client, name, "doan-sai-mat-khau").status_code == 401
    resp = login(client, "binh")                                   # the address must wait now, whatever name
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "1"
    now[0] += 1.5
    assert login(client, "an", "doan-sai-mat-khau").status_code == 401
    assert login(client, "an").status_code == 429                  # the delay doubled: 2 s
    now[0] += 2.5
    assert login(client, "an").status_code == 302                  # waited: the right password gets in
    for i in range(200):                                           # bounded memory
        throttle.failed(f"n{i}", f"10.0.{i}.1")
    assert max(throttle.sizes()) <= 50


def test_session_cookie_flags(env):
    client = env.app.test_client()
    resp = login(client, "an")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_expires_when_idle(env):
    client = logged_in(env, "an")
    assert client.get("/").status_code == 200
    with client.session_transaction() as sess:
        sess["seen"] = time.time() - env.app.permanent_session_lifetime.total_seconds() - 5
    resp = client.get("/")
    assert resp.status_code == 302 and "/login" in resp.location


def test_login_redirect_stays_on_site(env):
    client = env.app.test_client()
    token = csrf_token(client.get("/login").text)
    resp = client.post("/login?next=//evil.example/x", data={"name": "an", "password": PASSWORD,
                                                               "csrf_token": token})
    assert resp.status_code == 302 and resp.location == "/"


# --------------------------------------------------------------------------------------------- CSRF

def test_forged_login_form_is_refused(env):
    client = env.app.test_client()
    resp = client.post("/login", data={"name": "an", "password": PASSWORD})
    assert resp.status_code == 400
    resp = client.post("/login", data={"name": "an", "password": PASSWORD, "csrf_token": "forged"})
    assert resp.status_code == 400
    assert client.get("/").status_code == 302  # still not logged in


def test_forged_save_and_approve_forms_are_refused(env):
    rec = env.records[0]
    client = logged_in(env, "an")
    data = save_form(client, rec, values={rec.flagged[0]: "GIẢ MẠO"})
    del data["csrf_token"]
    assert client.post(f"/record/{rec.record_id}/save", data=data).status_code == 400
    assert _values(env.store, rec.record_id) == rec.shown
    approver = logged_in(env, "chi")
    assert approver.post(f"/record/{rec.record_id}/approve").status_code == 400
    assert approver.post(f"/api/record/{rec.record_id}/validate", json={"values": {}}).status_code == 400


# -------------------------------------------------------------------------------------------- roles

def test_role_checks(env):
    rec = env.records[0]
    operator = logged_in(env, "em")
    assert operator.get("/").status_code == 200
    page = operator.get(f"/record/{rec.record_id}")
    assert page.status_code == 200 and "savebtn" not in page.text   # read-only
    data = save_form(operator, rec)
    assert operator.post(f"/record/{rec.record_id}/save", data=data).status_code == 403
    assert operator.get("/approvals").status_code == 403
    reviewer = logged_in(env, "an")
    assert reviewer.get("/approvals").status_code == 403
    token = csrf_token(reviewer.get("/").text)
    assert reviewer.post(f"/record/{rec.record_id}/approve", data={"csrf_token": token}).status_code == 403
    assert Store(env.store.url).load_record(rec.record_id).row.status == "extracted"


# -------------------------------------------------------------------------------------------- locks

def test_opening_a_record_does_not_lock_it(env):
    """Regression: merely opening a record (GET) locked it for 15 minutes."""
    rec = env.records[0]
    an = logged_in(env, "an")
    page = an.get(f"/record/{rec.record_id}").text
    assert "savebtn" not in page and 'id="take"' in page           # read-only until taken
    assert env.store.lock_state(rec.record_id).holder is None
    assert an.get("/next").status_code == 302 and env.store.lock_state(rec.record_id).holder is None


def test_taken_record_is_locked_to_its_reviewer(env):
    rec = env.records[0]
    an, binh = logged_in(env, "an"), logged_in(env, "binh")
    assert take(an, rec.record_id).status_code == 302
    assert "savebtn" in an.get(f"/record/{rec.record_id}").text
    page = binh.get(f"/record/{rec.record_id}")
    assert "savebtn" not in page.text and 'id="lockinfo"' in page.text and "an" in page.text
    assert 'id="take"' not in page.text
    queue = binh.get("/").text
    assert "🔒 an" in queue
    # binh forges a save anyway: refused with the reason, nothing written, his typing kept in the form
    data = save_form(binh, rec, values={rec.flagged[0]: "Sửa Của Bình"})
    resp = binh.post(f"/record/{rec.record_id}/save", data=data)
    assert resp.status_code == 409 and "đang được an kiểm tra" in resp.text and "Sửa Của Bình" in resp.text
    assert _values(env.store, rec.record_id) == rec.shown
    # "next" skips the record an holds
    token = csrf_token(binh.get("/").text)
    nxt = binh.post("/next", data={"csrf_token": token})
    assert f"/record/{rec.record_id}" not in nxt.location
    # an saves: lock released, binh could open it now (but it left the queue)
    resp = an.post(f"/record/{rec.record_id}/save", data=save_form(an, rec, values=rec.truth))
    assert resp.status_code == 302
    row = Store(env.store.url).load_record(rec.record_id).row
    assert row.lock_owner is None and row.status == "reviewed"


def test_expired_lock_can_be_taken_over(env):
    from datetime import timedelta

    rec = env.records[0]
    an, binh = logged_in(env, "an"), logged_in(env, "binh")
    take(an, rec.record_id)
    assert 'id="take"' not in binh.get(f"/record/{rec.record_id}").text
    env.store.acquire_lock(rec.record_id, "an", timedelta(seconds=-1))   # an's lock runs out
    assert 'id="take"' in binh.get(f"/record/{rec.record_id}").text
    take(binh, rec.record_id)
    assert "savebtn" in binh.get(f"/record/{rec.record_id}").text


# ------------------------------------------------------------------------------------- saving, audit

def test_save_writes_history_with_who_old_new(env):
    rec = next(r for r in env.records if r.wrong)
    client = logged_in(env, "an")
    resp = client.post(f"/record/{rec.record_id}/save", data=save_form(client, rec, values=rec.truth))
    assert resp.status_code == 302
    store = Store(env.store.url)
    assert _values(store, rec.record_id) == rec.truth
    history = store.field_history(rec.record_id)
    changed = [h for h in history if h.old_value != h.new_value]
    assert {h.key for h in changed} == set(rec.wrong)
    for h in changed:
        assert h.who == "an" and h.old_value == rec.shown[h.key] and h.new_value == rec.truth[h.key]
        assert h.at is not None and h.new_status == "accepted"
    # every flagged field got a decision row, even those accepted unchanged
    assert {h.key for h in history} == set(rec.flagged)
    page = logged_in(env, "chi").get(f"/record/{rec.record_id}").text
    assert 'id="history"' in page and rec.truth[rec.wrong[0]] in page and rec.shown[rec.wrong[0]] in page


def test_illegible_field_saved_empty_with_reason(env):
    rec = env.records[1]
    key = rec.flagged[0]
    client = logged_in(env, "an")
    others = {k: rec.truth[k] for k in rec.flagged if k != key}   # the rest corrected: only F2 is tested here
    data = save_form(client, rec, values={key: "", **others}, states={key: "illegible"})
    assert client.post(f"/record/{rec.record_id}/save", data=data).status_code == 302
    fv = Store(env.store.url).load_record(rec.record_id).record.fields[key]
    assert fv.value == "" and fv.status == "accepted" and "không đọc được" in fv.reason


def test_invalid_value_blocks_save_until_confirmed(env):
    rec = next(r for r in env.records if r.doc_type == "cccd_front")
    if "soDinhDanh" not in rec.flagged:
        env.store.set_field(rec.record_id, "soDinhDanh", rec.shown["soDinhDanh"], who="pipeline",
                            status="needs_review", source="ocr")
        rec.flagged.append("soDinhDanh")
    client = logged_in(env, "an")
    bad = "12345"
    resp = client.post(f"/record/{rec.record_id}/save", data=save_form(client, rec, values={"soDinhDanh": bad}))
    assert resp.status_code == 422
    assert "số có 5 chữ số" in resp.text   # the profile's own message, in Vietnamese
    assert _values(env.store, rec.record_id)["soDinhDanh"] == rec.shown["soDinhDanh"]
    data = save_form(client, rec, values={"soDinhDanh": bad}, confirm=("soDinhDanh",))
    assert client.post(f"/record/{rec.record_id}/save", data=data).status_code == 302
    assert _values(env.store, rec.record_id)["soDinhDanh"] == bad


def test_validate_endpoint_speaks_vietnamese(env):
    rec = next(r for r in env.records if r.doc_type == "cccd_front")
    client = logged_in(env, "an")
    token = csrf_token(client.get(f"/record/{rec.record_id}").text)
    number = rec.truth["soDinhDanh"]
    wrong_year = number[:4] + f"{(int(number[4:6]) + 1) % 100:02d}" + number[6:]
    resp = client.post(f"/api/record/{rec.record_id}/validate", headers={"X-CSRFToken": token},
                       json={"values": {"soDinhDanh": wrong_year, "ngaySinh": "5/1/1990"}})
    data = resp.get_json()
    assert "không khớp năm sinh" in data["errors"]["soDinhDanh"]
    assert data["normalised"]["ngaySinh"] == "05.01.1990"
    resp = client.post(f"/api/record/{rec.record_id}/validate", headers={"X-CSRFToken": token},
                       json={"values": {k: v for k, v in rec.truth.items()}})
    assert resp.get_json()["errors"] == {}


# ------------------------------------------------------------------------------------------ approval

def _submit(env, rec, who="an"):
    client = logged_in(env, who)
    assert client.post(f"/record/{rec.record_id}/save", data=save_form(client, rec, values=rec.truth)).status_code == 302


def test_approver_cannot_approve_own_correction(env):
    rec = next(r for r in env.records if r.wrong)
    _submit(env, rec, who="chi")       # an approver corrected it
    chi = logged_in(env, "chi")
    page = chi.get("/approvals").text
    assert f"rec-{rec.record_id}" in page and "two-person rule" in page
    token = csrf_token(page)
    version = str(Store(env.store.url).load_record(rec.record_id).row.version)  # no form is shown to chi
    assert chi.post(f"/record/{rec.record_id}/approve", data={"csrf_token": token,
                                                             "version": version}).status_code == 403
    assert Store(env.store.url).load_record(rec.record_id).row.status == "reviewed"
    assert 'id="approve-actions"' not in chi.get(f"/record/{rec.record_id}").text
    dung = logged_in(env, "dung")
    assert 'id="approve-actions"' in dung.get(f"/record/{rec.record_id}").text
    page = dung.get("/approvals").text
    assert rec.shown[rec.wrong[0]] in page and rec.truth[rec.wrong[0]] in page   # old -> new shown
    assert dung.post(f"/record/{rec.record_id}/approve", data={"csrf_token": csrf_token(page),
                                                              "version": version_of(page, rec.record_id)}).status_code == 302
    assert Store(env.store.url).load_record(rec.record_id).row.status == "approved"


def test_send_back_needs_comment_and_returns_record_to_queue(env):
    rec = env.records[0]
    _submit(env, rec)
    chi = logged_in(env, "chi")
    page = chi.get("/approvals").text
    token, version = csrf_token(page), version_of(page, rec.record_id)
    chi.post(f"/record/{rec.record_id}/send-back", data={"csrf_token": token, "version": version, "comment": ""})
    assert Store(env.store.url).load_record(rec.record_id).row.status == "reviewed"
    chi.post(f"/record/{rec.record_id}/send-back", data={"csrf_token": token, "version": version,
                                                         "comment": "Xem lại ngày sinh"})
    assert Store(env.store.url).load_record(rec.record_id).row.status == "in_review"
    an = logged_in(env, "an")
    assert rec.record_id in _queue_ids(an.get("/").text)
    take(an, rec.record_id)
    page = an.get(f"/record/{rec.record_id}").text
    assert "Xem lại ngày sinh" in page and "savebtn" in page


def test_machine_read_records_wait_for_approval(workspace_store_url, tmp_path):
    env = make_env(tmp_path, n=2, store_url=workspace_store_url)
    store = env.store
    rec = env.records[0]
    for key in rec.flagged:  # the machine was sure of everything
        store.set_field(rec.record_id, key, rec.truth[key], who="pipeline", source="ocr")
    from store.schema import field_history
    with store.engine.begin() as conn:
        conn.execute(field_history.delete().where(field_history.c.record_id == rec.record_id))
    chi = logged_in(env, "chi")
    page = chi.get("/approvals").text
    assert f"rec-{rec.record_id}" in page
    assert chi.post(f"/record/{rec.record_id}/approve", data={"csrf_token": csrf_token(page),
                                                             "version": version_of(page, rec.record_id)}).status_code == 302
    assert Store(store.url).load_record(rec.record_id).row.status == "approved"


# ---------------------------------------------------------------------------------- files and paths

def test_dot_dot_in_parameters_cannot_read_files(env):
    rec = env.records[0]
    client = logged_in(env, "an")
    secret = env.workspace.parent / "secret.txt"
    secret.write_text("BÍ MẬT", encoding="utf-8")
    urls = [f"/img/record/{rec.record_id}/crop?key=../../secret.txt",
            f"/img/record/{rec.record_id}/crop?key=..%2F..%2Fsecret.txt",
            "/img/record/../../secret.txt/page/0", f"/img/record/{rec.record_id}/page/..%2F..",
            "/static/../../secret.txt", "/static/..%2f..%2fsecret.txt", "/record/..%2F..%2Fsecret.txt",
            "/?type=../../secret.txt&commune=..%2F..&book=/etc/passwd", "/next?type=../../secret.txt"]
    for url in urls:
        resp = client.get(url)
        assert "BÍ MẬT" not in resp.get_data(as_text=True), url
        assert resp.status_code in (200, 302, 404), (url, resp.status_code)
    # a page path in the store that points outside the workspace is never served
    from store.schema import pages
    with env.store.engine.begin() as conn:
        conn.execute(pages.update().values(prepared_path="../secret.txt", archival_path="../secret.txt"))
    assert client.get(f"/img/record/{rec.record_id}/page/0").status_code == 404
    assert client.get(f"/img/record/{rec.record_id}/crop?key={rec.flagged[0]}").status_code == 404


def test_images_served_by_id(env):
    rec = env.records[0]
    client = logged_in(env, "an")
    page = client.get(f"/img/record/{rec.record_id}/page/0")
    assert page.status_code == 200 and page.mimetype == "image/jpeg"
    crop = client.get(f"/img/record/{rec.record_id}/crop?key={rec.flagged[0]}")
    assert crop.status_code == 200 and crop.mimetype == "image/png"
    assert client.get(f"/img/record/{rec.record_id}/crop?key=noSuchField").status_code == 404
    assert client.get("/img/record/99999/page/0").status_code == 404


def test_logs_carry_ids_not_personal_data(env, caplog):
    rec = next(r for r in env.records if r.wrong)
    with caplog.at_level(logging.DEBUG):
        client = logged_in(env, "an")
        client.post(f"/record/{rec.record_id}/save", data=save_form(client, rec, values=rec.truth))
    text = caplog.text
    assert f"record={rec.record_id}" in text
    for value in list(rec.truth.values()) + list(rec.shown.values()):
        if len(value) > 3:
            assert value not in text


# ---------------------------------------------------------------------------------------- queue

def _queue_ids(html: str) -> set[int]:
    return {int(m) for m in re.findall(r'href="/record/(\d+)', html)}


def test_queue_filters(env):
    client = logged_in(env, "an")
    assert _queue_ids(client.get("/").text) == {r.record_id for r in env.records}
    assert _queue_ids(client.get("/?type=ks").text) == {r.record_id for r in env.records if r.doc_type == "ks"}
    ids = _queue_ids(client.get("/?commune=10894").text)
    assert ids and ids < {r.record_id for r in env.records}
    assert _queue_ids(client.get("/?book=nope").text) == set()


def test_land_certificate_owner_fields_are_reviewed_by_key(env):
    """GCN owners' fields travel as owners.<i>.<key>: shown, cropped, saved to the right owner."""
    from extract.types import FieldValue, Person, Record
    from store.types import PageData

    store = env.store
    page_path = "work/review-fixtures/" + sorted(p.name for p in (env.workspace / "work/review-fixtures").iterdir())[0]
    rec = Record(doc_type="gcn_2014", doc_confidence=0.9, pages=[0],
                 fields={"soThua": FieldValue("123", 0.95, "accepted", box=(10, 10, 50, 20))})
    rec.owners = [Person({"hoTen": FieldValue("Trần Văn Ba", 0.9, "accepted", box=(10, 40, 80, 20))}),
                  Person({"hoTen": FieldValue("Lê Thi Tư", 0.5, "needs_review", box=(10, 70, 80, 20)),
                          "soGiayTo": FieldValue("030190001234", 0.5, "needs_review", box=(10, 100, 80, 20))})]
    f = store.add_file(content_hash="gcn-owner-test", size=1, origin_path="x", rel_path="GCN/x.png",
                       kind_hint="GCN", commune="10894", book="")
    (rid,) = store.commit_file_results(f.id, [PageData(0, page_path, page_path)], [rec])
    client = logged_in(env, "an")
    page = client.get(f"/record/{rid}").text
    assert 'name="v:owners.1.hoTen"' in page and "Chủ 2: Họ và tên" in page
    assert client.get(f"/img/record/{rid}/crop?key=owners.1.hoTen").mimetype == "image/png"
    assert client.get(f"/img/record/{rid}/crop?key=owners.9.hoTen").status_code == 404
    assert client.get(f"/img/record/{rid}/crop?key=owners.x.hoTen").status_code == 404
    data = {"csrf_token": csrf_token(page), "version": version_of(page),
            "v:owners.1.hoTen": "Lê Thị Tư", "s:owners.1.hoTen": "changed",
            "v:owners.1.soGiayTo": "030190001234", "s:owners.1.soGiayTo": "accepted"}
    assert client.post(f"/record/{rid}/save", data=data).status_code == 302
    stored = Store(store.url).load_record(rid).record
    assert stored.owners[1].fields["hoTen"].value == "Lê Thị Tư"
    assert stored.owners[1].fields["soGiayTo"].status == "accepted"
    assert stored.owners[0].fields["hoTen"].value == "Trần Văn Ba"
    history = Store(store.url).field_history(rid)
    assert {(h.owner_index, h.key) for h in history} == {(1, "hoTen"), (1, "soGiayTo")}


@pytest.mark.parametrize("doc_type", sorted(load_profiles()))
def test_every_document_type_opens_validates_and_saves(env, doc_type):
    """Regression: every KS/KT/KH record answered HTTP 500 when `noiDangKy` was read — the one-field
    `in_header` check was read as the three-field ID check. Every profile, every field filled."""
    keys = [f.key for f in load_profiles()[doc_type].fields]
    rid = add_full_record(env, doc_type, flagged=tuple(keys[:2]))
    client = logged_in(env, "an")
    page = client.get(f"/record/{rid}")
    assert page.status_code == 200, page.text[:300]
    values = {k: "x" for k in keys}
    assert client.post(f"/api/record/{rid}/validate", json={"values": values},
                       headers={"X-CSRFToken": csrf_token(page.text)}).status_code == 200
    data = {"csrf_token": csrf_token(page.text), "version": version_of(page.text)}
    for key in keys[:2]:
        data[f"v:{key}"] = _values(env.store, rid)[key]
        data[f"s:{key}"] = "accepted"
        data[f"c:{key}"] = "1"
    resp = client.post(f"/record/{rid}/save", data=data)
    assert resp.status_code == 302, resp.text[:300]
    assert env.store.load_record(rid).row.status == "reviewed"
