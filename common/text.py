"""Unicode rules every stage shares: text is stored NFC; file names compare equal in NFC and NFD."""
from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """The one stored form. macOS writes file names NFD; Tesseract and spreadsheets may emit either."""
    return unicodedata.normalize("NFC", text)


def same_name(a: str, b: str) -> bool:
    """Compare two names the way a person would: NFD and NFC spellings of one word are the same word."""
    return nfc(a) == nfc(b)


# Characters that never belong in a stored value: control characters (C0/C1, except the whitespace we fold
# into spaces) and format characters — zero-width space/joiners, bidi overrides and isolates, the BOM, soft
# hyphen. They are invisible to a reviewer yet change what an export or a name comparison sees.
_WHITESPACE_CONTROLS = {"\t", "\n", "\r", "\x0b", "\x0c", "\x85"}


def clean_text(text: str, *, keep_newlines: bool = False) -> str:
    """NFC, invisible control and format characters removed, whitespace runs folded to one space (newlines
    kept when asked), ends trimmed: the one form in which text enters the store."""
    out = []
    for ch in nfc(text):
        if ch in _WHITESPACE_CONTROLS:
            out.append("\n" if keep_newlines and ch == "\n" else " ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    joined = "".join(out)
    if keep_newlines:
        return "\n".join(" ".join(line.split()) for line in joined.split("\n")).strip()
    return " ".join(joined.split())


def name_skeleton(name: str) -> str:
    """What a person sees of an account name: compatibility forms folded (NFKC), case and invisible characters
    ignored. Two names with one skeleton look identical on screen (`rev1` and `rev1` + zero-width space)."""
    return clean_text(unicodedata.normalize("NFKC", name)).casefold()
