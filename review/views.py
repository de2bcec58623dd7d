"""The pages: queue, record review (lock, save), approvals (approve / send back)."""
from __future__ import annotations

import logging

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
    url_for,
)

from common.errors import SohoaError
from review import queries
from review.auth import require
from review.images import page_size, safe_page_path
from review.labels import label
from review.model import APPROVED, PENDING, SENT_BACK
from review.validation import FieldDecision, validate_values
from store.hygiene import clean_value, max_length

log = logging.getLogger(__name__)
bp = Blueprint("views", __name__)

FILTER_KEYS = ("type", "commune", "book")
QUEUE_LIMIT = 500


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "").strip()[:128] for k in FILTER_KEYS}


def _store():
    return current_app.config["STORE"]


@bp.route("/")
@require("view")
def queue():
    filters = _filters()
    items = queries.queue(_store(), **filters, limit=QUEUE_LIMIT)
    return render_template("queue.html", items=items, filters=filters, limit=QUEUE_LIMIT,
                           filters_set={k: v for k, v in filters.items() if v},
                           options=queries.filter_options(_store()))


@bp.route("/next", methods=["GET", "POST"])
@require("review")
def next_record():
    """POST: claim the first queue record nobody else holds and open it (the reviewer's 'next' without
    choosing). GET changes nothing: it opens the next free record read-only, to be taken with one key."""
    after = _record_id_arg(request.values.get("after"))
    if request.method == "POST":
        return _go_next(after)
    filters = {k: v for k, v in _filters().items() if v}
    found = queries.next_open_record(_store(), g.user.name, after=after, **filters)
    if found is not None:
        return redirect(url_for("views.record", record_id=found, **filters))
    flash("Hết bản ghi cần kiểm tra (the queue is empty).", "info")
    return redirect(url_for("views.queue", **filters))


def _record_id_arg(raw: str | None) -> int | None:
    """A record id from a query/form value; None for anything that is not a plausible id (no 500 on junk)."""
    if raw is None or not raw.strip().isdigit() or len(raw.strip()) > 18:
        return None
    return int(raw)


def _go_next(after: int | None):
    filters = {k: v for k, v in _filters().items() if v}
    found = queries.claim_next(_store(), g.user.name, current_app.config["LOCK_SECONDS"], after=after, **filters)
    if found is not None:
        return redirect(url_for("views.record", record_id=found, **filters))
    flash("Hết bản ghi cần kiểm tra (the queue is empty).", "info")
    return redirect(url_for("views.queue", **filters))


def _render_record(record_id: int, errors: dict[str, str] | None = None, status: int = 200,
                   typed: dict[str, str] | None = None):
    """The record page. Editable only for the reviewer holding its live lock (taken by a deliberate POST:
    'next', 'take this record', a save); `typed` puts a refused save's values back into the form."""
    store = _store()
    rec = queries.load_record(store, record_id)
    if rec is None:
        abort(404)
    lock = queries.lock_state(store, record_id, g.user.name)
    open_for_review = g.user.can("review") and rec.state in (PENDING, SENT_BACK)
    editable = open_for_review and lock.ok
    can_take = open_for_review and not lock.ok and lock.holder is None
    if typed:
        for f in rec.fields:
            if f.key in typed and typed[f.key] != f.value:
                f.value, f.changed = typed[f.key], True
    workspace = current_app.config["WORKSPACE"]
    pages = []
    for idx, stored in sorted(rec.page_paths.items()):
        w, h = page_size(workspace, stored)
        pages.append({"index": idx, "width": w, "height": h})
    filters = {k: v for k, v in _filters().items() if v}
    if errors is None:  # what the validators say about the values as read, shown before any keystroke
        errors = validate_values(rec.doc_type, {f.key: f.value for f in rec.fields})
    next_id = queries.next_open_record(store, g.user.name, after=record_id, **filters) if editable else None
    can_approve = g.user.can("approve") and rec.awaiting_approval and not queries.touched_by(rec, g.user.name)
    log.info("record open record=%s editable=%s", record_id, editable)
    resp = make_response(render_template("record.html", rec=rec, pages=pages, readonly=not editable,
                                         can_approve=can_approve, can_take=can_take,
                                         lock_holder=lock.holder, lock_until=lock.until, errors=errors,
                                         next_id=next_id, filters_set=filters), status)
    if next_id is not None:  # the reviewer lands there next: prepare its page once this answer is sent
        cache = current_app.config["PAGE_CACHE"]
        next_path = safe_page_path(workspace, queries.page_file(store, next_id, 0))
        resp.call_on_close(lambda: cache.warm(next_path))
    return resp


