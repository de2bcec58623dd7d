"""`sohoa synth`: write a synthetic corpus with ground truth."""
from __future__ import annotations

from pathlib import Path

import click


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _page_range(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, int]:
    """"MIN-MAX" (or one number) pages per book, 1 <= MIN <= MAX."""
    lo, _, hi = str(value).partition("-")
    try:
        low, high = int(lo), int(hi or lo)
    except ValueError:
        raise click.BadParameter(f"{value!r} không phải dạng MIN-MAX, ví dụ 5-50 (not MIN-MAX, e.g. 5-50)") from None
    if not 1 <= low <= high:
        raise click.BadParameter(f"{value!r}: cần 1 <= MIN <= MAX (need 1 <= MIN <= MAX)")
    return low, high


@click.command("synth", help="Tạo bộ tài liệu giả lập có đáp án (synthetic documents with ground truth): "
                             "ảnh + <tên>.json + manifest.json trong thư mục OUT. Cùng --seed cho cùng tệp "
                             "(same seed, byte-identical files).")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--n", "n", type=click.IntRange(min=1), default=40, show_default=True, help="Số tài liệu (number of documents).")
@click.option("--seed", type=int, default=1, show_default=True, help="Hạt giống ngẫu nhiên (random seed).")
@click.option("--kinds", help="Loại, cách nhau dấu phẩy (kinds, comma-separated): "
                              "cccd,cmnd,cancuoc,gcn,register,book.")
@click.option("--conditions", help="Điều kiện chụp (capture conditions): clean,skewed,photocopy,phone.")
@click.option("--handwritten-share", type=click.FloatRange(0.0, 1.0), default=0.2, show_default=True,
              help="Tỉ lệ giá trị viết tay trong sổ hộ tịch (share of handwritten register values).")
@click.option("--book-pages", default="5-50", show_default=True, callback=_page_range,
              help="Số trang mỗi quyển sổ, dạng MIN-MAX (pages per book).")
@click.option("--dpi", type=click.IntRange(50, 1200), default=None, help="Ép một độ phân giải (force one dpi; default varies).")
def synth_command(out: Path, n: int, seed: int, kinds: str | None, conditions: str | None,
                  handwritten_share: float, book_pages: tuple[int, int], dpi: int | None) -> None:
    import time
    from collections import Counter

    from synth.fonts import FontCoverageError
    from synth.generate import generate_corpus

    pages_range = book_pages
    start = time.perf_counter()
    try:
        truths = generate_corpus(out, n, seed, _split(kinds), _split(conditions), handwritten_share,
                                 book_pages=pages_range, dpi=dpi)
    except (FontCoverageError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    elapsed = time.perf_counter() - start
    files = Counter((t.kind, t.pages[0].capture.condition) for t in truths)
    pages = Counter((t.kind, t.pages[0].capture.condition) for t in truths for _ in t.pages)
    size = sum((out / t.file).stat().st_size for t in truths)
    click.echo(f"{'loại (kind)':<12} {'điều kiện (condition)':<22} {'tệp (files)':>11} {'trang (pages)':>13}")
    for key in sorted(files):
        click.echo(f"{key[0]:<12} {key[1]:<22} {files[key]:>11} {pages[key]:>13}")
    total_pages = sum(pages.values())
    click.echo(f"{'tổng (total)':<35} {len(truths):>11} {total_pages:>13}")
    click.echo(f"Đã ghi vào (written to) {out}: {size / 1e6:.1f} MB, {elapsed:.1f} s "
               f"({elapsed / max(1, total_pages):.2f} s/trang (page)); đáp án (truth): <tên>.json, manifest.json")


@click.command("synth-rendered", help="Bộ ảnh độc lập do trình kết xuất thật tạo (independent set made by real "
                                      "renderers: Chromium, LibreOffice) để ĐO, không để tinh chỉnh (to measure, "
                                      "never to tune): ảnh + manifest.json trong OUT.")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--n", "n", type=click.IntRange(min=1), default=12, show_default=True, help="Số ảnh mỗi lớp (images per class).")
@click.option("--seed", type=int, default=1, show_default=True, help="Hạt giống ngẫu nhiên (random seed).")
@click.option("--classes", help="Lớp, cách nhau dấu phẩy (classes, comma-separated): line,word,screenshot,"
                                "lowres_scan,photo,clean_page,two_column,table,form_leaders,register,card.")
def synth_rendered_command(out: Path, n: int, seed: int, classes: str | None) -> None:
    import time
    from collections import Counter

    from synth.rendered import generate

    start = time.perf_counter()
    try:
        items = generate(out, n=n, seed=seed, classes=_split(classes))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    elapsed = time.perf_counter() - start
    counts = Counter((it.cls, it.condition) for it in items)
    click.echo(f"{'lớp (class)':<14} {'điều kiện (condition)':<22} {'ảnh (images)':>12}")
    for (cls, cond), k in sorted(counts.items()):
        click.echo(f"{cls:<14} {cond:<22} {k:>12}")
    click.echo(f"Đã ghi (written) {len(items)} ảnh vào (images to) {out} trong (in) {elapsed:.1f} s; "
               f"đáp án (truth): manifest.json")


COMMANDS = [synth_command, synth_rendered_command]
