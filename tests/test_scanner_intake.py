"""Intake: every supported type reads, every bad input gets its typed reason (files made in tmp_path)."""
from __future__ import annotations

import io
import struct
import unicodedata
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scanner.errors import MESSAGES, IntakeError
from scanner.intake import read_pages


def _photo(width: int = 200, height: int = 120) -> Image.Image:
    """A landscape image with a dark marker in its top-left corner, so rotations can be checked."""
    arr = np.full((height, width, 3), 255, np.uint8)
    arr[:30, :50] = (200, 0, 0)
    return Image.fromarray(arr)


def _codes(path: Path) -> str:
    with pytest.raises(IntakeError) as info:
        list(read_pages(path))
    assert info.value.message == MESSAGES[info.value.code]
    assert "(" in info.value.message  # Vietnamese with an English gloss
    return info.value.code


def test_zero_bytes_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert _codes(path) == "empty"


def test_truncated_jpeg(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (400, 400, 3), np.uint8)).save(buf, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    assert _codes(path) == "truncated"


def test_text_file_named_jpg_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "note.jpg"
    path.write_text("Đây là một tệp văn bản, không phải ảnh.\n", encoding="utf-8")
    assert _codes(path) == "not_an_image"


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj garbage\n%%EOF\n")
    assert _codes(path) == "corrupt"


def test_corrupt_png_body(tmp_path: Path) -> None:
    buf = io.BytesIO()
    _photo().save(buf, "PNG")
    data = bytearray(buf.getvalue())
    data[60:120] = b"\x00" * 60  # wreck the compressed stream, keep the header
    path = tmp_path / "wrecked.png"
    path.write_bytes(bytes(data))
    assert _codes(path) in ("corrupt", "truncated")


def _pdf_bytes(pages: int) -> bytes:
    import img2pdf

    blobs = []
    for i in range(pages):
        buf = io.BytesIO()
        _photo(100 + 10 * i, 140).save(buf, "PNG")
        blobs.append(buf.getvalue())
    return img2pdf.convert(blobs)


def test_encrypted_pdf(tmp_path: Path) -> None:
    import pikepdf
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(_pdf_bytes(1))
    path = tmp_path / "locked.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="mat-khau", owner="chu"))
    assert _codes(path) == "encrypted"


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


def test_huge_dimension_png_is_too_large_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(100_000, 100_000))  # 10 gigapixels claimed in a few bytes
    assert _codes(path) == "too_large"


def test_configurable_pixel_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(_png_header_only(12_000, 11_000))  # 132 MP: under Pillow's bomb error, over ours
    assert _codes(path) == "too_large"
    with pytest.raises(IntakeError) as info:
        list(read_pages(path, max_pixels=1_000))
    assert info.value.code == "too_large"


def test_unsupported_type(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "scan.jpg"  # a zip (e.g. a .docx) renamed
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert _codes(path) == "unsupported"


@pytest.mark.timeout(60)
def test_named_pipe_is_refused_unread(tmp_path: Path) -> None:
    """Regression (outside probe): a FIFO was reported "empty" by `sohoa ocr` (its size is 0), and opening
    one waits for a writer: it is refused as a special file before anything opens it."""
    import os

    fifo = tmp_path / "scan.jpg"
    os.mkfifo(fifo)
    with pytest.raises(IntakeError) as exc:
        list(read_pages(fifo))
    assert exc.value.code == "unsupported" and exc.value.detail == "special file"


def test_missing_file(tmp_path: Path) -> None:
    assert _codes(tmp_path / "nothing.png") == "missing"


@pytest.mark.parametrize(("tag", "degrees"), [(1, 0), (3, 180), (6, 90), (8, 270)])
def test_exif_orientation_is_honoured(tmp_path: Path, tag: int, degrees: int) -> None:
    img = _photo()
    exif = Image.Exif()
    exif[0x0112] = tag
    path = tmp_path / f"exif{tag}.jpg"
    img.save(path, "JPEG", exif=exif, quality=95)
    (page,) = list(read_pages(path))
    assert page.exif_rotated == degrees
    h, w = page.image.shape[:2]
    assert (h, w) == ((120, 200) if degrees in (0, 180) else (200, 120))
    # the red marker sits in the top-left of the stored pixels; after turning it moves to another corner
    corners = {"tl": page.image[5, 5], "tr": page.image[5, w - 6], "br": page.image[h - 6, w - 6],
               "bl": page.image[h - 6, 5]}
    red = [name for name, px in corners.items() if px[0] > 150 and px[1] < 80]
    assert red == [{0: "tl", 90: "tr", 180: "br", 270: "bl"}[degrees]]


def test_multipage_tiff(tmp_path: Path) -> None:
    path = tmp_path / "book.tif"
    frames = [_photo(100 + i * 10, 80) for i in range(3)]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(300, 300), compression="tiff_lzw")
    pages = list(read_pages(path))
    assert [p.page_index for p in pages] == [0, 1, 2]
    assert [p.image.shape[1] for p in pages] == [100, 110, 120]
    assert pages[0].dpi == pytest.approx(300)


