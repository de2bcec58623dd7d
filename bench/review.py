"""`sohoa bench review`: a scripted reviewer works through N generated records in real Chromium.

The reviewer's strategy is the one the UI is built for: on each record, Enter over flagged values that are
right, retype (from the ground truth) the ones that are wrong, then Ctrl+Enter saves the record (accepting
the flagged values not yet visited) and opens the next. A record with nothing wrong costs one keystroke.

Figures:
  keystrokes per record — every key press sent (each typed character counts one; an IME user typing
      Vietnamese with Telex presses more keys than characters);
  app seconds per record — time the reviewer waits for the app: the Enter handlers, the validation round
      trips and the save → next record page (load event with its images and first validation done);
      the scripted typing itself is excluded;
  app response per action — median and 90th percentile over those actions.
"""
from __future__ import annotations

import logging
import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from synth.review_work import SeededRecord, make_workspace, seed_workspace

BENCH_USER, BENCH_PASSWORD = "bench-reviewer", "bench-password-1"


@dataclass
class BenchResult:
    records: int = 0
    keystrokes: list[int] = field(default_factory=list)
    app_seconds: list[float] = field(default_factory=list)
    actions: dict[str, list[float]] = field(default_factory=lambda: {"enter": [], "validate": [], "save+next": []})
    clean_keystrokes: list[int] = field(default_factory=list)   # records whose flagged values were all right
    blocked_saves: int = 0
    wrong_after: int = 0
    server: dict[str, list[float]] = field(default_factory=dict)   # endpoint -> server-side seconds
    by_hand: list[int] = field(default_factory=list)   # keystrokes to type the same records from scratch

    def table(self) -> str:
        every = [t for ts in self.actions.values() for t in ts]

        def ms(values: list[float], q: float = 0.5) -> str:
            if not values:
                return "-"
            values = sorted(values)
            return f"{1000 * values[min(len(values) - 1, int(q * len(values)))]:.0f}" if q != 0.5 \
                else f"{1000 * statistics.median(values):.0f}"
        lines = [
            f"Kiểm tra {self.records} bản ghi bằng bàn phím trong Chromium (keyboard review of {self.records} records)",
            f"  phím/bản ghi (keystrokes per record): trung bình {statistics.mean(self.keystrokes):.1f}, "
            f"trung vị {statistics.median(self.keystrokes):.0f}; gõ tay từ đầu (typing it all by hand): "
            f"trung bình {statistics.mean(self.by_hand):.1f}",
            f"  bản ghi đúng hết (all-correct records): {len(self.clean_keystrokes)}, "
            f"tối đa {max(self.clean_keystrokes, default=0)} phím (max keystrokes; target ≤ 1)",
            f"  giây ứng dụng/bản ghi (app seconds per record, typing excluded): "
            f"trung bình {statistics.mean(self.app_seconds):.3f}, trung vị {statistics.median(self.app_seconds):.3f}",
            f"  phản hồi/thao tác (app response per action): trung vị {ms(every)} ms, p90 {ms(every, 0.9)} ms "
            f"(target median ≤ 100 ms) over {len(every)} actions",
        ]
        for name, values in self.actions.items():
            lines.append(f"    {name:10s} n={len(values):4d}  median {ms(values)} ms  p90 {ms(values, 0.9)} ms")
        lines.append("  thời gian máy chủ/yêu cầu (server time per request, median / p90 ms):")
        for name, values in sorted(self.server.items()):
            lines.append(f"    {name:18s} n={len(values):4d}  {ms(values)} / {ms(values, 0.9)}")
        lines.append(f"  lưu bị chặn (saves blocked by a validator): {self.blocked_saves}; "
                     f"giá trị sai sau khi lưu (values wrong after save): {self.wrong_after}")
        return "\n".join(lines)


def _plan(rec: SeededRecord) -> list[tuple[str, str]]:
    """Key actions for one record: ("enter", key) to accept, ("type", key) to retype, then ("save", "")."""
    wrong = set(rec.wrong)
    if not wrong:
        return [("save", "")]
    last = max(rec.flagged.index(k) for k in wrong)
    steps = [("type" if k in wrong else "enter", k) for k in rec.flagged[: last + 1]]
    return steps + [("save", "")]


