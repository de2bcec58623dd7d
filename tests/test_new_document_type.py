"""A document type is one data file: drop it into the profiles folder, and a page of that type goes through the
hot folder (real OCR), the review app and the BTP export without a line of Python. Also: every inbox folder
the README names is one a document type declares, and HN / CMC pages (once always quarantined) come out as
records of their type."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hotfolders_helpers import make_workspace
from openpyxl import load_workbook
from PIL import Image, ImageDraw, ImageFont

from common.doctypes import load_registry
from common.paths import profiles_dir
from hotfolders.runner import Runner
from review.app import create_app
from review.users import add_user
from sohoa.cli import main
from store.db import Store
from tests.support.review_kit import PASSWORD, csrf_token, login, version_of

NEW_TYPE = """
name = "ncn"
title = "Sổ đăng ký nuôi con nuôi (adoption register page)"

[type]
code = "NCN"
family = "civil_status"
inbox = ["NCN"]
ocr_layout = "form"

[recognise]
min_score = 3.0
anchors = [{ phrase = "Sổ đăng ký nuôi con nuôi", weight = 3 }, { phrase = "Người được nhận làm con nuôi", weight = 1 }]

[[fields]]
key = "so"
labels = ["Số"]
position = "right"
normalizer = "register_no"
required = true

[[fields]]
key = "ngayDangKy"
labels = ["Ngày đăng ký"]
position = "right"
normalizer = "date"
validators = ["date"]

[[fields]]
key = "nccnHoTen"
labels = ["Người được nhận làm con nuôi"]
position = "right"
normalizer = "name"
required = true

[export]
exporter = "btp"
columns = ["STT", "so", "quyenSo", "ngayDangKy", "nccnHoTen"]
"""
LINES = ["SỔ ĐĂNG KÝ NUÔI CON NUÔI", "Số: 12/2020", "Ngày đăng ký: 05/03/2020",
         "Người được nhận làm con nuôi: Lê Văn Ba"]
TRUTH = {"so": "12/2020", "ngayDangKy": "05.03.2020", "nccnHoTen": "Lê Văn Ba"}
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _page(path: Path) -> Path:
    """A clean 200 dpi A5-ish page with the four lines (the generator knows no such type: drawn here)."""
    image = Image.new("L", (1200, 900), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 34)
    for i, line in enumerate(LINES):
        draw.text((80, 120 + i * 110), line, font=font, fill=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, dpi=(200, 200))
    return path


@pytest.fixture()
def profiles_with_new_type(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "profiles"
    shutil.copytree(profiles_dir(), folder)
    (folder / "ncn.toml").write_text(NEW_TYPE, encoding="utf-8")
    monkeypatch.setenv("SOHOA_PROFILES", str(folder))
    return folder


def test_a_new_type_by_one_file_goes_through_watch_review_and_export(tmp_path, profiles_with_new_type):
    ws, config = make_workspace(tmp_path / "ws", name="real")
    assert (ws.inbox / "NCN").is_dir()                      # init made the new type's inbox folder
    _page(ws.inbox / "NCN" / "Cẩm Hưng" / "Q01_2020" / "trang-1.png")
    runner = Runner(ws, config)
    try:
        stats = runner.run_once()
    finally:
        runner.close()
    assert (stats.done, stats.quarantined) == (1, 0)
    store = Store(ws.store_url())
    (row,) = store.record_rows()
    assert row.doc_type == "ncn"
    read = {k: v.value for k, v in store.load_record(row.id).record.fields.items()}
    assert read == TRUTH, read

    app = create_app(ws.root, testing=True)
    add_user(app.config["STORE"], "an", "reviewer", PASSWORD, actor="test")
    add_user(app.config["STORE"], "chi", "approver", PASSWORD, actor="test")
    reviewer = app.test_client()
    login(reviewer, "an")
    reviewer.post(f"/record/{row.id}/claim", data={"csrf_token": csrf_token(reviewer.get("/").text)})
    page = reviewer.get(f"/record/{row.id}").text
    assert "Sổ đăng ký nuôi con nuôi" in page and "savebtn" in page  # the type's title, from its file
    form = {"csrf_token": csrf_token(page), "version": version_of(page)}
    for key, value in TRUTH.items():
        form[f"v:{key}"], form[f"s:{key}"] = value, "accepted"
    assert reviewer.post(f"/record/{row.id}/save", data=form).status_code == 302
    approver = app.test_client()
    login(approver, "chi")
    page = approver.get("/approvals").text
    assert approver.post(f"/record/{row.id}/approve", data={"csrf_token": csrf_token(page),
                                                            "version": version_of(page)}).status_code == 302

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(ws.root), "--out", str(out), "--type", "NCN",
                                       "--no-libreoffice"])
    assert result.exit_code == 0, result.output
    (xlsx,) = out.rglob("*.xlsx")
    assert ".NCN.2020." in xlsx.name
    rows = list(load_workbook(xlsx, read_only=True)["DL Import"].iter_rows(values_only=True))
    assert [str(c).split("\n")[0] for c in rows[0]] == ["STT", "so", "quyenSo", "ngayDangKy", "nccnHoTen"]
    assert rows[1][1:] and rows[1][1] == "12/2020" and rows[1][4] == "Lê Văn Ba"
    assert Store(ws.store_url()).load_record(row.id).row.status == "exported"


def test_every_inbox_folder_the_readme_names_is_declared():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.splitlines() if "drop files here; loại =" in x)
    named = line.split("loại =", 1)[1].split()
    declared = {f.casefold() for f in load_registry().inbox_folders()} | {"auto"}
    assert named and all(n.casefold() in declared for n in named), (named, declared)


@pytest.mark.parametrize("kind", ["hn", "cmc"])
def test_hn_and_cmc_pages_become_records_of_their_type(tmp_path, kind):
    """Regression: files dropped into inbox/HN or inbox/CMC were always quarantined (no profile: KeyError)."""
    from synth.generate import generate_corpus

    truths = generate_corpus(tmp_path / "corpus", n=1, seed=3, kinds=[kind], conditions=["clean"], dpi=200)
    ws, config = make_workspace(tmp_path / "ws", name="real")
    folder = load_registry()[kind].type.inbox[0]
    dest = ws.inbox / folder / "Cẩm Hưng" / "Q01_2020" / Path(truths[0].file).name
    dest.parent.mkdir(parents=True)
    shutil.copy(tmp_path / "corpus" / truths[0].file, dest)
    runner = Runner(ws, config)
    try:
        stats = runner.run_once()
    finally:
        runner.close()
    assert (stats.done, stats.quarantined) == (1, 0)
    (row,) = Store(ws.store_url()).record_rows()
    assert row.doc_type == kind
