"""Land exports: the owners-and-certificates workbook and the CMND reconciliation list for the police.

The workbook has one row per owner per parcel: the GCN's fields, the owner as printed on it, and the owner's
ID-card fields when a matching card was captured. Owners known only by a 9-digit CMND go on a separate list
in the form the police answer (their 12-digit personal number in an empty text column); the police's reply
is read back by `import_reconciliation`, every answer validated (12 digits, province code, century/year
digits against the birth year), and bad rows reported by their row number. `merge_reconciliation` writes
the good answers into the store. Layout (columns, titles, sources) is data: profiles/templates/land.toml.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from export.atomic import atomic_path
from export.btp_excel import TEXT_FORMAT, cell_text
from export.naming import load_naming
from export.rules import ExportRule, reviewed_only
from export.templates import TemplateError, read_toml, templates_dir
from export.types import LandOwner, LandRecord, Value, plain
from export.verify import XlsxCheck, verify_exports

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LandColumn:
    key: str
    sources: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class LandLayout:
    columns: tuple[LandColumn, ...]
    date_columns: frozenset[str]
    reconciliation: tuple[tuple[str, str], ...]   # (key, title) in order
    sheet: str = "Chu su dung"
    notes_sheet: str = "Chu thich"
    reconciliation_sheet: str = "Doi soat CMND"

    def header(self) -> list[str]:
        return [c.key for c in self.columns]

    def reconciliation_header(self) -> list[str]:
        return [title for _, title in self.reconciliation]


RECONCILIATION_KEYS = {"stt", "hoTen", "ngaySinh", "cmnd", "diaChi", "thuaDat", "soDinhDanh", "ghiChu", "ref"}


def load_land_layout(path: Path | None = None) -> LandLayout:
    path = path or templates_dir() / "land.toml"
    data = read_toml(path)
    try:
        columns = tuple(LandColumn(c["key"], tuple(c["source"]), c.get("title", "")) for c in data["columns"])
        recon = data["reconciliation"]
        recon_cols = tuple((c["key"], c["title"]) for c in recon["columns"])
    except (KeyError, TypeError) as exc:
        raise TemplateError(f"{path}: thiếu khóa (missing key) {exc}") from exc
    for column in columns:
        for source in column.sources:
            if not re.fullmatch(r"(gcn|owner|card)\.\w+|row\.stt", source):
                raise TemplateError(f"{path}: nguồn không hợp lệ (bad source) {source!r} for {column.key}")
    missing = {"cmnd", "soDinhDanh", "ref"} - {k for k, _ in recon_cols}
    unknown = {k for k, _ in recon_cols} - RECONCILIATION_KEYS
    if missing or unknown:
        raise TemplateError(f"{path}: cột đối soát (reconciliation columns) missing {sorted(missing)}, "
                            f"unknown {sorted(unknown)}")
    return LandLayout(columns, frozenset(data.get("date_columns", ())), recon_cols,
                      data.get("sheet", "Chu su dung"), data.get("notes_sheet", "Chu thich"),
                      recon.get("sheet", "Doi soat CMND"))


# ------------------------------------------------------------------------------------------- owners

def digits(value: Value) -> str:
    return re.sub(r"\D", "", plain(value))


def owner_ref(record: LandRecord, index: int, owner: LandOwner) -> str:
    return owner.owner_ref or f"{record.record_id}/{index}"


def twelve_digit_number(owner: LandOwner) -> str:
    """The owner's 12-digit personal number from the card or a merged police answer, if any."""
    for value in ((owner.card or {}).get("soDinhDanh"), owner.fields.get("soDinhDanh"), owner.fields.get("soGiayTo")):
        number = digits(value)
        if len(number) == 12:
            return number
    return ""


def needs_reconciliation(owner: LandOwner) -> bool:
    """Known only by a 9-digit CMND: no 12-digit number from any source."""
    return len(digits(owner.fields.get("soGiayTo"))) == 9 and not twelve_digit_number(owner)


def merge_card_sides(cards: Iterable[dict[str, Value]]) -> list[dict[str, Value]]:
    """One card per number: the sides of a card (front, back) are joined, the first side's values first."""
    by_number: dict[str, dict[str, Value]] = {}
    out: list[dict[str, Value]] = []
    for card in cards:
        number = digits(card.get("soDinhDanh"))
        if not number:
            continue
        if number in by_number:
            joined = by_number[number]
            for key, value in card.items():
                if not plain(joined.get(key)):
                    joined[key] = value
        else:
            by_number[number] = dict(card)
            out.append(by_number[number])
    return out


