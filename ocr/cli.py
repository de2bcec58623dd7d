"""`sohoa ocr` and `sohoa prepare`: the commands that run the scanner and then OCR (orientation reads lines
with the OCR engine, so `prepare` lives here, above both stages). Heavy imports stay inside the functions
(fast `sohoa --help`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from common.cli_types import EXISTING_FILE
from ocr.layout import LAYOUTS

DPI = click.IntRange(50, 1200)  # below it no text survives; above it one page is past the pixel limit anyway


class OcrModel(click.ParamType):
    """A Tesseract model name or names joined by "+", refused as a usage error listing the known ones."""

    name = "mô hình (model)"

    def convert(self, value, param, ctx):
        from ocr.engine import LANG_ALIASES, normalise_lang

        try:
            normalise_lang(str(value))
        except ValueError:
            self.fail(f"mô hình {value!r} không có; chọn trong (unknown model; choose from): "
                      f"{', '.join(LANG_ALIASES)} (nối bằng + / joined by +)", param, ctx)
        return value


@click.command("ocr", help="Nhận dạng chữ tiếng Việt, in văn bản theo thứ tự đọc hoặc JSON các từ "
                           "(Vietnamese OCR: print page text in reading order, or JSON words). "
                           "Chạy bước chuẩn bị ảnh trước (runs the scanner first). Nhận cả trang, vùng, "
                           "dòng hoặc từ cắt ra (whole pages, regions, single lines or words).")
@click.argument("files", nargs=-1, required=True, type=EXISTING_FILE)
@click.option("--json", "as_json", is_flag=True, help="In JSON: dòng, từ, khung, độ tin cậy (JSON words, boxes, confidences).")
@click.option("--lang", default="vie", show_default=True, type=OcrModel(),
              help="Mô hình: vie, Vietnamese, vie+Vietnamese (Tesseract model).")
@click.option("--psm", default=None, type=click.IntRange(0, 13),
              help="Chế độ phân đoạn trang; mặc định chọn theo ảnh (page segmentation mode; default: chosen "
                   "from the image and the layout hint, see ocr/layout.py).")
@click.option("--layout", default=None, type=click.Choice(LAYOUTS),
              help="Gợi ý bố cục: card (thẻ), form (sổ, biểu mẫu), page (trang), line (một dòng); mặc định "
                   "tự quyết định (layout hint; default: decided from the image).")
@click.option("--no-correct", is_flag=True, help="Tắt bộ sửa lỗi tiếng Việt (Vietnamese corrector off).")
def ocr_command(files: tuple[Path, ...], as_json: bool, lang: str, psm: int | None, layout: str | None,
                no_correct: bool) -> None:
    from dataclasses import asdict

    from ocr.engine import get_engine
    from ocr.reading import line_reader
    from scanner.errors import IntakeError
    from scanner.prepare import prepare_file

    engine = get_engine(lang, correct=not no_correct)
    documents = []
    failed = False
    for path in files:
        try:
            pages = prepare_file(path, read_line=line_reader(engine))
        except IntakeError as exc:
            click.echo(f"Lỗi (error): {path}: {exc.code}: {exc.message}", err=True)
            failed = True
            continue
        for page in pages:
            result = engine.read_page(page.ocr_image, dpi=page.dpi, psm=psm, layout=layout)
            if as_json:
                documents.append({"file": str(path), "page": page.page_index, "prepared": True, **asdict(result)})
            else:
                if len(files) > 1 or len(pages) > 1:
                    click.echo(f"==> {path} [{page.page_index + 1}] <==")
                click.echo(result.text)
    if as_json:
        click.echo(json.dumps(documents, ensure_ascii=False, indent=1))
    if failed:
        sys.exit(1)


@click.command("prepare", help="Chuẩn bị trang: xoay thẳng, cắt trang, làm sạch, kiểm tra chất lượng; ghi PNG + JSON "
                               "(prepare pages: upright, crop, clean, quality check; write PNG + JSON).")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi kết quả (output folder).")
@click.option("--dpi", default=300, show_default=True, type=DPI, help="Độ phân giải khi đọc PDF (PDF render dpi).")
@click.option("--photo/--scan", "photo", default=None,
              help="Bắt buộc coi là ảnh chụp hoặc bản quét; mặc định tự nhận biết (force photo or scan; default: auto).")
@click.option("--ocr-image", is_flag=True, help="Ghi thêm ảnh dành cho OCR (also write the OCR image).")
def prepare_command(files: tuple[Path, ...], out_dir: Path, dpi: int, photo: bool | None, ocr_image: bool) -> None:
    from ocr.reading import line_reader
    from scanner.cli import prepare_files

    failed = prepare_files(files, out_dir, dpi=dpi, photo=photo, ocr_image=ocr_image, read_line=line_reader())
    if failed:
        sys.exit(1)


COMMANDS = [ocr_command, prepare_command]