def test_pdf_every_page_at_dpi(tmp_path: Path) -> None:
    path = tmp_path / "two.pdf"
    path.write_bytes(_pdf_bytes(2))
    pages = list(read_pages(path, dpi=100))
    assert len(pages) == 2
    assert all(p.dpi == 100 and p.image.ndim == 3 for p in pages)


def test_png_dpi_and_grey_and_alpha(tmp_path: Path) -> None:
    path = tmp_path / "grey.png"
    Image.new("LA", (50, 40), (10, 0)).save(path, dpi=(400, 400))  # fully transparent -> white paper
    (page,) = list(read_pages(path))
    assert page.image.shape == (40, 50, 3)
    assert page.image.min() == 255
    assert page.dpi == pytest.approx(400, abs=1)


def test_placeholder_dpi_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "phone.jpg"
    _photo().save(path, "JPEG", dpi=(72, 72))
    (page,) = list(read_pages(path))
    assert page.dpi is None


def test_type_sniffed_by_content_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "really_a_png.pdf"
    _photo().save(path, "PNG")
    (page,) = list(read_pages(path))
    assert page.image.shape == (120, 200, 3)


def test_nfd_file_name(tmp_path: Path) -> None:
    name = "Giấy khai sinh Nguyễn.png"
    nfd = tmp_path / unicodedata.normalize("NFD", name)
    _photo().save(nfd, "PNG")
    assert len(list(read_pages(nfd))) == 1
    # the caller holding the NFC spelling of a name stored NFD (copied from a Mac) still finds it
    assert len(list(read_pages(tmp_path / unicodedata.normalize("NFC", name)))) == 1


def test_heic(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif reads phone HEIC photos")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif build has no HEVC encoder to make a test HEIC")
    pillow_heif.register_heif_opener()
    path = tmp_path / "phone.jpg"  # iPhones' HEIC often arrives renamed
    _photo().save(path, "HEIF")
    (page,) = list(read_pages(path))
    assert page.image.shape == (120, 200, 3)


def test_pdf_without_pages_has_its_own_reason(tmp_path: Path) -> None:
    import pikepdf

    path = tmp_path / "zero.pdf"
    pikepdf.new().save(path)
    assert _codes(path) == "no_pages"
    assert "PDF has no pages" in MESSAGES["no_pages"]


def test_a_pdf_page_too_large_at_the_asked_dpi_is_rendered_at_the_highest_dpi_that_fits(tmp_path: Path) -> None:
    path = tmp_path / "fine.pdf"
    _photo(600, 800).save(path, "PDF", resolution=300.0)  # a 144x192 pt page holding a 300-ppi image
    (page,) = list(read_pages(path, dpi=300, max_pixels=200_000))  # 480 000 pixels at 300 dpi: over the limit
    assert page.dpi == 193  # 72 * sqrt(200 000 / (144 * 192)) = 193.6
    h, w = page.image.shape[:2]
    assert h * w <= 200_000
    assert (w, h) == pytest.approx((144 * 193 / 72, 192 * 193 / 72), abs=2)
    assert page.image[3, 3, 0] > 150 and page.image[3, 3, 1] < 80  # the red marker: the page itself
    (small,) = list(read_pages(path, dpi=100, max_pixels=200_000))  # fits: the dpi asked for
    assert small.dpi == 100


def test_a_scan_saved_one_point_per_pixel_is_read_at_its_own_pixels(tmp_path: Path) -> None:
    path = tmp_path / "pil.pdf"
    _photo(600, 800).save(path, "PDF", resolution=72.0)  # PIL's default: a 600x800 pt page, 1 pt per pixel
    (page,) = list(read_pages(path, dpi=300, max_pixels=2_000_000))  # 8.3 MP at 300 dpi: over the limit
    # the highest dpi that fits is 146, but the page's only image has 72 ppi: its own pixels, not upsampled
    assert page.image.shape == (800, 600, 3)
    assert page.dpi is None  # 72 ppi is an image tool's placeholder, not the scan's resolution (as for rasters)
    assert page.image[5, 5, 0] > 150 and page.image[5, 5, 1] < 80


def test_a_pdf_page_too_large_even_at_72_dpi_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pil.pdf"
    _photo(600, 800).save(path, "PDF", resolution=72.0)
    with pytest.raises(IntakeError) as info:
        list(read_pages(path, max_pixels=400_000))  # 480 000 pixels at 72 dpi
    assert info.value.code == "too_large"
