"""LibreOffice: documents as flat ODF text (.fodt), one `soffice --convert-to pdf` for a whole batch,
`pdftoppm` for the pixels and `pdftotext -bbox-layout` for the truth lines (the PDF's own text layer).

Leaders here are what a clerk's word processor makes: tab stops with fill characters (dots, dashes,
underscores) or underlined tabs, so their pitch and weight come from the font, as on real typed forms.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

from synth.rendered.model import Columns, Doc, Line, Row, Table, Text, Word

PAGE_MM = {"a4": (210.0, 297.0), "a5": (148.0, 210.0), "web": (210.0, 297.0)}
_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
       'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"')
_FILL = {"dots": ".", "dashes": "-", "underscore": "_", "solid": "_", "dotdash": "-"}
_UNDERLINE = {"dots": "dotted", "dashes": "dash", "underscore": "solid", "solid": "solid", "dotdash": "dot-dash"}


class _Styles:
    """Automatic styles, created on demand and named by their definition."""

    def __init__(self) -> None:
        self.defs: dict[str, str] = {}

    def get(self, family: str, body: str) -> str:
        key = family + body
        if key not in self.defs:
            self.defs[key] = f"{family[0].upper()}{len(self.defs)}"
        return self.defs[key]

    def xml(self) -> str:
        out = []
        for key, name in self.defs.items():
            family, body = key.split("|", 1)
            out.append(f'<style:style style:name="{name}" style:family="{family}">{body}</style:style>')
        return "".join(out)


def _text_props(font: str, size: float, bold: bool = False, italic: bool = False, color: str = "",
                underline: str = "", underline_color: str = "", underline_width: str = "auto",
                spacing: float = 0.0) -> str:
    props = [f'style:font-name="{font}"', f'fo:font-size="{size:.1f}pt"']
    if spacing:
        props.append(f'fo:letter-spacing="{spacing:.2f}pt"')
    if bold:
        props.append('fo:font-weight="bold"')
    if italic:
        props.append('fo:font-style="italic"')
    if color:
        props.append(f'fo:color="{color}"')
    if underline:
        props.append(f'style:text-underline-style="{underline}" style:text-underline-width="{underline_width}" '
                     f'style:text-underline-color="{underline_color or "font-color"}"')
    return f'<style:text-properties {" ".join(props)}/>'


def doc_fodt(doc: Doc) -> str:
    st = _Styles()
    pw, ph = PAGE_MM[doc.page]
    top, right, bottom, left = doc.margins_mm
    text_w = pw - left - right
    body: list[str] = []
    lh = f'fo:line-height="{doc.line_height * 100 / 1.17:.0f}%"'  # ODF's 100% is the font's own line gap
    for block in doc.blocks:
        if isinstance(block, Text):
            body.append(_para(block, doc, st, lh))
        elif isinstance(block, Row):
            body.append(_row(block, doc, st, lh, text_w))
        elif isinstance(block, Table):
            body.append(_table(block, doc, st, lh, text_w))
        elif isinstance(block, Columns):
            sect = st.get("section|", f'<style:section-properties><style:columns fo:column-count="{block.count}" '
                                      'fo:column-gap="0.8cm"/></style:section-properties>')
            inner = "".join(_para(t, doc, st, lh, justify=True) for t in block.blocks)
            body.append(f'<text:section text:style-name="{sect}" text:name="{sect}">{inner}</text:section>')
    fonts = "".join(f'<style:font-face style:name="{f}" svg:font-family="\'{f}\'"/>'
                    for f in sorted({doc.family, doc.head_family}))
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document {_NS} office:version="1.3" '
            'office:mimetype="application/vnd.oasis.opendocument.text">'
            f"<office:font-face-decls>{fonts}</office:font-face-decls>"
            f'<office:styles><style:default-style style:family="paragraph">'
            f'<style:paragraph-properties fo:hyphenation-ladder-count="no-limit"/>'
            f'{_text_props(doc.family, doc.size_pt, color=doc.ink)}</style:default-style></office:styles>'
            f"<office:automatic-styles>"
            f'<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="{pw}mm" '
            f'fo:page-height="{ph}mm" fo:margin-top="{top}mm" fo:margin-bottom="{bottom}mm" '
            f'fo:margin-left="{left}mm" fo:margin-right="{right}mm" fo:background-color="{doc.paper}"/>'
            f"</style:page-layout>{st.xml()}</office:automatic-styles>"
            '<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/>'
            f"</office:master-styles><office:body><office:text>{''.join(body)}</office:text></office:body>"
            "</office:document>")


def _para(t: Text, doc: Doc, st: _Styles, lh: str, justify: bool = False) -> str:
    align = {"left": "start", "center": "center", "right": "end", "justify": "justify"}[
        "justify" if justify else t.align]
    font = doc.head_family if t.bold else doc.family
    props = (f'<style:paragraph-properties fo:text-align="{align}" {lh} '
             f'fo:margin-top="{t.space_before * doc.size_pt * t.scale:.1f}pt" '
             f'fo:margin-bottom="{4 if justify else 0}pt"/>'
             + _text_props(font, doc.size_pt * t.scale, t.bold, t.italic, doc.ink,
                           "solid" if t.underline else ""))
    name = st.get("paragraph|", props)
    return f'<text:p text:style-name="{name}">{escape(t.text)}</text:p>'


def _row(row: Row, doc: Doc, st: _Styles, lh: str, text_w: float) -> str:
    ld = row.leader
    total = sum(s.width for s in row.slots)
    stops, x = [], 0.0
    for s in row.slots:
        x += text_w * s.width / total
        stops.append(x - 0.5 if x >= text_w - 0.01 else x - 2.0)
    fill = ""
    if ld.kind != "none" and ld.drawn == "text":
        fill = (f' style:leader-style="{"dotted" if ld.kind == "dots" else "solid"}" '
                f'style:leader-text="{_FILL[ld.kind]}"')
    tabs = "".join(f'<style:tab-stop style:position="{p:.1f}mm"{fill}/>' for p in stops)
    pstyle = st.get("paragraph|", f'<style:paragraph-properties {lh} fo:margin-top="2pt">'
                                  f"<style:tab-stops>{tabs}</style:tab-stops></style:paragraph-properties>"
                                  + _text_props(doc.family, doc.size_pt, color=doc.ink))
    # the leader's own text: size and colour of the fill characters, or the underline that draws it
    lead_props = _text_props(doc.family, doc.size_pt * (ld.size if ld.drawn == "text" else 1.0),
                             spacing=(ld.pitch - 1) * 0.3 * doc.size_pt if ld.drawn == "text" else 0.0,
                             color=ld.color if ld.drawn == "text" else "",
                             underline=_UNDERLINE[ld.kind] if ld.drawn == "line" and ld.kind != "none" else "",
                             underline_color=ld.color,
                             underline_width="bold" if ld.size > 1.2 and ld.kind != "dots" else "auto")
    lead = st.get("text|", lead_props)
    under = st.get("text|", _text_props(doc.family, doc.size_pt, underline=_UNDERLINE.get(ld.kind, "solid"),
                                        underline_color=ld.color)) if ld.under and ld.kind != "none" else ""
    parts = []
    for s in row.slots:
        value = escape(s.value)
        if under and value:
            value = f'<text:span text:style-name="{under}">{value}</text:span>'
        gap = " " if ld.gap > 0.15 or ld.kind == "none" else ""
        parts.append(f"{escape(s.label)} {value}{gap}<text:span text:style-name=\"{lead}\"><text:tab/></text:span>")
    return f'<text:p text:style-name="{pstyle}">{"".join(parts)}</text:p>'


def _table(t: Table, doc: Doc, st: _Styles, lh: str, text_w: float) -> str:
    n = max(len(r) for r in t.rows)
    widths = t.widths or [1.0] * n
    total = sum(widths)
    tname = st.get("table|", f'<style:table-properties style:width="{text_w:.1f}mm" table:align="margins" '
                             'fo:margin-top="4pt" fo:margin-bottom="4pt"/>')
    cols = ""
    for w in widths:
        col = st.get("table-column|", f'<style:table-column-properties style:column-width="{text_w * w / total:.1f}mm"/>')
        cols += f'<table:table-column table:style-name="{col}"/>'
    border = f"0.5pt solid {doc.ink}" if t.ruled else "none"
    cell = st.get("table-cell|", f'<style:table-cell-properties fo:border="{border}" fo:padding="0.6mm 1.2mm"/>')
    rows = []
    for r, row in enumerate(t.rows):
        cells = []
        for c, text in enumerate(row):
            head = r < t.header_rows or (t.bold_first_column and c == 0)
            align = "center" if r < t.header_rows else {"left": "start", "right": "end", "center": "center"}[
                (t.align or ["left"] * n)[c]]
            p = st.get("paragraph|", f'<style:paragraph-properties fo:text-align="{align}" {lh}/>'
                                     + _text_props(doc.head_family if head else doc.family, doc.size_pt, head))
            cells.append(f'<table:table-cell table:style-name="{cell}" office:value-type="string">'
                         f'<text:p text:style-name="{p}">{escape(text)}</text:p></table:table-cell>')
        rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
    return f'<table:table table:name="T{id(t) % 100000}" table:style-name="{tname}">{cols}{"".join(rows)}</table:table>'


# --- conversion --------------------------------------------------------------------------------------------

def convert_batch(docs: dict[str, str], out_dir: Path) -> dict[str, Path]:
    """Write each `.fodt` and convert them all to PDF in one soffice run (private profile, so a LibreOffice
    already open elsewhere does not swallow the request). Returns name -> PDF path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    src = []
    for name, xml in docs.items():
        path = out_dir / f"{name}.fodt"
        path.write_text(xml, encoding="utf-8")
        src.append(str(path))
    profile = Path(tempfile.mkdtemp(prefix="sohoa-lo-"))
    try:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(out_dir), *src],
                       check=True, capture_output=True, timeout=600)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = {name: out_dir / f"{name}.pdf" for name in docs}
    missing = [n for n, p in pdfs.items() if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice không tạo được PDF (did not write a PDF for): {', '.join(missing)}")
    return pdfs


def rasterize(pdf: Path, dpi: int, out_png: Path) -> Path:
    """First page of the PDF as a PNG at `dpi` (pdftoppm, anti-aliased as a scanner's driver would)."""
    stem = out_png.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-png", str(pdf), str(stem)],
                   check=True, capture_output=True, timeout=120)
    return stem.with_suffix(".png")


