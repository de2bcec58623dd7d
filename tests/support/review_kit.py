"""Shared set-up for the review tests and benchmark: a seeded workspace, an app, accounts, a logged-in client."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
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


def make_env(tmp_path: Path, n: int = 4, seed: int = 3, config: str = "", store_url: str | None = None) -> Env:
    """A seeded workspace on `store_url` (None: its own SQLite file), its app and the test accounts."""
    ws = make_workspace(tmp_path / "ws", store_url)
    if config:
        (ws / "review.toml").write_text(config, encoding="utf-8")
    records = seed_workspace(ws, n=n, seed=seed)
    app = create_app(ws, testing=True)
    for name, role in USERS.items():
        add_user(app.config["STORE"], name, role, PASSWORD, actor="test")
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


def take(client, record_id: int):
    """Press 'take this record' (opening a record no longer locks it: taking it does)."""
    token = csrf_token(client.get(f"/record/{record_id}").text)
    return client.post(f"/record/{record_id}/claim", data={"csrf_token": token})


def version_of(html: str, record_id: int | None = None) -> str:
    """The record version a page's form posts back (on the approvals page: the form of `record_id`)."""
    if record_id is not None:
        return re.search(rf'/record/{record_id}/approve".*?name="version" value="(\d+)"', html, re.S).group(1)
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def save_form(client, record: SeededRecord, values: dict[str, str] | None = None,
              states: dict[str, str] | None = None, confirm: tuple[str, ...] = ()) -> dict[str, str]:
    """The form the record page would post after taking the record: every flagged field, corrected from
    `values`, and the version the page was made from."""
    take(client, record.record_id)
    page = client.get(f"/record/{record.record_id}")
    data = {"csrf_token": csrf_token(page.text), "version": version_of(page.text)}
    for key in record.flagged:
        value = (values or {}).get(key, record.shown[key])
        data[f"v:{key}"] = value
        data[f"s:{key}"] = (states or {}).get(key, "changed" if value != record.shown[key] else "accepted")
    for key in confirm:
        data[f"c:{key}"] = "1"
    return data


# A plausible typed value per normaliser, so a record of any profile can be filled field by field.
SAMPLE_BY_NORMALISER = {
    "date": "05.03.2010", "year": "1980", "name": "Nguyễn Văn An", "gender": "1", "ethnicity": "Kinh",
    "nationality": "Việt Nam", "register_no": "12/2010", "digits": "7", "code": "1", "time": "08 giờ 30 phút",
    "area": "120,5", "address": "Xã Cẩm Hưng, Huyện Cẩm Giàng, Tỉnh Hải Dương",
}


def sample_value(spec) -> str:
    """A value a reviewer could type for this profile field (ID numbers by their allowed lengths)."""
    if spec.normalizer == "id_digits":
        lengths = spec.params.get("lengths", [12])
        return "030084001234" if 12 in lengths else "031234567"
    return SAMPLE_BY_NORMALISER.get(spec.normalizer, "Ghi chú thử")


def add_full_record(env: Env, doc_type: str, *, flagged: tuple[str, ...] = ()) -> int:
    """A record of `doc_type` with EVERY field of its profile read (flagged ones need review), on a page
    of the seeded workspace. Seeded records only hold some fields: this one exercises every profile check."""
    from extract.profiles import load_profiles
    from extract.types import FieldValue, Record
    from store.types import PageData

    profile = load_profiles()[doc_type]
    folder = env.workspace / "work/review-fixtures"
    page = f"work/review-fixtures/{sorted(p.name for p in folder.iterdir())[0]}"
    rec = Record(doc_type=doc_type, doc_confidence=0.9, pages=[0])
    for i, spec in enumerate(profile.fields):
        status = "needs_review" if spec.key in flagged else "accepted"
        rec.fields[spec.key] = FieldValue(sample_value(spec), 0.95, status, box=(10, 10 + 30 * i, 200, 25))
    stored = env.store.add_file(content_hash=f"full-{doc_type}-{len(flagged)}", size=1, origin_path=page,
                                rel_path=page, kind_hint="auto", commune="10507", book="")
    (record_id,) = env.store.commit_file_results(stored.id, [PageData(0, page, page)], [rec])
    return record_id


class _FormInputs(HTMLParser):
    """The inputs of one <form id=...> of a page, as a browser would post them (name -> value)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif tag == "input" and self.inside and a.get("name"):
            self.values[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def page_form(html: str, form_id: str = "saveform") -> dict[str, str]:
    """What the record page's save form would post untouched: token, version, every v:/s: input."""
    parser = _FormInputs(form_id)
    parser.feed(html)
    return parser.values


def edited(form: dict[str, str], values: dict[str, str]) -> dict[str, str]:
    """The form after a reviewer typed `values` (key -> value): those fields marked changed."""
    out = dict(form)
    for key, value in values.items():
        out[f"v:{key}"] = value
        out[f"s:{key}"] = "changed"
    return out
