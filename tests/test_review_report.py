"""The supervisors' progress page in the review app: the same report as `sohoa report`, for approvers."""
from __future__ import annotations

import pytest

from tests.support.review_kit import logged_in, make_env


@pytest.fixture()
def env(workspace_store_url, tmp_path):
    return make_env(tmp_path, store_url=workspace_store_url)


def test_progress_page_shows_the_report_to_approvers_only(env):
    assert env.app.test_client().get("/report").status_code == 302          # logged out -> login
    assert logged_in(env, "an").get("/report").status_code == 403           # a reviewer is no supervisor
    approver = logged_in(env, "chi")
    page = approver.get("/report?level=xa")
    assert page.status_code == 200
    assert "Tiến độ số hóa" in page.text and "Tổng (total)" in page.text
    # the fixture's records are counted on the page (its 'extracted' column sums them)
    from export.communes import load_communes
    from export.report import build_report

    expected = build_report(env.store, communes=load_communes(env.workspace)).totals().extracted
    assert expected > 0 and f"<td>{expected}</td>" in page.text
    chart = approver.get("/report/chart.png?level=huyen")
    assert chart.status_code == 200 and chart.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_malformed_period_is_a_clear_400(env):
    approver = logged_in(env, "chi")
    assert approver.get("/report?week=not-a-week").status_code == 400
    assert approver.get("/report/chart.png?day=2026-13-45").status_code == 400
