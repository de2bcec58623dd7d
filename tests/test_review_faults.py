"""Fault injection for the review app's writes: a reviewer's save and an approver's decision are killed
(SIGKILL, in a real subprocess: SOHOA_CRASH_AT) or failed (an exception, in-process: SOHOA_FAIL_AT) at every
write point, then the store is reopened and must hold ALL of the action or NONE of it: field values, field
history rows, decision rows, the record's status, version and lock. Then the same action, done again, goes
through. Both sides of "all or nothing" are compared with a run of the same action that nobody disturbed."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from common import crashpoints
from common.states import ReviewAction
from review.app import create_app
from review.users import add_user
from store.db import Store
from store.types import FieldChange
from synth.review_work import make_workspace, seed_workspace
from tests.support.review_actor import act
from tests.support.review_kit import PASSWORD

REVIEWER, APPROVER = "an", "chi"
TYPED = {"meHoTen": "Trần Thị Hòa", "chaHoTen": "Lê Văn Khoa", "nksDanToc": "Tày"}
LOCK = timedelta(minutes=15)


# ------------------------------------------------------------------------------------------ set-up

@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A workspace with seeded records, a reviewer and an approver, one KS record already reviewed (for the
    decisions); copied for every test so each starts from the same store."""
    root = make_workspace(tmp_path_factory.mktemp("faults") / "ws")
    seeded = seed_workspace(root, n=4, seed=5)
    ks = [r for r in seeded if r.doc_type == "ks"]
    save_rec, decide_rec = ks[0], ks[1]
    with Store(_url(root)) as store:
        add_user(store, REVIEWER, "reviewer", PASSWORD, actor="test")
        add_user(store, APPROVER, "approver", PASSWORD, actor="test")
        changes = [FieldChange(k, None, decide_rec.truth[k], "accepted", "reviewer", "") for k in decide_rec.flagged]
        store.save_review(decide_rec.record_id, REVIEWER, changes, expected_version=None)
    values = {k: save_rec.truth[k] for k in save_rec.flagged}
    values.update({k: v for k, v in TYPED.items() if k not in save_rec.flagged})
    return {"root": root, "save": {"user": REVIEWER, "action": "save", "record": save_rec.record_id,
                                   "values": values},
            "approve": {"user": APPROVER, "action": "approve", "record": decide_rec.record_id},
            "send_back": {"user": APPROVER, "action": "send_back", "record": decide_rec.record_id,
                          "comment": "Sai tên mẹ, xem lại"}}


def _url(root: Path) -> str:
    from common.workspace import Workspace
    return Workspace(root).store_url()


@pytest.fixture()
def workspace(template, tmp_path):
    """A fresh copy of the template workspace (its store included)."""
    return Path(shutil.copytree(template["root"], tmp_path / "ws"))


def snapshot(root: Path, record_id: int) -> dict:
    """Everything a save or decision may write about one record, timestamps left out."""
    with Store(_url(root)) as store:
        stored = store.load_record(record_id)
        fields = sorted((None, k, v.value, v.status, v.source, v.reason) for k, v in stored.record.fields.items())
        fields += sorted((i, k, v.value, v.status, v.source, v.reason)
                         for i, p in enumerate(stored.record.owners) for k, v in p.fields.items())
        return {"status": stored.row.status, "version": stored.row.version, "lock_owner": stored.row.lock_owner,
                "fields": fields,
                "history": [(h.key, h.owner_index, h.who, h.old_value, h.new_value, h.old_status, h.new_status)
                            for h in store.field_history(record_id)],
                "decisions": [(d.action, d.user, d.comment) for d in store.decisions_of(record_id)]}


def _prepare(root: Path, spec: dict) -> dict:
    """The state the action starts from (the reviewer already holds the record for a save)."""
    if spec["action"] == "save":
        with Store(_url(root)) as store:
            assert store.claim_record(spec["record"], spec["user"], LOCK).ok
    return snapshot(root, spec["record"])


