"""Fault injection for exports: `sohoa export` and `sohoa export --all` are killed (SIGKILL, in a real
subprocess: SOHOA_CRASH_AT) or failed (an exception, in-process: SOHOA_FAIL_AT) at every write point — the
run row, each file (PDF, workbook, zip, manifest), publishing a book's workbook, marking records exported,
the commit, the run's end — then the store and the out folder must agree:

- every file under its final name is complete (workbooks open, zips pass their CRCs, PDFs end);
- a record is `exported` exactly when an export run lists it, its version moved by one, an unapproved one has
  its `exported_unapproved` decision, and the book holding it is on disk; a backlog book is `done` exactly
  when its records are exported and its files on disk match the sha256 the store kept;
- each run's counters match the records it lists;
- run again without a fault, the export ends where an undisturbed export ends (store, workbooks, zips,
  manifest), with no temporary file left behind.
"""
from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from common import crashpoints
from common.files import sha256_of
from common.states import ReviewAction
from common.workspace import Workspace
from extract.types import FieldValue, Record
from store.db import Store
from store.schema import export_books
from store.types import PageData
from synth.review_work import ks_truth, make_workspace, render_page

CLI = "from sohoa.cli import main; main()"
BOOKS = {"2010-01": "approved", "2011-02": "extracted"}  # one book approved, one let out unapproved
PER_BOOK = 2
# `export --all` is `export-backlog` with the default worker count; the latter names the count: one (books
# written in the exporting process, so its kill points are reached there) or two writer processes.
COMMANDS = {"export": ["export", "{ws}", "--include-unreviewed", "--no-libreoffice"],
            "all": ["export-backlog", "{ws}", "--include-unreviewed", "--no-libreoffice", "--workers", "1"],
            "all2": ["export", "{ws}", "--all", "--include-unreviewed", "--no-libreoffice"]}


def _argv(command: str, root: Path) -> list[str]:
    return [a.replace("{ws}", str(root)) for a in COMMANDS[command]]


# ------------------------------------------------------------------------------------------ set-up

@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Two KS books of two records each with scanned pages; the first book approved."""
    root = make_workspace(tmp_path_factory.mktemp("export-faults") / "ws")
    rng = random.Random(41)
    with Store(Workspace(root).store_url()) as store:
        for b, (book, status) in enumerate(BOOKS.items()):
            for i in range(PER_BOOK):
                truth = ks_truth(rng)
                truth["quyenSo"] = book.split("-")[1]
                rel = f"work/pages/b{b}-{i}.png"
                render_page(root / rel, truth, "GIẤY KHAI SINH (bản sao sổ)")
                row = store.add_file(content_hash=f"book{b}-{i}", size=1, origin_path=str(root / rel), rel_path=rel,
                                     kind_hint="KS", commune="10507", book=book)
                rec = Record(doc_type="ks", doc_confidence=0.95, pages=[0],
                             fields={k: FieldValue(v, 0.97, "accepted") for k, v in truth.items()})
                (rid,) = store.commit_file_results(row.id, [PageData(0, rel, rel)], [rec])
                if status == "approved":
                    store.decide(rid, ReviewAction.APPROVED, "chi")
    return root


@pytest.fixture()
def workspace(template, tmp_path):
    return Path(shutil.copytree(template, tmp_path / "ws"))


def _url(root: Path) -> str:
    return Workspace(root).store_url()


def _run(root: Path, command: str, **env: str) -> tuple[int, str]:
    """`sohoa export` in a process (and session) of its own; (exit status, output). Output goes to a file
    and the whole session is ended afterwards: pool workers of a killed run would hold a pipe open."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    log = root.parent / "export.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-c", CLI, *_argv(command, root)],
                                env={**clean, "OMP_THREAD_LIMIT": "1", **env}, stdout=fh, stderr=fh,
                                start_new_session=True)
        try:
            proc.wait(timeout=300)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, log.read_text(encoding="utf-8", errors="replace")


def _run_here(root: Path, command: str) -> str:
    """The same command in this process (a run nobody disturbs: no fault variable is set)."""
    from sohoa.cli import main

    result = CliRunner().invoke(main, _argv(command, root))
    assert result.exit_code == 0, result.output
    return result.output


# ------------------------------------------------------------------------------------------ what is there

