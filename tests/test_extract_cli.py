"""`sohoa extract FILE --json` end to end on one generated card (scanner + OCR + extraction)."""
import json

import pytest
from click.testing import CliRunner


@pytest.mark.slow
def test_extract_cli_prints_one_json_object_per_page(tmp_path):
    generate = pytest.importorskip("synth.generate", reason="the generator (synth) is not installed")
    pytest.importorskip("scanner.prepare", reason="the scanner stage is not installed")
    pytest.importorskip("ocr.engine", reason="the OCR stage is not installed")
    from sohoa.cli import main

    truths = generate.generate_corpus(tmp_path, n=1, seed=4, kinds=["cmnd"], conditions=["clean"])
    path = tmp_path / truths[0].file
    result = CliRunner().invoke(main, ["extract", str(path), "--json"])
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(objects) == 1
    obj = objects[0]
    assert set(obj) >= {"file", "page", "doc_type", "doc_confidence", "fields"}
    assert obj["file"] == str(path) and obj["page"] == 0
    assert obj["doc_type"] in ("cmnd_front", "unknown")
    for fv in obj["fields"].values():
        assert set(fv) >= {"value", "confidence", "status", "reason", "box"}
        assert fv["status"] in ("accepted", "needs_review", "invalid") and 0 <= fv["confidence"] <= 1


def test_extract_cli_reports_an_unreadable_file(tmp_path):
    pytest.importorskip("scanner.prepare", reason="the scanner stage is not installed")
    from sohoa.cli import main

    bad = tmp_path / "x.txt"
    bad.write_text("not an image", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(bad), "--json"])
    assert result.exit_code == 1  # intake error reported, not a traceback
    assert "x.txt" in result.output