@bp.route("/record/<int:record_id>")
@require("view")
def record(record_id: int):
    return _render_record(record_id)


@bp.route("/record/<int:record_id>/claim", methods=["POST"])
@require("review")
def claim(record_id: int):
    lock = queries.claim(_store(), record_id, g.user.name, current_app.config["LOCK_SECONDS"])
    if not lock.ok:
        flash(f"Bản ghi đang được {lock.holder} kiểm tra (taken by {lock.holder})." if lock.holder else
              "Bản ghi không còn chờ kiểm tra (the record is no longer open for review).", "error")
    return redirect(url_for("views.record", record_id=record_id, **{k: v for k, v in _filters().items() if v}))


def _decisions_from_form(rec) -> list[FieldDecision]:
    out = []
    for f in rec.fields:
        value = request.form.get(f"v:{f.key}")
        if value is None:
            continue
        state = request.form.get(f"s:{f.key}", "pending")
        out.append(FieldDecision(key=f.key, value=value, state=state,
                                 confirmed=request.form.get(f"c:{f.key}") == "1"))
    return out


MISSING_VERSION = ("Biểu mẫu thiếu phiên bản của bản ghi; tải lại trang rồi làm lại, không có gì được lưu (the form "
                   "does not say which version of the record it shows: reload the page; nothing was saved).")


def _form_version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@bp.route("/record/<int:record_id>/save", methods=["POST"])
@require("review")
def save(record_id: int):
    store = _store()
    rec = queries.load_record(store, record_id, with_history=False)
    if rec is None:
        abort(404)
    decisions = _decisions_from_form(rec)
    typed = {d.key: d.value for d in decisions}
    if _form_version() is None:  # without it a save could overwrite a change made since the page was opened
        flash(MISSING_VERSION, "error")
        return _render_record(record_id, status=400, typed=typed)
    if rec.state not in (PENDING, SENT_BACK):
        flash("Bản ghi này đã được kiểm tra; không lưu (already reviewed: not saved).", "error")
        return _render_record(record_id, status=409, typed=typed)
    holder = queries.lock_state(store, record_id, g.user.name).holder
    if holder not in (None, g.user.name):  # said first; the store checks again inside its transaction
        flash(f"Bản ghi đang được {holder} kiểm tra; không lưu (taken by {holder}: not saved).", "error")
        return _render_record(record_id, status=409, typed=typed)
    missing = [f.key for f in rec.fields if (f.flagged or f.changed) and f.key not in typed]
    if missing:
        flash("Chưa xử lý các trường cần xem: " + ", ".join(label(k, rec.doc_type) for k in missing) + " (flagged fields left "
              "undecided: nothing saved)", "error")
        return _render_record(record_id, status=422, typed=typed)
    too_long = {d.key: max_length(d.key) for d in decisions if len(clean_value(d.key, d.value)) > max_length(d.key)}
    if too_long:  # the store refuses them too; said here first, by field, before any validator runs on them
        flash("Giá trị quá dài (value too long): " + ", ".join(f"{label(k)} tối đa {n} ký tự (at most {n})"
                                                               for k, n in too_long.items()), "error")
        return _render_record(record_id, status=422, typed=typed)  # the edit is kept, even the long value
    values = {f.key: f.value for f in rec.fields}
    values.update(typed)
    errors = validate_values(rec.doc_type, values)
    # a value that differs from the stored one is a change whatever the form calls it (a form posted without
    # the page's script, or crafted, may say "accepted" beside a new value): it is validated like any change
    blocking = {d.key: errors[d.key] for d in decisions
                if d.key in errors and not d.confirmed and d.state != "illegible"
                and (d.state == "changed" or d.value != rec.field(d.key).value or rec.field(d.key).flagged)}
    if blocking:
        flash("Còn trường không hợp lệ: sửa hoặc xác nhận (fields still invalid: fix or confirm).", "error")
        return _render_record(record_id, errors=blocking, status=422, typed=typed)
    try:
        changed = queries.save_review(store, rec, decisions, g.user.name, _form_version())
    except SohoaError as exc:  # taken, changed meanwhile, store busy, value too long: nothing was written
        log.info("record save refused record=%s code=%s", record_id, exc.code)
        flash(exc.message, "error")
        return _render_record(record_id, status=exc.http_status, typed=typed)
    log.info("record saved record=%s changed_fields=%d", record_id, changed)
    return _go_next(after=record_id)