def _workbook_rows(path: Path) -> list[tuple]:
    wb = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for ws in wb.worksheets[:1] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def files_state(out: Path) -> dict[str, object]:
    """Every file under its final name, checked complete, as comparable content; hidden temp files listed."""
    found: dict[str, object] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = str(path.relative_to(out))
        if any(part.startswith(".") for part in path.relative_to(out).parts):
            found[rel] = "temporary"
        elif path.suffix == ".xlsx":
            found[rel] = _workbook_rows(path)
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                assert zf.testzip() is None, f"{rel}: a member fails its CRC"
                found[rel] = sorted(zf.namelist())
        elif path.suffix == ".pdf":
            data = path.read_bytes()
            assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF"), f"{rel}: half a PDF"
            found[rel] = "pdf"
        elif path.name == "manifest.json":
            found[rel] = sorted(b["book"] for b in json.loads(path.read_text(encoding="utf-8"))["books"])
        else:
            found[rel] = path.read_text(encoding="utf-8-sig").count("\n")
    return found


def store_state(root: Path) -> dict[str, object]:
    with Store(_url(root)) as store:
        rows = store.record_rows()
        runs = store.export_run_rows()
        with store.engine.connect() as conn:
            books = {r.book_key: r for r in conn.execute(select(export_books))}
        return {"records": {r.id: (r.status, r.version, r.book) for r in rows},
                "decisions": {r.id: [(d.action, d.user) for d in store.decisions_of(r.id)] for r in rows},
                "keys": {r.id: tuple(store.load_record(r.id).record.fields[k].value for k in ("so", "nksHoTen"))
                         for r in rows},
                "runs": [(run, store.export_run_record_ids(run.id)) for run in runs],
                "books": books}


def _book_of(key: str) -> str:
    """export_books key "10507/KS/2010/01" -> the store's book folder name "2010-01"."""
    return "-".join(key.split("/")[2:])


def assert_consistent(root: Path, base: dict) -> dict:
    """The invariants of the module docstring, after whatever happened. Returns the store state."""
    out = root / "out"
    files = files_state(out) if out.exists() else {}
    rows_on_disk = {tuple(c for c in row if c is not None) for name, rows in files.items()
                    if name.endswith(".xlsx") for row in rows}
    state = store_state(root)
    listed: dict[int, bool] = {}
    runs_of: dict[int, int] = {}
    for run, ids in state["runs"]:
        assert run.records == len(ids) and run.unapproved == sum(1 for a in ids.values() if not a), run
        listed.update(ids)
        for rid in ids:
            runs_of[rid] = runs_of.get(rid, 0) + 1
    for rid, (status, version, _book) in state["records"].items():
        base_status, base_version, _ = base["records"][rid]
        decisions, before = state["decisions"][rid], base["decisions"][rid]
        if status == "exported":
            assert listed.get(rid) == (base_status == "approved"), f"record {rid}: exported but no run lists it"
            assert version == base_version + runs_of[rid]  # each run that let it out counted once
            if base_status == "approved":
                assert decisions == before
            else:
                assert decisions[:-1] == before and decisions[-1][0] == "exported_unapproved"
            so, name = state["keys"][rid]
            assert any(so in row and name in row for row in rows_on_disk), \
                f"record {rid} is marked exported but no complete workbook on disk holds it"
        else:
            assert rid not in listed, f"record {rid} is listed by a run but not exported"
            assert (status, version, decisions) == (base_status, base_version, before)
    for key, row in state["books"].items():
        statuses = {s for s, _, b in state["records"].values() if b == _book_of(key)}
        if row.state == "done":
            assert statuses == {"exported"}, f"book {key} done but its records are {statuses}"
            for name, size, digest in ((row.xlsx, row.xlsx_size, row.xlsx_sha256),
                                       (row.zip, row.zip_size, row.zip_sha256)):
                if name:
                    path = Path(row.out_dir) / name
                    assert path.exists() and path.stat().st_size == size, f"{name} missing or changed"
                    assert sha256_of(path) == digest
        else:
            assert "exported" not in statuses, f"book {key} not done but records exported"
    return state


@pytest.fixture(scope="module")
def undisturbed(template, tmp_path_factory):
    """Store and files after each command ran with nothing going wrong: where every re-run must end."""
    out = {}
    for command in ("export", "all"):
        root = Path(shutil.copytree(template, tmp_path_factory.mktemp(command) / "ws"))
        base = store_state(root)
        status, output = _run(root, command)
        assert status == 0, output
        state = assert_consistent(root, base)
        assert {s for s, _, _ in state["records"].values()} == {"exported"}
        out[command] = (base, _comparable(state), files_state(root / "out"))
    return out