def _wait_ready(page) -> None:
    page.wait_for_function("document.readyState === 'complete' && !(window.reviewBusy && window.reviewBusy())",
                           polling=5)


def run_bench(out: Path, n: int = 50, seed: int = 11, *, browser=None) -> BenchResult:
    """Seed a fresh workspace under `out`, serve it, and review every record in Chromium (`browser`: an
    already launched Playwright browser, e.g. a test's; otherwise Debian's Chromium is launched here)."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        from bench.liveserver import launch_chromium
        with sync_playwright() as p:
            own = launch_chromium(p)
            try:
                return run_bench(out, n, seed, browser=own)
            finally:
                own.close()

    from bench.liveserver import serve_in_thread
    from review.app import create_app
    from review.users import add_user
    from store.db import Store

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    workspace = make_workspace(out / "ws")
    seeded = {r.record_id: r for r in seed_workspace(workspace, n=n, seed=seed)}
    app = create_app(workspace)
    add_user(app.config["STORE"], BENCH_USER, "reviewer", BENCH_PASSWORD, actor="bench")
    result = BenchResult()
    server_times: list[tuple[str, float]] = []
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.goto(base + "/login")
        page.fill("#name", BENCH_USER)
        page.fill("#password", BENCH_PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        # the queue's start button takes the focus by `autofocus`, which the browser applies a moment after
        # the page has loaded: Enter pressed before that went nowhere (seen once in CI under load)
        try:
            page.wait_for_function("document.activeElement && document.activeElement.id === 'start'", polling=5,
                                   timeout=5000)
        except Exception:  # noqa: BLE001 - a tab the browser keeps in the background never gets autofocus
            page.focus("#start")
        with page.expect_navigation():
            page.keyboard.press("Enter")          # "Bắt đầu kiểm tra"
        _wait_ready(page)
        app.config["REQUEST_TIMINGS"] = server_times
        for _ in range(n):
            if "/record/" not in page.url:
                break
            rec = seeded[int(page.url.split("/record/")[1].split("?")[0])]
            keys, app_time = 0, 0.0
            page.evaluate("window.reviewTimings = []")
            for action, key in _plan(rec):
                if action == "enter":
                    t0 = time.perf_counter()
                    page.keyboard.press("Enter")
                    dt = time.perf_counter() - t0
                    result.actions["enter"].append(dt)
                    app_time += dt
                    keys += 1
                elif action == "type":
                    page.keyboard.type(rec.truth[key])   # scripted typing: not app time
                    keys += len(rec.truth[key])
                    page.keyboard.press("Enter")
                    keys += 1
                else:
                    page.wait_for_function("!window.reviewBusy()", polling=5)
                    timings = page.evaluate("window.reviewTimings")
                    result.actions["validate"].extend(t / 1000 for t in timings)
                    app_time += sum(timings) / 1000
                    here = page.url
                    t0 = time.perf_counter()
                    with page.expect_navigation():
                        page.keyboard.press("Control+Enter")
                    _wait_ready(page)
                    dt = time.perf_counter() - t0
                    keys += 1
                    if page.url == here or f"/record/{rec.record_id}" in page.url.split("?")[0] + "/":
                        result.blocked_saves += 1
                    result.actions["save+next"].append(dt)
                    app_time += dt
            result.keystrokes.append(keys)
            result.by_hand.append(sum(len(v) + 1 for v in rec.truth.values()))
            result.app_seconds.append(app_time)
            if not rec.wrong:
                result.clean_keystrokes.append(keys)
            result.records += 1
        context.close()
    for endpoint, seconds in server_times:
        result.server.setdefault(endpoint, []).append(seconds)
    store = Store(app.config["STORE"].url)
    for rec in seeded.values():
        values = {k: v.value for k, v in store.load_record(rec.record_id).record.fields.items()}
        result.wrong_after += sum(values[k] != v for k, v in rec.truth.items())
    store.close()
    return result
