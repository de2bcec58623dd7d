"""The OCR layout hint (ocr.layout vocabulary: "card", "form", "page", or None = let OCR decide) for a
hot-folder kind or an extraction profile name. OCR knows no document types; this one small function
holds the mapping until the document-type registry (profiles/) carries each type's hint."""
from __future__ import annotations

CARD_KINDS = ("cccd", "cmnd", "cancuoc")                    # and their profiles cccd_front, cmnd_back, …
FORM_KINDS = frozenset({"ks", "kt", "kh", "hn", "cmc", "register", "book"})  # register books: label: value rows


def ocr_layout_for(kind: str | None) -> str | None:
    """"card" for ID cards, "form" for register pages, "page" for land certificates, None otherwise."""
    name = (kind or "").strip().lower()
    if name.startswith(CARD_KINDS):
        return "card"
    if name in FORM_KINDS:
        return "form"
    if name.startswith("gcn"):
        return "page"
    return None
