"""Label-anchored search on OCR words: find a printed label, take the value right of it or below it.

Why labels and not fixed positions: the system is scored on layouts it has never seen; printed labels
("Ngày sinh / Date of birth") survive a new layout, coordinates do not. Labels are compared accent-
insensitively and fuzzily (OCR misreads), over windows of whole tokens so "Số" never matches inside a word.
A value stops at the next label the profile knows, so "Giới tính: Nam  Quốc tịch: Việt Nam" on one line
gives two fields.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from common.text import nfc
from extract.profiles import FieldSpec, Profile
from extract.textutil import Token, fold, fold_keep, tokenize_words
from ocr.types import Box, Line, OcrPage, Word


def allowed_edits(folded_label: str) -> int:
    """How many character edits an OCR'd label may differ by: none for short labels ("so", "trang"), one
    up to 11 characters, then about one in ten. Edits, not a ratio: "tran" must never pass for "trang"."""
    n = len(folded_label)
    if n <= 5:
        return 0
    if n <= 11:
        return 1
    return max(2, n // 10)


@dataclass
class Match:
    line: int        # index into the rows
    first: int       # first token index of the label in the row
    last: int        # last token index (inclusive)
    score: float
    label: str       # folded label


@dataclass
class Row:
    """A line of words sorted left to right, with its tokens."""
    words: list[Word]
    tokens: list[Token]
    box: Box

    @classmethod
    def of(cls, words: list[Word]) -> Row:
        words = sorted(words, key=lambda w: w.box[0])
        box = (min(w.box[0] for w in words), min(w.box[1] for w in words),
               max(w.box[2] for w in words), max(w.box[3] for w in words)) if words else (0, 0, 0, 0)
        return cls(words, tokenize_words([w.text for w in words]), box)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def find_label(tokens: list[Token], label: str, start: int = 0,
               accented: str = "") -> list[tuple[int, int, float]]:
    """All windows of tokens[start:] matching the folded label: (first, last, score 0..100), best first.
    `accented` (the label in lower case with its marks) is required of short one-word labels when the OCR
    word carries marks at all: "Số" must not match "Sổ"."""
    target = label.split()
    if not target:
        return []
    allowed = allowed_edits(label)
    hits: list[tuple[int, int, float]] = []
    k = len(target)
    for i in range(start, len(tokens)):
        if allowed == 0 and tokens[i].folded != target[0]:
            continue
        for n in {max(1, k - 1), k, k + 1}:
            j = i + n
            if j > len(tokens):
                continue
            if n != k and (tokens[i].folded[0] != label[0] or tokens[j - 1].folded[-1] != label[-1]):
                continue  # a split/merged window must still start and end like the label
            window = " ".join(t.folded for t in tokens[i:j])
            dist = Levenshtein.distance(window, label, score_cutoff=allowed)
            if dist > allowed:
                continue
            if n == k and k > 1 and not all(
                    Levenshtein.distance(t.folded, w, score_cutoff=1) <= (1 if len(w) >= 3 else 0)
                    for t, w in zip(tokens[i:j], target, strict=True)):
                continue  # word by word too: "ho chu dem ten ho" is not "ho chu dem ten vo"
            if accented and k == 1 and n == 1 and tokens[i].lower != tokens[i].folded \
                    and tokens[i].lower != accented:
                continue
            hits.append((i, j - 1, 100.0 * (1 - dist / max(1, len(label)))))
    # keep the best window per start position, then the best overall first
    best: dict[int, tuple[int, int, float]] = {}
    for h in hits:
        if h[0] not in best or h[2] > best[h[0]][2] or (h[2] == best[h[0]][2] and h[1] > best[h[0]][1]):
            best[h[0]] = h
    return sorted(best.values(), key=lambda h: (-h[2], h[0]))


COMMON_TITLES = ("Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập - Tự do - Hạnh phúc",
                 "Socialist Republic of Viet Nam", "Independence - Freedom - Happiness")


class LabelIndex:
    """Every label of a profile, folded, for matching and for knowing where a value stops."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.by_field: dict[str, list[str]] = {}
        self.accent: dict[str, str] = {}  # short one-word labels with their marks ("so" -> "số")
        for f in profile.fields:
            folded = sorted({fold(lb) for lb in f.labels if fold(lb)}, key=len, reverse=True)
            self.by_field[f.key] = folded
            for lb in f.labels:
                words = re.findall(r"[^\W_]+", nfc(lb).lower())
                if len(words) == 1 and len(fold(lb)) <= 5:
                    self.accent[fold(lb)] = words[0]
        self.titles = [fold(t) for t in [*COMMON_TITLES, *profile.titles] if fold(t)]
        self.stops = sorted({fold(s) for s in profile.stop_labels if fold(s)}, key=len, reverse=True)
        # "Năm:" in stop_labels: a short word that ends a value only when a colon follows it
        self.colon_stops = {fold(s) for s in profile.stop_labels if s.rstrip().endswith(":")}
        every = {lb for labels in self.by_field.values() for lb in labels} | set(self.stops)
        # labels a value may run into: short ones ("so", "no") are too common inside values to stop at
        self.stoppers = sorted((lb for lb in every if len(lb) > 4 or lb in self.colon_stops),
                               key=len, reverse=True)
        self.all_labels = sorted(every, key=len, reverse=True)

    def longer_labels(self, label: str) -> list[str]:
        """Labels that contain this one as whole tokens ("so" in "quyen so", "ho chu dem ten" in
        "ho chu dem ten nguoi me"): an occurrence inside one of them belongs to that other label."""
        return [lb for lb in self.all_labels if lb != label and f" {label} " in f" {lb} "]

    def stop_index(self, tokens: list[Token], start: int, own: list[str], texts: list[str] | None = None) -> int:
        """Token index where the next known label begins (or len(tokens)). `texts` (the words' text) lets
        colon-only stop labels check for their colon."""
        cut = len(tokens)
        for lb in self.stoppers:
            if lb in own:
                continue
            for first, last, _score in find_label(tokens, lb, start):
                if lb in self.colon_stops and (texts is None or
                                               ":" not in texts[tokens[last].word][tokens[last].end:][:2]):
                    continue
                if first >= start and first < cut:
                    cut = first
        return cut


