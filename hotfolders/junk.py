"""Names that are never documents: editor lock files, partial downloads, OS thumbnails and metadata."""
from __future__ import annotations

from fnmatch import fnmatch

JUNK_PATTERNS = ("~$*", "*.part", "*.partial", "*.tmp", "*.temp", "*.crdownload", "*.download", "*.swp",
                 "Thumbs.db", "desktop.ini", ".DS_Store", "._*", "*.reason.txt")


def is_junk(name: str) -> bool:
    """Hidden files (leading dot) and the patterns above, compared case-insensitively (Windows shares)."""
    if name.startswith("."):
        return True
    lowered = name.lower()
    return any(fnmatch(lowered, pattern.lower()) for pattern in JUNK_PATTERNS)
