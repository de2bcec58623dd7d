"""Bad input and faults against a running watcher (`watch` loop in a thread, watchdog events + rescans):
each ends in a clear state and reason, and the watcher keeps processing the next good file.

Bad files go through the real scanner.intake.read_pages (FakeProcessor hands every non-JSON file to it),
so the codes below are the scanner's own IntakeError codes."""
from __future__ import annotations

import io
import json
import struct
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hotfolders_helpers import drop_document, make_workspace
from PIL import Image

import hotfolders.runner as runner_module
from hotfolders.watch import watch_forever
from store.db import Store

# watchdog's inotify backend warns when a new sub-folder is registered twice; harmless here
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")


def _wait_until(predicate: Callable[[], bool], what: str, guard: float = 60.0) -> None:
    deadline = time.monotonic() + guard  # a guard against hanging, not a timing assertion
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for: {what}")
        time.sleep(0.05)


def _jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 180, 150)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels in a few bytes: nothing close to 600 MB is allocated."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


def _encrypted_pdf(tmp: Path) -> bytes:
    import img2pdf
    import pikepdf

    plain = tmp / "plain.pdf"
    plain.write_bytes(img2pdf.convert(_jpeg_bytes()))
    locked = tmp / "locked.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="mat-khau", owner="chu"))
    return locked.read_bytes()


BAD_INPUTS: list[tuple[str, Callable[[Path], bytes], str]] = [
    ("rong.jpg", lambda tmp: b"", "empty"),
    ("cut-cut.jpg", lambda tmp: _jpeg_bytes()[:600], "truncated"),
    ("hong.pdf", lambda tmp: b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage\n%%EOF\n", "corrupt"),
    ("khoa.pdf", _encrypted_pdf, "encrypted"),
    ("ghi-chu.jpg", lambda tmp: "đây là văn bản, không phải ảnh\n".encode(), "not_an_image"),
    ("200mp.png", lambda tmp: _png_header_only(20_000, 10_000), "too_large"),
]


@pytest.fixture
def watcher(workspace_store_url, tmp_path, monkeypatch):
    """A running watcher on a fresh workspace; yields (ws, store) and stops it at the end."""
    monkeypatch.setattr(runner_module, "MOVE_RETRY_SECONDS", 0.3)
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url, rescan_seconds=0.3)
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            watch_forever(ws, config, report=lambda line: None, stop=stop)
        except BaseException as exc:  # noqa: BLE001 — surfaced by the test below
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    store = Store(ws.store_url())
    yield ws, store
    stop.set()
    thread.join(timeout=30)
    store.close()
    assert not thread.is_alive() and errors == [], errors


def _row(store: Store, rel: str):
    rel = unicodedata.normalize("NFC", rel)
    return next((f for f in store.files() if f.rel_path == rel), None)


def _finished(store: Store, rel: str) -> bool:
    row = _row(store, rel)
    return row is not None and row.moved_at is not None


def _still_alive(ws, store: Store, n: int) -> None:
    rel = f"auto/song-{n}.json"
    drop_document(ws, rel, fields={"so": f"alive {n}"})
    _wait_until(lambda: _finished(store, rel), f"good file {n} after a bad one")
    assert _row(store, rel).state == "done"


def test_bad_inputs_are_quarantined_and_the_watcher_keeps_running(watcher, tmp_path):
    ws, store = watcher
    for n, (name, make, code) in enumerate(BAD_INPUTS):
        rel = f"KS/Xã Lỗi/Q01/{name}"
        (ws.inbox / "KS/Xã Lỗi/Q01").mkdir(parents=True, exist_ok=True)
        (ws.inbox / rel).write_bytes(make(tmp_path))
        _wait_until(lambda rel=rel: _finished(store, rel), f"{name} handled")
        row = _row(store, rel)
        assert (row.state, row.reason_code) == ("quarantined", code), name
        assert (ws.quarantine / rel).exists() and not (ws.inbox / rel).exists()
        note = (ws.quarantine / f"{rel}.reason.txt").read_text(encoding="utf-8")
        assert code in note and "(" in row.reason, name  # Vietnamese with an English gloss
        _still_alive(ws, store, n)
    assert store.record_rows(commune="Xã Lỗi") == []


def test_nfd_names_and_duplicates_while_watching(watcher):
    ws, store = watcher
    nfd = unicodedata.normalize("NFD", "KS/Xã Hòa Lạc/Quyển 02/giấy khai sinh.json")
    assert nfd != unicodedata.normalize("NFC", nfd)
    drop_document(ws, nfd, fields={"so": "01/2019"})
    drop_document(ws, "KS/Xã Hòa Lạc/Quyển 02/trang-2.json", fields={"so": "02/2019"})
    _wait_until(lambda: _finished(store, nfd) and _finished(store, "KS/Xã Hòa Lạc/Quyển 02/trang-2.json"),
                "NFD and NFC files")
    assert store.count_files_by_book() == [("Xã Hòa Lạc", "Quyển 02", "done", 2)]
    assert len(store.record_rows(commune="Xã Hòa Lạc", book="Quyển 02")) == 2
    assert (ws.done / unicodedata.normalize("NFC", nfd)).exists()
    # the same content again under another name, in another folder
    copy = ws.inbox / "auto" / "ban sao.json"
    copy.write_bytes((ws.done / unicodedata.normalize("NFC", nfd)).read_bytes())
    _wait_until(lambda: _finished(store, "auto/ban sao.json"), "duplicate handled")
    assert _row(store, "auto/ban sao.json").state == "duplicate"
    assert len(store.record_rows()) == 2
    _still_alive(ws, store, 0)


def test_read_only_done_while_watching(watcher):
    import os

    ws, store = watcher
    if os.geteuid() == 0:  # root ignores permissions: a plain file where done/KS must go fails the same way
        if (ws.done / "KS").exists():
            (ws.done / "KS").rmdir()
        (ws.done / "KS").write_text("blocker")
        unblock = (ws.done / "KS").unlink
    else:
        ws.done.chmod(0o555)
        def unblock() -> None:
            ws.done.chmod(0o755)
    rel = "KS/X/Q/a.json"
    drop_document(ws, rel)
    _wait_until(lambda: (_row(store, rel) or None) is not None and _row(store, rel).reason_code == "move_failed",
                "move failure recorded")
    row = _row(store, rel)
    assert row.state == "done" and (ws.inbox / rel).exists() and "could not move" in row.reason
    _still_alive(ws, store, 0)
    unblock()
    _wait_until(lambda: _finished(store, rel), "moved once done/ is writable again")
    assert (ws.done / rel).exists() and len(store.record_rows(file_id=row.id)) == 1
    assert json.loads((ws.done / rel).read_text())["fields"]["so"] == rel


def test_file_growing_under_the_watcher_waits_until_stable(watcher):
    ws, store = watcher
    path = ws.inbox / "KT" / "X" / "Q" / "dang-chep.json"
    path.parent.mkdir(parents=True)
    body = json.dumps({"fields": {"so": "x" * 300}}).encode()
    with open(path, "wb") as fh:
        for start in range(0, len(body), 30):
            fh.write(body[start:start + 30])
            fh.flush()
            time.sleep(0.1)  # each piece lands inside the 0.2 s stability window
            assert _row(store, "KT/X/Q/dang-chep.json") is None, "picked up while still being written"
    _wait_until(lambda: _finished(store, "KT/X/Q/dang-chep.json"), "complete file processed")
    assert _row(store, "KT/X/Q/dang-chep.json").state == "done"
