"""One prepared page + its OCR -> a Record whose every field has value, confidence, status, box.

Order: classify (unless told the profile) -> for each field: locate by label (or pattern/region) ->
normalise -> validate -> if weak and an engine is given, re-read the field's box with the profile's OCR
settings and keep the better reading -> MRZ values outrank printed ones -> cross-field checks -> GCN
owners -> status per field.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from common.doctypes import load_registry
from extract.classify import UNKNOWN_REASON, classify
from extract.confidence import (
    LOW_CONFIDENCE,
    MAYBE_HANDWRITTEN,
    REGION_ONLY,
    UNCHECKED_TEXT,
    Evidence,
    decide,
    field_value,
    syllables_ok,
)
from extract.data import code_table
from extract.locate import Located, Locator, region_box
from extract.merge import parse_owners
from extract.mrz import clean_mrz_lines, parse_td1
from extract.normalize import Normalized, normalize
from extract.profiles import FieldSpec, Profile, load_profiles
from extract.textutil import bare_syllables
from extract.types import FieldValue, Record
from extract.validate import AGREEMENT_CHECKS, run_cross_checks, run_validator
from ocr.types import OcrPage

log = logging.getLogger(__name__)

UNIFORM_BLOCK = 6  # Tesseract's page segmentation for one uniform block of text
MRZ_FIELDS = ("soDinhDanh", "ngaySinh", "gioiTinh", "coGiaTriDen")


@dataclass
class Reading:
    """One candidate reading of a field."""
    located: Located | None
    norm: Normalized
    failures: list[str] = field(default_factory=list)
    validated: bool = False
    flags: list[str] = field(default_factory=list)
    method: str = "label"

    @property
    def score(self) -> tuple:
        conf = self.located.mean_confidence if self.located else 0.0
        return (self.located is not None and bool(self.norm.value), self.norm.ok, not self.failures,
                self.norm.checked or self.validated, conf)


def _read(spec: FieldSpec, located: Located | None, method: str | None = None) -> Reading:
    raw = located.text if located else ""
    norm = normalize(spec.normalizer, raw, spec.params) if raw.strip() else Normalized("", ok=False)
    reading = Reading(located, norm, method=method or (located.method if located else "label"))
    if norm.ok and norm.value:
        ran = False
        for v in spec.validators:
            result = run_validator(v.name, norm.value, v.params)
            ran = True
            if not result.ok:
                reading.failures.append(result.message)
            if result.flag:
                reading.flags.append(result.flag)
        reading.validated = ran and not reading.failures
    return reading


def _weak(r: Reading, limit: float) -> bool:
    if r.located is None or not r.norm.ok or r.failures:
        return True
    return r.located.mean_confidence < limit


def _reocr(spec: FieldSpec, first: Reading, page, ocr: OcrPage, engine) -> Reading | None:
    """Re-read the value's box (or the profile's region) with the field's own OCR settings."""
    if page is None:
        return None
    best: Reading | None = None
    attempts = [(box, spec.ocr.psm) for box in _reocr_boxes(spec, first.located, ocr)]
    if spec.position != "mrz":
        attempts += [(box, 13) for box, psm in attempts if psm != 13]  # raw line: no dictionary, no layout
    for box, psm in attempts:
        try:
            result = engine.read_region(page.ocr_image, box, psm=psm, whitelist=spec.ocr.whitelist or None)
        except Exception:  # a failed re-read must never lose the first reading
            log.exception("re-OCR failed for field %s", spec.key)
            continue
        words = result.words
        if spec.position == "mrz":
            text = "\n".join(line.text for line in result.lines)
        else:
            text = " ".join(w.text for w in words)
        if not text.strip():
            continue
        reading = _read(spec, Located(text, list(words), "reocr"), "reocr")
        if best is None or reading.score > best.score:
            best = reading
        if reading.norm.ok and not reading.failures:
            break
    return best


