"""One exception hierarchy for everything sohoa tells a person about: a stable `code` (for logs, tests and
the watcher's quarantine reasons) and a `message` in plain Vietnamese with an English gloss.

The command line prints `message` on one line and exits non-zero (sohoa/cli.py); the watcher quarantines a
file on a permanent error and retries a transient one (hotfolders/worker.py); the review app answers with an
error page carrying `message` and the HTTP status of the class (review/app.py). Errors are matched by class,
never by duck-typed attributes.
"""
from __future__ import annotations


class SohoaError(Exception):
    """Base of every error meant for a person. Subclasses set `code`, `http_status` and `transient`."""

    code = "error"
    http_status = 400
    transient = False  # True: trying again later may work (a busy store, a file still locked)

    def __init__(self, message: str = "", *, code: str | None = None, detail: str = "") -> None:
        self.code = code or type(self).code
        self.message = message or self.code
        self.detail = detail  # technical cause for the log; never personal data (ids only)
        super().__init__(self.message)  # str(error) is what a person reads; code and detail are for logs


class InputError(SohoaError):
    """A dropped file that cannot become a page (corrupt, encrypted, not an image …): quarantined."""

    code = "input"


class ConfigError(SohoaError):
    """A configuration, profile or template file that does not follow its schema."""

    code = "config"


class WorkspaceError(SohoaError):
    """The folder given is not a workspace, or no workspace was given where one is needed."""

    code = "workspace"


class StoreError(SohoaError):
    """The store refused an operation (an unknown row, a state change the state machine forbids)."""

    code = "store"
    http_status = 409


class StoreBusy(StoreError):
    """Another writer held the store past the busy timeout: nothing was written; try again."""

    code = "store_busy"
    http_status = 503
    transient = True


class StoreUnreachable(StoreError):
    """The store's server did not answer (down, wrong host or port, refused login): nothing was done."""

    code = "store_unreachable"
    http_status = 503
    transient = True


class Conflict(StoreError):
    """Someone else changed or holds the thing being written (a record locked or already reviewed)."""

    code = "conflict"
    http_status = 409


class ClaimLost(Conflict):
    """Another workstation took the file over (this one's lease ran out): what this one did is not kept."""

    code = "claim_lost"


class FileKnown(Conflict):
    """Another workstation registered the same inbox file first: it is that one's to process."""

    code = "file_known"


class AccountError(SohoaError):
    """A refused account operation (weak password, unknown role, look-alike name …)."""

    code = "account"


class ExportError(SohoaError):
    """An export could not be written or did not read back correctly. No partial final file is left."""

    code = "export"