def linked_by_qr(owner: LandOwner) -> bool:
    """The owner's 9-digit CMND was linked to a 12-digit number by a card's QR code (its `soCMNDCu`)."""
    card = owner.card or {}
    return len(digits(owner.fields.get("soGiayTo"))) == 9 and \
        digits(card.get("soCMNDCu")) == digits(owner.fields.get("soGiayTo")) and len(digits(card.get("soDinhDanh"))) == 12


def attach_cards(records: Iterable[LandRecord], cards: Iterable[dict[str, Value]]) -> int:
    """Give each owner the captured ID card whose number equals the owner's paper number (9 or 12 digits),
    or whose QR code names that 9-digit number as the old CMND (`soCMNDCu`): the chip card of an owner the
    certificate still knows by the CMND, which links the two numbers without asking the police.
    Returns how many owners got a card. Owners that already have one keep it."""
    cards = merge_card_sides(cards)
    by_number = {digits(c.get("soDinhDanh")): c for c in cards}
    by_old = {digits(c.get("soCMNDCu")): c for c in cards if len(digits(c.get("soCMNDCu"))) == 9}
    matched = 0
    for record in records:
        for owner in record.owners:
            number = digits(owner.fields.get("soGiayTo"))
            if owner.card is None and (card := by_number.get(number) or by_old.get(number)):
                owner.card = card
                matched += 1
    return matched


def _value(source: str, record: LandRecord, owner: LandOwner, stt: int) -> Value:
    scope, _, key = source.partition(".")
    if scope == "row":
        return str(stt)
    if scope == "gcn":
        return record.fields.get(key)
    if scope == "owner":
        return owner.fields.get(key)
    return (owner.card or {}).get(key)


# ------------------------------------------------------------------------------------------- writing

@dataclass
class LandExport:
    xlsx: Path
    reconciliation: Path
    rows: int = 0
    reconciliation_rows: int = 0
    resolved_by_qr: int = 0      # owners known by a 9-digit CMND whose card's QR code gave the 12-digit number
    held_back: Counter[str] = field(default_factory=Counter)
    held_back_ids: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def _text_cell(ws, text: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=text or None)
    cell.data_type = "s"
    cell.number_format = TEXT_FORMAT
    return cell


def _save(wb, path: Path) -> None:
    with atomic_path(path) as tmp:
        wb.save(tmp)


