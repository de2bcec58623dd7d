"""End-to-end in a real browser (Debian's Chromium through Playwright): log in, review with the keyboard
only, save, approve as a second person, and find the corrected value where export reads it."""
from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.liveserver import CHROMIUM, launch_chromium, serve_in_thread
from store.db import Store
from tests.support.review_kit import PASSWORD, make_env

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists() and shutil.which("chromium") is None,
                       reason="/usr/bin/chromium missing: install Debian's chromium (make setup does)"),
]
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "review-record-view.png"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture()
def served(workspace_store_url, tmp_path):
    # records[0]: a card with invalid misreads, [1] a KS with a misread
    env = make_env(tmp_path, n=4, seed=4, store_url=workspace_store_url)
    with serve_in_thread(env.app) as base:
        yield env, base


def _login(page, base: str, name: str) -> None:
    """Keyboard only: the name field has focus, Tab to the password, Enter submits."""
    page.goto(base + "/")
    assert "/login" in page.url
    try:  # the name field has autofocus; Chromium applies it a moment after load
        page.wait_for_function("document.activeElement && document.activeElement.id === 'name'", timeout=2000)
    except Exception:  # noqa: BLE001 - a background tab never gets autofocus: focus it as a user would
        page.focus("#name")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#who").inner_text() == name


def _wait_idle(page) -> None:
    """Until no validation is pending (polled with evaluate: the app's CSP forbids wait_for_function's eval)."""
    for _ in range(400):
        if not page.evaluate("window.reviewBusy()"):
            return
        page.wait_for_timeout(25)
    raise AssertionError("validation never settled")


def _take(page, base: str, record_id: int) -> None:
    """Open a record and take it with one key: the 'take this record' button has focus."""
    page.goto(base + f"/record/{record_id}")
    page.wait_for_load_state("load")
    page.focus("#take")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#savebtn").count() == 1


def _focused_name(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name || ''")


def _review_with_keyboard(page, rec, *, show_validation: bool = False) -> None:
    """Enter over right values, retype wrong ones; Ctrl+Enter saves and opens the next record."""
    wrong = rec.wrong or [rec.flagged[0]]
    for key in rec.flagged:
        assert _focused_name(page) == f"v:{key}"
        if show_validation and key == wrong[0]:
            page.keyboard.type("12345x")                 # typing replaces the selected value
            _wait_idle(page)
            row = page.locator(f'.field[data-key="{key}"]')
            expect(row).to_have_class(re.compile(r"\berror\b"))
            assert row.locator(".msg").inner_text().strip()
            page.keyboard.press("Control+A")
            page.keyboard.type(rec.truth[key])
        elif key in rec.wrong:
            page.keyboard.type(rec.truth[key])
        page.keyboard.press("Enter")
    _wait_idle(page)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert f"/record/{rec.record_id}" not in page.url   # the next record (or the queue) opened


def _exported_rows(xlsx: Path) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx, read_only=True)["DL Import"]
    rows = list(sheet.iter_rows(values_only=True))
    keys = [str(k).split("\n")[0] for k in rows[0]]
    return [{k: ("" if v is None else str(v)) for k, v in zip(keys, row, strict=False)} for row in rows[1:]]


def test_keyboard_review_approval_and_export(served, browser, tmp_path):
    env, base = served
    card, ks = env.records[0], env.records[1]
    assert card.doc_type == "cccd_front" and ks.doc_type == "ks" and ks.wrong   # the fixed seed's shape
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    page = ctx.new_page()
    _login(page, base, "an")
    assert "Hàng đợi kiểm tra" in page.content()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'start'")  # autofocus
    with page.expect_navigation():
        page.keyboard.press("Enter")                     # "Bắt đầu kiểm tra" has focus
    assert page.url.endswith(f"/record/{card.record_id}")
    page.wait_for_load_state("networkidle")
    assert page.locator(".legend kbd", has_text="F2").count() == 1
    # the crop of every flagged field sits beside its input, and the page shows the box
    for key in card.flagged:
        row = page.locator(f'.field[data-key="{key}"]')
        assert row.locator("img.crop").evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator(".hl").first.is_visible()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    _review_with_keyboard(page, card, show_validation=True)
    assert page.url.endswith(f"/record/{ks.record_id}")
    page.wait_for_load_state("load")
    _review_with_keyboard(page, ks)
    for rec in (card, ks):
        stored = Store(env.store.url).load_record(rec.record_id)
        assert stored.row.status == "reviewed"
        assert {k: v.value for k, v in stored.record.fields.items()} == rec.truth
    with page.expect_navigation():
        page.locator("#logout").click()
    assert "/login" in page.url

    _login(page, base, "chi")
    page.goto(base + "/approvals")
    for rec in (card, ks):
        article = page.locator(f"#rec-{rec.record_id}")
        key = rec.wrong[0]
        assert rec.truth[key] in article.inner_text() and rec.shown[key] in article.inner_text()
        with page.expect_navigation():
            article.locator("button.approve").click()
        assert Store(env.store.url).load_record(rec.record_id).row.status == "approved"
    ctx.close()

    # export: the approved KS record leaves with the corrected values; the unreviewed one is held back
    from click.testing import CliRunner

    from sohoa.cli import main
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(env.workspace), "--out", str(out), "--type", "KS",
                                       "--no-libreoffice"])
    assert result.exit_code == 0, result.output
    books = sorted(out.rglob("*.xlsx"))
    assert len(books) == 1, result.output
    rows = _exported_rows(books[0])
    assert len(rows) == 1
    for key in ks.wrong:
        assert rows[0][key] == ks.truth[key] != ks.shown[key]
    assert "held back 1" in result.output, result.output  # the unapproved KS record
    assert Store(env.store.url).load_record(env.records[3].record_id).row.status == "extracted"