def _run_actor(root: Path, spec: dict, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    return subprocess.run([sys.executable, "-m", "tests.support.review_actor", str(root), json.dumps(spec)],
                          env={**clean, **env}, capture_output=True, text=True, timeout=180,
                          cwd=Path(__file__).resolve().parent.parent)


@pytest.fixture(scope="module")
def undisturbed(template, tmp_path_factory):
    """The state each action leaves when nothing goes wrong: the 'all' of all-or-nothing."""
    out = {}
    for name in ("save", "approve", "send_back"):
        root = Path(shutil.copytree(template["root"], tmp_path_factory.mktemp(name) / "ws"))
        spec = template[name]
        before = _prepare(root, spec)
        done = _run_actor(root, spec)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["status"] == 302, done.stdout
        after = snapshot(root, spec["record"])
        assert after != before
        out[name] = (before, after)
    return out


def _assert_all(after: dict, before: dict, spec: dict) -> None:
    """What the undisturbed action leaves, checked from first principles (the oracle is checked too)."""
    assert after["version"] == before["version"] + 1
    assert after["lock_owner"] is None
    expected = {"save": "reviewed", "approve": "approved", "send_back": "in_review"}[spec["action"]]
    assert after["status"] == expected
    action = {"save": ReviewAction.SUBMITTED, "approve": ReviewAction.APPROVED,
              "send_back": ReviewAction.SENT_BACK}[spec["action"]]
    assert after["decisions"] == before["decisions"] + [(str(action), spec["user"], spec.get("comment", "")
                                                         if spec["action"] == "send_back" else "")]
    if spec["action"] == "save":
        values = {f[1]: f[2] for f in after["fields"] if f[0] is None}
        assert all(values[k] == v for k, v in spec["values"].items())
        assert all(f[3] == "accepted" for f in after["fields"])
        new_rows = after["history"][len(before["history"]):]
        assert after["history"][:len(before["history"])] == before["history"]
        assert {r[0] for r in new_rows} >= set(spec["values"]) and all(r[2] == spec["user"] for r in new_rows)
    else:
        assert after["fields"] == before["fields"] and after["history"] == before["history"]


def test_the_undisturbed_actions_write_everything(template, undisturbed):
    for name, (before, after) in undisturbed.items():
        _assert_all(after, before, template[name])


# ------------------------------------------------------------------------------------------ kill -9

# Every write point of a save (the take, each field, the decision, the commit, after the commit) and of
# a decision. "none": the store must be as before; "all": as after an undisturbed save.
KILL_POINTS = [
    ("save", "review_claim:1", "none"), ("save", "review_field:1", "none"), ("save", "review_field:2", "none"),
    ("save", "review_field:4", "none"), ("save", "review_decision:1", "none"), ("save", "review_commit:1", "none"),
    ("save", "review_saved:1", "all"),
    ("approve", "approval:1", "none"), ("approve", "approval_commit:1", "none"),
    ("send_back", "approval:1", "none"), ("send_back", "approval_commit:1", "none"),
]


@pytest.mark.parametrize(("action", "point", "outcome"), KILL_POINTS)
def test_killed_at_a_write_point_leaves_all_or_nothing(template, undisturbed, workspace, action, point, outcome):
    spec = template[action]
    before, after = undisturbed[action]
    assert _prepare(workspace, spec) == before
    killed = _run_actor(workspace, spec, SOHOA_CRASH_AT=point)
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr)  # it really died there
    kept = snapshot(workspace, spec["record"])
    if outcome == "none":
        assert kept == before, "a killed action left part of itself in the store"
    else:
        assert kept == after, "a committed action was not all there after the kill"
    if outcome == "none":  # the person does it again (the lock is still theirs): it goes through whole
        app = create_app(workspace)
        try:
            assert act(app, spec) == 302
        finally:
            app.config["STORE"].close()
        assert snapshot(workspace, spec["record"]) == after


# ------------------------------------------------------------------------------------------ failures

FAIL_POINTS = [(a, p) for a, p, outcome in KILL_POINTS if outcome == "none"]


@pytest.mark.parametrize(("action", "point"), FAIL_POINTS)
def test_failing_at_a_write_point_writes_nothing_and_the_app_recovers(template, undisturbed, workspace,
                                                                      monkeypatch, action, point):
    """In-process: the fault is an exception (a failing disk or driver). The answer is an error page, the
    store holds none of the action, and the same app (same engine, same pooled connections) then does the
    action whole."""
    spec = template[action]
    before, after = undisturbed[action]
    assert _prepare(workspace, spec) == before
    app = create_app(workspace)
    try:
        monkeypatch.setenv(crashpoints.FAIL_ENV, point)
        crashpoints.reset()
        assert act(app, spec) == 500
        assert snapshot(workspace, spec["record"]) == before
        monkeypatch.delenv(crashpoints.FAIL_ENV)
        assert act(app, spec) == 302
        assert snapshot(workspace, spec["record"]) == after
    finally:
        app.config["STORE"].close()
        crashpoints.reset()
