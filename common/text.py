"""Unicode rules every stage shares: text is stored NFC; file names compare equal in NFC and NFD."""
from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """The one stored form. macOS writes file names NFD; Tesseract and spreadsheets may emit either."""
    return unicodedata.normalize("NFC", text)


def same_name(a: str, b: str) -> bool:
    """Compare two names the way a person would: NFD and NFC spellings of one word are the same word."""
    return nfc(a) == nfc(b)
