"""Log-in, log-out and the guard that puts every page and image behind a session.

The session cookie is signed (Flask) and carries the user name, a random session id, the account's session
epoch and the time of the last request. The server refuses a session idle longer than
PERMANENT_SESSION_LIFETIME even if the browser kept the cookie, keeps the live session ids in memory so that
logging out kills every copy of the cookie (a restart of the app logs everyone out, which is the safe side),
and compares the epoch with the store's on every request: a password reset, a role change or disabling the
account (from the app or `sohoa user …` on another machine) ends every session of that account at once.
"""
from __future__ import annotations

import logging
import math
import secrets
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from review.users import authenticate, get_user

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = {"auth.login", "static", "favicon"}


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: a login link must not bounce the user to another host."""
    if not target:
        return url_for("views.queue")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("views.queue")
    return target


def load_user() -> None:
    """before_request: set g.user from the session, or send the browser to /login."""
    g.user = None
    name = session.get("user")
    if name and current_app.config["LIVE_SESSIONS"].get(session.get("sid", "")) != name:
        session.clear()
        name = None
    if name:
        lifetime = current_app.permanent_session_lifetime.total_seconds()
        if time.time() - float(session.get("seen", 0)) > lifetime:
            session.clear()
        else:
            g.user = get_user(current_app.config["STORE"], name)
            if g.user is None or g.user.session_epoch != session.get("epoch"):
                g.user = None
                session.clear()
            else:
                session["seen"] = time.time()
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.endpoint and (request.endpoint.startswith("images.") or request.endpoint.startswith("api.")):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    return None


def require(right: str):
    """Decorator: the logged-in user's role must grant `right` (view, review, approve, admin)."""
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            if g.user is None or not g.user.can(right):
                abort(403)
            return view(*args, **kwargs)
        return inner
    return wrap


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        name, addr = request.form.get("name", "")[:64], request.remote_addr or ""
        throttle = current_app.config["LOGIN_THROTTLE"]
        wait = throttle.wait_seconds(name, addr)
        if wait > 0:
            log.info("login throttled")
            seconds = math.ceil(wait)
            flash(f"Sai mật khẩu nhiều lần; hãy đợi {seconds} giây rồi thử lại (too many failed logins; wait "
                  f"{seconds} s and try again).", "error")
            resp = make_response(render_template("login.html"), 429)
            resp.headers["Retry-After"] = str(seconds)
            return resp
        user = authenticate(current_app.config["STORE"], name, request.form.get("password", ""))
        if user is None:
            throttle.failed(name, addr)
            log.info("login refused")
            flash("Sai tên đăng nhập hoặc mật khẩu (wrong name or password).", "error")
            return render_template("login.html"), 401
        throttle.succeeded(name, addr)
        session.clear()
        session.permanent = True
        sid = secrets.token_urlsafe(24)
        current_app.config["LIVE_SESSIONS"][sid] = user.name
        session["sid"] = sid
        session["user"] = user.name
        session["epoch"] = user.session_epoch
        session["seen"] = time.time()
        log.info("login ok role=%s", user.role)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout():
    current_app.config["LIVE_SESSIONS"].pop(session.get("sid", ""), None)
    session.clear()
    return redirect(url_for("auth.login"))