def rows_of(page: OcrPage) -> list[Row]:
    return [Row.of(line.words) for line in page.lines if line.words]


@dataclass
class Located:
    """A field's raw text as found on the page, with the words it came from."""
    text: str
    words: list[Word] = field(default_factory=list)
    method: str = "label"   # label | region | find | mrz
    label_box: Box | None = None

    @property
    def box(self) -> Box | None:
        if not self.words:
            return None
        return (min(w.box[0] for w in self.words), min(w.box[1] for w in self.words),
                max(w.box[2] for w in self.words), max(w.box[3] for w in self.words))

    @property
    def confidence(self) -> float:
        if not self.words:
            return 0.0
        return min(w.confidence for w in self.words)

    @property
    def mean_confidence(self) -> float:
        if not self.words:
            return 0.0
        return sum(w.confidence for w in self.words) / len(self.words)


def line_has(row: Row, phrases: list[str]) -> bool:
    return any(find_label(row.tokens, fold(p)) for p in phrases if fold(p))


def scope(rows: list[Row], spec: FieldSpec) -> range:
    """Rows to search: from the first row holding an `after` phrase to the next row holding a `before`
    phrase (sections such as the mother's details in a birth register)."""
    lo, hi = 0, len(rows)
    if spec.after:
        for i, r in enumerate(rows):
            if line_has(r, spec.after):
                lo = i
                break
        else:
            return range(0)
    if spec.before:
        for i in range(lo + (1 if spec.after else 0), len(rows)):
            if line_has(rows[i], spec.before):
                hi = i
                break
    return range(lo, hi)