_LEADER_RUN = re.compile(r"[._\-…·–]{3,}")


def strip_leaders(word: str) -> str:
    """A word without the fill characters a tab leader typed into it ('DƯƠNG.......' -> 'DƯƠNG')."""
    return _LEADER_RUN.sub("", word)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return "".join(unicodedata.normalize("NFKC", c) if 0xFB00 <= ord(c) <= 0xFB06 else c for c in text)


def _split_leaders(text: str, box: tuple[float, float, float, float]) -> list[tuple[str, tuple]]:
    """pdftotext glues a tab's fill characters to the words beside it ('Kinh____Quốc', '....tịch:'): cut them
    out and give each remaining piece its share of the box by character position."""
    out = []
    x0, y0, x1, y1 = box
    step = (x1 - x0) / max(1, len(text))
    pos = 0
    for piece in _LEADER_RUN.split(text):
        start = text.index(piece, pos) if piece else pos
        pos = start + len(piece)
        if piece.strip():
            out.append((piece, (x0 + start * step, y0, x0 + pos * step, y1)))
    return out


def pdf_lines(pdf: Path, dpi: int) -> list[Line]:
    """Text lines of the first page in the order LibreOffice wrote them (content-stream order: paragraph by
    paragraph, column by column, cell by cell), boxes in pixels at `dpi`. Leader characters are drawing, not
    text: they are removed and lines left empty by that are dropped."""
    xhtml = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-raw", "-bbox", str(pdf), "-"], check=True,
                           capture_output=True, timeout=120).stdout.decode("utf-8")
    root = ET.fromstring(re.sub(r'\sxmlns="[^"]+"', "", xhtml, count=1))
    k = dpi / 72.0
    rows: list[list[Word]] = []
    for w in root.iter("word"):
        box = tuple(float(w.get(a)) for a in ("xMin", "yMin", "xMax", "yMax"))
        for text, (x0, y0, x1, y1) in _split_leaders(_clean(w.text or ""), box):
            word = Word(text, (round(x0 * k), round(y0 * k), round(x1 * k), round(y1 * k)))
            last = rows[-1][-1] if rows else None
            same = (last is not None and word.box[0] >= last.box[0]
                    and min(word.box[3], last.box[3]) - max(word.box[1], last.box[1])
                    > 0.5 * min(word.box[3] - word.box[1], last.box[3] - last.box[1]))
            if same:
                rows[-1].append(word)
            else:
                rows.append([word])
    lines = []
    for words in rows:
        box = (min(w.box[0] for w in words), min(w.box[1] for w in words), max(w.box[2] for w in words),
               max(w.box[3] for w in words))
        lines.append(Line(" ".join(w.text for w in words), box, words))
    return lines
