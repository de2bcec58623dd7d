"""`sohoa ocr` and `sohoa bench ocr`. Heavy imports stay inside the functions (fast `sohoa --help`)."""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import click


@click.command("ocr", help="Nhận dạng chữ tiếng Việt, in văn bản theo thứ tự đọc hoặc JSON các từ "
                           "(Vietnamese OCR: print page text in reading order, or JSON words). "
                           "Chạy bước chuẩn bị ảnh trước (runs the scanner first).")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
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


def _variants(langs: str, psms: str) -> list[tuple[str, int]]:
    from ocr.engine import normalise_lang

    return [(normalise_lang(lang), int(psm)) for lang in langs.split(",") if lang
            for psm in psms.split(",") if psm]


@click.command("ocr", help="Đo CER/WER của Tesseract thô và của sohoa theo điều kiện chụp, tốc độ, bộ nhớ "
                           "(CER/WER of raw Tesseract vs sohoa per capture condition, speed, memory).")
@click.option("--n", default=1, show_default=True, help="Số tài liệu mỗi loại và điều kiện (documents per kind and condition).")
@click.option("--seed", default=7, show_default=True)
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Dùng kho ảnh có sẵn (use an existing corpus with manifest.json).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Nơi ghi kho ảnh sinh ra (where to write the generated corpus; default a temp dir).")
@click.option("--conditions", default="clean,skewed,photocopy,phone", show_default=True,
              help="Điều kiện chụp (capture conditions).")
@click.option("--langs", default="vie", show_default=True,
              help="Các mô hình cho bảng so sánh psm cố định (models for the fixed-psm comparison table).")
@click.option("--psms", default="", show_default=True,
              help="Các psm cố định để so sánh, ví dụ 3,6 (fixed page segmentation modes to compare, e.g. 3,6; "
                   "empty = the policy only).")
@click.option("--kinds", default="cccd,cmnd,cancuoc,gcn,register", show_default=True,
              help="Loại giấy tờ của synth (synth document kinds; add ',book' for multi-page books).")
@click.option("--workers", default=1, show_default=True, help="Số tiến trình (worker processes).")
def bench_ocr_command(n: int, seed: int, corpus: Path | None, out: Path | None, conditions: str, langs: str,
                      psms: str, kinds: str, workers: int) -> None:
    from ocr.bench import bench

    conds = [c for c in conditions.split(",") if c]
    variants = _variants(langs, psms)
    if out is None and corpus is None:
        with tempfile.TemporaryDirectory(prefix="sohoa-bench-ocr-") as tmp:
            click.echo(bench(Path(tmp), n, seed, conds, variants, workers, kinds=kinds.split(",")))
    else:
        click.echo(bench(out or Path("."), n, seed, conds, variants, workers, corpus=corpus, kinds=kinds.split(",")))


COMMANDS = [ocr_command]
BENCH_COMMANDS = [bench_ocr_command]
