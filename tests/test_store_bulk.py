"""Bulk loading (COPY on PostgreSQL, executemany on SQLite) reads back exactly like rows the store wrote, and
ids go on after it; the scale benchmark's harness runs end to end on a tiny size (it is a benchmark, not a
test: only that it runs and loads what it says is checked here)."""
from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner

from store.db import Store
from store.types import PageData

T = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


def test_bulk_rows_read_back_like_written_ones(store_url):
    store = Store(store_url)
    store.bulk_insert("files", ("id", "content_hash", "size", "origin_path", "rel_path", "kind_hint", "commune", "book",
                                "state", "attempts", "reason_code", "reason", "dest_path", "received_at", "updated_at"),
                      [(7, "h" * 64, 3, "/in/a.jpg", "KS/Xã Ạ/Q1/a.jpg", "KS", "Xã Ạ", "Q1", "done", 1, "", "", "", T, T)])
    store.bulk_insert("pages", ("id", "file_id", "page_index", "prepared_path", "archival_path", "quality"),
                      [(7, 7, 0, "p.png", "a.jpg", {"retake": False, "lý do": ["mờ"]})])
    store.bulk_insert("records", ("id", "file_id", "record_index", "doc_type", "commune", "book", "status",
                                  "doc_confidence", "reason", "version", "created_at", "updated_at"),
                      [(9, 7, 0, "ks", "Xã Ạ", "Q1", "approved", 0.9, "", 2, T, T)])
    store.bulk_insert("record_pages", ("record_id", "page_id", "position"), [(9, 7, 0)])
    store.bulk_insert("fields", ("id", "record_id", "key", "owner_index", "value", "confidence", "status", "reason",
                                 "box", "page", "source", "updated_at"),
                      [(11, 9, "nksHoTen", None, "Nguyễn Thị Thúy", 0.6, "needs_review", "", [1, 2, 3, 4], 0, "ocr", T)])
    store.reset_id_sequences()
    store.analyze()
    stored = store.load_record(9)
    assert stored.row.created_at == T and stored.row.version == 2 and stored.row.status == "approved"
    assert stored.record.fields["nksHoTen"].value == "Nguyễn Thị Thúy"
    assert stored.record.fields["nksHoTen"].box == (1, 2, 3, 4)
    assert stored.pages[0].quality == {"retake": False, "lý do": ["mờ"]}
    assert store.file(7).received_at == T
    assert store.record_books(["ks"]) == [("ks", "Xã Ạ", "Q1", 1)]
    # the store's own writes go on after the loaded ids
    f = store.add_file(content_hash="g" * 64, size=1, origin_path="x", rel_path="KS/b.jpg", kind_hint="KS",
                       commune="", book="")
    assert f.id == 8
    (rid,) = store.commit_file_results(f.id, [PageData(0)], [stored.record])
    assert rid == 10
    assert store.database_size() > 0
    store.close()


def test_scale_bench_runs_on_a_tiny_size(tmp_path):
    from bench.cli import bench_scale_command

    result = CliRunner().invoke(bench_scale_command, ["--records", "600", "--sweep-files", "6", "--sweep", "1,2",
                                                      "--burn", "0.01", "--export-workers", "1",
                                                      "--no-libreoffice", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    lines = result.output.splitlines()
    for store in ("postgresql", "sqlite"):
        (row,) = [line for line in lines if line.startswith(f"| {store} | 600 |")]
        assert "| 15,000 |" in row  # 25 fields per registration
        (export,) = [line for line in lines if line.startswith(f"| {store} |") and line not in (row,)]
        assert int(export.split("|")[2].replace(",", "")) > 0  # approved registrations were exported
    sweep = [line for line in lines if line.startswith(("| 1 |", "| 2 |"))]
    assert len(sweep) == 2 and all(line.rstrip(" |").endswith("6 / 6") for line in sweep)  # exactly once


def test_the_exports_book_read_agrees_with_load_book(store_url, tmp_path):
    """load_book_export (the backlog's lean read) gives each record of a book what load_book gives: status,
    version, its own fields (owners' left out: no BTP column holds them), page paths in order."""
    from extract.types import FieldValue, Person, Record

    store = Store(store_url)
    ids = []
    for n in range(3):
        f = store.add_file(content_hash=f"h{n}", size=1, origin_path="x", rel_path=f"KS/Xã/Q1/{n}.jpg",
                           kind_hint="KS", commune="Xã", book="Q1")
        pages = [PageData(i, archival_path=f"done/{n}-{i}.jpg") for i in range(2 - n % 2)]
        record = Record("ks", 0.9, {"so": FieldValue(f"0{n}/2010", 0.9, "accepted", box=(1, 2, 3, 4)),
                                    "nksHoTen": FieldValue("Trần Thị Thúy", 0.5, "needs_review", "mờ", page=1)},
                        pages=[p.page_index for p in pages],
                        owners=[Person({"hoTen": FieldValue("X", 1.0, "accepted")})])
        (rid,) = store.commit_file_results(f.id, pages, [record])
        ids.append(rid)
    other = store.add_file(content_hash="o", size=1, origin_path="x", rel_path="KS/Xã/Q2/o.jpg", kind_hint="KS",
                           commune="Xã", book="Q2")
    store.commit_file_results(other.id, [], [Record("ks", 0.9, {"so": FieldValue("9", 1.0, "accepted")})])
    full = store.load_book("ks", "Xã", "Q1")
    lean = store.load_book_export("ks", "Xã", "Q1")
    assert [r.id for r in lean] == [s.row.id for s in full] == ids
    for stored, got in zip(full, lean, strict=True):
        assert (got.status, got.version) == (stored.row.status, stored.row.version)
        assert got.fields == stored.record.fields and "hoTen" not in got.fields
        assert got.page_paths == [p.archival_path for p in stored.pages]
    assert lean[0].fields["so"].box == (1, 2, 3, 4) and lean[1].page_paths == ["done/1-0.jpg"]
    store.close()
