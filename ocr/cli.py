"""`sohoa ocr` and `sohoa bench ocr`. Heavy imports stay inside the functions (fast `sohoa --help`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from common.cli_types import EXISTING_FILE


@click.command("ocr", help="Nhận dạng chữ tiếng Việt, in văn bản theo thứ tự đọc hoặc JSON các từ "
                           "(Vietnamese OCR: print page text in reading order, or JSON words). "
                           "Chạy bước chuẩn bị ảnh trước (runs the scanner first).")
@click.argument("files", nargs=-1, required=True, type=EXISTING_FILE)
@click.option("--json", "as_json", is_flag=True, help="In JSON: dòng, từ, khung, độ tin cậy (JSON words, boxes, confidences).")
@click.option("--lang", default="vie", show_default=True,
              help="Mô hình: vie, Vietnamese, vie+Vietnamese (Tesseract model).")
@click.option("--psm", default=None, type=int,
              help="Chế độ phân đoạn trang; mặc định chọn theo loại giấy tờ (page segmentation mode; default: "
                   "chosen by the document hint and page shape, see ocr/policy.py).")
@click.option("--kind", "doc_hint", default="auto", show_default=True,
              help="Loại giấy tờ: KS, KT, KH, GCN, CCCD hoặc auto (document kind hint).")
@click.option("--no-correct", is_flag=True, help="Tắt bộ sửa lỗi tiếng Việt (Vietnamese corrector off).")
def ocr_command(files: tuple[Path, ...], as_json: bool, lang: str, psm: int | None, doc_hint: str,
                no_correct: bool) -> None:
    from dataclasses import asdict

    from ocr.engine import get_engine
    from ocr.pages import load_pages
    from scanner.errors import IntakeError

    engine = get_engine(lang, correct=not no_correct)
    documents = []
    failed = False
    for path in files:
        try:
            pages = load_pages(path)
        except IntakeError as exc:
            click.echo(f"{path}: {exc.code}: {exc.message}", err=True)
            failed = True
            continue
        for page in pages:
            result = engine.read_page(page.image, dpi=page.dpi, psm=psm, doc_hint=doc_hint)
            if as_json:
                documents.append({"file": str(path), "page": page.page_index, "prepared": page.prepared,
                                  **asdict(result)})
            else:
                if len(files) > 1 or len(pages) > 1:
                    click.echo(f"==> {path} [{page.page_index + 1}] <==")
                click.echo(result.text)
    if as_json:
        click.echo(json.dumps(documents, ensure_ascii=False, indent=1))
    if failed:
        sys.exit(1)


COMMANDS = [ocr_command]
