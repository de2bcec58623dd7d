"""`sohoa prepare` and `sohoa bench scanner`. Heavy imports stay inside the functions (fast `sohoa --help`)."""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click


@click.command("prepare", help="Chuẩn bị trang: xoay thẳng, cắt trang, làm sạch, kiểm tra chất lượng; ghi PNG + JSON "
                               "(prepare pages: upright, crop, clean, quality check; write PNG + JSON).")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi kết quả (output folder).")
@click.option("--dpi", default=300, show_default=True, help="Độ phân giải khi đọc PDF (PDF render dpi).")
@click.option("--photo/--scan", "photo", default=None,
              help="Bắt buộc coi là ảnh chụp hoặc bản quét; mặc định tự nhận biết (force photo or scan; default: auto).")
@click.option("--ocr-image", is_flag=True, help="Ghi thêm ảnh dành cho OCR (also write the OCR image).")
def prepare_command(files: tuple[Path, ...], out_dir: Path, dpi: int, photo: bool | None, ocr_image: bool) -> None:
    from PIL import Image

    from common.text import nfc
    from scanner.errors import IntakeError
    from scanner.intake import read_pages
    from scanner.prepare import prepare_page

    out_dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in files:
        stem = nfc(Path(path).stem)
        try:
            for page in read_pages(path, dpi=dpi):
                prepared = prepare_page(page, photo=photo)
                name = f"{stem}_p{page.page_index + 1:03d}"
                Image.fromarray(prepared.archival).save(out_dir / f"{name}.png", dpi=(prepared.dpi,) * 2)
                if ocr_image:
                    Image.fromarray(prepared.ocr_image).save(out_dir / f"{name}.ocr.png", dpi=(prepared.dpi,) * 2)
                report = {
                    "source": nfc(str(path)), "page": page.page_index, "dpi": prepared.dpi,
                    "rotation": prepared.rotation, "skew_angle": round(prepared.skew_angle, 3),
                    "crop_quad": prepared.crop_quad, "exif_rotated": page.exif_rotated,
                    "quality": asdict(prepared.quality), "steps": prepared.steps,
                }
                (out_dir / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1),
                                                      encoding="utf-8")
                verdict = "CHỤP LẠI (retake): " + "; ".join(prepared.quality.reasons) if prepared.quality.retake \
                    else "ok"
                click.echo(f"{nfc(str(path))} trang (page) {page.page_index + 1}: {verdict}")
        except IntakeError as exc:
            failed += 1
            click.echo(f"{nfc(str(path))}: lỗi (error) {exc.code}: {exc.message}", err=True)
    if failed:
        click.echo(f"{failed} tệp không đọc được ({failed} file(s) failed)", err=True)
        sys.exit(1)


COMMANDS = [prepare_command]
