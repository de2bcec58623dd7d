"""The real processor (scanner -> OCR -> extract) driven by the runner on one generated register page."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hotfolders_helpers import make_workspace

from hotfolders.runner import Runner
from store.db import Store


@pytest.mark.slow
def test_real_processor_on_a_generated_register_page(workspace_store_url, tmp_path):
    from synth.generate import generate_corpus

    truths = generate_corpus(tmp_path / "corpus", n=1, seed=7, kinds=["register"], conditions=["clean"], dpi=150)
    ws, config = make_workspace(tmp_path / "ws", workspace_store_url, name="real")
    source = tmp_path / "corpus" / truths[0].file
    dest = ws.inbox / "KS" / "Xã Thử" / "Q01" / Path(truths[0].file).name
    dest.parent.mkdir(parents=True)
    shutil.copy(source, dest)
    runner = Runner(ws, config)
    try:
        stats = runner.run_once()
    finally:
        runner.close()
    assert (stats.done, stats.quarantined) == (1, 0)
    assert stats.pages == len(truths[0].pages) >= 1
    assert {"prepare", "ocr", "extract"} <= set(stats.stage_seconds)
    store = Store(ws.store_url())
    (row,) = store.files()
    pages = store.pages_of_file(row.id)
    assert all(Path(p.archival_path).exists() and Path(p.prepared_path).exists() for p in pages)
    assert all("retake" in p.quality for p in pages)
    from PIL import Image

    with Image.open(pages[0].archival_path) as archival:  # export sizes PDF pages from this dpi
        assert round(archival.info["dpi"][0]) == 150
    records = store.record_rows(file_id=row.id)
    assert len(records) == len(pages) and records[0].commune == "Xã Thử"
    stored = store.load_record(records[0].id)
    assert stored.record.doc_type == "ks" and stored.record.fields  # the folder said KS
    assert [p.id for p in stored.pages] == [pages[0].id]
    store.close()
