"""Write images the way scanners and phones do, byte-for-byte reproducibly (no dates, no tool names)."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from synth.truth import Capture


def encode(img: Image.Image, fmt: str, capture: Capture) -> bytes:
    buf = io.BytesIO()
    dpi = (capture.dpi, capture.dpi)
    if fmt == "jpeg":
        exif = Image.Exif()
        if capture.exif_orientation != 1:
            exif[0x0112] = capture.exif_orientation
        img.convert("RGB" if img.mode != "L" else "L").save(
            buf, "JPEG", quality=capture.jpeg_quality or 90, dpi=dpi, exif=exif.tobytes(), optimize=False)
    elif fmt == "png":
        img.save(buf, "PNG", dpi=dpi, compress_level=3)
    elif fmt == "tiff":
        img.save(buf, "TIFF", dpi=dpi, compression="tiff_deflate")
    else:
        raise ValueError(fmt)
    return buf.getvalue()


def write_single(path: Path, img: Image.Image, fmt: str, capture: Capture) -> None:
    path.write_bytes(encode(img, fmt, capture))


def write_pdf(path: Path, pages: list[tuple[Image.Image, Capture]]) -> None:
    """One PDF page per image (JPEG stays JPEG, others embedded losslessly), no creation date."""
    import img2pdf

    blobs = []
    for img, cap in pages:
        blobs.append(encode(img, "jpeg" if cap.jpeg_quality else "png", cap))
    # the internal engine: pikepdf (when installed) writes a random document /ID
    path.write_bytes(img2pdf.convert(blobs, nodate=True, engine=img2pdf.Engine.internal))


def write_tiff(path: Path, pages: list[tuple[Image.Image, Capture]]) -> None:
    first, *rest = [img for img, _ in pages]
    dpi = pages[0][1].dpi
    buf = io.BytesIO()
    first.save(buf, "TIFF", save_all=True, append_images=rest, compression="tiff_deflate", dpi=(dpi, dpi))
    path.write_bytes(buf.getvalue())
