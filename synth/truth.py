"""Ground truth written beside every generated image: what is on the page and how it was captured.

One JSON file per image file (`<stem>.json`), plus `manifest.json` for the whole corpus. All text NFC.
Coordinates: `upright_*` boxes are in the clean upright page as rendered (before any capture condition);
`capture` says what was then done to it, so benchmarks can score deskew, orientation and page finding.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

Box = tuple[int, int, int, int]
Point = tuple[float, float]


@dataclass
class TruthLine:
    """One rendered line of text: a printed label, a typed value, or a handwritten value."""
    text: str
    box: Box             # in the upright rendered page
    role: str = "label"  # label | value | header | mrz
    handwritten: bool = False
    font: str = ""
    field_keys: list[str] = field(default_factory=list)  # fields whose value this line carries (part of),
                                                         # e.g. ["hoTen"], ["owners[1].diaChi"]


@dataclass
class TruthField:
    """A field's expected value as extraction should output it (template key -> normalised value)."""
    value: str
    box: Box | None = None    # where its text sits on the upright page
    handwritten: bool = False
    printed: str = ""         # the text as printed on the page when it differs from `value`
                              # (e.g. printed "Nam", value "1"; printed "05/01/2010", value "05.01.2010")
    carrier: str = ""         # "qr": the value is only in the page's QR code (the old CMND), not printed


@dataclass
class Capture:
    """How the upright page became the stored image."""
    condition: str = "clean"  # clean | skewed | photocopy | phone
    rotation: int = 0         # coarse rotation applied to the page, clockwise degrees: 0/90/180/270
    skew_deg: float = 0.0     # fine rotation applied, degrees, positive = counter-clockwise
    page_quad: list[Point] | None = None  # page corners (TL, TR, BR, BL) in the stored image (phone)
    exif_orientation: int = 1 # EXIF orientation tag written to a JPEG (1 = none)
    dpi: int = 300
    jpeg_quality: int | None = None
    blur_sigma: float = 0.0


@dataclass
class TruthPage:
    page: int                 # 0-based index within the file
    doc_type: str             # profile name: cccd_front, cccd_back, cmnd_front, cancuoc_front,
                              # gcn_2014, gcn_2024, ks, kt, kh
    width: int                # upright page size in pixels
    height: int
    capture: Capture = field(default_factory=Capture)
    lines: list[TruthLine] = field(default_factory=list)
    fields: dict[str, TruthField] = field(default_factory=dict)
    owners: list[dict[str, TruthField]] = field(default_factory=list)  # GCN chuSuDung
    record_id: str = ""
    qr: str = ""              # the card's QR code on this page: "" none, else ok | small | blur | glare
                              # (what synth/qr.py did to it; only "ok" codes are meant to decode)
    qr_payload: str = ""      # the text the code holds


@dataclass
class TruthFile:
    """Ground truth of one generated file (an image, a multi-page TIFF or a PDF)."""
    file: str                 # file name relative to the corpus folder
    kind: str                 # generator kind: cccd, cmnd, cancuoc, gcn, register, book
    seed: int
    pages: list[TruthPage] = field(default_factory=list)
    book: dict[str, str] = field(default_factory=dict)  # for register pages: type, commune, quyenSo, year

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)


def _field(d: dict) -> TruthField:
    return TruthField(**{**d, "box": tuple(d["box"]) if d.get("box") else None})


def load_truth(path: Path) -> TruthFile:
    """Read a `<stem>.json` written by the generator back into dataclasses."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    pages = []
    for p in raw["pages"]:
        cap = Capture(**p["capture"])
        if cap.page_quad is not None:
            cap.page_quad = [tuple(pt) for pt in cap.page_quad]
        pages.append(TruthPage(
            page=p["page"], doc_type=p["doc_type"], width=p["width"], height=p["height"], capture=cap,
            lines=[TruthLine(**{**ln, "box": tuple(ln["box"])}) for ln in p["lines"]],
            fields={k: _field(v) for k, v in p["fields"].items()},
            owners=[{k: _field(v) for k, v in o.items()} for o in p.get("owners", [])],
            record_id=p.get("record_id", ""), qr=p.get("qr", ""), qr_payload=p.get("qr_payload", ""),
        ))
    return TruthFile(file=raw["file"], kind=raw["kind"], seed=raw["seed"], pages=pages, book=raw.get("book", {}))


def load_manifest(corpus: Path) -> list[TruthFile]:
    """All ground truth of a corpus folder, in manifest order."""
    manifest = json.loads((Path(corpus) / "manifest.json").read_text(encoding="utf-8"))
    return [load_truth(Path(corpus) / entry["truth"]) for entry in manifest["files"]]
