"""`sohoa extract` and `sohoa bench extract`. Heavy imports stay inside the functions (fast `sohoa --help`)."""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import click


@click.command("extract", help="Nhận loại giấy tờ và trích các trường, mỗi trang một dòng JSON "
                               "(recognise the document type and extract its fields, one JSON object per page).")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", "profile_name", default=None,
              help="Bỏ qua bước nhận loại, dùng profile này (skip classification, use this profile).")
@click.option("--json", "as_json", is_flag=True, default=True,
              help="In JSON (print JSON; the only output form).")
def extract_command(files: tuple[Path, ...], profile_name: str | None, as_json: bool) -> None:
    from extract.pipeline import ocr_and_extract, record_json
    from ocr.engine import get_engine
    from scanner.errors import IntakeError
    from scanner.prepare import prepare_file

    engine = get_engine("vie", 6)
    failed = False
    for path in files:
        try:
            pages = prepare_file(path)
        except IntakeError as exc:
            click.echo(f"{path}: {exc.code}: {exc.message}", err=True)
            failed = True
            continue
        for page in pages:
            record = ocr_and_extract(page, engine, profile_name)  # OCR hint: the profile, else "auto"
            click.echo(json.dumps(record_json(record, str(path), page.page_index), ensure_ascii=False))
    if failed:
        sys.exit(1)


@click.command("extract", help="Đo độ chính xác trích trường trên kho ảnh sinh ra: loại giấy tờ, trường đúng, "
                               "tỷ lệ chấp nhận, độ chính xác của trường được chấp nhận, chữ viết tay, MRZ "
                               "(extraction accuracy on a generated corpus: type, exact fields, accepted share, "
                               "accepted precision, handwritten, MRZ).")
@click.option("--n", default=10, show_default=True, help="Số tài liệu sinh ra (documents to generate).")
@click.option("--seed", default=11, show_default=True)
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path),
              help="Dùng kho ảnh có sẵn hoặc ghi vào đây (use an existing corpus with manifest.json, or write here).")
@click.option("--kinds", default="cccd,cmnd,cancuoc,gcn,register", show_default=True,
              help="Loại giấy tờ của synth (synth document kinds).")
@click.option("--conditions", default="clean,skewed,photocopy,phone", show_default=True,
              help="Điều kiện chụp (capture conditions).")
@click.option("--perfect-ocr", is_flag=True,
              help="Dùng dòng chữ chuẩn thay OCR: chỉ đo bước trích (truth lines instead of OCR: extraction only).")
@click.option("--misses", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Ghi các trường sai/chưa chấp nhận ra JSON (write wrong/unaccepted fields to this JSON file).")
@click.option("--thresholds", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Thử một tệp ngưỡng khác (try another thresholds TOML, to calibrate extract/data/thresholds.toml).")
def bench_extract_command(n: int, seed: int, corpus: Path | None, kinds: str, conditions: str, perfect_ocr: bool,
                          misses: Path | None, thresholds: Path | None) -> None:
    import tomllib

    from extract.bench import by_field, by_reason, run, table, write_misses
    from extract.data import thresholds as default_thresholds

    limits = None
    if thresholds is not None:
        with open(thresholds, "rb") as fh:
            limits = {**default_thresholds(), **{k: float(v) for k, v in tomllib.load(fh).items()}}

    tmp = None
    if corpus is None or not (corpus / "manifest.json").exists():
        from synth.generate import generate_corpus
        if corpus is None:
            tmp = tempfile.TemporaryDirectory(prefix="sohoa-bench-extract-")
            corpus = Path(tmp.name)
        click.echo(f"sinh {n} tài liệu (generating {n} documents) -> {corpus}", err=True)
        generate_corpus(corpus, n=n, seed=seed, kinds=[k for k in kinds.split(",") if k],
                        conditions=[c for c in conditions.split(",") if c])
    try:
        result = run(corpus, perfect_ocr=perfect_ocr, limits=limits)
    finally:
        if tmp is not None:
            tmp.cleanup()
    click.echo(("OCR hoàn hảo (perfect OCR: truth lines)\n" if perfect_ocr else "") + table(result))
    worst = list(by_field(result).items())[:12]
    if worst:
        click.echo("sai nhiều nhất (most wrong values): " + ", ".join(f"{k} {v}" for k, v in worst))
    kept = by_reason(result)
    if kept:
        click.echo("đúng nhưng chưa chấp nhận, bản quét sạch, theo lý do (right but not accepted on clean scans, "
                   "by reason): " + "; ".join(f"{k} {v}" for k, v in kept.items()))
    if misses:
        write_misses(result, misses)


COMMANDS = [extract_command]
BENCH_COMMANDS = [bench_extract_command]