@bp.route("/approvals")
@require("approve")
def approvals():
    items = [{"rec": rec, "submitted_by": rec.submitted_by or _read_by(rec),
              "changes": queries.value_changes(rec), "own": queries.touched_by(rec, g.user.name)}
             for rec in queries.approval_candidates(_store())]
    return render_template("approvals.html", items=items)


def _read_by(rec) -> str:
    """Who made the values of a record nobody reviewed: the automatic reader, or a legacy spreadsheet."""
    if rec.fields and all(f.source == "legacy" for f in rec.fields):
        return "nhập từ tệp Excel cũ, không có trường cần xem (legacy spreadsheet import, nothing flagged)"
    return "máy đọc tự động (machine, nothing flagged)"


def _pending_approval(record_id: int):
    rec = queries.load_record(_store(), record_id)
    if rec is None:
        abort(404)
    if not rec.awaiting_approval:
        flash("Bản ghi không ở trạng thái chờ phê duyệt (not waiting for approval).", "error")
        return rec, False
    if queries.touched_by(rec, g.user.name):
        log.info("approval refused two-person rule record=%s", record_id)
        abort(403, "Không thể tự phê duyệt bản ghi mình đã sửa hoặc kiểm tra (two-person rule).")
    return rec, True


@bp.route("/record/<int:record_id>/approve", methods=["POST"])
@require("approve")
def approve(record_id: int):
    rec, ok = _pending_approval(record_id)
    if ok and _decide(record_id, APPROVED):
        log.info("record approved record=%s", record_id)
        flash(f"Đã phê duyệt bản ghi {record_id} (approved).", "info")
    return redirect(url_for("views.approvals"))


def _decide(record_id: int, action: str, comment: str = "") -> bool:
    version = _form_version()
    if version is None:  # a decision is about the record as the approver saw it: which version must be said
        flash(MISSING_VERSION, "error")
        return False
    try:
        queries.decide(_store(), record_id, action, g.user.name, comment, version)
    except SohoaError as exc:
        log.info("decision refused record=%s code=%s", record_id, exc.code)
        flash(exc.message, "error")
        return False
    return True


@bp.route("/record/<int:record_id>/send-back", methods=["POST"])
@require("approve")
def send_back(record_id: int):
    comment = request.form.get("comment", "").strip()[:500]
    if not comment:
        flash("Cần ghi lý do trả lại (a comment is required).", "error")
        return redirect(url_for("views.approvals"))
    rec, ok = _pending_approval(record_id)
    if ok and _decide(record_id, SENT_BACK, comment):
        log.info("record sent back record=%s", record_id)
        flash(f"Đã trả lại bản ghi {record_id} (sent back).", "info")
    return redirect(url_for("views.approvals"))
