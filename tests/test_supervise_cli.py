"""The supervisors' commands end to end on a fresh workspace (import-legacy -> report -> export-backlog), and
the export benchmark's behaviour on a small run (row count, books, memory measured — not its speed)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from bench.cli import bench_export_command
from bench.export import run_once
from export.supervise_cli import (
    export_backlog_command,
    import_legacy_command,
    report_command,
)
from hotfolders.workspace import init_workspace
from synth.legacy import write_misa_workbook


def test_commands_on_a_workspace(workspace_store_url, tmp_path):
    ws = init_workspace(tmp_path / "ws", workspace_store_url)
    sample = write_misa_workbook(tmp_path / "legacy.xlsx", "KS", n=12, seed=5)
    runner = CliRunner()
    dry = runner.invoke(import_legacy_command, [str(sample.path), "--type", "KS", "-w", str(ws.root), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "nothing written" in dry.output
    # regression: a dry run said "đã nhập (imported)" for books it did not import
    assert "would be imported" in dry.output and "đã nhập (imported)" not in dry.output
    done = runner.invoke(import_legacy_command, [str(sample.path), "--type", "ks", "-w", str(ws.root), "-q"])
    assert done.exit_code == 0, done.output
    assert "12 bản ghi" in done.output and "unmapped columns" in done.output
    assert "đã nhập (imported)" in done.output and "would be imported" not in done.output

    out = tmp_path / "bao-cao.xlsx"
    rep = runner.invoke(report_command, [str(ws.root), "--out", str(out), "--by", "xa"])
    assert rep.exit_code == 0, rep.output
    assert out.exists() and out.with_suffix(".png").exists() and "12 bản ghi trích xuất" in rep.output
    assert "0 tệp cách ly (records extracted, approved; files quarantined)" in rep.output  # files, not records

    held = runner.invoke(export_backlog_command, [str(ws.root), "--no-libreoffice"])
    assert held.exit_code == 0, held.output
    assert "wrote 0 books" in held.output  # legacy records wait for approval like scanned ones

    from store.db import Store

    with Store(ws.store_url()) as store:  # an officer approves them (the review app's job)
        store.set_records_status([r.id for r in store.record_rows()], "approved")
    exp = runner.invoke(export_backlog_command, [str(ws.root), "--no-libreoffice"])
    assert exp.exit_code == 0, exp.output
    manifest = json.loads((ws.out / "backlog" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["totals"]["rows"] == 12 and manifest["totals"]["without_scans"] == 12
    again = runner.invoke(export_backlog_command, [str(ws.root), "--no-libreoffice"])
    assert "already exported" in again.output
    from export.cli import export_command  # `sohoa export --all` is the same resumable export

    via_export = runner.invoke(export_command, [str(ws.root), "--all", "--no-libreoffice"])
    assert via_export.exit_code == 0 and "already exported" in via_export.output, via_export.output


def test_bench_counts_rows_and_measures_memory(tmp_path):
    result = run_once(500, 100, tmp_path / "bench")
    assert result.rows == 500 and result.books == 5
    assert result.peak_rss_mb >= result.baseline_rss_mb > 0 and result.bytes_written > 0
    assert len(json.loads((tmp_path / "bench" / "manifest.json").read_text())["books"]) == 5


def test_bench_command_prints_both_sizes():
    out = CliRunner().invoke(bench_export_command, ["--rows", "300", "--small", "100", "--book-size", "100",
                                                    "--no-verify", "--workers", "1,2"])
    assert out.exit_code == 0, out.output
    lines = [ln.split() for ln in out.output.splitlines() if ln.strip()[:1].isdigit()]
    assert [(int(ln[0]), int(ln[1])) for ln in lines] == [(100, 1), (300, 1), (100, 2), (300, 2)]


def test_a_failing_or_dying_bench_child_is_an_error_not_a_hang(monkeypatch):
    """run_isolated once waited for ever on its queue after the child process died."""
    import pytest

    from bench import export as backlog_bench

    with pytest.raises(backlog_bench.BenchChildError, match="rows must be positive"):
        backlog_bench.run_isolated(-1, 100, verify=False, libreoffice=False)
    monkeypatch.setattr(backlog_bench, "_child", _die_at_once)
    with pytest.raises(backlog_bench.BenchChildError, match="exit code 3"):
        backlog_bench.run_isolated(10, 10, verify=False, libreoffice=False)


def _die_at_once(*_args) -> None:
    import os

    os._exit(3)


def test_libreoffice_every_reaches_the_backlog_export(tmp_path, monkeypatch):
    """`export-backlog --libreoffice-every N` is the backlog's LibreOffice sample (default 1 in 10; 1 = all)."""
    import export.backlog as backlog

    ws = init_workspace(tmp_path / "ws")
    seen: list[int] = []

    def fake(store, out_dir, *, options, **_kwargs):
        seen.append(options.libreoffice_every)
        return backlog.BacklogReport()

    monkeypatch.setattr(backlog, "export_backlog", fake)
    runner = CliRunner()
    for args in ([], ["--libreoffice-every", "1"]):
        result = runner.invoke(export_backlog_command, [str(ws.root), *args])
        assert result.exit_code == 0, result.output
    assert seen == [10, 1]
    assert runner.invoke(export_backlog_command, [str(ws.root), "--libreoffice-every", "0"]).exit_code != 0
