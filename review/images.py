"""Page images and field crops, served by record id and field key only — never by a path from the URL.

The file behind a page comes from the store and must resolve inside the workspace; anything else is a 404.
Decoded pages are kept in a small LRU cache because a reviewer's screen asks for several crops of the
same page at once.
"""
from __future__ import annotations

import io
import logging
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request
from PIL import Image, ImageOps

from review import queries
from review.auth import require

log = logging.getLogger(__name__)
bp = Blueprint("images", __name__, url_prefix="/img")

PAGE_MAX_WIDTH = 1100   # the page view is scaled down (about 2× its on-screen width); crops use full resolution
CROP_MARGIN = 12


class PageCache:
    """A few decoded pages, keyed by path and mtime so a re-prepared page is re-read."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, float], Image.Image] = OrderedDict()
        self._views: OrderedDict[tuple[str, float], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def view_jpeg(self, path: Path) -> bytes:
        """The page scaled for the screen, JPEG-encoded once and kept (the same page is shown again on
        every save that is refused, on back/forward, and to the approver)."""
        key = (str(path), path.stat().st_mtime)
        with self._lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key]
        im = self.get(path)
        if im.width > PAGE_MAX_WIDTH:
            im = im.resize((PAGE_MAX_WIDTH, round(im.height * PAGE_MAX_WIDTH / im.width)),
                           Image.Resampling.BILINEAR)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=82)
        data = buf.getvalue()
        with self._lock:
            self._views[key] = data
            while len(self._views) > 4 * self.size:
                self._views.popitem(last=False)
        return data

    def warm(self, path: Path | None) -> None:
        """Decode and encode a page ahead of time (the next record's), off the request thread."""
        if path is None:
            return
        def run() -> None:
            try:
                self.view_jpeg(path)
            except OSError:
                log.info("page warm-up failed")
        threading.Thread(target=run, daemon=True).start()

    def get(self, path: Path) -> Image.Image:
        key = (str(path), path.stat().st_mtime)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im)
            im = im.convert("L") if im.mode in ("1", "L", "I;16") else im.convert("RGB")
            im.load()
        with self._lock:
            self._items[key] = im
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return im


IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp"})


def safe_page_path(workspace: Path, stored: str | Path | None) -> Path | None:
    """The page file if it is a regular image file inside the workspace, else None: no traversal, no symlink
    out, and never anything else in the workspace — opening the store's own file would drop the server's
    SQLite locks when it is closed again."""
    if not stored:
        return None
    root = workspace.resolve()
    path = Path(stored)
    path = (path if path.is_absolute() else root / path).resolve()
    if not path.is_relative_to(root) or path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
        return None
    return path


def _decoded(getter, path: Path):
    """A page image, or 404 when the recorded file is not a readable image (never a 500)."""
    try:
        return getter(path)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        log.info("page file is not a readable image")
        abort(404)


def page_size(workspace: Path, stored: str | Path | None) -> tuple[int, int]:
    """Width and height of a page file without decoding it (for the highlight overlay)."""
    path = safe_page_path(workspace, stored)
    if path is None:
        return (1, 1)
    try:
        with Image.open(path) as im:
            w, h = im.size
            # only JPEG/TIFF carry an orientation tag worth reading; PNG's getexif() would decode the image
            if im.format in ("JPEG", "MPO", "TIFF") and (im.getexif().get(0x0112) or 1) in (5, 6, 7, 8):
                w, h = h, w
    except (OSError, ValueError, SyntaxError):
        return (1, 1)
    return (w, h)


def _page_image(record_id: int, n: int) -> Image.Image:
    workspace: Path = current_app.config["WORKSPACE"]
    stored = queries.page_file(current_app.config["STORE"], record_id, n)
    path = safe_page_path(workspace, stored)
    if path is None:
        log.info("no page image record=%s page=%s", record_id, n)
        abort(404)
    return _decoded(current_app.config["PAGE_CACHE"].get, path)


def _encoded(data: bytes, fmt: str) -> Response:
    resp = Response(data, mimetype=f"image/{fmt.lower()}")
    resp.headers["Cache-Control"] = "private, max-age=300"
    return resp


@bp.route("/record/<int:record_id>/page/<int:n>")
@require("view")
def page(record_id: int, n: int):
    path = safe_page_path(current_app.config["WORKSPACE"],
                          queries.page_file(current_app.config["STORE"], record_id, n))
    if path is None:
        log.info("no page image record=%s page=%s", record_id, n)
        abort(404)
    return _encoded(_decoded(current_app.config["PAGE_CACHE"].view_jpeg, path), "JPEG")


@bp.route("/record/<int:record_id>/crop")
@require("view")
def crop(record_id: int):
    found = queries.field_box(current_app.config["STORE"], record_id, request.args.get("key", "")[:200])
    if found is None:
        abort(404)
    (x, y, w, h), page_index = found
    im = _page_image(record_id, page_index)
    box = (max(0, x - CROP_MARGIN), max(0, y - CROP_MARGIN),
           min(im.width, x + w + CROP_MARGIN), min(im.height, y + h + CROP_MARGIN))
    if box[2] <= box[0] or box[3] <= box[1]:
        abort(404)
    buf = io.BytesIO()
    im.crop(box).save(buf, "PNG", compress_level=1)
    return _encoded(buf.getvalue(), "PNG")
