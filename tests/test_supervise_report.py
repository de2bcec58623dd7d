"""Progress report: counts per commune and district, projection, workbook with both sheets and a native
chart, PNG beside it, and the workbook opens in LibreOffice."""
from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from export.communes import load_communes
from export.report import build_report, parse_period, write_report
from extract.types import FieldValue, Person, Record
from store.db import Store
from store.schema import files, records
from store.types import PageData


def _add_file(store: Store, n: int, commune: str, when: datetime, *, recs: int = 1, cmnd: bool = False,
              quarantine: str = "") -> None:
    f = store.add_file(content_hash=f"h{n}", size=1, origin_path=f"/in/{n}.jpg", rel_path=f"KS/{commune}/q1/{n}.jpg",
                       kind_hint="KS", commune=commune, book="q1")
    if quarantine:
        store.quarantine_file(f.id, quarantine, "hỏng (broken)")
    else:
        owners = [Person({"soGiayTo": FieldValue("012345678", 0.9, "accepted")})] if cmnd else []
        store.commit_file_results(f.id, [PageData(0), PageData(1)],
                                  [Record("ks", 1.0, {"so": FieldValue("01/2010", 1, "accepted")}, owners, [0, 1])
                                   for _ in range(recs)])
    with store.engine.begin() as conn:
        conn.execute(update(files).where(files.c.id == f.id).values(received_at=when, finished_at=when))
        conn.execute(update(records).where(records.c.file_id == f.id).values(created_at=when, updated_at=when))


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "sohoa.db")
    day = datetime(2026, 5, 8, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
    _add_file(s, 1, "Cẩm Hưng", day, recs=3, cmnd=True)
    _add_file(s, 2, "cam-hung", day - timedelta(days=1), recs=2)
    _add_file(s, 3, "Nam Hưng", day, recs=1)
    _add_file(s, 4, "Nam Hưng", day, quarantine="corrupt")
    _add_file(s, 5, "Xã Lạ", day + timedelta(hours=20), recs=1)  # next local day, unknown commune
    yield s
    s.close()


def test_period_parsing():
    assert parse_period(week="2026-W19").start == date(2026, 5, 4)
    assert parse_period(week="2026-W19").end == date(2026, 5, 10)
    assert parse_period("2026-05-08").days == 1
    with pytest.raises(ValueError, match="YYYY-Www"):
        parse_period(week="19/2026")


def test_counts_per_commune_and_district(store):
    report = build_report(store, day="2026-05-08", communes=load_communes(),
                          now=datetime(2026, 5, 8, 17, 0, tzinfo=UTC))
    by_name = {u.name: u for u in report.communes}
    cam = by_name["Cẩm Hưng"]  # "Cẩm Hưng" and its alias "cam-hung" are one commune
    assert (cam.received, cam.pages, cam.extracted, cam.total_extracted) == (1, 2, 3, 5)
    assert cam.cmnd_pending == 3 and cam.target == 7400
    assert cam.rate_per_day == pytest.approx(5 / 7)
    # 7,395 records to go at 5 a week is 28 years: no projection (it used to print a finish in 2054, or 2151)
    assert cam.projected_completion is None and "chưa ước tính" in cam.completion_text()
    nam = by_name["Nam Hưng"]
    assert nam.quarantined == 1 and nam.quarantine_reasons == {"corrupt": 1}
    assert by_name["Xã Lạ"].extracted == 0  # its file arrived on the 9th, local time
    districts = {u.name: u for u in report.districts}
    assert districts["Cẩm Giàng"].total_extracted == 5
    assert districts["Cẩm Giàng"].target == 7400 + 6800 + 7100
    assert districts["Nam Sách"].extracted == 1
    assert report.history[cam.code][-1] == 5 and report.history[cam.code][-2] == 2


def test_week_report(store):
    report = build_report(store, week="2026-W19", communes=load_communes())
    assert sum(u.extracted for u in report.communes) == 7


def test_workbook_sheets_chart_png_and_libreoffice(store, tmp_path):
    from openpyxl import load_workbook

    report = build_report(store, day="2026-05-08", communes=load_communes())
    xlsx, png = write_report(report, tmp_path / "bao-cao.xlsx")
    assert png == tmp_path / "bao-cao.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    wb = load_workbook(xlsx)
    assert wb.sheetnames[:2] == ["Theo xã", "Theo huyện"]
    assert len(wb["Theo xã"]._charts) == 1 and len(wb["Theo huyện"]._charts) == 1
    names = [row[1] for row in wb["Theo xã"].iter_rows(min_row=4, values_only=True)]
    assert "Cẩm Hưng" in names
    with zipfile.ZipFile(xlsx) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot check the workbook opens in it")
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path / "csv"),
                    str(xlsx)], check=True, capture_output=True, timeout=180)
    text = (tmp_path / "csv" / "bao-cao.csv").read_text(encoding="utf-8")
    assert "Cẩm Hưng" in text and "Báo cáo tiến độ" in text


def test_only_one_level(store, tmp_path):
    from openpyxl import load_workbook

    report = build_report(store, day="2026-05-08", communes=load_communes())
    xlsx, _ = write_report(report, tmp_path / "h.xlsx", levels=["huyen"])
    assert "Theo xã" not in load_workbook(xlsx).sheetnames


def test_periods_outside_plausible_years_are_refused():
    """Regression: /report?day=0001-01-01 and ?week=9999-W52 answered HTTP 500."""
    for day, week in (("0001-01-01", None), (None, "9999-W52"), ("2999-01-01", None)):
        with pytest.raises(ValueError, match="2000–2100"):
            parse_period(day, week)


def test_projection_when_the_rate_reaches_the_target_in_reasonable_time(store):
    from export.communes import Commune, CommuneTable

    table = load_communes()
    small = [Commune(c.code, c.name, c.district, c.province, 12 if c.name == "Cẩm Hưng" else c.target, c.aliases)
             for c in table.communes]
    report = build_report(store, day="2026-05-08", communes=CommuneTable(table.province, small),
                          now=datetime(2026, 5, 8, 17, 0, tzinfo=UTC))
    cam = next(u for u in report.communes if u.name == "Cẩm Hưng")
    assert cam.projected_completion == date(2026, 5, 8) + timedelta(days=10)   # 7 left at 5 a week


def test_a_week_in_progress_charts_no_days_after_today(store):
    """Regression: the weekly chart plotted days after today."""
    report = build_report(store, week="2026-W19", communes=load_communes(),
                          now=datetime(2026, 5, 8, 3, 0, tzinfo=UTC))   # Friday of week 19, 10:00 local
    assert max(report.days) == date(2026, 5, 8) and report.period.end == date(2026, 5, 10)
