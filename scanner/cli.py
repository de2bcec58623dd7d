"""What `sohoa prepare` does with each file (the command itself is in ocr/cli.py: orientation reads lines
with the OCR engine, which the scanner gets injected rather than importing it)."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from scanner.types import LineReader


def prepare_files(files: tuple[Path, ...], out_dir: Path, *, dpi: int = 300, photo: bool | None = None,
                  ocr_image: bool = False, read_line: LineReader | None = None) -> int:
    """Prepare every page of every file, writing PNG + JSON per page; returns how many files failed."""
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
                prepared = prepare_page(page, photo=photo, read_line=read_line)
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
            click.echo(f"Lỗi (error): {nfc(str(path))}: {exc.code}: {exc.message}", err=True)
    if failed:
        click.echo(f"{failed} tệp không đọc được ({failed} file(s) failed)", err=True)
    return failed
