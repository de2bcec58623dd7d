"""One person's action through the real review app, in a process of its own, so a fault-injection test can
kill it (SOHOA_CRASH_AT) in the middle of the save or decision and then look at what the store kept.

    python -m tests.support.review_actor WORKSPACE '{"user": "an", "action": "save", "record": 3,
                                                    "values": {"hoTen": "Lê Văn An"}}'

Actions: "save" (take the record, open it, type `values`, save), "approve", "send_back" (with "comment").
The app runs exactly as served (CSRF on, exceptions answered as pages); the Flask test client carries the
requests. Prints one JSON line with the final HTTP status.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from review.app import create_app
from tests.support.review_kit import PASSWORD, csrf_token, edited, login, page_form, version_of


def act(app, spec: dict) -> int:
    """Log in as spec["user"] and do spec["action"] on spec["record"]; the last answer's HTTP status."""
    client = app.test_client()
    assert login(client, spec["user"], spec.get("password", PASSWORD)).status_code == 302, "login failed"
    rid = spec["record"]
    page = client.get(f"/record/{rid}").text
    if spec["action"] == "save":
        taken = client.post(f"/record/{rid}/claim", data={"csrf_token": csrf_token(page)})
        if taken.status_code != 302:
            return taken.status_code
        form = edited(page_form(client.get(f"/record/{rid}").text), spec.get("values", {}))
        resp = client.post(f"/record/{rid}/save", data=form)
    else:
        data = {"csrf_token": csrf_token(page), "version": version_of(page)}
        if spec["action"] == "send_back":
            data["comment"] = spec.get("comment", "Sai họ tên, đọc lại")
        path = "approve" if spec["action"] == "approve" else "send-back"
        resp = client.post(f"/record/{rid}/{path}", data=data)
    return resp.status_code


if __name__ == "__main__":
    status = act(create_app(Path(sys.argv[1])), json.loads(sys.argv[2]))
    print(json.dumps({"status": status}))
