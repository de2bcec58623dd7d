"""Data of the rendered set: the documents we ask a renderer for, and the manifest written beside the images.

A document is a short list of blocks (text, label/value rows with leaders, tables, columns); html.py turns it
into HTML/CSS for Chromium, office.py into a flat ODF text document for LibreOffice. The truth lines come back
from the renderer (the DOM's own line boxes; the PDF's text layer), not from our idea of the layout.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels of the rendered (upright, undegraded) page

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


# --- documents -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Leader:
    """The fill after (or under) a label's value on a form.

    kind: none | dots | dashes | underscore | solid | dotdash
    drawn: 'text' (leader characters, as a typist or a tab stop makes them) or 'line' (a graphic rule or a
    dot pattern, as a pre-printed form has)
    under: the value is typed on the leader (the dots run under it and touch descenders and dots below)
    """
    kind: str = "dots"
    drawn: str = "text"
    pitch: float = 1.0      # spacing factor of dots/dashes (1 = the font's own '.')
    size: float = 1.0       # dot size / line weight factor
    color: str = "#000000"
    under: bool = False
    gap: float = 0.3        # space between the text and the leader, em (0 = touching)

    @property
    def label(self) -> str:
        if self.kind == "none":
            return "none"
        return f"{self.kind}-{self.drawn}{'-under' if self.under else ''}"


@dataclass
class Text:
    text: str
    align: str = "left"       # left | center | right | justify
    bold: bool = False
    italic: bool = False
    scale: float = 1.0        # of the body size
    underline: bool = False
    space_before: float = 0.0  # em


@dataclass
class Slot:
    label: str
    value: str
    key: str = ""             # field key whose printed value this is
    width: float = 1.0        # share of the row


@dataclass
class Row:
    """Label/value slots on one line, each followed (or underlined) by its leader."""
    slots: list[Slot]
    leader: Leader = field(default_factory=Leader)


@dataclass
class Table:
    rows: list[list[str]]
    header_rows: int = 1
    ruled: bool = True
    widths: list[float] | None = None
    align: list[str] | None = None      # per column
    bold_first_column: bool = False


@dataclass
class Columns:
    blocks: list[Text]
    count: int = 2


Block = Text | Row | Table | Columns


@dataclass
class Doc:
    blocks: list[Block]
    family: str                 # body font family
    head_family: str            # font of headings / bold text
    size_pt: float = 12.0
    line_height: float = 1.35
    page: str = "a4"            # a4 | a5 | web (a screen width, as tall as the content)
    margins_mm: tuple[float, float, float, float] = (20, 20, 20, 25)  # top right bottom left
    ink: str = "#111111"
    paper: str = "#ffffff"
    web_width: int = 900        # CSS px, for page == "web"
    css_extra: str = ""         # extra CSS for web pages (navigation bars and the like)


# --- manifest --------------------------------------------------------------------------------------------

@dataclass
class Word:
    text: str
    box: Box


@dataclass
class Line:
    text: str                   # as drawn, NFC; leaders are not text and are left out
    box: Box
    words: list[Word] = field(default_factory=list)


@dataclass
class FieldTruth:
    value: str                  # as extraction should output it (dates dd.mm.yyyy, sex 1/2)
    printed: str = ""           # as printed when it differs


@dataclass
class Item:
    """One image of the set with its ground truth."""
    file: str
    cls: str                    # line | word | screenshot | lowres_scan | photo | clean_page | two_column |
                                # table | form_leaders | register | card
    condition: str              # screenshot | clean_scan | lowres_scan | photo | photocopy | qr_small_blur | crop
    renderer: str               # chromium | libreoffice
    font: str
    dpi: int                    # resolution the page was rendered at (before any degradation)
    width: int
    height: int
    lines: list[Line] = field(default_factory=list)          # reading order
    fields: dict[str, FieldTruth] = field(default_factory=dict)
    doc_type: str = ""          # profile name: ks | kt | kh | cccd_front | cccd_back | cancuoc_front |
                                # cancuoc_back | cmnd_front; "" for plain pages
    extra: dict = field(default_factory=dict)   # leader style, qr payload/decodable, mrz, page quad, ...

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


def save_manifest(out_dir: Path, items: list[Item], seed: int, meta: dict) -> Path:
    data = {"format": FORMAT_VERSION, "generator": "synth.rendered", "seed": seed, **meta,
            "items": [asdict(it) for it in items]}
    path = Path(out_dir) / MANIFEST
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _box(b) -> Box:
    return tuple(int(v) for v in b)  # type: ignore[return-value]


def load(out_dir: str | Path) -> list[Item]:
    """The items of a rendered set folder, as dataclasses, in manifest order."""
    raw = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
    items = []
    for d in raw["items"]:
        lines = [Line(ln["text"], _box(ln["box"]), [Word(w["text"], _box(w["box"])) for w in ln["words"]])
                 for ln in d.pop("lines")]
        fields = {k: FieldTruth(**v) for k, v in d.pop("fields").items()}
        items.append(Item(lines=lines, fields=fields, **d))
    return items
