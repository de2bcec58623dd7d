"""`sohoa export` and `sohoa import-reconciliation` against a real workspace store."""
import shutil

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from export.cli import export_command, import_reconciliation_command
from extract.types import FieldValue, Person, Record
from hotfolders.workspace import init_workspace
from store.db import Store
from store.types import PageData  # noqa: E402
from synth.backlog import synthetic_page


def ok(value):
    return FieldValue(value, 0.99, "accepted")


@pytest.fixture()
def workspace(workspace_store_url, tmp_path):
    ws = init_workspace(tmp_path / "ws", workspace_store_url)
    page = synthetic_page(tmp_path / "page.png", seed=3, dpi=100)
    with Store(ws.store_url()) as store:
        f = store.add_file(content_hash="a" * 64, size=1, origin_path="x", rel_path="KS/Cẩm Hưng/2010-01/a.pdf",
                           kind_hint="KS", commune="Cẩm Hưng", book="2010-01")
        store.commit_file_results(f.id, [PageData(0, "", str(page)), PageData(1, "", str(page))], [
            Record("ks", 0.99, {"so": ok("01/2010"), "quyenSo": ok("01"), "ngayDangKy": ok("05.01.2010"),
                                "nksHoTen": ok("Nguyễn Văn An"), "nksSoDinhDanh": ok("030210000001")}, pages=[0, 1]),
            Record("ks", 0.99, {"so": ok("02/2010"), "ngayDangKy": ok("06.01.2010"),
                                "nksHoTen": FieldValue("Tr?n", 0.3, "needs_review")}, pages=[1]),
        ])
        g = store.add_file(content_hash="b" * 64, size=1, origin_path="y", rel_path="GCN/Cẩm Hưng/lo1/b.jpg",
                           kind_hint="GCN", commune="Cẩm Hưng", book="lo1")
        store.commit_file_results(g.id, [PageData(0, "", str(page))], [
            Record("gcn_2014", 0.99, {"soPhatHanh": ok("CS 123456"), "thuaDatSo": ok("12"), "toBanDoSo": ok("3")},
                   owners=[Person({"hoTen": ok("Lê Văn Cường"), "namSinh": ok("1950"), "soGiayTo": ok("012345678")})],
                   pages=[0])])
        h = store.add_file(content_hash="c" * 64, size=1, origin_path="z", rel_path="KS/Cẩm Hưng/2010-01/c.pdf",
                           kind_hint="KS", commune="Cẩm Hưng", book="2010-01")
        store.commit_file_results(h.id, [PageData(0, "", str(page))], [
            Record("ks", 0.99, {"so": ok("03/2010"), "ngayDangKy": ok("07.01.2010")}, pages=[0])])  # not approved
        approved = [r.id for r in store.record_rows() if r.file_id != h.id]
        store.set_records_status(approved, "approved")
    return ws


def test_export_command_writes_book_and_land_files(workspace, tmp_path):
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler pdfinfo not installed: the export's PDF re-read cannot run")
    out = tmp_path / "out"
    result = CliRunner().invoke(export_command, [str(workspace.root), "--out", str(out), "--no-libreoffice"])
    assert result.exit_code == 0, result.output
    assert "held back 2" in result.output and "needs_review: 1" in result.output
    assert "not_approved: 1" in result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["10894.CMND.doi-soat.xlsx", "10894.GCN.chu-su-dung.xlsx",
                     "10894_CG_HD.KS.2010.01.xlsx", "10894_CG_HD.KS.2010.01.zip"]
    with Store(workspace.store_url()) as store:
        assert store.count_records_by_status() == {"exported": 2, "approved": 1, "extracted": 1}


def test_import_reconciliation_merges_valid_answers(workspace, tmp_path):
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler pdfinfo not installed: the export's PDF re-read cannot run")
    out = tmp_path / "out"
    assert CliRunner().invoke(export_command, [str(workspace.root), "--out", str(out), "--type", "GCN",
                                               "--no-libreoffice"]).exit_code == 0
    listing = out / "10894.CMND.doi-soat.xlsx"
    wb = load_workbook(listing)
    ws = wb.active
    answer = [c.value for c in ws[1]].index("Số định danh cá nhân (12 số) - công an ghi") + 1
    ws.cell(row=2, column=answer, value="001050001234")
    wb.save(tmp_path / "reply.xlsx")
    result = CliRunner().invoke(import_reconciliation_command, [str(tmp_path / "reply.xlsx"), "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert "merged 1" in result.output
    with Store(workspace.store_url()) as store:
        gcn = next(r for r in store.record_rows() if r.doc_type == "gcn_2014")
        owner = store.load_record(gcn.id).record.owners[0]
        assert owner.fields["soDinhDanh"].value == "001050001234" and owner.fields["soGiayTo"].value == "012345678"

    ws.cell(row=2, column=answer, value="001051001234")   # wrong birth year
    wb.save(tmp_path / "bad.xlsx")
    result = CliRunner().invoke(import_reconciliation_command, [str(tmp_path / "bad.xlsx"), "-w", str(workspace.root)])
    assert result.exit_code == 1 and "dòng 2" in result.output


@pytest.mark.parametrize(("label", "expected"), [
    ("2010-01", ("2010", "01")), ("Q01_2010", ("2010", "01")), ("quyen 1 nam 2010", ("2010", "1")),
    ("lo1", ("", "1")), ("", ("", "")),
])
def test_book_folder_names_give_year_and_number(label, expected):
    from export.from_store import parse_book_label
    assert parse_book_label(label) == expected


def test_a_land_record_changed_while_the_export_writes_is_exported_as_changed(workspace, tmp_path, monkeypatch):
    """The land workbook is written, then — before its records are marked exported — the record changes
    (the police's answer imported, a correction). The store must not call it exported with the workbook
    holding the value from before: its commune is written again (BTP books already were; land was not)."""
    out = tmp_path / "out"
    original = Store.mark_exported
    changed: list[int] = []

    def change_then_mark(self, ids, **kwargs):
        gcn = [i for i in ids if self.load_record(i).row.doc_type == "gcn_2014"]
        if gcn and not changed:
            self.set_field(gcn[0], "soGiayTo", "012345679", who="police-import", owner_index=0)
            changed.append(gcn[0])
        return original(self, ids, **kwargs)

    monkeypatch.setattr(Store, "mark_exported", change_then_mark)
    result = CliRunner().invoke(export_command, [str(workspace.root), "--out", str(out), "--no-libreoffice",
                                                 "--type", "GCN"])
    assert result.exit_code == 0, result.output
    assert changed and "writing their communes again" in result.output
    wb = load_workbook(out / "10894.GCN.chu-su-dung.xlsx", read_only=True)
    cells = {str(c) for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if c is not None}
    wb.close()
    assert "012345679" in cells and "012345678" not in cells
    with Store(workspace.store_url()) as store:
        assert store.load_record(changed[0]).row.status == "exported"
