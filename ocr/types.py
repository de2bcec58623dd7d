"""What the OCR stage hands to extraction: words with boxes and confidences, grouped in lines."""
from __future__ import annotations

from dataclasses import dataclass, field

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels (prepared-page coordinates)


@dataclass
class Word:
    text: str          # NFC, Vietnamese text layer applied
    box: Box
    confidence: float  # 0..1
    raw_text: str = "" # what Tesseract returned before the Vietnamese text layer


@dataclass
class Line:
    words: list[Word]
    box: Box

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def confidence(self) -> float:
        return min((w.confidence for w in self.words), default=0.0)


@dataclass
class OcrPage:
    lines: list[Line] = field(default_factory=list)  # reading order
    width: int = 0
    height: int = 0
    lang: str = "vie"
    psm: int = 6

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)
