"""The review app's production server: waitress, a maintained pure-Python WSGI server (no compiler, runs
the same on Linux and Windows workstations), instead of werkzeug's development server.

Settings, and why:
- `threads` (default 8; `[review] threads`): requests are short (a page render, a save of one record)
  and wait mostly on the store, so a small thread pool serves a room of reviewers; each thread takes its
  own connection from the store's pool.
- request size limit = the app's MAX_CONTENT_LENGTH (2 MiB: a form of one record is a few kB), headers
  64 kB: a body or header past it is refused by the server before the app reads it.
- `channel_timeout` 60 s: an idle or stalled connection (a laptop closed mid-request) is dropped instead
  of holding a slot; `connection_limit` 200 open connections at most; `cleanup_interval` 30 s.
- poll() instead of select(): no 1,024-descriptor ceiling.
A request never waits on the store for ever either: SQLite's busy timeout and PostgreSQL's lock_timeout
(store/engine.py) end it with a "store busy, try again" page.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_THREADS = 8
CHANNEL_TIMEOUT = 60
CONNECTION_LIMIT = 200
HEADER_LIMIT = 64 * 1024


def create_server(app, host: str = "127.0.0.1", port: int = 8080, *, threads: int = DEFAULT_THREADS):
    """A waitress server for the Flask app, not yet running (`.run()` serves until interrupted)."""
    from waitress import create_server as waitress_server

    return waitress_server(
        app, host=host, port=port, threads=threads,
        max_request_body_size=int(app.config.get("MAX_CONTENT_LENGTH") or 2 * 1024 * 1024),
        max_request_header_size=HEADER_LIMIT, channel_timeout=CHANNEL_TIMEOUT,
        connection_limit=CONNECTION_LIMIT, cleanup_interval=30, asyncore_use_poll=True)


@contextmanager
def running(app, host: str = "127.0.0.1", port: int = 0, *, threads: int = DEFAULT_THREADS) -> Iterator[str]:
    """Serve from a background thread (tests, benchmarks); yields the base URL and stops the server after.
    waitress has no stop call of its own: every channel in its map is closed, which ends its loop, then
    its worker threads are shut down."""
    server = create_server(app, host, port, threads=threads)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.effective_port}"
    finally:
        logging.getLogger("waitress").setLevel(logging.CRITICAL)  # the loop's own complaints while closing
        while server._map:
            for channel in list(server._map.values()):
                channel.handle_close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=10)
