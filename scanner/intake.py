"""Read any supported file into RGB pages. The type is sniffed from the content (magic bytes), never from the
extension, because operators rename files and phones save HEIC as .jpg. Every failure becomes an IntakeError
with a reason an operator can act on."""
from __future__ import annotations

import logging
import math
import subprocess
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, ImageSequence, UnidentifiedImageError

from scanner.errors import IntakeError
from scanner.types import SourcePage

log = logging.getLogger(__name__)

DEFAULT_MAX_PIXELS = 120_000_000  # an A3 page at 600 dpi is ~70 MP; well above any honest scan or photo
MIN_PDF_DPI = 72                  # lowest dpi a large PDF page is rendered at (1 px per pt) before "too large"
PLACEHOLDER_DPI = 96              # cameras and editors write 72/96 whatever the real resolution: ignore them

# EXIF orientation tag -> clockwise degrees that exif_transpose turns the image (mirrored tags count too)
_EXIF_DEGREES = {1: 0, 2: 0, 3: 180, 4: 180, 5: 90, 6: 90, 7: 270, 8: 270}

_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")
# formats we recognise but do not take as pages: tell the operator it is the wrong kind of file
_OTHER_FORMATS = (
    (b"PK\x03\x04", "zip/office"), (b"\xd0\xcf\x11\xe0", "ole/office"), (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"), (b"\x1f\x8b", "gzip"), (b"{\\rtf", "rtf"), (b"ID3", "mp3"),
    (b"OggS", "ogg"), (b"\x1aE\xdf\xa3", "mkv/webm"), (b"%!PS", "postscript"),
)


def sniff(head: bytes) -> str:
    """The file kind from its first bytes: jpeg, png, tiff, pdf, heif, pillow (another raster format Pillow
    reads), other (a known non-page format) or unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if b"%PDF-" in head[:1024]:  # the spec tolerates junk before the header
        return "pdf"
    if head[4:8] == b"ftyp":
        return "heif" if head[8:12] in _HEIF_BRANDS else "other"
    if head.startswith((b"BM", b"GIF87a", b"GIF89a")) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "pillow"
    if head.startswith(b"\x00\x00\x00\x0cjP"):
        return "pillow"  # JPEG 2000
    if any(head.startswith(magic) for magic, _ in _OTHER_FORMATS):
        return "other"
    return "unknown"


def resolve_path(path: Path) -> Path:
    """The path as it exists on disk. Names copied from macOS are NFD while the caller may hold the NFC
    spelling (or the reverse); try both forms of the name before giving up."""
    path = Path(path)
    if path.exists():
        return path
    for form in ("NFC", "NFD"):
        candidate = Path(unicodedata.normalize(form, str(path)))
        if candidate.exists():
            return candidate
    raise IntakeError("missing", detail=path.name)


def read_pages(path: Path, dpi: int = 300, max_pixels: int = DEFAULT_MAX_PIXELS) -> Iterator[SourcePage]:
    """Yield every page of `path` as RGB uint8. PDFs are rasterised at `dpi` (a page over `max_pixels` at
    `dpi`: lower, see pdf_page_dpi); images keep their own resolution and report the dpi their metadata
    carries (None when absent or a placeholder)."""
    real = resolve_path(Path(path))
    if real.is_dir():
        raise IntakeError("unsupported", detail="directory")
    if real.exists() and not real.is_file():  # a pipe, socket or device: opening it may wait for ever
        raise IntakeError("unsupported", detail="special file")
    size = real.stat().st_size
    if size == 0:
        raise IntakeError("empty")
    with open(real, "rb") as fh:
        head = fh.read(1024)
    kind = sniff(head)
    if kind == "pdf":
        yield from _read_pdf(real, str(path), dpi, max_pixels)
    elif kind in ("jpeg", "png", "tiff", "heif", "pillow"):
        yield from _read_raster(real, str(path), kind, max_pixels)
    elif kind == "other":
        raise IntakeError("unsupported", detail=head[:12].hex())
    elif _looks_like_text(head) or not head.strip(b"\x00"):
        raise IntakeError("not_an_image", detail="text or zeros")
    else:
        raise IntakeError("not_an_image", detail=head[:8].hex())


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# ---------------------------------------------------------------------------------------------- rasters

def _read_raster(real: Path, source: str, kind: str, max_pixels: int) -> Iterator[SourcePage]:
    if kind == "heif":
        import pillow_heif

        pillow_heif.register_heif_opener()
    # Pillow's own guard stays on; it warns above MAX_IMAGE_PIXELS and raises above twice that.
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # someone flipped the global: a half image must never pass silently
        log.warning("PIL.ImageFile.LOAD_TRUNCATED_IMAGES was True; truncated files may slip through")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(real)
    except Image.DecompressionBombError as exc:
        raise IntakeError("too_large", detail=str(exc)[:80]) from exc
    except UnidentifiedImageError as exc:
        raise IntakeError("corrupt", detail=kind) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise _decode_error(exc, kind) from exc
    with img:
        multi = getattr(img, "n_frames", 1) > 1 and kind == "tiff"
        frames = ImageSequence.Iterator(img) if multi else [img]
        for index, frame in enumerate(frames):
            width, height = frame.size  # from the header, before decoding
            if width * height > max_pixels:
                raise IntakeError("too_large", detail=f"{width}x{height}")
            try:
                frame.load()
                orientation = _exif_orientation(frame)
                dpi = _metadata_dpi(frame)
                # no needless full-size copies: a 400-dpi colour page is ~75 MB per copy in Pillow
                upright = ImageOps.exif_transpose(frame) if orientation != 1 else frame
                image = np.asarray(_to_rgb(upright), dtype=np.uint8)
            except IntakeError:
                raise
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise _decode_error(exc, kind) from exc
            del upright
            if not multi:
                img.close()  # the decoded Pillow copy is not needed while the page is being prepared
            yield SourcePage(source=source, page_index=index, image=image, dpi=dpi,
                             exif_rotated=_EXIF_DEGREES.get(orientation, 0))


def _decode_error(exc: BaseException, kind: str) -> IntakeError:
    text = str(exc).lower()
    if "truncat" in text or "premature end" in text or isinstance(exc, EOFError):
        return IntakeError("truncated", detail=f"{kind}: {text[:80]}")
    return IntakeError("corrupt", detail=f"{kind}: {text[:80]}")


def _exif_orientation(img: Image.Image) -> int:
    try:
        return int(img.getexif().get(0x0112, 1) or 1)
    except Exception:  # broken EXIF must not lose the page
        return 1


def _metadata_dpi(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    if not dpi:
        return None
    try:
        value = float(dpi[0] if isinstance(dpi, tuple) else dpi)
    except (TypeError, ValueError):
        return None
    return value if value > PLACEHOLDER_DPI else None


def _to_rgb(img: Image.Image) -> Image.Image:
    """RGB on white: transparency is flattened (a transparent scan background is paper), 16-bit and
    1-bit scans are scaled to 8-bit grey first."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if arr.max() > 255 else 255.0
        img = Image.fromarray(np.clip(arr / top * 255.0, 0, 255).astype(np.uint8), "L")
    elif img.mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img if img.mode == "RGB" else img.convert("RGB")


# ------------------------------------------------------------------------------------------------- PDF

def _read_pdf(real: Path, source: str, dpi: int, max_pixels: int) -> Iterator[SourcePage]:
    """Rasterise one page at a time so a 200-page book does not sit in memory at once."""
    from pdf2image import convert_from_path, pdfinfo_from_path
    from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

    try:
        info = pdfinfo_from_path(str(real), first_page=1, last_page=10_000)
    except PDFInfoNotInstalledError as exc:
        raise IntakeError("unsupported", "máy chưa cài poppler-utils để đọc PDF (poppler not installed)") from exc
    except (PDFPageCountError, PDFSyntaxError, ValueError, OSError) as exc:
        raise _pdf_error(exc) from exc
    pages = int(info.get("Pages", 0) or 0)
    if info.get("Encrypted", "no").startswith("yes") and pages == 0:
        raise IntakeError("encrypted")
    if pages <= 0:
        raise IntakeError("no_pages", detail="pdf")
    for index in range(pages):
        width_pt, height_pt = _page_size_pt(info, index + 1)
        page_dpi = pdf_page_dpi(width_pt, height_pt, dpi, max_pixels)
        if page_dpi is None:
            raise IntakeError("too_large", detail=f"pdf page {index + 1}: {width_pt}x{height_pt} pt")
        reported: float | None = float(page_dpi)
        if page_dpi < dpi:
            # scaled down anyway: no finer than the page's finest image (a 1-pt-per-pixel scan is rendered
            # at 72 dpi, its own pixels, not interpolated up to max_pixels: 3x the time, 10x the memory)
            finest = _finest_image_ppi(real, index + 1)
            if finest is not None:
                page_dpi = max(MIN_PDF_DPI, min(page_dpi, math.ceil(finest)))
                if finest <= PLACEHOLDER_DPI:  # an image tool's 72/96, not the scan's: unknown, as for rasters
                    reported = None            # (else a 300-dpi scan is told "resolution too low")
            log.info("pdf page %d: %.0fx%.0f pt rendered at %d dpi to stay within %d pixels",
                     index + 1, width_pt, height_pt, page_dpi, max_pixels)
        try:
            with warnings.catch_warnings():  # the pixel limit was checked above, against our own max_pixels
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                images = convert_from_path(str(real), dpi=page_dpi, first_page=index + 1, last_page=index + 1)
        except (PDFPageCountError, PDFSyntaxError, ValueError, OSError) as exc:
            raise _pdf_error(exc) from exc
        if not images:
            raise IntakeError("corrupt", detail=f"pdf page {index + 1} rendered nothing")
        with images[0] as img:
            rgb = img if img.mode == "RGB" else img.convert("RGB")  # pdftoppm gives RGB: no needless copy
            yield SourcePage(source=source, page_index=index, image=np.asarray(rgb, dtype=np.uint8),
                             dpi=reported)


def pdf_page_dpi(width_pt: float, height_pt: float, dpi: int, max_pixels: int) -> int | None:
    """The dpi to render a `width_pt` x `height_pt` page at: `dpi`, or the highest whole dpi below it whose
    image stays within `max_pixels` (a PDF saved by an image tool often gives a scan 1 pt per pixel, so an
    A4 scan shows as a 2.5 m page that is far too large at 300 dpi, yet holds a normal photo). None when even
    MIN_PDF_DPI does not fit: at 72 dpi a point is a pixel, the page's own unit, so such a page is larger
    than the limit in its own terms — not a document page, but a bomb or a mistake."""
    area = max(width_pt, 1.0) * max(height_pt, 1.0)
    if area * (dpi / 72.0) ** 2 <= max_pixels:
        return dpi
    fitting = math.floor(72.0 * math.sqrt(max_pixels / area))
    while fitting >= MIN_PDF_DPI and area * (fitting / 72.0) ** 2 > max_pixels:  # float rounding at the edge
        fitting -= 1
    return fitting if fitting >= MIN_PDF_DPI else None


def _finest_image_ppi(real: Path, page: int) -> float | None:
    """The highest resolution (pixels per inch, as placed) of the raster images on `page`, from poppler's
    `pdfimages -list`; None when the page has none or the tool cannot say (the page is then rendered at the
    dpi that fits)."""
    try:
        done = subprocess.run(["pdfimages", "-list", "-f", str(page), "-l", str(page), str(real)],
                              capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    ppis = []
    for line in done.stdout.splitlines()[2:]:  # a header line and a rule, then one line per image
        cols = line.split()
        try:
            ppis.append(max(float(cols[12]), float(cols[13])))
        except (IndexError, ValueError):
            continue
    return max(ppis) if done.returncode == 0 and ppis else None


def _pdf_error(exc: BaseException) -> IntakeError:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return IntakeError("encrypted", detail="pdf")
    if "page count 0" in text or "last page (0)" in text:  # poppler refuses a page range over no pages
        return IntakeError("no_pages", detail="pdf")
    return IntakeError("corrupt", detail=f"pdf: {text[:80]}")


def _page_size_pt(info: dict, page: int) -> tuple[float, float]:
    """pdfinfo with a page range reports `Page N size: W x H pts`; fall back to the document's size."""
    raw = info.get(f"Page{page:5d} size") or info.get(f"Page {page} size") or info.get("Page size") or ""
    parts = raw.replace("pts", "").split("x")
    try:
        return float(parts[0]), float(parts[1].split()[0])
    except (IndexError, ValueError):
        return 612.0, 792.0  # unknown: assume Letter; rasterising will still fail loudly if the page is bad
