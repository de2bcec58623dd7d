"""The store: migrations reach head once, results commit atomically and idempotently, reviews keep history."""
from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from extract.types import FieldValue, Person, Record
from store.db import Store, StoreError
from store.types import Claim, PageData


def _record(name: str = "Nguyễn Văn An") -> Record:
    return Record(doc_type="gcn_2014", doc_confidence=0.8, pages=[0, 1],
                  fields={"soThua": FieldValue("12", 0.9, "accepted", box=(1, 2, 30, 40), page=1)},
                  owners=[Person({"hoTen": FieldValue(name, 0.6, "needs_review", reason="mờ (blurry)")}),
                          Person({"hoTen": FieldValue("Trần Thị Bình", 0.9, "accepted")})])


def _file(store: Store, h: str = "a" * 64):
    return store.add_file(content_hash=h, size=10, origin_path="/in/GCN/Xã A/Q1/a.jpg",
                          rel_path="GCN/Xã A/Q1/a.jpg", kind_hint="GCN", commune="Xã A", book="Q1")


def test_fresh_db_reaches_head_and_reopen_is_noop(new_database):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from store.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    store_url = new_database(blank=True)
    store = Store(store_url)
    assert store.migrated is True
    assert store.schema_heads() == heads
    tables = set(inspect(store.engine).get_table_names())
    assert {"files", "pages", "records", "record_pages", "fields", "field_history"} <= tables
    store.close()
    again = Store(store_url)
    assert again.migrated is False
    assert again.schema_heads() == heads
    again.close()


def test_sqlite_settings(tmp_path):
    store = Store(tmp_path / "s.db")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    store.close()
    assert sqlite3.connect(tmp_path / "s.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_commit_is_idempotent_and_round_trips(store_url):
    store = Store(store_url)
    f = _file(store)
    assert store.mark_processing(f.id) == 1
    pages = [PageData(0, "w/0.png", "w/0.jpg", {"retake": False}), PageData(1, "w/1.png", "w/1.jpg", {})]
    ids = store.commit_file_results(f.id, pages, [_record()])
    assert store.commit_file_results(f.id, pages, [_record()]) == ids  # second commit changes nothing
    assert store.file(f.id).state == "done"
    assert len(store.record_rows()) == 1
    stored = store.load_record(ids[0])
    assert stored.row.commune == "Xã A" and stored.row.status == "extracted"
    assert [p.page_index for p in stored.pages] == [0, 1]
    assert stored.record.fields["soThua"].box == (1, 2, 30, 40)
    assert stored.record.fields["soThua"].page == 1
    assert [o.fields["hoTen"].value for o in stored.record.owners] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert stored.record.needs_review


def test_failed_commit_leaves_nothing(store_url):
    store = Store(store_url)
    f = _file(store)
    store.mark_processing(f.id)
    bad = _record()
    bad.fields["broken"] = FieldValue("x", 0.5, "accepted", box=(1, 2, 3, object()))  # not JSON-able
    with pytest.raises(Exception):  # noqa: B017 — any driver error will do; the point is what remains
        store.commit_file_results(f.id, [PageData(0), PageData(1)], [_record(), bad])
    assert store.file(f.id).state == "processing"
    assert store.record_rows() == [] and store.pages_of_file(f.id) == []


def test_first_copy_is_unique_but_duplicates_are_recorded(store_url):
    store = Store(store_url)
    first = _file(store)
    with pytest.raises(Exception):  # noqa: B017 — the unique index refuses a second first copy
        _file(store)
    dup = store.add_file(content_hash="a" * 64, size=10, origin_path="/in/x.jpg", rel_path="x.jpg",
                         kind_hint="auto", commune="", book="", duplicate_of=first.id, reason="trùng (duplicate)")
    assert dup.state == "duplicate" and store.first_copy("a" * 64).id == first.id
    assert store.count_files_by_state() == {"received": 1, "duplicate": 1}


def test_requeue_and_quarantine(store_url):
    store = Store(store_url)
    f = _file(store)
    store.mark_processing(f.id)
    assert store.requeue_stale(datetime.now(UTC) - timedelta(hours=1)) == []
    assert store.requeue_stale(datetime.now(UTC) + timedelta(seconds=1)) == [f.id]
    assert store.file(f.id).state == "received"
    store.quarantine_file(f.id, "corrupt", "tệp bị hỏng (corrupt file)")
    assert store.quarantine_reasons() == [("corrupt", "tệp bị hỏng (corrupt file)", 1)]
    assert store.count_files_by_book() == [("Xã A", "Q1", "quarantined", 1)]


def test_review_edit_writes_history_and_locks(store_url):
    store = Store(store_url)
    f = _file(store)
    (rid,) = store.commit_file_results(f.id, [PageData(0), PageData(1)], [_record()])
    store.set_field(rid, "hoTen", "Nguyễn Văn Ân", who="reviewer1", owner_index=0)
    store.set_field(rid, "ghiChu", "mới", who="reviewer1")
    history = store.field_history(rid)
    assert [(h.key, h.owner_index, h.old_value, h.new_value, h.new_status) for h in history] == [
        ("hoTen", 0, "Nguyễn Văn An", "Nguyễn Văn Ân", "accepted"), ("ghiChu", None, "", "mới", "accepted")]
    rec = store.load_record(rid).record
    assert rec.owners[0].fields["hoTen"].source == "reviewer"
    assert store.acquire_lock(rid, "a") and not store.acquire_lock(rid, "b")
    store.release_lock(rid, "a")
    assert store.acquire_lock(rid, "b")
    store.set_record_status(rid, "approved")
    assert store.record_rows(status="approved")[0].id == rid
    with pytest.raises(StoreError):
        store.set_record_status(rid, "nonsense")


def test_concurrent_writers_wait_instead_of_failing(store_url):
    stores = [Store(store_url) for _ in range(3)]
    errors: list[BaseException] = []

    def work(store: Store, base: int) -> None:
        try:
            for i in range(15):
                f = _file(store, h=f"{base:02d}{i:062d}")
                store.mark_processing(f.id)
                store.commit_file_results(f.id, [PageData(0)], [_record()])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert stores[0].count_files_by_state() == {"done": 45}


def test_migrations_go_down_and_up_again_on_both_stores(new_database, backend):
    """Every revision's downgrade and upgrade run: batch table rebuilds on SQLite, real ALTER TABLE on
    PostgreSQL (0004 widens review_decisions.action, 0006 adds the claim columns and partial indexes)."""
    from alembic import command
    from alembic.config import Config

    from store.db import MIGRATIONS_DIR

    url = new_database(blank=True)
    store = Store(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    for target in ("base", "heads"):
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            (command.downgrade if target == "base" else command.upgrade)(config, target)
        tables = set(inspect(store.engine).get_table_names())
        assert ("files" in tables) == (target == "heads")
    columns = {c["name"]: c for c in inspect(store.engine).get_columns("review_decisions")}
    assert getattr(columns["action"]["type"], "length", None) == 32
    indexes = {i["name"]: i for i in inspect(store.engine).get_indexes("files")}
    assert indexes["ux_files_unmoved_path"]["unique"]
    f = _file(store)
    assert store.claim_file(f.id, Claim("a:1:1", timedelta(seconds=5)))
    store.close()
