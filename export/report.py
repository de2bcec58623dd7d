"""Supervisors' progress report: what each commune and district did in a day or an ISO week, and when it
will finish at the current rate.

Communes report to the district daily and civil-status teams weekly (shared/domain.md §4), so a report
covers one local day or one ISO week. Day boundaries are Vietnam time (the store keeps UTC). The figures
come from the store's timestamps: files received (received_at), pages processed (pages of files finished
in the period), records extracted (created_at), reviewed/approved (first review decision of that kind,
review app table), exported (records in status `exported`, updated_at), quarantined (files, by reason
code), plus the current count of owners known only by a 9-digit CMND (awaiting police reconciliation).

`build_report` returns a plain dataclass (the review app renders it as HTML); `write_report_xlsx` writes
one sheet per level with a native line chart, `write_report_png` the same chart with matplotlib.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from export.communes import CommuneTable, load_communes

RATE_WINDOW_DAYS = 7       # the "current rate" is the mean of the last 7 calendar days
HISTORY_DAYS = 30          # days shown on the progress chart
MAX_PROJECTION_YEARS = 10  # a finish further away than this is no projection: too little progress to tell
FIRST_YEAR, LAST_YEAR = 2000, 2100  # report periods outside these years are typing mistakes
LEVELS = ("xa", "huyen")
_ID_KEY = re.compile(r"(?i)(giayto|cmnd|dinhdanh|cccd)")
_CMND = re.compile(r"\d{9}")


def local_zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except Exception:  # no tz database on this machine: Vietnam has had no DST since 1975
        from datetime import timezone

        return timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Period:
    label: str      # "2026-05-09" or "2026-W19"
    start: date     # first day, inclusive
    end: date       # last day, inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def parse_period(day: str | date | None = None, week: str | None = None, *, today: date | None = None) -> Period:
    """`--day YYYY-MM-DD`, `--week YYYY-Www`, or today (local)."""
    if day is not None and week is not None:
        raise ValueError("chỉ chọn một: --day hoặc --week (choose --day or --week, not both)")
    if week is not None:
        m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", week.strip(), re.IGNORECASE)
        if not m:
            raise ValueError(f"tuần phải có dạng YYYY-Www, ví dụ 2026-W19 (week must look like 2026-W19): {week!r}")
        try:
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError as exc:
            raise ValueError(f"tuần không tồn tại (no such week): {week!r}") from exc
        iso = start.isocalendar()
        _check_year(start, week)
        return Period(f"{iso.year}-W{iso.week:02d}", start, start + timedelta(days=6))
    if isinstance(day, str):
        try:
            d = date.fromisoformat(day.strip())
        except ValueError as exc:
            raise ValueError(f"ngày phải có dạng YYYY-MM-DD (day must look like 2026-05-09): {day!r}") from exc
    else:
        d = day or today or datetime.now(local_zone()).date()
    _check_year(d, day)
    return Period(d.isoformat(), d, d)


def _check_year(d: date, given: object) -> None:
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise ValueError(f"kỳ báo cáo phải trong các năm {FIRST_YEAR}–{LAST_YEAR} (report period must be within "
                         f"{FIRST_YEAR}–{LAST_YEAR}): {given!r}")


@dataclass
class UnitProgress:
    """One commune (level "xa") or district (level "huyen"). Period counts, then running totals."""
    level: str
    code: str
    name: str
    district: str
    received: int = 0
    pages: int = 0
    extracted: int = 0
    reviewed: int = 0
    approved: int = 0
    exported: int = 0
    quarantined: int = 0
    quarantine_reasons: Counter[str] = field(default_factory=Counter)
    cmnd_pending: int = 0
    total_extracted: int = 0
    total_approved: int = 0
    total_exported: int = 0
    target: int = 0
    rate_per_day: float = 0.0
    projected_completion: date | None = None

    @property
    def percent(self) -> float | None:
        return 100.0 * self.total_extracted / self.target if self.target else None

    @property
    def reasons_text(self) -> str:
        return "; ".join(f"{code or 'khác'}: {n}" for code, n in self.quarantine_reasons.most_common())

    def completion_text(self) -> str:
        if self.target and self.total_extracted >= self.target:
            return "đã đủ (done)"
        if self.projected_completion is None:
            return "chưa ước tính được (no estimate)" if self.target else "chưa có chỉ tiêu (no target)"
        return self.projected_completion.strftime("%d.%m.%Y")

    def add(self, other: UnitProgress) -> None:
        for name in ("received", "pages", "extracted", "reviewed", "approved", "exported", "quarantined",
                     "cmnd_pending", "total_extracted", "total_approved", "total_exported", "target"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.quarantine_reasons.update(other.quarantine_reasons)
        self.rate_per_day += other.rate_per_day


@dataclass
class ProgressReport:
    period: Period
    generated_at: datetime
    communes: list[UnitProgress]
    districts: list[UnitProgress]
    days: list[date]                                  # x axis of the progress chart
    history: dict[str, list[int]]                     # commune code -> cumulative records extracted per day
    district_history: dict[str, list[int]] = field(default_factory=dict)

    def level(self, level: str) -> list[UnitProgress]:
        return self.communes if level == "xa" else self.districts

    def totals(self) -> UnitProgress:
        total = UnitProgress("tong", "", "Tổng (total)", "")
        for unit in self.districts:
            total.add(unit)
        finish_dates = [u.projected_completion for u in self.districts if u.projected_completion]
        total.projected_completion = max(finish_dates) if finish_dates else None
        return total


# ------------------------------------------------------------------------------------------ building

class _Events:
    """Per commune, per local day counters of one kind of event."""

    def __init__(self) -> None:
        self.by_day: dict[str, Counter[date]] = defaultdict(Counter)

    def add(self, commune: str, day: date | None, n: int = 1) -> None:
        if day is not None:
            self.by_day[commune][day] += n

    def between(self, commune: str, start: date, end: date) -> int:
        return sum(n for d, n in self.by_day.get(commune, {}).items() if start <= d <= end)

    def until(self, commune: str, end: date) -> int:
        return sum(n for d, n in self.by_day.get(commune, {}).items() if d <= end)


def _collect(store, zone: tzinfo, since: date
             ) -> tuple[dict[str, _Events], dict[str, dict[date, Counter[str]]], Counter[str]]:
    """The store's counts per commune and local day from `since` on, and the cumulative ones before it in
    one bucket dated date.min (added up by the database, store/reports.py)."""
    raw = store.report_counts(zone, since)
    ev = {k: _Events() for k in ("received", "pages", "extracted", "reviewed", "approved", "exported")}
    quarantine: dict[str, dict[date, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    cmnd: Counter[str] = Counter()
    for kind in ev:
        for commune, day, n in getattr(raw, kind):
            ev[kind].add(commune, day, n)
    for commune, day, reason, n in raw.quarantined:
        if day is not None:
            quarantine[commune][day][reason] += n
    seen: set[tuple[int, int | None]] = set()
    for commune, rid, owner, key, value in raw.nine_digit_ids:
        if _ID_KEY.search(key) and _CMND.fullmatch(value or "") and (rid, owner) not in seen:
            seen.add((rid, owner))
            cmnd[commune] += 1
    return ev, quarantine, cmnd


def _projection(unit: UnitProgress, end: date) -> None:
    """The day the target is reached at the current rate; none when that is more than MAX_PROJECTION_YEARS
    away (a trickle of records would otherwise project a finish in the year 2151)."""
    unit.projected_completion = None
    if unit.target and unit.rate_per_day > 0 and unit.total_extracted < unit.target:
        days = math.ceil(round((unit.target - unit.total_extracted) / unit.rate_per_day, 6))  # no float-noise day
        if days <= MAX_PROJECTION_YEARS * 366:
            unit.projected_completion = end + timedelta(days=days)


def build_report(store, day: str | date | None = None, week: str | None = None, *,
                 communes: CommuneTable | None = None, zone: tzinfo | None = None,
                 now: datetime | None = None) -> ProgressReport:
    """The report for one day (default today) or one ISO week, per commune and per district."""
    zone = zone or local_zone()
    now = now or datetime.now(zone)
    period = parse_period(day, week, today=now.astimezone(zone).date())
    table = communes or load_communes()
    # a week that is not over yet ends today: no chart days, rates or projections from days still to come
    last_day = min(period.end, now.astimezone(zone).date())
    rate_start = last_day - timedelta(days=RATE_WINDOW_DAYS - 1)
    days = [last_day - timedelta(days=i) for i in range(HISTORY_DAYS - 1, -1, -1)]
    ev, quarantine, cmnd = _collect(store, zone, min(period.start, rate_start, days[0]))

    labels = {c.code for c in table.communes}  # every commune of the table, even before its first file
    for kind in ev.values():
        labels.update(kind.by_day)
    labels.update(quarantine)
    labels.update(k for k in cmnd if k)

    by_code: dict[str, UnitProgress] = {}
    history: dict[str, list[int]] = {}
    for label in sorted(labels):
        commune = table.resolve(label)
        unit = by_code.get(commune.code)
        if unit is None:
            unit = by_code[commune.code] = UnitProgress("xa", commune.code, commune.name, commune.district,
                                                        target=commune.target)
            history[commune.code] = [0] * len(days)
        s, e = period.start, period.end
        unit.received += ev["received"].between(label, s, e)
        unit.pages += ev["pages"].between(label, s, e)
        unit.extracted += ev["extracted"].between(label, s, e)
        unit.reviewed += ev["reviewed"].between(label, s, e)
        unit.approved += ev["approved"].between(label, s, e)
        unit.exported += ev["exported"].between(label, s, e)
        for d, reasons in quarantine.get(label, {}).items():
            if s <= d <= e:
                unit.quarantine_reasons.update(reasons)
        unit.quarantined = sum(unit.quarantine_reasons.values())
        unit.cmnd_pending += cmnd.get(label, 0)
        unit.total_extracted += ev["extracted"].until(label, e)
        unit.total_approved += ev["approved"].until(label, e)
        unit.total_exported += ev["exported"].until(label, e)
        unit.rate_per_day += ev["extracted"].between(label, rate_start, e) / RATE_WINDOW_DAYS
        history[commune.code] = [h + ev["extracted"].until(label, d) for h, d in zip(history[commune.code], days,
                                                                                      strict=True)]
    communes_out = sorted(by_code.values(), key=lambda u: (u.district, u.name))
    districts: dict[str, UnitProgress] = {}
    district_history: dict[str, list[int]] = {}
    for unit in communes_out:
        _projection(unit, last_day)
        d = districts.setdefault(unit.district, UnitProgress("huyen", unit.district, unit.district, unit.district))
        d.add(unit)
        district_history[unit.district] = [a + b for a, b in zip(
            district_history.get(unit.district, [0] * len(days)), history[unit.code], strict=True)]
    for d in districts.values():
        _projection(d, last_day)
    return ProgressReport(period=period, generated_at=now, communes=communes_out,
                          districts=sorted(districts.values(), key=lambda u: u.name), days=days,
                          history=history, district_history=district_history)


# ------------------------------------------------------------------------------------------ writing

COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "Mã (code)"), ("name", "Tên (name)"), ("district", "Huyện (district)"),
    ("received", "Tệp nhận (files received)"), ("pages", "Trang đã xử lý (pages processed)"),
    ("extracted", "Bản ghi trích xuất (records extracted)"), ("reviewed", "Đã kiểm tra (reviewed)"),
    ("approved", "Đã duyệt (approved)"), ("exported", "Đã xuất (exported)"),
    ("quarantined", "Tệp cách ly (files quarantined)"), ("reasons_text", "Lý do cách ly (quarantine reasons)"),
    ("cmnd_pending", "CMND chờ công an đối soát (CMND awaiting police)"),
    ("total_extracted", "Lũy kế trích xuất (total extracted)"), ("total_approved", "Lũy kế duyệt (total approved)"),
    ("target", "Chỉ tiêu (target)"), ("percent", "Tỷ lệ % (percent of target)"),
    ("rate_per_day", f"Tốc độ/ngày, TB {RATE_WINDOW_DAYS} ngày (rate per day)"),
    ("completion", "Dự kiến hoàn thành (projected completion)"),
)
SHEETS = {"xa": "Theo xã", "huyen": "Theo huyện"}
CHART_DATA_SHEET = "Dữ liệu biểu đồ"


def _cell(unit: UnitProgress, key: str) -> object:
    if key == "completion":
        return unit.completion_text()
    if key == "percent":
        return round(unit.percent, 1) if unit.percent is not None else None
    if key == "rate_per_day":
        return round(unit.rate_per_day, 1)
    value = getattr(unit, key)
    if key == "district" and unit.level == "huyen":
        return None
    return value


def _title(report: ProgressReport, level: str) -> str:
    what = "xã (commune)" if level == "xa" else "huyện (district)"
    p = report.period
    span = p.start.strftime("%d.%m.%Y") + ("" if p.days == 1 else " – " + p.end.strftime("%d.%m.%Y"))
    return f"Báo cáo tiến độ số hóa theo {what} — {p.label} ({span})"


def write_report_xlsx(report: ProgressReport, path: Path, levels: Iterable[str] = LEVELS) -> Path:
    """One sheet per level, a native openpyxl line chart of progress over time under each table."""
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from export.atomic import atomic_path

    levels = [lv for lv in LEVELS if lv in set(levels)]
    wb = Workbook()
    wb.remove(wb.active)
    data = wb.create_sheet(CHART_DATA_SHEET)
    for level in levels:
        ws = wb.create_sheet(SHEETS[level], index=levels.index(level))
        ws.append([_title(report, level)])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([f"Lập lúc (generated) {report.generated_at.strftime('%d.%m.%Y %H:%M')}"])
        ws.append([label for _, label in COLUMNS])
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        units = report.level(level)
        for unit in units:
            ws.append([_cell(unit, key) for key, _ in COLUMNS])
        total = report.totals()
        ws.append([_cell(total, key) if key != "code" else None for key, _ in COLUMNS])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for i, (key, _) in enumerate(COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = 28 if key in ("name", "reasons_text") else 14
        ws.freeze_panes = "D4"

        series = report.history if level == "xa" else report.district_history
        names = {u.code: u.name for u in units}
        first_col = data.max_column + 2 if data.max_row > 1 else 1
        data.cell(row=1, column=first_col, value=f"Ngày ({SHEETS[level]})")
        for r, d in enumerate(report.days, start=2):
            data.cell(row=r, column=first_col, value=d.strftime("%d.%m"))
        for j, (code, values) in enumerate(series.items(), start=1):
            data.cell(row=1, column=first_col + j, value=names.get(code, code))
            for r, v in enumerate(values, start=2):
                data.cell(row=r, column=first_col + j, value=v)
        chart = LineChart()
        chart.title = "Lũy kế bản ghi trích xuất (records extracted, cumulative)"
        chart.y_axis.title = "Bản ghi (records)"
        chart.x_axis.title = "Ngày (day)"
        chart.height, chart.width = 9, 22
        last_row = len(report.days) + 1
        if series:
            chart.add_data(Reference(data, min_col=first_col + 1, max_col=first_col + len(series),
                                     min_row=1, max_row=last_row), titles_from_data=True)
            chart.set_categories(Reference(data, min_col=first_col, min_row=2, max_row=last_row))
        ws.add_chart(chart, f"A{ws.max_row + 3}")
    with atomic_path(Path(path)) as tmp:
        wb.save(tmp)
    return Path(path)


def write_report_png(report: ProgressReport, path: Path, level: str = "xa") -> Path:
    """The progress chart as a PNG (matplotlib, Agg: no display needed), for e-mail and the web page."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from export.atomic import atomic_path

    series = report.history if level == "xa" else report.district_history
    names = {u.code: u.name for u in report.level(level)}
    fig, ax = plt.subplots(figsize=(10, 5), dpi=100)
    try:
        for code, values in series.items():
            ax.plot(report.days, values, marker=".", label=names.get(code, code))
        ax.set_title(f"Lũy kế bản ghi trích xuất (records extracted) — {report.period.label}")
        ax.set_xlabel("Ngày (day)")
        ax.set_ylabel("Bản ghi (records)")
        ax.grid(True, alpha=0.3)
        if series:
            ax.legend(fontsize=8, loc="upper left")
        fig.autofmt_xdate()
        fig.tight_layout()
        with atomic_path(Path(path)) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return Path(path)


def write_report(report: ProgressReport, out: Path, levels: Iterable[str] = LEVELS) -> tuple[Path, Path]:
    """FILE.xlsx and FILE.png beside it (the PNG shows communes, or districts when only that level is asked)."""
    levels = list(levels)
    xlsx = write_report_xlsx(report, out, levels)
    png = write_report_png(report, Path(out).with_suffix(".png"), "xa" if "xa" in levels else "huyen")
    return xlsx, png
