"""Putting people together: GCN owner blocks -> list of Person; a card's front + back -> one person.

GCN owners are written as prose ("Ông NGUYỄN VĂN AN, sinh năm 1960, CMND số: 0123…; và vợ là bà
TRẦN THỊ BÌNH, sinh năm 1962, CCCD số …; Địa chỉ thường trú: …"), so they are parsed with patterns on the
accent-folded text, not with labels. A couple often shares one address: whoever has none gets the
other's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from common.doctypes import load_registry
from extract.confidence import Evidence, field_value
from extract.locate import Row, find_label, line_has
from extract.normalize import norm_code, norm_id_digits, norm_name, norm_text, norm_year
from extract.profiles import OwnersSpec
from extract.textutil import fold, fold_keep, strip_accents
from extract.types import FieldValue, Person, Record
from extract.validate import check_id_number
from ocr.types import Word


@dataclass
class _Text:
    """Owner-block text with, for every character, the word it came from (for boxes and confidences)."""
    text: str
    owner: list[int]   # word index per character, -1 for joining spaces
    words: list[Word]

    def span_words(self, start: int, end: int) -> list[Word]:
        idx = sorted({self.owner[i] for i in range(start, min(end, len(self.owner))) if self.owner[i] >= 0})
        return [self.words[i] for i in idx]


def _block(rows: list[Row], spec: OwnersSpec) -> _Text | None:
    start = None
    for i, r in enumerate(rows):
        if line_has(r, spec.start):
            start = i
            break
    if start is None:
        return None
    words: list[Word] = []
    first_row = rows[start]
    # skip the heading itself on its row
    skip = 0
    for phrase in sorted(spec.start, key=len, reverse=True):
        hits = find_label(first_row.tokens, fold(phrase))
        if hits:
            skip = first_row.tokens[hits[0][1]].word + 1
            break
    words += first_row.words[skip:]
    for r in rows[start + 1:]:
        if line_has(r, spec.end):
            cut = len(r.words)
            for phrase in spec.end:
                for first, _last, _ in find_label(r.tokens, fold(phrase)):
                    cut = min(cut, r.tokens[first].word)
            words += r.words[:cut]
            break
        words += r.words
    parts, owner = [], []
    for i, w in enumerate(words):
        if parts:
            parts.append(" ")
            owner.append(-1)
        parts.append(w.text)
        owner += [i] * len(w.text)
    return _Text("".join(parts), owner, words)


_MARKER = re.compile(r"(?:(?<=^)|(?<=[;,.:(])|(?<=\bva)|(?<=\bvo)|(?<=\bla)|(?<=\bchong)|(?<=\bho)"
                     r"|(?<=\bdinh))\s*(ong|ba)(?![a-z0-9])\s*[:.]?\s*")
_NAME_END = re.compile(r"[,;(]|\b(?:sinh nam|nam sinh|sinh ngay|cmnd|cccd|can cuoc|chung minh|ho chieu|"
                       r"so dinh danh|dia chi|thuong tru|va vo|va chong)\b")
_YEAR = re.compile(r"\b(?:sinh nam|nam sinh|sinh ngay)\s*:?\s*([0-9oil|]{4}|[0-9/.\-]{8,10})")
_PAPER = re.compile(r"\b(cmnd|cmtnd|cccd|can cuoc cong dan|can cuoc|chung minh nhan dan|ho chieu|"
                    r"so dinh danh ca nhan|so dinh danh)\s*(?:so)?\s*:?\s*([0-9oil|][0-9oil|\s.]{7,17}[0-9oil|])")
_ADDRESS = re.compile(r"\b(?:dia chi thuong tru|dia chi|thuong tru tai|thuong tru|noi cu tru|cu tru tai)"
                      r"\s*:?\s*")


def _fv(text: _Text, start: int, end: int, value: str, ok: bool, checked: bool, failures: list[str],
        reason: str, handwriting: bool) -> FieldValue:
    words = text.span_words(start, end)
    confs = [w.confidence for w in words] or [0.0]
    ev = Evidence(value=value, mean_confidence=sum(confs) / len(confs), min_confidence=min(confs),
                  normalized=ok, checked=checked, validated=checked and not failures, failures=failures,
                  reason=reason, handwriting_possible=handwriting)
    box = (min(w.box[0] for w in words), min(w.box[1] for w in words),
           max(w.box[2] for w in words), max(w.box[3] for w in words)) if words else None
    return field_value(ev, box=box)


def _person(text: _Text, seg_start: int, seg_end: int, handwriting: bool) -> tuple[Person, bool]:
    folded = fold_keep(text.text)
    seg = folded[seg_start:seg_end]
    person = Person()
    m_end = _NAME_END.search(seg)
    name_end = seg_start + (m_end.start() if m_end else len(seg))
    raw_name = text.text[seg_start:name_end]
    n = norm_name(raw_name, {"min_words": 2})
    person.fields["hoTen"] = _fv(text, seg_start, name_end, n.value, n.ok, n.checked, [], n.reason, handwriting)
    has_detail = False
    m = _YEAR.search(seg)
    if m:
        has_detail = True
        s, e = seg_start + m.start(1), seg_start + m.end(1)
        y = norm_year(text.text[s:e])
        person.fields["namSinh"] = _fv(text, s, e, y.value, y.ok, y.checked, [], y.reason, handwriting)
    m = _PAPER.search(seg)
    if m:
        has_detail = True
        ks, ke = seg_start + m.start(1), seg_start + m.end(1)
        kind = norm_code(text.text[ks:ke], {"table": "giayToGcn"})
        s, e = seg_start + m.start(2), seg_start + m.end(2)
        num = norm_id_digits(text.text[s:e])
        check = check_id_number(num.value) if num.ok else None
        failures = [] if check is None or check.ok else [check.message]
        if check is not None and check.flag:
            person.flags.append(check.flag)
        if kind.value == "CMND" and num.ok and len(num.value) == 12:
            kind.value = "CMND"  # 12-digit CMND cards exist (2012-2016): keep the printed kind
        person.fields["loaiGiayTo"] = _fv(text, ks, ke, kind.value, kind.ok, kind.checked, [], kind.reason,
                                          handwriting)
        person.fields["soGiayTo"] = _fv(text, s, e, num.value, num.ok, num.checked, failures, num.reason,
                                        handwriting)
    m = _ADDRESS.search(seg)
    if m:
        s, e = seg_start + m.end(), seg_end
        a = norm_text(re.sub(r"\s+(?:[IVX]+|\d+)\s*[.)]?\s*$", "", text.text[s:e]))  # next heading's "II."
        person.fields["diaChi"] = _fv(text, s, e, a.value, a.ok, a.checked, [], a.reason, handwriting)
    return person, has_detail


def parse_owners(rows: list[Row], spec: OwnersSpec, handwriting: bool = False) -> list[Person]:
    """The owners of a GCN, in printed order; couples become two persons."""
    text = _block(rows, spec)
    if text is None or not text.text.strip():
        return []
    folded = fold_keep(text.text)
    starts = [(m.start(1), m.end()) for m in _MARKER.finditer(folded)]
    if not starts:
        return []
    segments: list[tuple[int, int]] = []
    for i, (_s, body) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(folded)
        segments.append((body, end))
    people: list[tuple[Person, tuple[int, int]]] = []
    for seg in segments:
        person, detailed = _person(text, seg[0], seg[1], handwriting)
        if not detailed and people:
            # "…, Ba Đình, Hà Nội": a false marker inside the previous owner's address: glue it back
            prev_seg = (people[-1][1][0], seg[1])
            merged, _ = _person(text, prev_seg[0], prev_seg[1], handwriting)
            people[-1] = (merged, prev_seg)
            continue
        people.append((person, seg))
    owners = [p for p, _ in people]
    # a couple's shared address, written once
    for p in owners:
        if "diaChi" not in p.fields:
            donor = next((o for o in owners if "diaChi" in o.fields), None)
            if donor is not None:
                shared = donor.fields["diaChi"]
                p.fields["diaChi"] = FieldValue(shared.value, shared.confidence, shared.status, shared.reason,
                                                shared.box, shared.page, shared.source)
    # trailing couple connectives left at a name's end ("… và vợ là")
    for p in owners:
        name = p.fields.get("hoTen")
        if name is not None:
            name.value = re.sub(r"\s+(Và|Vợ|Chồng|Là)(\s+(Vợ|Chồng|Là))*$", "", name.value)
    return owners


# ---------------------------------------------------------------- ID card front + back

MISMATCH = "không khớp với MRZ mặt sau (does not match the MRZ on the back)"
MRZ_OTHER_SIDE = ("MRZ mặt sau ghi {mrz!r}, OCR đọc {ocr!r}: lấy theo MRZ (the back's MRZ holds {mrz!r}, OCR read "
                  "{ocr!r}: the MRZ wins)")
QR_OTHER_SIDE = "mã QR mặt kia ghi {qr!r}, OCR đọc {ocr!r}: lấy theo mã QR (the other side's QR code holds {qr!r}, " \
    "OCR read {ocr!r}: the QR wins)"
AGREES_OTHER_SIDE = "xác nhận: khớp với {src} mặt kia (confirmed: agrees with the other side's {src})"
SURE = ("qr", "mrz")   # sources that settle a field: an error-corrected code, a zone whose check digits pass


def card_side(doc_type: str) -> tuple[str, frozenset[str]]:
    """('front' | 'back' | '', the card models this side belongs to) from the registry and the profile."""
    from extract.profiles import load_profiles
    doc = load_registry().get(doc_type)
    if doc is None or doc.family != "card":
        return "", frozenset()
    profile = load_profiles().get(doc_type)
    models = frozenset(m.name for m in profile.card.models) if profile is not None and profile.card else frozenset()
    return doc.type.side, models


def _sure(fv: FieldValue | None) -> bool:
    return fv is not None and fv.source in SURE and fv.status == "accepted" and bool(fv.value)


def belong_together(front: Record, back: Record) -> str:
    """Why a card front and a back are the two sides of one card ('' when they are not): their 12-digit
    numbers agree (from the QR code, the MRZ or a printed number), or the back's MRZ carries the front's
    number; birth dates must not disagree where both are sure. The sides must be of one card model."""
    fs, fmodels = card_side(front.doc_type)
    bs, bmodels = card_side(back.doc_type)
    if (fs, bs) != ("front", "back") or not fmodels & bmodels:
        return ""
    fid, bid = front.fields.get("soDinhDanh"), back.fields.get("soDinhDanh")
    if fid is None or not fid.value or fid.status == "invalid":
        return ""
    fb, bb = front.fields.get("ngaySinh"), back.fields.get("ngaySinh")
    if fb is not None and bb is not None and fb.value != bb.value and (_sure(fb) or fb.status == "accepted") \
            and (_sure(bb) or bb.status == "accepted"):
        return ""
    if bid is not None and bid.value == fid.value and (_sure(fid) or _sure(bid)):
        return "số định danh (ID number)"
    mrz = back.fields.get("mrz")
    if mrz is not None and len(fid.value) == 12 and fid.value[3:] in mrz.value.replace("<", "").split("\n")[0] \
            and (fb is None or bb is None or fb.value == bb.value):
        return "MRZ"
    return ""


def _settle(dst: Record, key: str, src: FieldValue, kind: str) -> None:
    """`dst`'s field `key` agrees with a sure value of the other side (accepted), or takes it (the reason
    keeps what OCR read). Sure values of its own and reviewers' values are never touched."""
    mine = dst.fields.get(key)
    if mine is None or mine.source in SURE or mine.source == "reviewer":
        return
    name = "mã QR (QR code)" if kind == "qr" else "MRZ"
    if mine.value == src.value:
        if mine.status != "accepted":
            mine.status, mine.confidence = "accepted", max(mine.confidence, 0.99)
            mine.reason = AGREES_OTHER_SIDE.format(src=name)
        return
    template = QR_OTHER_SIDE if kind == "qr" else MRZ_OTHER_SIDE
    reason = template.format(qr=src.value, mrz=src.value, ocr=mine.value)
    dst.fields[key] = FieldValue(src.value, 1.0, "accepted", reason, mine.box, mine.page, kind)