def _reocr_boxes(spec: FieldSpec, located: Located | None, ocr: OcrPage) -> list:
    """Where to look again: the value's own box (widened), else beside and below its label, else the
    profile's fixed region."""
    W = ocr.width or 10**6
    boxes = []
    if located is not None and located.words:
        x0, y0, x1, y1 = located.box
        h = max(1, y1 - y0)
        boxes.append((max(0, x0 - h), y0, min(W, x1 + 2 * h), y1))
    elif located is not None and located.label_box is not None:
        x0, y0, x1, y1 = located.label_box
        h = max(1, y1 - y0)
        if spec.position in ("right", "right_or_below"):
            boxes.append((x1, y0 - h // 4, W, y1 + h // 4))
        if spec.position in ("below", "right_or_below"):
            lines = spec.max_lines if spec.multiline else 1
            boxes.append((max(0, x0 - h), y1, W, y1 + int(2.6 * h * lines)))
    if not boxes and spec.region:
        boxes.append(region_box(spec.region, ocr))
    return boxes


def _evidence(spec: FieldSpec, r: Reading, profile: Profile, doc_confident: bool) -> Evidence:
    loc = r.located
    handwriting = profile.handwriting_possible if spec.handwriting is None else spec.handwriting
    return Evidence(
        value=r.norm.value if loc else "",
        mean_confidence=loc.mean_confidence if loc else 0.0,
        min_confidence=loc.confidence if loc else 0.0,
        found=loc is not None and bool(r.norm.value),
        normalized=r.norm.ok, checked=r.norm.checked, exact=r.norm.exact, validated=r.validated, failures=list(r.failures),
        reason=r.norm.reason, method=r.method if r.method != "reocr" else "label",
        handwriting_possible=handwriting, doc_confident=doc_confident)


def _box(r: Reading):
    if r.located is None:
        return None
    return r.located.box


READS_DISAGREE = "hai lần đọc cho kết quả khác nhau (two readings disagree)"
CUT_OFF = "giá trị có thể còn dòng tiếp theo chưa đọc được (value may continue on a line not read)"


def _better(spec: FieldSpec, second: Reading, first: Reading) -> bool:
    if spec.position == "mrz" and second.validated and first.validated:
        return _mrz_names_plausible(second.norm.value) and not _mrz_names_plausible(first.norm.value)
    return second.score > first.score


MRZ_NAME_UNCHECKED = ("dòng tên MRZ không có số kiểm tra, cần đối chiếu mặt trước (MRZ name line has no check "
                      "digit: compare with the card front)")


def _mrz_names_plausible(value: str) -> bool:
    """Line 3 (the name) has no check digit: accept the MRZ as a whole only when every name part is a
    real Vietnamese syllable (written without marks)."""
    lines = value.splitlines()
    if len(lines) != 3:
        return False
    known = bare_syllables()
    parts = [p.lower() for p in lines[2].replace("<", " ").split() if p]
    return bool(parts) and bool(known) and all(p in known for p in parts)





def _apply_mrz(record: Record, profile: Profile) -> None:
    """A valid MRZ gives number, birth date, sex and expiry with source 'mrz', outranking printed OCR."""
    mrz_fv = record.fields.get("mrz")
    if mrz_fv is None or mrz_fv.status == "invalid" or not mrz_fv.value or mrz_fv.source != "mrz":
        return
    lines = clean_mrz_lines(mrz_fv.value.splitlines())
    if len(lines) != 3:
        return
    mrz = parse_td1(lines)
    if not mrz.valid:
        return
    values = {"soDinhDanh": mrz.id_number, "ngaySinh": mrz.birth_date, "gioiTinh": mrz.sex,
              "coGiaTriDen": mrz.expiry}
    for key in MRZ_FIELDS:
        value = values[key]
        if not value:
            continue
        printed = record.fields.get(key)
        reason = ""
        if printed is not None and printed.value and printed.value != value:
            reason = f"vùng in đọc được {printed.value!r}, MRZ thắng (printed zone read {printed.value!r}; MRZ wins)"
        record.fields[key] = FieldValue(value, 1.0, "accepted", reason, mrz_fv.box, mrz_fv.page, "mrz")
    if _mrz_names_plausible(mrz_fv.value):
        record.fields["hoTenMrz"] = FieldValue(mrz.name, mrz_fv.confidence, "needs_review", MRZ_NAME_UNCHECKED,
                                               mrz_fv.box, mrz_fv.page, "mrz")


QR_WINS = "mã QR ghi {qr!r}, OCR đọc {ocr!r}: lấy theo mã QR (QR code holds {qr!r}, OCR read {ocr!r}: the QR wins)"
QR_AGREES = "khớp với mã QR (agrees with the QR code)"
REGION_AGREES = "vùng thẻ (card region)"


def _apply_qr(record: Record, qr, page_index: int) -> None:
    """A decoded QR payload gives exact values, accepted on their own (error-corrected code, strict
    shape); what OCR read is kept in the reason when it differs."""
    for key, value in qr.values.items():
        if not value and key not in record.fields:
            continue  # no old CMND on this card: nothing to record
        mine = record.fields.get(key)
        reason = ""
        if mine is not None and mine.value and mine.value != value:
            reason = QR_WINS.format(qr=value, ocr=mine.value)
        box = qr.box if mine is None or mine.box is None else mine.box
        record.fields[key] = FieldValue(value, 1.0, "accepted", reason, box, page_index, "qr")


def _qr_confirms_mrz_name(record: Record) -> None:
    """The MRZ's name line has no check digit; the QR's name (same side on the Căn cước back) confirms it,
    or mends a line within two letters of it (extract.merge.confirm_mrz_name)."""
    from extract.merge import confirm_mrz_name
    confirm_mrz_name(record, record.fields.get("hoTen"))


def _capitals(word: str) -> bool:
    return word.isalpha() and word == word.upper()


def _between_fallback(record: Record, profile: Profile, locator: Locator, evidence: dict[str, Evidence],
                      limits: dict[str, float], doc_confident: bool, page_index: int) -> None:
    """A field whose label was not read (a small 'Họ tên' beside a big typed name came out as 'non') is the
    text between the two fields the profile names in `params.between` (e.g. the CMND's name between its
    number and 'Sinh ngày'); with `params.capitals` only the words printed in capitals. Found by position
    alone, so it goes to review like a region reading."""
    for spec in profile.fields:
        around = spec.params.get("between")
        fv = record.fields.get(spec.key)
        if not around or (fv is not None and fv.value):
            continue
        above, below = (record.fields.get(k) for k in around)
        if above is None or below is None or above.box is None or below.box is None:
            continue
        top, bottom = above.box[3], below.box[1]
        words = [w for row in locator.rows if top <= (row.box[1] + row.box[3]) / 2 <= bottom for w in row.words]
        if spec.params.get("capitals"):
            words = [w for w in words if _capitals(w.text)]
        if not words:
            continue
        reading = _read(spec, Located(" ".join(w.text for w in words), words, "region"), "region")
        if not reading.norm.ok or not reading.norm.value or reading.failures:
            continue
        ev = _evidence(spec, reading, profile, doc_confident)
        evidence[spec.key] = ev
        record.fields[spec.key] = field_value(ev, box=_box(reading), page=page_index, limits=limits)


def _grey(image):
    import cv2
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def _card_image(page, profile: Profile):
    """The card cut from the page at its canonical size (extract/card.py), None for a page without pixels
    (tests' stand-ins) or a profile that is no card."""
    from extract.card import canonical_card
    if profile.card is None or page is None:
        return None
    image = getattr(page, "archival", None)
    if image is None:
        image = getattr(page, "ocr_image", None)
    if image is None:
        return None
    return canonical_card(_grey(image), profile.card)


ZONE_ATTEMPTS = (("eng", 40, False), ("eng", 52, False), ("vie", 40, False), ("eng", 40, True))


def _read_zone(spec: FieldSpec, page, card, engine) -> Reading | None:
    """The machine-readable zone read line by line from its band on the card (extract.card.mrz_lines): each
    line alone (psm 7, the zone's alphabet), with Tesseract's English model first, then at another scale,
    with the page's model, and binarised, until lines 1-2 pass their check digits (extract.mrz.read_zone12:
    every pairing of readings, corrected by the check digits where one correction is confirmed) and line 3
    reads as real syllables. None when the band holds no three lines or no pairing passes."""
    import cv2

    from extract.card import mrz_lines
    from extract.mrz import read_zone12
    from extract.normalize import _mrz_name_line
    from ocr.types import Word
    image = getattr(page, "ocr_image", None)
    if image is None or not spec.region:
        return None
    grey = _grey(image)
    x0, y0, x1, y1 = card.box
    top = y0 + int(spec.region[1] * (y1 - y0))
    band = grey[top:y1, x0:x1]
    sibling = getattr(engine, "sibling", None)
    readers = {"vie": engine}
    readings: list[list[str]] = [[], [], []]
    boxes: list[tuple[int, int, int, int]] = []
    confidences: list[float] = []
    zone = None
    for lang, px, binary in ZONE_ATTEMPTS:
        if lang not in readers:
            try:
                readers[lang] = sibling(lang) if sibling is not None else engine
            except Exception:  # a missing model: read with the page's engine only
                log.exception("no %s OCR model for the machine-readable zone", lang)
                readers[lang] = engine
        lines = mrz_lines(band, px)
        if len(lines) != 3:
            return None
        for i, line in enumerate(lines):
            img = cv2.threshold(line.image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1] if binary else line.image
            try:
                result = readers[lang].read_region(img, (0, 0, img.shape[1], img.shape[0]), psm=7,
                                                   whitelist=spec.ocr.whitelist or None)
            except Exception:  # a failed read is one reading fewer, never a lost page
                log.exception("MRZ line read failed")
                continue
            text = "".join(w.raw_text or w.text for w in result.words)
            if text and text not in readings[i]:
                readings[i].append(text)
            confidences += [w.confidence for w in result.words]
        if not boxes:
            boxes = [(x0 + b[0], top + b[1], x0 + b[2], top + b[3]) for b in (ln.box for ln in lines)]
        zone = read_zone12(readings[0], readings[1])
        names = [_mrz_name_line((t + "<" * 30)[:30]) for t in readings[2]]
        if zone is not None and any(_mrz_names_plausible("\n".join([*zone, n])) for n in names):
            break
    if zone is None or not readings[2]:
        return None
    names = [_mrz_name_line((t + "<" * 30)[:30]) for t in readings[2]]
    name = next((n for n in names if _mrz_names_plausible("\n".join([*zone, n]))), names[0])
    conf = sum(confidences) / len(confidences) if confidences else 0.0
    words = [Word(text, box, conf, text) for text, box in zip([*zone, name], boxes, strict=False)]
    return _read(spec, Located("\n".join([*zone, name]), words, "mrz"), "mrz")


def _read_card(record: Record, profile: Profile, page, ocr: OcrPage, engine, evidence: dict[str, Evidence],
               limits: dict[str, float], page_index: int, card=None) -> None:
    """The card steps (extract/card.py, extract/qr.py): cut the card out of the page at its canonical size,
    decode its QR code, read each field's region as a second, independent reading, tell the model."""
    from extract.card import looks_like_code, tell_model
    from extract.qr import read_qr
    spec = profile.card
    card = card if card is not None else _card_image(page, profile)
    if card is None:
        return  # a page without pixels (tests' stand-ins): nothing to cut out or decode
    archival = _grey(page.archival if getattr(page, "archival", None) is not None else page.ocr_image)
    qr = seen = None
    if profile.qr is not None:
        qr = read_qr(archival, profile.qr, card.to_page(card.region_box(profile.qr.region)))
        seen = qr is not None or looks_like_code(card, profile.qr.region)
    if qr is not None:
        _apply_qr(record, qr, page_index)
        _qr_confirms_mrz_name(record)
    if engine is not None:
        _region_reads(record, profile, page, card, engine, evidence, limits, page_index)
    number = record.fields.get("soDinhDanh")
    model = tell_model(spec.models, ocr, qr is not None, bool(seen), number.value if number else "")
    cue = "mã QR đọc được (QR code decoded)" if qr is not None else ""
    record.fields[spec.model_key] = FieldValue(model.name, 1.0, "accepted", cue, None, page_index, "rule")


def _region_reads(record: Record, profile: Profile, page, card, engine, evidence: dict[str, Evidence],
                  limits: dict[str, float], page_index: int) -> None:
    """Each field with a region is read again from the canonical card with its own settings (digits only,
    the date pattern). Agreement with the label reading is independent evidence (two crops, two
    segmentations, two character sets); a field the label search missed gets the region reading for review."""
    import cv2
    ocr_image = getattr(page, "ocr_image", None)
    if ocr_image is None:
        return
    ocr_grey = ocr_image if ocr_image.ndim == 2 else cv2.cvtColor(ocr_image, cv2.COLOR_RGB2GRAY)
    x0, y0, x1, y1 = card.box
    h, w = card.grey.shape[:2]
    grey = cv2.resize(ocr_grey[y0:y1, x0:x1], (w, h), interpolation=cv2.INTER_AREA
                      if x1 - x0 > w else cv2.INTER_CUBIC)
    for spec in profile.fields:
        if not spec.region or spec.position == "mrz":
            continue
        fv = record.fields.get(spec.key)
        if fv is not None and (fv.status == "accepted" or fv.source in ("qr", "mrz")):
            continue
        box = card.region_box(spec.region)
        try:
            result = engine.read_region(grey, box, psm=spec.ocr.psm, whitelist=spec.ocr.whitelist or None)
        except Exception:  # a failed re-read must never lose the first reading
            log.exception("card region read failed for field %s", spec.key)
            continue
        text = " ".join(w.text for w in result.words)
        if not text.strip():
            continue
        reading = _read(spec, Located(text, list(result.words), "region"), "region")
        if not reading.norm.ok or reading.failures or not reading.norm.value:
            continue
        ev = evidence.get(spec.key)
        if fv is not None and ev is not None and fv.value == reading.norm.value:
            if fv.status == "needs_review" and fv.reason in REVIEW_FOR_DOUBT and not ev.agreed:
                ev.agreed = REGION_AGREES
                conf, status, _ = decide(ev, limits)
                if status == "accepted":
                    fv.status = "accepted"
                    fv.reason = f"xác nhận: khớp với {REGION_AGREES} (confirmed: agrees with the card region)"
        elif fv is None or not fv.value:
            page_box = card.to_page(box)
            conf = min(reading.located.mean_confidence, limits["region_fallback_cap"])
            record.fields[spec.key] = FieldValue(reading.norm.value, round(conf, 3), "needs_review", REGION_ONLY,
                                                 page_box, page_index, "ocr")


PLACE_CODE_SUFFIX = "DVHC"   # nksNoiSinh -> nksNoiSinhDVHC, the BTP template's column for the unit code


def _place_accepts(fv: FieldValue, match, min_word: float, limits: dict[str, float]) -> bool:
    """A place reading counts as checked when every unit part matched one official unit and the commune
    level was reached before any free text (village, street) — which must then be real syllables read
    surely (its weakest word at the free-text bar)."""
    if not match.unique or not match.units:
        return False
    if not match.free:
        return True
    return match.units[-1].level == 3 and syllables_ok(" ".join(match.free)) and \
        min_word >= limits.get("free_text_min_word", 0.0)


def _match_places(record: Record, profile: Profile, evidence: dict[str, Evidence], limits: dict[str, float],
                  page_index: int) -> None:
    """Place fields (`place = true`): each comma part matched to a real unit inside its parent
    (extract/places.py). A unique match corrects the unit names to their official spelling, counts as
    independent evidence (the validated bar applies) and adds the deepest unit's GSO code as
    the profile's `place_code` field. A QR value is never corrected, only coded."""
    from extract.places import match_place
    for spec in profile.fields:
        fv = record.fields.get(spec.key)
        if not spec.place or fv is None or not fv.value or fv.status == "invalid":
            continue
        match = match_place(fv.value)
        ev = evidence.get(spec.key)
        if not match.units and fv.source == "ocr" and ev is not None:
            cut = _cut_after_province(fv.value)
            if cut:
                match = match_place(cut)
                if match.units and match.unique:
                    # the next label bled into the value ("…, Hải Dương Nơi thường trú"): an address ends with
                    # its province, so what follows is cut; the field stays for review (confidences are the
                    # whole reading's)
                    fv.value = ev.value = cut
                    fv.status, fv.reason = "needs_review", LOW_CONFIDENCE
        head = fv.value.split(",")[0]
        if ":" in head and fv.source == "ocr" and ev is not None:
            # a label's half read as the value's start ('Place of origin: Quảng Lãng, …'): what follows the
            # colon is the value when it matches the official list better (more units, no stray text)
            rest = fv.value.split(":", 1)[1].strip()
            cut = match_place(rest)
            if cut.units and cut.unique and (len(cut.units), -len(cut.free)) > (len(match.units), -len(match.free)):
                match, fv.value, ev.value = cut, rest, rest
                fv.status, fv.reason = "needs_review", LOW_CONFIDENCE
        if not match.units or not match.unique:
            continue
        if fv.source == "ocr" and ev is not None:
            if match.corrected:
                fv.value = ev.value = match.value
            if fv.status == "needs_review" and fv.reason in REVIEW_FOR_DOUBT and \
                    _place_accepts(fv, match, ev.min_confidence, limits):
                ev.checked = True
                conf, status, _ = decide(ev, limits)
                if status == "accepted":
                    fv.status, fv.reason = "accepted", ""
        if not spec.place_code:
            continue
        code_status = "accepted" if fv.status == "accepted" else "needs_review"
        reason = "" if code_status == "accepted" else f"theo {spec.key} (follows {spec.key})"
        record.fields[spec.place_code] = FieldValue(match.code, fv.confidence, code_status, reason, fv.box,
                                                    page_index, "rule")


def _cut_after_province(value: str) -> str:
    """The address without what follows its province in the last comma part ('Hải Dương i thường trú' ->
    'Hải Dương'), when a leading run of that part's words is exactly one province; '' otherwise."""
    from extract.places import match_place
    head, sep, last = value.rpartition(",")
    words = last.split()
    for n in range(len(words) - 1, 0, -1):
        candidate = f"{head}{sep} {' '.join(words[:n])}" if sep else " ".join(words[:n])
        m = match_place(candidate)
        if m.units and m.unique and m.units[0].level == 1:
            return candidate.strip()
    return ""


def _match_owner_places(record: Record, profile: Profile, limits: dict[str, float]) -> None:
    """The same for GCN owners' address fields (`owners.places`); owners carry no word confidences, so free
    text beside the units needs the free-text bar on the mean."""
    from extract.places import match_place
    keys = profile.owners.places if profile.owners is not None else []
    for person in record.owners:
        for key in keys:
            fv = person.fields.get(key)
            if fv is None or not fv.value or fv.status == "invalid":
                continue
            match = match_place(fv.value)
            if not match.unique or not match.units:
                continue
            if match.corrected:
                fv.value = match.value
            surely = fv.confidence >= limits["accept_free_text"] if match.free else True
            if fv.status == "needs_review" and fv.reason in REVIEW_FOR_DOUBT and surely and \
                    _place_accepts(fv, match, 1.0, limits) and fv.confidence >= limits["accept_validated"]:
                fv.status, fv.reason = "accepted", ""
            person.fields[key + PLACE_CODE_SUFFIX] = FieldValue(
                match.code, fv.confidence, "accepted" if fv.status == "accepted" else "needs_review", "",
                fv.box, fv.page, "rule")


def _corroborate_sex(id_fv: FieldValue | None, sex_fv: FieldValue | None) -> None:
    """Tesseract is unsure of short words ("Nữ"), but an accepted 12-digit number whose sex digit agrees is
    independent evidence: accept the closed-list sex code then."""
    if id_fv is None or sex_fv is None or id_fv.status != "accepted" or len(id_fv.value) != 12:
        return
    if sex_fv.status == "needs_review" and sex_fv.value in ("1", "2") and sex_fv.confidence >= 0.5:
        sex_fv.status, sex_fv.reason = "accepted", ""


PAPER_BY_DIGITS = {9: ("1", "CMND"), 12: ("4", "CCCD")}


def _derive_paper_types(record: Record, profile: Profile) -> None:
    """Register pages often print only "Giấy tờ tùy thân: 145493781": the type is then the number's kind
    (9 digits = CMND code 1, 12 digits = CCCD code 4). A field with params.from_number gets that code, as
    sure as the number itself, and says in its reason that it was derived; a printed type word wins."""
    for spec in profile.fields:
        number_key = spec.params.get("from_number")
        if not number_key:
            continue
        own = record.fields.get(spec.key)
        if own is not None and own.status != "invalid" and own.value in code_table(spec.params.get("table", "loaiGiayToTuyThan")):
            continue  # the page printed the type ("CMND", "Căn cước công dân"): keep what it says
        number = record.fields.get(number_key)
        digits = number.value if number is not None and number.value.isdigit() else ""
        if len(digits) not in PAPER_BY_DIGITS or number.status == "invalid":
            continue
        code, name = PAPER_BY_DIGITS[len(digits)]
        reason = (f"loại giấy tờ không in trên trang, suy ra từ số {len(digits)} chữ số: {name} "
                  f"(paper type not printed; derived from the {len(digits)}-digit number: {name})")
        status = "accepted" if number.status == "accepted" else "needs_review"
        record.fields[spec.key] = FieldValue(code, number.confidence, status, reason, number.box, number.page, "rule")


REVIEW_FOR_DOUBT = (LOW_CONFIDENCE, MAYBE_HANDWRITTEN, UNCHECKED_TEXT)


def _header_text(locator: Locator) -> str:
    """The page header: the rows above the last title line of the page's top third (a register's
    authority: UBND XÃ …, HUYỆN …, TỈNH …), title lines themselves left out; case-folded, marks kept."""
    height = locator.page.height or 10**6
    tops = [i for i in locator.title_rows if locator.rows[i].box[3] < 0.3 * height]
    if not tops:
        return ""
    rows = [r for i, r in enumerate(locator.rows[:max(tops)]) if i not in locator.title_rows]
    return " ".join(" ".join(w.text for w in row.words) for row in rows).casefold()


def _parts_in(value: str, text: str) -> bool:
    """Every comma-separated part of `value`, minus a leading authority word, is in `text` (marks kept)."""
    parts = [p.strip().casefold() for p in value.split(",") if p.strip()]
    for i, part in enumerate(parts):
        if i == 0:
            part = re.sub(r"^(ubnd|ủy ban nhân dân)\s+", "", part)
        if len(part) < 4 or part not in text:
            return False
    return bool(parts)


def _agreements(record: Record, profile: Profile, evidence: dict[str, Evidence], locator: Locator,
                limits: dict[str, float]) -> None:
    """Independent evidence for fields left in review only for doubt: a second field read the same
    ('same_as', e.g. the declarant is the father) or the page header printing the same place
    ('in_header', the registering authority). The agreeing reading then counts as validated — the
    validated threshold applies (stricter on handwriting-possible profiles), never a lower one."""
    header = None
    for check in profile.checks:
        if check.rule not in AGREEMENT_CHECKS:
            continue
        key = check.fields[0]
        fv = record.fields.get(key)
        if fv is None or not fv.value:
            continue
        if check.rule == "in_header":
            header = _header_text(locator) if header is None else header
            agreed = ["tiêu đề trang (page header)"] if _parts_in(fv.value, header) else []
        else:
            agreed = [k for k in check.fields[1:] if (o := record.fields.get(k)) is not None
                      and o.value == fv.value and o.box != fv.box and o.status != "invalid"]
        if not agreed:
            continue
        for k in [key] + (agreed if check.rule == "same_as" else []):
            _accept_if_agreed(record, k, evidence.get(k), agreed[0] if k == key else key, limits)


def _accept_if_agreed(record: Record, key: str, ev: Evidence | None, other: str, limits: dict[str, float]) -> None:
    fv = record.fields.get(key)
    if ev is None or fv is None or fv.status != "needs_review" or fv.reason not in REVIEW_FOR_DOUBT:
        return
    if not (ev.checked or ev.validated or syllables_ok(fv.value)):
        return  # stray marks or non-syllables: two reads of garbage may still agree
    ev.agreed = other
    conf, status, _ = decide(ev, limits)
    if status == "accepted":
        fv.status = "accepted"
        fv.reason = f"xác nhận: khớp với {other} (confirmed: agrees with {other})"


def _cross_checks(record: Record, profile: Profile) -> None:
    values = {key: fv.value for key, fv in record.fields.items()}
    for result in run_cross_checks(profile.checks, values):
        fvs = [record.fields.get(k) for k in result.keys]
        if result.ok:
            if result.rule == "id_matches_person" and len(fvs) > 2:
                _corroborate_sex(fvs[0], fvs[2])
            continue
        for key, fv in zip(result.keys, fvs, strict=True):
            if fv is None or not fv.value or fv.source in ("mrz", "qr"):
                continue
            fv.status = "invalid"
            fv.reason = "; ".join(([fv.reason] if fv.reason and fv.status == "invalid" else []) + result.failures)
            record.fields[key] = fv


def extract_page(page, ocr: OcrPage, engine=None, profile_name: str | None = None, *,
                 profiles: dict[str, Profile] | None = None, limits: dict[str, float] | None = None) -> Record:
    """The agreed entry point: `page` is the PreparedPage (or None in tests), `ocr` its OCR, `engine` an
    OcrEngine for region re-reads (or None)."""
    from extract.data import thresholds
    limits = limits or thresholds()
    profiles = profiles if profiles is not None else load_profiles()
    page_index = getattr(page, "page_index", 0) if page is not None else 0
    mismatch = ""
    if profile_name:
        if profile_name not in profiles:
            raise KeyError(f"không có profile '{profile_name}' (no such profile); có: {sorted(profiles)}")
        profile, doc_conf = profiles[profile_name], 1.0
        mismatch = _folder_mismatch(profile, ocr, profiles, limits)
        if mismatch:
            doc_conf = 0.0
    else:
        c = classify(ocr, profiles)
        if c.doc_type == "unknown" and engine is not None and getattr(page, "ocr_image", None) is not None:
            # the layout analysis can lose most of a page (a photocopier's streaks cut it into columns): the
            # page read again as one uniform block is classified, and read from, instead
            again = engine.read_page(page.ocr_image, psm=UNIFORM_BLOCK, dpi=getattr(page, "dpi", None))
            second = classify(again, profiles)
            if second.doc_type != "unknown":
                c, ocr = second, again
        if c.doc_type == "unknown":
            return Record("unknown", 0.0, pages=[page_index], reason=c.reason or UNKNOWN_REASON)
        profile, doc_conf = profiles[c.doc_type], c.confidence
    doc_confident = doc_conf >= limits["doc_type_min"]
    record = Record(profile.name, doc_conf, pages=[page_index])
    locator = Locator(profile, ocr)
    evidence: dict[str, Evidence] = {}
    card = _card_image(page, profile)
    for spec in profile.fields:
        reading = _read(spec, locator.locate(spec))
        if spec.position == "mrz" and card is not None and engine is not None:
            zone = _read_zone(spec, page, card, engine)
            if zone is not None and zone.validated:
                reading = zone
        weak = _weak(reading, limits["reocr_below"])
        if spec.position == "mrz" and not weak and not _mrz_names_plausible(reading.norm.value):
            weak = True  # check digits fine but the name line looks misread: read the zone again
        disagree = False
        if engine is not None and page is not None and weak:
            second = _reocr(spec, reading, page, ocr, engine)
            if second is not None and _better(spec, second, reading):
                reading = second
        elif engine is not None and page is not None and spec.params.get("confirm") and reading.norm.ok:
            # numbers with no check digit (parcel, map sheet): a second, independent read must agree
            second = _reocr(spec, reading, page, ocr, engine)
            disagree = second is None or second.norm.value != reading.norm.value
        if not reading.norm.value and not spec.required:
            continue  # optional and absent (or left blank) on this page: no empty field to review
        for flag in reading.flags:
            if flag not in record.flags:
                record.flags.append(flag)
        ev = _evidence(spec, reading, profile, doc_confident)
        evidence[spec.key] = ev
        if spec.position == "mrz" and reading.norm.ok and reading.validated:
            ev.mrz_verified = _mrz_names_plausible(reading.norm.value)
        fv = field_value(ev, box=_box(reading), page=page_index, limits=limits)
        if disagree and fv.status == "accepted":
            fv.status, fv.reason = "needs_review", READS_DISAGREE
        if spec.position == "mrz" and reading.validated:
            # lines 1-2 are check-digit verified; the name line is not: the MRZ as a whole waits for the
            # card's front (merge.merge_card accepts it when the printed name agrees)
            fv.status, fv.reason = "needs_review", MRZ_NAME_UNCHECKED
            fv.confidence = min(fv.confidence, 0.99)
        raw = reading.located.text.rstrip() if reading.located else ""
        if fv.status == "accepted" and spec.multiline and raw.endswith((",", "-", "–")):
            fv.status, fv.reason = "needs_review", CUT_OFF  # "Thôn Trung, Hồng Phúc," goes on somewhere
        accept_min = float(spec.params.get("accept_min", 0.0))
        if fv.status == "accepted" and fv.confidence < accept_min:
            fv.status, fv.reason = "needs_review", LOW_CONFIDENCE
        if spec.position == "mrz":
            fv.source = "mrz"
        record.fields[spec.key] = fv
    _between_fallback(record, profile, locator, evidence, limits, doc_confident, page_index)
    _apply_mrz(record, profile)
    if profile.card is not None and page is not None:
        _read_card(record, profile, page, ocr, engine, evidence, limits, page_index, card)
    _match_places(record, profile, evidence, limits, page_index)
    _cross_checks(record, profile)
    _agreements(record, profile, evidence, locator, limits)
    _derive_paper_types(record, profile)
    if profile.owners is not None:
        record.owners = parse_owners(locator.rows, profile.owners, profile.handwriting_possible)
        _match_owner_places(record, profile, limits)
        for person in record.owners:
            for fv in person.fields.values():
                fv.page = page_index
                if not doc_confident and fv.status == "accepted":
                    fv.status, fv.reason = "needs_review", decide(Evidence("x", doc_confident=False))[2]
            for flag in person.flags:
                if flag not in record.flags:
                    record.flags.append(flag)
    if mismatch:  # read as the folder says, but nothing accepted: a person decides what the page is
        for fv in [*record.fields.values(), *(f for p in record.owners for f in p.fields.values())]:
            if fv.status == "accepted":
                fv.status, fv.reason = "needs_review", mismatch
            elif mismatch not in fv.reason:
                fv.reason = f"{mismatch}; {fv.reason}" if fv.reason else mismatch
    return record


def _folder_mismatch(profile: Profile, ocr: OcrPage, profiles: dict[str, Profile],
                     limits: dict[str, float]) -> str:
    """Why the page does not look like the document its inbox folder names, or "": the page's own words
    name another document type with confidence while the folder's type finds too few of its anchors (a
    marriage page dropped into the birth book's folder). The folder is the operator's word, so the record
    keeps its type — but none of its values is accepted on it."""
    c = classify(ocr, profiles)
    if c.doc_type in ("unknown", profile.name) or c.confidence < limits["doc_type_min"]:
        return ""
    if c.scores.get(profile.name, 0.0) >= profile.recognise.min_score:
        return ""
    return (f"trang này giống {profiles[c.doc_type].title or c.doc_type} hơn là loại của thư mục; kiểm tra lại "
            f"loại giấy tờ (the page reads as {c.doc_type}, not the type its folder names: check the type)")


def record_json(record: Record, file: str = "", page: int | None = None) -> dict:
    """The CLI's JSON shape (issue 4)."""
    def fv(f: FieldValue) -> dict:
        return {"value": f.value, "confidence": f.confidence, "status": f.status, "reason": f.reason,
                "box": list(f.box) if f.box else None, "source": f.source}
    fields = {k: fv(v) for k, v in record.fields.items()}
    if record.owners:
        fields["chuSuDung"] = [{k: fv(v) for k, v in p.fields.items()} for p in record.owners]
    out = {"file": file, "page": page if page is not None else (record.pages[0] if record.pages else 0),
           "doc_type": record.doc_type, "doc_confidence": record.doc_confidence, "fields": fields}
    if record.reason:
        out["reason"] = record.reason
    if record.flags:
        out["flags"] = record.flags
    return out


def layout_of(profile_name: str | None) -> str | None:
    """The registry's OCR layout hint of a document type ("form", "card", "page"), None when unknown."""
    doc = load_registry().get(profile_name) if profile_name else None
    return doc.type.ocr_layout if doc is not None else None


def layout_for_folder(folder: str | None) -> str | None:
    """The OCR layout hint an inbox folder gives: the one all its types share, else None (OCR decides)."""
    layouts = {t.type.ocr_layout for t in load_registry().for_folder(folder)} if folder else set()
    return layouts.pop() if len(layouts) == 1 else None


def ocr_and_extract(page, engine, profile_name: str | None = None, layout: str | None = None) -> Record:
    """OCR a prepared page and extract it, as the hot-folder processor does: the OCR's layout hint is the
    registry's for the profile if known, else the folder's, else none (OCR decides from the page)."""
    ocr = engine.read_page(page.ocr_image, dpi=page.dpi, layout=layout_of(profile_name) or layout)
    return extract_page(page, ocr, engine, profile_name)
