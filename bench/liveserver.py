"""Serve the app from a background thread on a free local port — under waitress, the production server
(review/server.py) — and launch Debian's Chromium: shared by the browser tests and `sohoa bench review`."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from review.server import running

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def serve_in_thread(app) -> Iterator[str]:
    """Yields the base URL; the server stops when the block ends."""
    with running(app) as base:
        yield base


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
