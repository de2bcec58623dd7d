"""The supervisors' progress page: the same report as `sohoa report` (export.report.build_report), as HTML
with its chart, for approvers and admins. Read-only; the period comes from ?day=YYYY-MM-DD or ?week=YYYY-Www."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, render_template, request

from review.auth import require

bp = Blueprint("report", __name__)
LEVELS = ("xa", "huyen")


def _report():
    from export.communes import load_communes
    from export.report import build_report

    day = request.args.get("day", "").strip()[:10] or None
    week = request.args.get("week", "").strip()[:8] or None
    try:
        return build_report(current_app.config["STORE"], day, week,
                            communes=load_communes(current_app.config["WORKSPACE"]))
    except ValueError:  # a malformed period: say so instead of a server error
        abort(400)


def _level() -> str:
    level = request.args.get("level", "xa")
    return level if level in LEVELS else "xa"


@bp.route("/report")
@require("approve")
def progress():
    report = _report()
    return render_template("report.html", report=report, level=_level(),
                           units=report.level(_level()), total=report.totals(), args=request.args)


@bp.route("/report/chart.png")
@require("approve")
def chart():
    from export.report import write_report_png

    report = _report()
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(write_report_png(report, Path(tmp) / "chart.png", level=_level())).read_bytes()
    response = make_response(png)
    response.headers["Content-Type"] = "image/png"
    return response
