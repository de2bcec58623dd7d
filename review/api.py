"""The small JSON endpoint the record page calls on each change: validators and normalisers, no writes."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from review import queries
from review.auth import require
from review.validation import normalise, validate_values

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_VALUE = 500


@bp.route("/record/<int:record_id>/validate", methods=["POST"])
@require("view")
def validate(record_id: int):
    rec = queries.load_record(current_app.config["STORE"], record_id, with_history=False)
    if rec is None:
        abort(404)
    payload = request.get_json(silent=True) or {}
    typed = payload.get("values") or {}
    if not isinstance(typed, dict):
        abort(400)
    values = {f.key: f.value for f in rec.fields}
    values.update({k: str(v)[:MAX_VALUE] for k, v in typed.items() if k in values})
    errors = validate_values(rec.doc_type, values)
    normalised = {k: n for k, v in values.items() if v and (n := normalise(k, v, rec.doc_type)) != v}
    return jsonify(errors=errors, normalised=normalised)
