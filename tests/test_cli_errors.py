"""Regression (an outside probe of the CLI): bad input, an unreachable or damaged store, a busy port, an
output path through a file … each printed a Python traceback where the CLI promises one plain line
`Lỗi (error): …`, Vietnamese first. Every case here printed a traceback (or English only) before its fix."""
from __future__ import annotations

import logging
import socket
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sohoa.cli import main

PG_URL = "postgresql://u:secret-pw@127.0.0.1:1/db"  # nothing listens on port 1


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def error_line(result) -> str:
    """The run failed with one `Lỗi (error): …` line (a usage error adds its `Xem (see): … --help` line) and no
    traceback; returns that line."""
    assert result.exit_code not in (0, None), result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not an escaped exception
    assert "Traceback" not in result.output, result.output
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("Lỗi (error): ")]
    assert len(errors) == 1 and lines[-1] in (errors[0], *[x for x in lines if x.startswith("Xem (see): ")]), lines
    return errors[0]


@pytest.fixture()
def ws(tmp_path) -> Path:
    result = run("init", tmp_path / "ws")
    assert result.exit_code == 0, result.output
    return tmp_path / "ws"


@pytest.fixture()
def png(tmp_path) -> Path:
    from PIL import Image

    path = tmp_path / "trang.png"
    Image.new("L", (40, 30), 255).save(path)
    return path


# 1. the store cannot be opened

def test_unreachable_postgresql_is_one_line_without_the_password(ws):
    config = ws / "sohoa.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('url = ""', f'url = "{PG_URL}"'), encoding="utf-8")
    line = error_line(run("status", ws))
    assert "không kết nối được kho dữ liệu" in line and "cannot be reached" in line and "127.0.0.1:1" in line
    assert "secret-pw" not in run("status", ws).output


def test_init_with_an_unreachable_store_url_is_one_line(tmp_path):
    result = run("init", tmp_path / "ws", "--store-url", PG_URL)
    assert "cannot be reached" in error_line(result) and "secret-pw" not in result.output


def test_damaged_sqlite_store_is_one_line(ws):
    (ws / "sohoa.db").write_bytes(b"garbage")
    line = error_line(run("status", ws))
    assert "sohoa.db" in line and "not a SQLite database" in line


def test_store_open_error_never_carries_the_password():
    from common.errors import StoreError, StoreUnreachable
    from store.engine import make_engine

    with pytest.raises(StoreUnreachable) as info:
        make_engine(PG_URL)
    assert isinstance(info.value, StoreError) and info.value.transient
    assert "secret-pw" not in info.value.message and "u:***@127.0.0.1:1/db" in info.value.message


# 2. review serve: port and host

def test_review_serve_refuses_ports_out_of_range(ws, monkeypatch):
    import review.server

    def never(*_a, **_k):  # before the fix 99999 reached the server, which then listened on a random port
        raise AssertionError("server started")

    monkeypatch.setattr(review.server, "create_server", never)
    for port in ("99999", "-1", "0"):
        line = error_line(run("review", "serve", ws, "--port", port))
        assert "--port" in line and "ngoài khoảng" in line and port in line


def test_review_serve_on_a_port_in_use_is_one_line(ws):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = error_line(run("review", "serve", ws, "--port", port))
    assert f"127.0.0.1:{port}" in line and "đang được chương trình khác dùng" in line and "in use" in line


def test_review_serve_on_a_bad_host_is_a_usage_error(ws):
    line = error_line(run("review", "serve", ws, "--host", "999.1.1.1"))
    assert "--host" in line and "999.1.1.1" in line and "Invalid value" not in line


# 3. option values checked as the command line is read

@pytest.mark.parametrize("args, words", [
    (("ocr", "--lang", "klingon", "{png}"), ("--lang", "klingon", "vie")),
    (("ocr", "--lang", "", "{png}"), ("--lang", "vie")),
    (("ocr", "--psm", "99", "{png}"), ("--psm", "0<=x<=13")),
    (("extract", "--profile", "nope", "--json", "{png}"), ("--profile", "nope", "ks")),
    (("prepare", "{png}", "--out", "{tmp}/p", "--dpi", "-5"), ("--dpi",)),
    (("prepare", "{png}", "--out", "{tmp}/p", "--dpi", "0"), ("--dpi",)),
    (("watch", "{tmp}", "--once", "--workers", "-1"), ("--workers",)),
    (("synth", "{tmp}/s", "--n", "-1"), ("--n",)),
    (("synth", "{tmp}/s", "--book-pages", "5-2"), ("--book-pages", "MIN <= MAX")),
    (("synth", "{tmp}/s", "--book-pages", "x"), ("--book-pages", "MIN-MAX")),
    (("synth", "{tmp}/s", "--dpi", "0"), ("--dpi",)),
    (("synth", "{tmp}/s", "--handwritten-share", "7"), ("--handwritten-share",)),
])
def test_bad_option_values_are_usage_errors(tmp_path, png, args, words):
    result = run(*(a.format(png=png, tmp=tmp_path) for a in args))
    line = error_line(result)
    assert result.exit_code == 2 and "giá trị không hợp lệ cho (invalid value for)" in line, line
    for word in words:
        assert word in line, line
    assert not (tmp_path / "s").exists() and not (tmp_path / "p").exists()


