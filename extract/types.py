"""What extraction hands to the store: a typed record whose every field has value, confidence, status."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["accepted", "needs_review", "invalid"]
Box = tuple[int, int, int, int]


@dataclass
class FieldValue:
    """One field. `reason` says in plain Vietnamese (English gloss) why it is not accepted, or which rule
    it broke. `box` is where the value sits on page `page` (prepared-page pixels), for the review crop."""
    value: str
    confidence: float
    status: Status
    reason: str = ""
    box: Box | None = None
    page: int = 0
    source: str = "ocr"  # ocr | mrz | rule | legacy | reviewer


@dataclass
class Person:
    """An owner listed on a GCN (chuSuDung): hoTen, namSinh, loaiGiayTo, soGiayTo, diaChi."""
    fields: dict[str, FieldValue] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # e.g. "doi_soat_cong_an": 9-digit CMND to reconcile


@dataclass
class Record:
    """One document: a registration (hộ tịch), one side of an ID card, or a GCN."""
    doc_type: str               # profile name, e.g. "ks", "cccd_front", "gcn_2014", or "unknown"
    doc_confidence: float
    fields: dict[str, FieldValue] = field(default_factory=dict)
    owners: list[Person] = field(default_factory=list)  # GCN chuSuDung
    pages: list[int] = field(default_factory=list)
    reason: str = ""            # why doc_type is unknown, when it is
    flags: list[str] = field(default_factory=list)  # work outside the app, e.g. "doi_soat_cong_an"

    @property
    def needs_review(self) -> bool:
        all_fields = list(self.fields.values()) + [f for p in self.owners for f in p.fields.values()]
        return self.doc_type == "unknown" or any(f.status != "accepted" for f in all_fields)