def share_qr(a: Record, b: Record) -> None:
    """A decoded QR on one side (chip CCCD front, Căn cước back) settles the same fields printed on the other
    side: an agreeing reading is accepted, a disagreeing one replaced (the reason keeps what OCR read)."""
    for src, dst in ((a, b), (b, a)):
        for key, qr in list(src.fields.items()):
            if qr.source == "qr" and qr.status == "accepted":
                _settle(dst, key, qr, "qr")


def _mrz_line3(name: str) -> str:
    """The MRZ name line a printed name gives: SURNAME<<GIVEN<NAMES without marks, cut to 30."""
    parts = strip_accents(name).upper().replace("Đ", "D").split()
    if len(parts) < 2:
        return ""
    return (parts[0] + "<<" + "<".join(parts[1:]) + "<" * 30)[:30]


def confirm_mrz_name(back: Record, name: FieldValue | None) -> None:
    """The MRZ's name line has no check digit. A sure name (the QR code's, on either side) settles it: a line
    that reads the same is accepted, one within two letters of it (OCR-B slips: 'THTI' for 'THI') is
    replaced by it; a printed name read by OCR that gives exactly the same line confirms it too (two
    independent readings agree letter for letter)."""
    from rapidfuzz.distance import Levenshtein

    mrz, mrz_name = back.fields.get("mrz"), back.fields.get("hoTenMrz")
    if mrz is None or name is None or not name.value or mrz.source != "mrz":
        return
    lines = mrz.value.split("\n")
    expected = _mrz_line3(name.value)
    if len(lines) != 3 or not expected:
        return
    from extract.mrz import clean_mrz_lines, parse_td1
    if not parse_td1(clean_mrz_lines(lines) or lines).valid:
        return
    sure = name.source == "qr" and name.status == "accepted"
    same = lines[2] == expected
    if not same and not (sure and Levenshtein.distance(lines[2].rstrip("<"), expected.rstrip("<")) <= 2):
        return
    if not same:
        mrz.value = "\n".join([lines[0], lines[1], expected])
        mrz.reason = "dòng tên MRZ theo tên trong mã QR (MRZ name line from the QR code's name)"
    for fv in (mrz, mrz_name):
        if fv is not None and fv.status == "needs_review":
            fv.status, fv.confidence = "accepted", 1.0
            if fv is mrz_name:
                fv.value = " ".join(expected.replace("<<", " ").replace("<", " ").split())
            if same:
                fv.reason = ""


