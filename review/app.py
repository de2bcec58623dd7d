"""Flask app factory: `create_app(workspace)` serves one workspace's store to reviewers and approvers."""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from common.doctypes import load_registry
from common.errors import SohoaError
from common.workspace import open_workspace
from review.config import secret_key
from review.images import PageCache
from review.labels import label, shown
from review.model import STATE_LABELS
from review.throttle import LoginThrottle

log = logging.getLogger(__name__)
csrf = CSRFProtect()

ROLE_LABELS = {"operator": "nhập liệu", "reviewer": "kiểm tra", "approver": "phê duyệt", "admin": "quản trị"}


def open_store(workspace: Path):
    """The workspace's store (sohoa.toml [store] url, else the workspace SQLite file), migrated; WorkspaceError
    when the folder is not a workspace (a store is never created by accident)."""
    from store.db import Store

    return Store(open_workspace(workspace).store_url())


class StoreInt(IntegerConverter):
    """`<int:…>` in every route: a number past what the store's ids can be is "not found" (404), not an
    overflow in the database driver (500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's name
        from store.review import MAX_RECORD_ID

        kwargs.setdefault("max", MAX_RECORD_ID)
        super().__init__(map, *args, **kwargs)


def create_app(workspace: Path, *, testing: bool = False, store=None) -> Flask:
    workspace = Path(workspace).resolve()
    config = open_workspace(workspace).settings().review
    app = Flask(__name__)
    store = store or open_store(workspace)
    app.config.update(
        TESTING=testing,
        SECRET_KEY=secret_key(workspace),
        WORKSPACE=workspace,
        STORE=store,
        ENGINE=store.engine,
        PAGE_CACHE=PageCache(),
        LOGIN_THROTTLE=LoginThrottle(),
        LIVE_SESSIONS={},   # session id -> user name; logout removes the id (see review.auth)
        LOCK_SECONDS=int(config.lock_minutes * 60),
        EXPORT_RULE=config.export_rule,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=config.session_minutes),
        SESSION_COOKIE_NAME="sohoa_review",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(config.secure_cookies),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which expires by itself
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.url_map.converters["int"] = StoreInt  # before any route is registered
    csrf.init_app(app)

    from review import api, auth, images, report_views, views
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(images.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(report_views.bp)
    app.before_request(auth.load_user)

    @app.route("/favicon.ico")
    def favicon():
        return "", 204

    @app.context_processor
    def _globals():
        return {"state_labels": STATE_LABELS, "role_labels": ROLE_LABELS, "label": label, "shown": shown,
                "type_label": load_registry().label}

    @app.before_request
    def _start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def _headers(resp):
        timings = app.config.get("REQUEST_TIMINGS")  # a list when `sohoa bench review` is measuring
        if timings is not None and request.endpoint:
            timings.append((request.endpoint, time.perf_counter() - g.get("started", time.perf_counter())))
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self'; style-src 'self'; "
                                "script-src 'self'; frame-ancestors 'none'")
        return resp

    @app.errorhandler(CSRFError)
    def _csrf(err):
        log.info("csrf refused: %s", err.description)
        return render_template("error.html", code=400,
                               message="Biểu mẫu hết hạn hoặc không hợp lệ, hãy tải lại trang "
                                       "(form expired or forged: reload the page)."), 400

    @app.errorhandler(SohoaError)
    def _sohoa(err: SohoaError):
        log.info("request refused code=%s", err.code)
        return render_template("error.html", code=err.http_status, message=err.message), err.http_status

    @app.errorhandler(HTTPException)
    def _http(err):
        messages = {401: "Cần đăng nhập (login required).", 403: "Bạn không có quyền làm việc này (forbidden).",
                    404: "Không tìm thấy (not found)."}
        message = err.description if err.code == 403 and "two-person" in (err.description or "") \
            else messages.get(err.code, err.description)
        return render_template("error.html", code=err.code, message=message), err.code

    return app
