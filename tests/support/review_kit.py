"""Shared set-up for the review tests and benchmark: a seeded workspace, an app, accounts, a logged-in client."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from review.app import create_app
from review.users import add_user
from synth.review_work import SeededRecord, make_workspace, seed_workspace

PASSWORD = "mat-khau-thu-1"
USERS = {"an": "reviewer", "binh": "reviewer", "chi": "approver", "dung": "approver", "em": "operator"}


@dataclass
class Env:
    workspace: Path
    app: object
    records: list[SeededRecord]

    @property
    def store(self):
        return self.app.config["STORE"]


def make_env(tmp_path: Path, n: int = 4, seed: int = 3, config: str = "") -> Env:
    ws = make_workspace(tmp_path / "ws")
    if config:
        (ws / "review.toml").write_text(config, encoding="utf-8")
    records = seed_workspace(ws, n=n, seed=seed)
    app = create_app(ws, testing=True)
    for name, role in USERS.items():
        add_user(app.config["ENGINE"], name, role, PASSWORD)
    return Env(ws, app, records)


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, name: str, password: str = PASSWORD):
    token = csrf_token(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def logged_in(env: Env, name: str):
    client = env.app.test_client()
    resp = login(client, name)
    assert resp.status_code == 302, resp.text
    return client


def save_form(client, record: SeededRecord, values: dict[str, str] | None = None,
              states: dict[str, str] | None = None, confirm: tuple[str, ...] = ()) -> dict[str, str]:
    """The form the record page would post: every flagged field, corrected from `values`."""
    page = client.get(f"/record/{record.record_id}")
    data = {"csrf_token": csrf_token(page.text)}
    for key in record.flagged:
        value = (values or {}).get(key, record.shown[key])
        data[f"v:{key}"] = value
        data[f"s:{key}"] = (states or {}).get(key, "changed" if value != record.shown[key] else "accepted")
    for key in confirm:
        data[f"c:{key}"] = "1"
    return data
