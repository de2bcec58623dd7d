"""Chromium: documents as HTML/CSS, screenshots through Playwright, truth lines read back from the DOM.

One browser serves a whole run (one context per device scale factor). The text lines are not guessed: each
character's box comes from the page (`Range.getClientRects`), and characters are grouped into the lines the
browser actually broke them into. Leaders are CSS pseudo-elements (`::after`), so they are drawn but are not
text, exactly like a pre-printed form.
"""
from __future__ import annotations

import html as _html
from dataclasses import dataclass

from synth.rendered.model import Columns, Doc, Leader, Line, Row, Table, Text, Word

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
A4_CSS = (794, 1123)   # 210 × 297 mm at 96 CSS px per inch
A5_CSS = (559, 794)


def esc(text: str) -> str:
    return _html.escape(text, quote=True)


# --- leaders ---------------------------------------------------------------------------------------------

_LEADER_CHARS = {"dots": ".", "dashes": "-", "underscore": "_", "solid": "_", "dotdash": "-."}
_LINE_STYLE = {"dots": "dotted", "dashes": "dashed", "underscore": "solid", "solid": "solid", "dotdash": "dashed"}


def leader_css(ld: Leader, ink: str, cls: str) -> str:
    """CSS for `.{cls}` (the leader after a value) and `.{cls}v` (the value when it sits on the leader)."""
    if ld.kind == "none":
        return f".{cls}{{flex:1 1 0}}.{cls}v{{}}"
    gap = f"margin-left:{ld.gap:.2f}em;"
    if ld.drawn == "text":
        chars = _LEADER_CHARS[ld.kind] * 400
        spacing = (ld.pitch - 1) * 0.35
        after = (f"content:'{chars}';white-space:nowrap;color:{ld.color};font-size:{ld.size:.2f}em;"
                 f"letter-spacing:{spacing:.2f}em;")
        value = (f"text-decoration:underline {_LINE_STYLE[ld.kind]} {ld.color};"
                 f"text-decoration-thickness:{max(1, ld.size):.1f}px;text-underline-offset:0.08em;"
                 "text-decoration-skip-ink:none;") if ld.under else ""
        return (f".{cls}{{flex:1 1 0;min-width:1.5em;overflow:hidden;white-space:nowrap;{gap}}}"
                f".{cls}::after{{{after}}}.{cls}v{{{value}}}")
    # drawn lines: a dot pattern (radial gradient) or a CSS border along the baseline
    px = max(1.0, 1.4 * ld.size)
    if ld.kind == "dots":
        pitch = max(2.5, 4.5 * ld.pitch)
        pattern = (f"background-image:radial-gradient(circle,{ld.color} {px * 0.55:.2f}px,transparent "
                   f"{px * 0.55 + 0.6:.2f}px);background-size:{pitch:.1f}px {px * 2 + 1:.1f}px;"
                   f"background-repeat:repeat-x;background-position:0 100%;")
    else:
        style = _LINE_STYLE[ld.kind]
        pattern = f"border-bottom:{px:.1f}px {style} {ld.color};"
    drop = "0.02em" if ld.under else "0.18em"
    lead = (f".{cls}{{flex:1 1 0;min-width:1.5em;align-self:stretch;position:relative;{gap}}}"
            f".{cls}::after{{content:'';position:absolute;left:0;right:0;bottom:{drop};height:{px * 2 + 1:.1f}px;"
            f"{pattern}}}")
    value = (f".{cls}v{{text-decoration:underline {_LINE_STYLE[ld.kind]} {ld.color};"
             f"text-decoration-thickness:{px:.1f}px;text-underline-offset:0.1em;text-decoration-skip-ink:none}}"
             ) if ld.under else f".{cls}v{{}}"
    return lead + value


# --- document -> HTML ------------------------------------------------------------------------------------