def write_land_xlsx(path: Path, records: Iterable[LandRecord], layout: LandLayout) -> int:
    """One row per owner per parcel; a certificate without owners still gets one row (owner cells empty)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(layout.sheet)
    ws.freeze_panes = "A2"
    ws.append(layout.header())
    stt = 0
    for record in records:
        for owner in record.owners or [LandOwner()]:
            stt += 1
            row = []
            for column in layout.columns:
                value = next((v for s in column.sources if plain(v := _value(s, record, owner, stt))), None)
                if column.sources == ("row.stt",):
                    row.append(stt)
                else:
                    row.append(_text_cell(ws, cell_text(column.key, value, layout.date_columns)))
            ws.append(row)
    notes = wb.create_sheet(layout.notes_sheet)
    notes.append(["Cột (column)", "Ý nghĩa (meaning)", "Nguồn (source)"])
    for column in layout.columns:
        notes.append([column.key, column.title, ", ".join(column.sources)])
    _save(wb, path)
    return stt


def reconciliation_rows(records: Iterable[LandRecord]) -> Iterator[dict[str, str]]:
    for record in records:
        parcel = ", ".join(p for p in (
            f"thửa {plain(record.fields.get('thuaDatSo'))}" if plain(record.fields.get("thuaDatSo")) else "",
            f"tờ {plain(record.fields.get('toBanDoSo'))}" if plain(record.fields.get("toBanDoSo")) else "") if p)
        for index, owner in enumerate(record.owners):
            if not needs_reconciliation(owner):
                continue
            card = owner.card or {}
            yield {
                "hoTen": plain(card.get("hoTen")) or plain(owner.fields.get("hoTen")),
                "ngaySinh": plain(card.get("ngaySinh")) or plain(owner.fields.get("namSinh")),
                "cmnd": digits(owner.fields.get("soGiayTo")),
                "diaChi": plain(card.get("noiThuongTru")) or plain(owner.fields.get("diaChi")),
                "thuaDat": parcel, "soDinhDanh": "", "ghiChu": "", "ref": owner_ref(record, index, owner),
            }


RESOLVED_NOTE = ("Đã liên kết từ mã QR trên thẻ căn cước: {n} chủ sử dụng (CMND 9 số -> số định danh 12 số), không "
                 "cần đối soát; còn {m} cần công an đối soát (resolved from the cards' QR codes: {n} owners; {m} "
                 "left for the police)")


def write_reconciliation_xlsx(path: Path, records: Iterable[LandRecord], layout: LandLayout,
                              resolved_by_qr: int = 0) -> int:
    """The police list. The answer column is empty and text-formatted (leading zeros survive typing). A
    second sheet says how many owners a card's QR code already linked (they are not on the list)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(layout.reconciliation_sheet)
    ws.freeze_panes = "A2"
    widths = {"stt": 6, "hoTen": 28, "ngaySinh": 13, "cmnd": 14, "diaChi": 40, "thuaDat": 18,
              "soDinhDanh": 22, "ghiChu": 24, "ref": 16}
    from openpyxl.utils import get_column_letter
    for i, (key, _) in enumerate(layout.reconciliation, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(key, 16)
    ws.append(layout.reconciliation_header())
    n = 0
    for n, row in enumerate(reconciliation_rows(records), start=1):
        ws.append([n if key == "stt" else _text_cell(ws, row.get(key, "")) for key, _ in layout.reconciliation])
    notes = wb.create_sheet(layout.notes_sheet)
    notes.append([RESOLVED_NOTE.format(n=resolved_by_qr, m=n)])
    _save(wb, path)
    return n


def export_land(records: Iterable[LandRecord], out_dir: Path, commune_code: str, *,
                include_unreviewed: bool = False, rule: ExportRule = reviewed_only, verify: bool = True,
                libreoffice: bool = True, layout: LandLayout | None = None) -> LandExport:
    """Both land files of one commune, re-read after writing. Held-back certificates are counted by reason
    and appear in neither file."""
    layout = layout or load_land_layout()
    naming = load_naming()
    out_dir = Path(out_dir)
    result = LandExport(out_dir / naming.land_name(commune_code), out_dir / naming.reconciliation_name(commune_code))
    kept: list[LandRecord] = []
    for record in records:
        reason = None if include_unreviewed else rule(record)
        if reason:
            result.held_back[reason] += 1
            result.held_back_ids.append(record.record_id)
        else:
            kept.append(record)
    result.rows = write_land_xlsx(result.xlsx, kept, layout)
    result.resolved_by_qr = sum(linked_by_qr(o) for r in kept for o in r.owners)
    result.reconciliation_rows = write_reconciliation_xlsx(result.reconciliation, kept, layout, result.resolved_by_qr)
    if verify:
        report = verify_exports([XlsxCheck(result.xlsx, layout.sheet, layout.header(), result.rows),
                                 XlsxCheck(result.reconciliation, layout.reconciliation_sheet,
                                           layout.reconciliation_header(), result.reconciliation_rows)],
                                libreoffice=libreoffice)
        result.checks = report.checked
    log.info("xuất đất đai %s: %d dòng chủ sử dụng, %d cần đối soát, %d nối từ mã QR, %d giữ lại (land export: owner "
             "rows, to reconcile, linked by QR, held back)",
             commune_code, result.rows, result.reconciliation_rows, result.resolved_by_qr,
             sum(result.held_back.values()))
    return result


# ------------------------------------------------------------------------------------------- the reply

@dataclass
class ReconciliationReply:
    """One row of the police's reply. status: ok | invalid | unanswered. `row` is the Excel row number."""
    row: int
    owner_ref: str
    cmnd: str
    so_dinh_danh: str
    birth: str = ""
    status: str = "unanswered"
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _fold(text: str) -> str:
    from export.naming import strip_diacritics
    return re.sub(r"\s+", " ", strip_diacritics(str(text or "")).lower()).strip()


def _answer_text(value: object, reply: ReconciliationReply) -> str:
    """The typed answer as digits. A number cell (the police typed into a General cell) lost its leading
    zeros: every 12-digit number starts with a 0xx province code, so zeros are restored with a warning."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return str(value)
        text = str(int(value))
        if len(text) < 12:
            reply.warnings.append("ô dạng số đã mất số 0 đầu, đã thêm lại (number cell lost its leading zeros; "
                                  "restored)")
            text = text.zfill(12)
        return text
    text = str(value).strip()
    compact = re.sub(r"[\s.\-]", "", text)   # "030 185 001 234", "030.185.001.234"
    return compact


def import_reconciliation(path: Path, layout: LandLayout | None = None) -> list[ReconciliationReply]:
    """Read the police's reply and validate every answer; bad rows come back with status `invalid`, their
    Excel row number and the reasons. Columns are found by their titles (accents/case ignored), so the
    police may reorder columns or add a title row above the header."""
    from export.workbooks import open_workbook
    from extract.validate import check_cccd_number, check_id_matches_person

    layout = layout or load_land_layout()
    titles = {_fold(title): key for key, title in layout.reconciliation}
    wb = open_workbook(path, read_only=True)  # a file that is not a workbook: WorkbookError, one line
    try:
        ws = wb[layout.reconciliation_sheet] if layout.reconciliation_sheet in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        columns: dict[str, int] = {}
        header_row = 0
        for header_row, values in enumerate(rows, start=1):
            found = {titles[_fold(v)]: i for i, v in enumerate(values) if v is not None and _fold(v) in titles}
            if {"cmnd", "soDinhDanh"} <= set(found):
                columns = found
                break
            if header_row >= 10:
                break
        if not columns:
            named = dict(layout.reconciliation)
            raise ValueError(f"{Path(path).name}: không thấy cột '{named['cmnd']}' và '{named['soDinhDanh']}' "
                             "trong 10 dòng đầu (CMND and personal-number columns not found in the first 10 rows)")
        replies = []
        for row_no, values in enumerate(rows, start=header_row + 1):
            if not any(v not in (None, "") for v in values):
                continue

            def get(key: str, values=values) -> object:
                i = columns.get(key)
                return values[i] if i is not None and i < len(values) else None

            reply = ReconciliationReply(row=row_no, owner_ref=str(get("ref") or "").strip(),
                                        cmnd=re.sub(r"\D", "", str(get("cmnd") or "")), so_dinh_danh="",
                                        birth=str(get("ngaySinh") or "").strip(), note=str(get("ghiChu") or ""))
            if isinstance(get("cmnd"), int):
                reply.cmnd = str(get("cmnd")).zfill(9)
            reply.so_dinh_danh = _answer_text(get("soDinhDanh"), reply)
            if not reply.so_dinh_danh:
                replies.append(reply)
                continue
            check = check_cccd_number(reply.so_dinh_danh)
            if not check.ok:
                reply.errors.append(check.message)
            else:
                birth = reply.birth if re.fullmatch(r"\d{4}|\d{2}\.\d{4}|\d{2}\.\d{2}\.\d{4}", reply.birth) else ""
                reply.errors += [c.message for c in check_id_matches_person(reply.so_dinh_danh, birth, "")]
            if not reply.owner_ref and not reply.cmnd:
                reply.errors.append("dòng không có số CMND và mã tham chiếu (row has neither CMND nor reference)")
            reply.status = "invalid" if reply.errors else "ok"
            replies.append(reply)
    finally:
        wb.close()
    _flag_conflicts(replies)
    bad = [r.row for r in replies if r.status == "invalid"]
    if bad:
        log.warning("tệp trả lời đối soát %s: %d dòng sai (invalid rows): %s", Path(path).name, len(bad), bad)
    return replies


def _flag_conflicts(replies: Sequence[ReconciliationReply]) -> None:
    """One 12-digit number given to two different people is wrong at least once: flag both rows."""
    by_number: dict[str, list[ReconciliationReply]] = {}
    for reply in replies:
        if reply.so_dinh_danh:
            by_number.setdefault(reply.so_dinh_danh, []).append(reply)
    for same in by_number.values():
        people = {(r.owner_ref, r.cmnd) for r in same}
        if len(people) > 1:
            for reply in same:
                rows = ", ".join(str(r.row) for r in same if r is not reply)
                reply.errors.append(f"số định danh trùng với dòng {rows} (same number as row {rows})")
                reply.status = "invalid"


# ------------------------------------------------------------------------------------------- merging

@dataclass
class MergeResult:
    merged: int = 0
    skipped: list[str] = field(default_factory=list)   # "row N: why", for the operator


def merge_reconciliation(store, replies: Iterable[ReconciliationReply], who: str = "doi-soat-cong-an") -> MergeResult:
    """Write each valid answer into the store as the owner's `soDinhDanh` (accepted, source "police"),
    keeping the CMND in `soGiayTo`; the store's field history records the change. The owner is found by
    the list's reference `<record id>/<owner index>`, and must still carry the CMND of the reply."""
    result = MergeResult()
    for reply in replies:
        if not reply.ok:
            if reply.status == "invalid":
                result.skipped.append(f"dòng {reply.row}: " + "; ".join(reply.errors))
            continue
        m = re.fullmatch(r"(\d+)/(\d+)", reply.owner_ref)
        if not m:
            result.skipped.append(f"dòng {reply.row}: mã tham chiếu không hợp lệ (bad reference)")
            continue
        record_id, owner_index = int(m[1]), int(m[2])
        try:
            stored = store.load_record(record_id)
        except Exception as exc:  # the store's own error type; the message says which record
            result.skipped.append(f"dòng {reply.row}: không tìm thấy hồ sơ (record not found): {exc}")
            continue
        owners = stored.record.owners
        if owner_index >= len(owners) or digits(owners[owner_index].fields.get("soGiayTo")) != reply.cmnd:
            result.skipped.append(f"dòng {reply.row}: CMND không khớp hồ sơ (CMND does not match the record)")
            continue
        store.set_field(record_id, "soDinhDanh", reply.so_dinh_danh, who=who, owner_index=owner_index,
                        status="accepted", source="police", reason="")
        result.merged += 1
    return result
