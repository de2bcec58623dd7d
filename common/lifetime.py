"""Worker processes that leave when their parent dies: a parent killed with -9 cannot stop its pool, and a
worker blocked on its queue would otherwise run for ever (holding memory and, for an export, a half-written
temp file)."""
from __future__ import annotations

import os
import threading
import time


def exit_with_parent() -> None:
    """Call in a pool worker's initializer: a daemon thread ends the process once its parent is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()
