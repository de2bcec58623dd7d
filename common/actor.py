"""Who is acting, for the audit trail: a review-app account name, or for the command line the operating-system
user and host (the CLI has no login of its own; the machine account is what an administrator can trace)."""
from __future__ import annotations

import getpass
import socket


def cli_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        user = "?"
    return f"os:{user}@{socket.gethostname()}"