def doc_html(doc: Doc) -> str:
    css: list[str] = []
    body: list[str] = []
    leaders: dict[Leader, str] = {}
    for i, block in enumerate(doc.blocks):
        b = f"b{i}"
        if isinstance(block, Text):
            body.append(_text_html(block, b, doc))
        elif isinstance(block, Row):
            cls = leaders.setdefault(block.leader, f"l{len(leaders)}")
            slots = []
            for s in block.slots:
                val = f'<span class="val {cls}v">{esc(s.value)}</span>' if s.value else ""
                slots.append(f'<div class="slot" style="flex:{s.width:.3f} 1 0"><span class="lab">{esc(s.label)} '
                             f'</span>{val}<span class="{cls}"></span></div>')
            body.append(f'<div class="row" data-b="{b}">{"".join(slots)}</div>')
        elif isinstance(block, Table):
            body.append(_table_html(block, b))
        elif isinstance(block, Columns):
            paras = "".join(_text_html(t, f"{b}p{k}", doc, nomerge=True) for k, t in enumerate(block.blocks))
            body.append(f'<div class="cols" style="column-count:{block.count}">{paras}</div>')
    for ld, cls in leaders.items():
        css.append(leader_css(ld, doc.ink, cls))
    if doc.page == "web":
        page_css = f"width:{doc.web_width}px;"
    else:
        w, h = A4_CSS if doc.page == "a4" else A5_CSS
        page_css = f"width:{w}px;min-height:{h}px;"
    t, r, bo, le = doc.margins_mm
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>
html,body{{margin:0;padding:0;background:{doc.paper}}}
.page{{{page_css}box-sizing:border-box;padding:{t}mm {r}mm {bo}mm {le}mm;font-family:'{doc.family}';
font-size:{doc.size_pt}pt;line-height:{doc.line_height};color:{doc.ink};overflow:hidden}}
p{{margin:0}}
.h{{font-family:'{doc.head_family}'}}
.row{{display:flex;align-items:baseline;gap:0.8em;overflow:hidden;margin:0.12em 0}}
.slot{{display:flex;align-items:baseline;min-width:0}}
.lab{{flex:none;white-space:pre}}
.val{{font-weight:inherit}}
table{{border-collapse:collapse;width:100%;margin:0.4em 0}}
td,th{{padding:0.15em 0.35em;vertical-align:top;text-align:left;font-weight:normal}}
table.ruled td,table.ruled th{{border:1px solid {doc.ink}}}
th{{font-family:'{doc.head_family}';font-weight:bold}}
.cols{{column-gap:2.2em;margin-top:0.5em}}
.cols p{{text-align:justify;margin-bottom:0.5em}}
{''.join(css)}
{doc.css_extra}
</style></head><body><div class="page">{''.join(body)}</div></body></html>"""


def _text_html(t: Text, b: str, doc: Doc, nomerge: bool = False) -> str:
    style = [f"text-align:{t.align}"]
    if t.scale != 1.0:
        style.append(f"font-size:{t.scale:.2f}em")
    if t.space_before:
        style.append(f"margin-top:{t.space_before:.2f}em")
    if t.italic:
        style.append("font-style:italic")
    if t.underline:
        style.append("text-decoration:underline")
    cls = ' class="h" style="font-weight:bold;' if t.bold else ' style="'
    flag = " data-nomerge" if nomerge else ""
    return f'<p data-b="{b}"{flag}{cls}{";".join(style)}">{esc(t.text)}</p>'


def _table_html(t: Table, b: str) -> str:
    cols = ""
    if t.widths:
        total = sum(t.widths)
        cols = "<colgroup>" + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in t.widths) + "</colgroup>"
    rows = []
    for r, row in enumerate(t.rows):
        tag = "th" if r < t.header_rows else "td"
        cells = []
        for c, cell in enumerate(row):
            align = f' style="text-align:{t.align[c]}"' if t.align and not r < t.header_rows else ""
            bold = ' class="h" style="font-weight:bold"' if t.bold_first_column and c == 0 and tag == "td" else align
            cells.append(f'<{tag} data-b="{b}r{r}c{c}"{bold}>{esc(cell)}</{tag}>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{"ruled" if t.ruled else "plain"}">{cols}{"".join(rows)}</table>'


# --- reading the lines back ------------------------------------------------------------------------------

_CHARS_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node;
  while ((node = walker.nextNode())) {
    const host = node.parentElement && node.parentElement.closest('[data-b]');
    if (!host) continue;
    const hidden = getComputedStyle(node.parentElement).visibility === 'hidden';
    if (hidden) continue;
    const s = node.data;
    for (let i = 0; i < s.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rects = range.getClientRects();
      if (!rects.length) { out.push([host.dataset.b, host.hasAttribute('data-nomerge'), s[i], null]); continue; }
      const r = rects[0];
      out.push([host.dataset.b, host.hasAttribute('data-nomerge'), s[i],
                [r.left + window.scrollX, r.top + window.scrollY, r.right + window.scrollX, r.bottom + window.scrollY]]);
    }
  }
  return out;
}"""


@dataclass
class _Run:
    block: str
    nomerge: bool
    chars: list[tuple[str, tuple[float, float, float, float] | None]]