def _value_words(row: Row, tok_from: int, tok_to: int) -> list[Word]:
    """Words covering tokens [tok_from, tok_to); a word glued to its label ("Số:001") is cut to its tail."""
    if tok_from >= tok_to:
        return []
    out: list[Word] = []
    first = row.tokens[tok_from]
    last = row.tokens[tok_to - 1]
    for wi in range(first.word, last.word + 1):
        w = row.words[wi]
        start = first.start if wi == first.word else 0
        end = last.end if wi == last.word and tok_to < len(row.tokens) and \
            row.tokens[tok_to].word == wi else len(w.text)
        text = w.text[start:end] if (start or end != len(w.text)) else w.text
        if start or end != len(w.text):
            n = max(1, len(w.text))
            x0, y0, x1, y1 = w.box
            box = (x0 + (x1 - x0) * start // n, y0, x0 + (x1 - x0) * end // n, y1)
            w = Word(text=text, box=box, confidence=w.confidence, raw_text=w.raw_text)
        out.append(w)
    return out


_MARKER = re.compile(r"^(?:[a-zđ]|\d{1,2}|[IVXivx]{1,4})[).:]?$")


def _is_marker(words: list[Word]) -> bool:
    return len(words) == 1 and bool(_MARKER.match(words[0].text))


def _column(words: list[Word], max_gap: float) -> list[Word]:
    """Words left to right until a gap wider than max_gap: a wide gap means another column."""
    out: list[Word] = []
    for w in words:
        if out and w.box[0] - out[-1].box[2] > max_gap:
            break
        out.append(w)
    return out


def _phrase_start(row: Row, x: int) -> int:
    """Where the printed phrase holding a label begins: "Ngày sinh (bằng chữ):" starts at "Ngày", not at
    the matched "bằng chữ". Words closer than ~1.5 character heights belong to the same phrase."""
    words = sorted(row.words, key=lambda w: w.box[0])
    h = max(1, row.box[3] - row.box[1])
    start = x
    for w in reversed([w for w in words if w.box[2] <= x + 1]):
        if start - w.box[2] > 1.5 * h:
            break
        start = w.box[0]
    return start


def _skip_own_labels(row: Row, at: int, own: list[str]) -> int:
    """After 'Ngày sinh' comes '/ Date of birth': step over further variants of the same label."""
    moved = True
    while moved and at < len(row.tokens):
        moved = False
        for lb in own:
            for first, last, _ in find_label(row.tokens[at:at + len(lb.split()) + 1], lb):
                if first == 0:
                    at += last + 1
                    moved = True
                    break
            if moved:
                break
    return at


class Locator:
    """Finds the fields of one profile on one OCR page."""

    def __init__(self, profile: Profile, page: OcrPage):
        self.profile = profile
        self.page = page
        self.index = LabelIndex(profile)
        self.rows = rows_of(page)
        # title rows ("SỔ ĐĂNG KÝ KHAI SINH") hold words that fold like labels ("sổ" ~ "số"): never labels
        self.title_rows = {i for i, r in enumerate(self.rows)
                           if any(last - first + 1 >= 0.6 * len(r.tokens)
                                  for t in self.index.titles for first, last, _ in find_label(r.tokens, t))}

    # -- label search
    def find(self, spec: FieldSpec) -> tuple[int, int, int] | None:
        """(row, first label token, token after the label) of the best label occurrence in scope."""
        own = self.index.by_field.get(spec.key, [])
        best: tuple[float, int, int, int, int] | None = None
        for ri in scope(self.rows, spec):
            row = self.rows[ri]
            if ri in self.title_rows:
                continue
            for lb in own:
                longer = [x for x in self.index.longer_labels(lb) if x not in own]
                for first, last, score in find_label(row.tokens, lb, accented=self.index.accent.get(lb, "")):
                    if any(f2 <= first and l2 >= last for x in longer
                           for f2, l2, _ in find_label(row.tokens, x, max(0, first - len(x.split())))):
                        continue  # part of a more specific label of another field ("Quyển số")
                    key = (score + len(lb) / 100.0, -ri)
                    if best is None or key > (best[0], -best[1]):
                        best = (key[0], ri, first, last + 1, 0)
        if best is None:
            return None
        return best[1], best[2], best[3]

    def _right(self, ri: int, after_tok: int, own: list[str]) -> list[Word]:
        row = self.rows[ri]
        at = _skip_own_labels(row, after_tok, own)
        cut = self.index.stop_index(row.tokens, at, own, [w.text for w in row.words])
        words = _value_words(row, at, cut)
        if words or cut < len(row.tokens):
            return words
        # the OCR split the line: words of other rows level with the label, right of it
        lab = row.box
        mid = (lab[1] + lab[3]) / 2
        side = [w for r in self.rows if r is not row for w in r.words
                if w.box[1] <= mid <= w.box[3] and w.box[0] >= lab[2] - 2]
        if not side:
            return []
        srow = Row.of(side)
        cut = self.index.stop_index(srow.tokens, 0, own, [w.text for w in srow.words])
        return _value_words(srow, _skip_own_labels(srow, 0, own), cut)

    def _below(self, ri: int, label_box: Box, n: int, own: list[str], continuation: bool,
               phrase_x: int | None = None) -> list[list[Word]]:
        """Up to n rows below the label, each cut at the next label; stops at a row starting with a label.
        `phrase_x` is where the label's printed phrase begins (left edge of the label column)."""
        left = min(label_box[0], phrase_x if phrase_x is not None else label_box[0])
        out: list[list[Word]] = []
        height = max(1, label_box[3] - label_box[1])
        prev_bottom = self.rows[ri].box[3]
        for r in self.rows[ri + 1:]:
            if len(out) >= n:
                break
            if r.box[1] - prev_bottom > 2.5 * height:
                break
            ordered = sorted(r.words, key=lambda w: w.box[0])
            first = next((i for i, w in enumerate(ordered) if w.box[0] >= left - 2 * height), None)
            if first is None:
                continue
            if first > 0 and ordered[first].box[0] - ordered[first - 1].box[2] <= 3 * height:
                break  # the text runs on to the left of the label: a new paragraph, not this value
            cols = _column(ordered[first:], 3 * height)
            sub = Row.of(cols)
            start = _skip_own_labels(sub, 0, own)
            if start >= len(sub.tokens):
                prev_bottom = r.box[3]
                continue  # "Date of expiry" under "Có giá trị đến": the label's other half
            cut = self.index.stop_index(sub.tokens, start, own, [w.text for w in sub.words])
            if cut == start or (self.profile.stop_labels and line_has(sub, self.profile.stop_labels)):
                break
            words = _value_words(sub, start, cut)
            if _is_marker(words):
                break  # "c)" of the next list item, whose label was cut off
            if words and len(sub.words) <= 3 and sub.words[-1].text.endswith(":"):
                break  # a section heading ("Cha:", "Bên vợ:")
            if continuation and words and words[0].box[0] < label_box[0] - height:
                break
            if continuation and words and self._text_left_of(r, words[0].box[0], left - 2 * height):
                break  # another field's label sits left of this line (OCR split label and value)
            out.append(words)
            prev_bottom = r.box[3]
            if cut < len(sub.tokens):
                break
        return out

    def _text_left_of(self, row: Row, x: int, min_x: float) -> bool:
        """Words level with `row` (in it or in other rows), left of x but right of min_x."""
        y0, y1 = row.box[1], row.box[3]
        for r in self.rows:  # this row too: its own label may have been filtered out of the value column
            for w in r.words:
                mid = (w.box[1] + w.box[3]) / 2
                if y0 <= mid <= y1 and min_x <= w.box[0] and w.box[2] <= x:
                    return True
        return False

    def locate(self, spec: FieldSpec) -> Located | None:
        own = self.index.by_field.get(spec.key, [])
        if spec.position == "mrz":
            return self.locate_mrz()
        if spec.position != "region" and own:
            hit = self.find(spec)
            if hit is not None:
                ri, first, after_tok = hit
                row = self.rows[ri]
                lw = _value_words(row, first, after_tok) or row.words
                label_box = (min(w.box[0] for w in lw), min(w.box[1] for w in lw),
                             max(w.box[2] for w in lw), max(w.box[3] for w in lw))
                phrase_x = _phrase_start(row, label_box[0])
                parts: list[list[Word]] = []
                if spec.position in ("right", "right_or_below"):
                    right = self._right(ri, after_tok, own)
                    if right:
                        parts.append(right)
                        if spec.multiline and spec.max_lines > 1:
                            parts += self._below(ri, label_box, spec.max_lines - 1, own, True, phrase_x)
                if not parts and spec.position in ("below", "right_or_below"):
                    parts = self._below(ri, label_box, spec.max_lines if spec.multiline else 1, own, False,
                                        phrase_x)
                words = [w for p in parts for w in p]
                text = " ".join(" ".join(w.text for w in p) for p in parts)
                if text.strip(" :;,./-"):
                    return Located(text, words, "label", label_box)
                label_only = Located("", [], "label", label_box)
                found = self.locate_pattern(spec) if spec.params.get("find") else None
                return found or label_only  # the label is there, its value was not read: re-OCR beside it
        if spec.params.get("find"):
            found = self.locate_pattern(spec)
            if found is not None:
                return found
        if spec.region:
            return self.locate_region(spec.region)
        return None

    def locate_pattern(self, spec: FieldSpec) -> Located | None:
        """A value with no label (the GCN serial, the issue date line): a regex on each row's folded text,
        skipping rows that carry another field's label."""
        pattern = re.compile(spec.params["find"])
        other = [lb for k, lbs in self.index.by_field.items() if k != spec.key for lb in lbs if len(lb) > 4]
        for row in self.rows:
            text = row.text
            m = pattern.search(fold_keep(text))
            if not m:
                continue
            if any(find_label(row.tokens, lb) for lb in other):
                continue
            words, pos = [], 0
            for w in row.words:
                start, end = pos, pos + len(w.text)
                if end > m.start() and start < m.end():
                    words.append(w)
                pos = end + 1
            return Located(text[m.start():m.end()], words, "find")
        return None

    def locate_region(self, region: list[float]) -> Located | None:
        W, H = self.page.width, self.page.height
        if not W or not H:
            return None
        x0, y0, x1, y1 = region[0] * W, region[1] * H, region[2] * W, region[3] * H
        rows = []
        for row in self.rows:
            inside = [w for w in row.words
                      if x0 <= (w.box[0] + w.box[2]) / 2 <= x1 and y0 <= (w.box[1] + w.box[3]) / 2 <= y1]
            if inside:
                rows.append(inside)
        if not rows:
            return Located("", [], "region")
        words = [w for r in rows for w in r]
        return Located(" ".join(" ".join(w.text for w in r) for r in rows), words, "region")

    def locate_mrz(self) -> Located | None:
        from extract.mrz import clean_mrz_lines
        candidates = [r for r in self.rows if len(re.sub(r"\s", "", r.text)) >= 24]
        texts = [r.text for r in candidates]
        lines = clean_mrz_lines(texts)
        if not lines:
            return None
        keep = [r for r in candidates if clean_mrz_lines([r.text] * 3)[:1] and
                clean_mrz_lines([r.text] * 3)[0] in lines]
        words = [w for r in keep for w in r.words]
        return Located("\n".join(lines), words, "mrz")


def region_box(region: list[float], page: OcrPage) -> Box:
    W, H = page.width, page.height
    return (int(region[0] * W), int(region[1] * H), int(region[2] * W), int(region[3] * H))


def line_words(line: Line) -> list[Word]:
    return list(line.words)