def test_logged_out_image_request_is_refused(served, browser):
    env, base = served
    ctx = browser.new_context()
    rid = env.records[0].record_id
    for url in (f"/img/record/{rid}/page/0", f"/img/record/{rid}/crop?key={env.records[0].flagged[0]}"):
        resp = ctx.request.get(base + url)
        assert resp.status == 401 and not resp.headers.get("content-type", "").startswith("image/")
    page = ctx.new_page()
    _login(page, base, "an")
    resp = ctx.request.get(base + f"/img/record/{rid}/page/0")
    assert resp.status == 200 and resp.headers["content-type"] == "image/jpeg"
    ctx.close()


def test_second_reviewer_sees_the_lock(served, browser):
    env, base = served
    rid = env.records[1].record_id
    first, second = browser.new_context(), browser.new_context()
    p1, p2 = first.new_page(), second.new_page()
    _login(p1, base, "an")
    _take(p1, base, rid)
    _login(p2, base, "binh")
    p2.goto(base + f"/record/{rid}")
    assert "an" in p2.locator("#lockinfo").inner_text()
    assert p2.locator("#savebtn").count() == 0
    first.close()
    second.close()


def test_save_blocked_by_invalid_value_then_f2_and_escape(served, browser):
    env, base = served
    ctx = browser.new_context()
    page = ctx.new_page()
    _login(page, base, "an")
    # a record whose misread values break validators: Ctrl+Enter does not save, it points at the problem
    bad = env.records[0]
    _take(page, base, bad.record_id)
    page.wait_for_load_state("load")
    page.keyboard.press("Control+Enter")
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/record/{bad.record_id}")
    focused = _focused_name(page)[2:]
    assert focused in bad.wrong
    assert "Enter" in page.locator(f'.field[data-key="{focused}"] .msg').inner_text()
    assert Store(env.store.url).load_record(bad.record_id).row.status == "extracted"

    rec = next(r for r in env.records if not r.wrong and len(r.flagged) >= 2)
    first, second = rec.flagged[0], rec.flagged[1]
    _take(page, base, rec.record_id)
    row = page.locator(f'.field[data-key="{first}"]')
    assert _focused_name(page) == f"v:{first}"
    page.keyboard.press("F2")
    expect(row).to_have_class(re.compile(r"\billegible\b"))
    assert row.locator("input[name^='v:']").input_value() == ""
    assert _focused_name(page) == f"v:{second}"       # moved on to the next flagged field
    page.keyboard.press("Shift+Tab")
    assert _focused_name(page) == f"v:{first}"
    page.keyboard.press("Escape")
    assert row.locator("input[name^='v:']").input_value() == rec.shown[first]
    page.keyboard.press("F2")
    _wait_idle(page)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    fv = Store(env.store.url).load_record(rec.record_id).record.fields[first]
    assert fv.value == "" and "không đọc được" in fv.reason
    ctx.close()


def test_bench_reviewer_corrects_everything_and_clean_records_cost_one_key(tmp_path, browser):
    """The scripted reviewer of `sohoa bench review` on a few records: every value ends right, and a
    record whose flagged values were all right took exactly one keystroke (no timing asserted)."""
    from bench.review import run_bench

    result = run_bench(tmp_path / "bench", n=6, seed=11, browser=browser)
    assert result.records == 6 and result.blocked_saves == 0 and result.wrong_after == 0
    assert result.clean_keystrokes and max(result.clean_keystrokes) == 1
    assert all(k < h for k, h in zip(result.keystrokes, result.by_hand, strict=True))
    assert "phím/bản ghi" in result.table()