def lines_from_chars(chars: list, scale: float) -> list[Line]:
    """Group the characters the browser placed into the visual lines it broke them into, in reading order:
    blocks in document order; inside a block, rows top to bottom (pieces of one row joined left to right)."""
    runs: list[_Run] = []
    cur: _Run | None = None
    for block, nomerge, ch, rect in chars:
        if rect is None or (rect[2] - rect[0] <= 0 and not ch.isspace()):
            if ch.isspace() and cur is not None:
                cur.chars.append((" ", None))
            continue
        if ch.isspace():
            if cur is not None and cur.block == block:
                cur.chars.append((" ", None))
            continue
        last = next((r for c, r in reversed(cur.chars) if r is not None), None) if cur else None
        same_row = (last is not None and cur.block == block and rect[0] >= last[0] - 1
                    and min(rect[3], last[3]) - max(rect[1], last[1]) > 0.4 * (last[3] - last[1]))
        if not same_row:
            cur = _Run(block, nomerge, [])
            runs.append(cur)
        cur.chars.append((ch, rect))
    merged: list[_Run] = []
    for run in runs:   # pieces of one row of a block (a wrapped value beside the next slot) become one line
        host = next((m for m in merged if m.block == run.block and not run.nomerge and _overlap(m, run)), None)
        if host is None:
            merged.append(run)
        else:
            host.chars = sorted(_words_of(host) + _words_of(run), key=lambda w: w[0][1][0])
            host.chars = [c for w in host.chars for c in w + [(" ", None)]]
    lines = []
    order: dict[str, list[_Run]] = {}
    for run in merged:
        order.setdefault(run.block, []).append(run)
    for block_runs in order.values():
        if not block_runs[0].nomerge:
            block_runs.sort(key=lambda r: (_box(r)[1], _box(r)[0]))
        for run in block_runs:
            line = _to_line(run, scale)
            if line.text:
                lines.append(line)
    return lines


def _box(run: _Run) -> tuple[float, float, float, float]:
    rs = [r for _, r in run.chars if r is not None]
    return min(r[0] for r in rs), min(r[1] for r in rs), max(r[2] for r in rs), max(r[3] for r in rs)


def _overlap(a: _Run, b: _Run) -> bool:
    ba, bb = _box(a), _box(b)
    h = min(ba[3] - ba[1], bb[3] - bb[1])
    return min(ba[3], bb[3]) - max(ba[1], bb[1]) > 0.5 * h


def _words_of(run: _Run) -> list[list[tuple[str, tuple]]]:
    words, cur, prev = [], [], None
    for ch, rect in run.chars:
        if rect is None:
            if cur:
                words.append(cur)
            cur, prev = [], None
            continue
        if prev is not None and rect[0] - prev[2] > 0.22 * (prev[3] - prev[1]):  # a visual gap (flex items)
            words.append(cur)
            cur = []
        cur.append((ch, rect))
        prev = rect
    if cur:
        words.append(cur)
    return words


def _to_line(run: _Run, scale: float) -> Line:
    words = []
    for w in _words_of(run):
        text = "".join(c for c, _ in w)
        x0, y0 = min(r[0] for _, r in w), min(r[1] for _, r in w)
        x1, y1 = max(r[2] for _, r in w), max(r[3] for _, r in w)
        words.append(Word(text, (round(x0 * scale), round(y0 * scale), round(x1 * scale), round(y1 * scale))))
    if not words:
        return Line("", (0, 0, 0, 0))
    box = (min(w.box[0] for w in words), min(w.box[1] for w in words), max(w.box[2] for w in words),
           max(w.box[3] for w in words))
    return Line(" ".join(w.text for w in words), box, words)


class Chromium:
    """One headless Chromium for a run; `render` returns PNG bytes and the truth lines."""

    def __init__(self) -> None:
        self._pw = None
        self._browser = None
        self._pages: dict[float, object] = {}

    def __enter__(self) -> Chromium:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return self

    def __exit__(self, *exc) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._pw is not None:
            self._pw.stop()

    def _page(self, scale: float):
        if scale not in self._pages:
            ctx = self._browser.new_context(device_scale_factor=scale, viewport={"width": 800, "height": 600})
            self._pages[scale] = ctx.new_page()
        return self._pages[scale]

    def render(self, markup: str, width: int, scale: float, clip_height: int | None = None) -> tuple[bytes, list[Line]]:
        """Screenshot of the page `width` CSS px wide (full height, or `clip_height`) at `scale` px per CSS px."""
        page = self._page(scale)
        page.set_viewport_size({"width": width, "height": clip_height or 200})
        page.set_content(markup, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        chars = page.evaluate(_CHARS_JS)
        if clip_height:
            png = page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": clip_height}, animations="disabled")
        else:
            png = page.screenshot(full_page=True, animations="disabled")
        return png, lines_from_chars(chars, scale)