def _comparable(state: dict) -> dict:
    """The parts of a store state that do not depend on how many runs it took."""
    return {"records": {rid: (status, book) for rid, (status, _, book) in state["records"].items()},
            "decisions": state["decisions"],
            "approved": {rid: a for _, ids in state["runs"] for rid, a in ids.items()},
            "done": sorted(k for k, r in state["books"].items() if r.state == "done")}


def test_undisturbed_exports_let_out_every_record_honestly(undisturbed):
    for command, (_base, state, files) in undisturbed.items():
        assert sum(1 for a in state["approved"].values() if a) == PER_BOOK, command
        assert sum(1 for d in state["decisions"].values() if d[-1][0] == "exported_unapproved") == PER_BOOK
        assert sum(1 for name in files if name.endswith(".xlsx")) == len(BOOKS)
        assert sum(1 for name in files if name.endswith(".zip")) == len(BOOKS)


# ------------------------------------------------------------------------------------------ kill -9

# `sohoa export`: the run row, PDF 1 of book 1, book 1's zip, publishing book 1's and book 2's workbooks,
# marking, the commit, the run's end.
EXPORT_POINTS = ["export_run:1", "export_file:1", "export_file:4", "export_publish:1", "export_publish:2",
                 "export_mark:1", "export_commit:1", "export_run:2"]
# `sohoa export --all` (books written in this process): the run row, book 1 started, its workbook, publishing
# it, its commit (book done and records exported in one), its manifest journal line, book 2 started, its
# commit, the manifest (written once, at the end), the run's end.
BACKLOG_POINTS = ["export_run:1", "export_book:1", "export_file:3", "export_publish:1", "export_commit:1",
                  "export_file:5", "export_book:2", "export_commit:2", "export_file:11", "export_run:2"]
KILLS = [("export", p) for p in EXPORT_POINTS] + [("all", p) for p in BACKLOG_POINTS]


def _killed_then_rerun(workspace: Path, command: str, point: str, undisturbed: dict, *, rerun: str = "") -> str:
    base, final, final_files = undisturbed[rerun or command]
    status, output = _run(workspace, command, SOHOA_CRASH_AT=point)
    assert_consistent(workspace, base)
    _run_here(workspace, rerun or command)
    assert _comparable(assert_consistent(workspace, base)) == final
    assert files_state(workspace / "out") == final_files
    return f"{status}\n{output}"


@pytest.mark.parametrize(("command", "point"), KILLS)
def test_killed_export_leaves_store_and_files_agreeing_and_a_rerun_completes(undisturbed, workspace, command,
                                                                             point):
    result = _killed_then_rerun(workspace, command, point, undisturbed)
    assert result.startswith(f"{-signal.SIGKILL}\n"), result  # it really died at that point


def test_a_writer_process_killed_mid_book_is_a_clear_error_and_a_rerun_completes(undisturbed, workspace):
    """`--all` with two writer processes: one dies while writing a book's file (the OOM killer, kill -9). The
    run stops with a plain message, not a traceback; the store and files agree; a re-run completes."""
    result = _killed_then_rerun(workspace, "all2", "export_file:2", undisturbed, rerun="all")
    status, output = result.split("\n", 1)
    assert status == "1" and "Traceback" not in output, output
    assert "chạy lại" in output and "run the command again" in output, output


@pytest.mark.parametrize(("command", "point"), [("export", "export_file:3"), ("export", "export_mark:1"),
                                                ("all", "export_file:4"), ("all", "export_commit:2"),
                                                ("all", "export_file:10"), ("all", "export_file:11")])
def test_failed_export_leaves_store_and_files_agreeing_and_a_rerun_completes(undisturbed, workspace, monkeypatch,
                                                                             command, point):
    """In-process: the fault is an exception; the command stops with it, nothing half is left (temporary
    files included), and running it again ends where an undisturbed run ends."""
    from sohoa.cli import main

    base, final, final_files = undisturbed[command]
    monkeypatch.setenv(crashpoints.FAIL_ENV, point)
    crashpoints.reset()
    try:
        result = CliRunner().invoke(main, _argv(command, workspace))
    finally:
        crashpoints.reset()
    assert isinstance(result.exception, crashpoints.InjectedFault), result.output
    assert "temporary" not in files_state(workspace / "out").values()
    assert_consistent(workspace, base)
    monkeypatch.delenv(crashpoints.FAIL_ENV)
    _run_here(workspace, command)
    assert _comparable(assert_consistent(workspace, base)) == final
    assert files_state(workspace / "out") == final_files