# 4. a file that is not a workbook

def _not_workbooks(tmp_path: Path, png: Path) -> list[Path]:
    (tmp_path / "text.xlsx").write_text("not a workbook", encoding="utf-8")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    with zipfile.ZipFile(tmp_path / "zip.xlsx", "w") as z:
        z.writestr("a.txt", "x")
    return [tmp_path / "text.xlsx", tmp_path / "empty.xlsx", tmp_path / "zip.xlsx", png]


def test_import_reconciliation_of_a_non_workbook_is_one_line(ws, tmp_path, png):
    for path in _not_workbooks(tmp_path, png):
        line = error_line(run("import-reconciliation", path, "-w", ws, "--dry-run"))
        assert f"không mở được tệp Excel {path.name}" in line, line


def test_import_legacy_of_a_non_workbook_is_still_one_line(ws, tmp_path, png):
    for path in _not_workbooks(tmp_path, png):
        line = error_line(run("import-legacy", path, "--type", "KS", "-w", ws, "--dry-run"))
        assert f"không mở được tệp Excel {path.name}" in line, line


def test_reconciliation_reply_without_its_columns_names_them_as_the_template_does(ws, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "x.xlsx")
    line = error_line(run("import-reconciliation", tmp_path / "x.xlsx", "-w", ws, "--dry-run"))
    assert "'Số CMND (9 số)'" in line and "'Số định danh cá nhân (12 số) - công an ghi'" in line


# 5. OS errors and the last resort

def test_init_where_a_folder_cannot_be_made_is_one_line(tmp_path):
    assert "/proc/xyz" in error_line(run("init", "/proc/xyz"))
    assert "tên quá dài" in error_line(run("init", tmp_path / ("a" * 300)))


@pytest.mark.parametrize("args", [
    ("export", "{ws}", "--out", "{file}/x", "--no-libreoffice"),
    ("export-backlog", "{ws}", "--out", "{file}/x", "--no-libreoffice"),
    ("backup", "{ws}", "--out", "{file}/x"),
    ("report", "{ws}", "--out", "{file}/r.xlsx"),
    ("synth", "{file}/x", "--n", "1"),
    ("prepare", "{file}", "--out", "{file}/x"),
])
def test_output_under_a_file_is_one_line(ws, png, args):
    line = error_line(run(*(a.format(ws=ws, file=png) for a in args)))
    assert png.name in line and ("Not a directory" in line or "File exists" in line), line


def test_an_unexpected_exception_is_one_line_and_its_traceback_goes_to_the_log(ws, monkeypatch, caplog):
    import hotfolders.status

    def broken(_ws):
        raise TypeError("boom")

    monkeypatch.setattr(hotfolders.status, "status_report", broken)
    with caplog.at_level(logging.DEBUG, logger="sohoa"):
        line = error_line(run("-v", "status", ws))
    assert line.startswith("Lỗi (error): lỗi không lường trước (unexpected error): TypeError: boom")
    assert any(r.exc_info and r.exc_info[0] is TypeError for r in caplog.records)


# 6. an empty path

def test_init_refuses_an_empty_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = error_line(run("init", ""))
    assert "đường dẫn trống" in line and not (tmp_path / "sohoa.toml").exists()


# 7/8. one prefix, Vietnamese first

def test_click_exceptions_carry_the_vietnamese_prefix(ws, tmp_path):
    assert "nope" in error_line(run("report", ws, "--day", "nope", "--out", tmp_path / "r.xlsx"))
    assert "2026-W99" in error_line(run("report", ws, "--week", "2026-W99", "--out", tmp_path / "r.xlsx"))


def test_prepare_names_a_failed_file_with_the_same_prefix(tmp_path):
    bad = tmp_path / "ghi-chu.png"
    bad.write_text("không phải ảnh", encoding="utf-8")
    result = run("prepare", bad, "--out", tmp_path / "p")
    assert result.exit_code == 1
    assert f"Lỗi (error): {bad}: not_an_image" in result.stderr


def test_click_usage_errors_are_vietnamese_first(ws, tmp_path):
    assert "không có lệnh (no such command) 'frob'" in error_line(run("frob"))
    assert "không có lệnh (no such command)" in error_line(run("review", "frob"))
    line = error_line(run("user", "add", "lan", "--role", "god", "-w", ws))
    assert "'god' không có; chọn một trong (is not one of)" in line and "approver" in line
    line = error_line(run("restore", ws, "--from", tmp_path))
    assert "là thư mục, cần một tệp (is a folder; a file is needed)" in line


def test_export_of_a_book_that_matches_nothing_says_so(ws):
    result = run("export", ws, "--book", "nope", "--no-libreoffice")
    assert result.exit_code == 1
    assert "không quyển nào khớp (warning: no book matched) --book nope" in result.stderr