def settle_sides(front: Record, back: Record) -> None:
    """Both sides of one card, settled in place: a decoded QR code on either side settles the other side's
    same fields, the back's verified MRZ (number, birth date, sex, expiry) settles the front's, and a sure
    name confirms (or mends) the MRZ's name line. Agreeing readings are accepted; disagreeing ones replaced,
    the reason keeping what OCR read."""
    share_qr(front, back)
    for key, fv in list(back.fields.items()):
        if fv.source == "mrz" and fv.status == "accepted" and key in ("soDinhDanh", "ngaySinh", "gioiTinh",
                                                                      "coGiaTriDen"):
            _settle(front, key, fv, "mrz")
    confirm_mrz_name(back, front.fields.get("hoTen"))
    confirm_mrz_name(back, back.fields.get("hoTen"))


def merge_card(front: Record, back: Record) -> Record:
    """One person from both sides (settle_sides first). MRZ-verified values (source 'mrz') replace the printed
    zone's; a printed value that disagrees with them is kept out (the MRZ wins) and noted in the reason of
    the merged field."""
    settle_sides(front, back)
    merged = Record(doc_type=front.doc_type, doc_confidence=min(front.doc_confidence, back.doc_confidence),
                    fields=dict(front.fields), owners=list(front.owners),
                    pages=front.pages + back.pages, flags=sorted(set(front.flags) | set(back.flags)))
    for key, fv in back.fields.items():
        mine = merged.fields.get(key)
        if mine is None:
            merged.fields[key] = fv
        elif fv.source in SURE and fv.status == "accepted" and mine.source != "qr":
            if mine.value != fv.value:
                fv = FieldValue(fv.value, fv.confidence, fv.status, f"{MISMATCH}: {mine.value!r}", fv.box,
                                fv.page, fv.source)
            merged.fields[key] = fv
    return merged


def pair_in_order(records: list[Record]) -> list[tuple[int, int, str]]:
    """(front index, back index, why) for the card sides of `records` taken in the order they were dropped
    (a file's pages, then a folder's files by name): each front with the nearest unpaired back that belongs
    to it (belong_together), before or after it."""
    out: list[tuple[int, int, str]] = []
    used: set[int] = set()
    for i, rec in enumerate(records):
        if card_side(rec.doc_type)[0] != "front":
            continue
        for j in sorted((j for j in range(len(records)) if j != i), key=lambda j: (abs(j - i), j < i)):
            if j in used or card_side(records[j].doc_type)[0] != "back":
                continue
            why = belong_together(rec, records[j])
            if why:
                used.add(j)
                out.append((i, j, why))
                break
    return out


def pair_cards(records: list[Record]) -> list[Record]:
    """Merge each card front with the back that belongs to it; everything else passes through."""
    pairs = {i: j for i, j, _ in pair_in_order(records)}
    backs = set(pairs.values())
    out: list[Record] = []
    for i, rec in enumerate(records):
        if i in backs:
            continue
        out.append(merge_card(rec, records[pairs[i]]) if i in pairs else rec)
    return out
