"""Export file names follow shared/domain.md §1 and are safe on any file system."""
import re
import unicodedata

import pytest

from common.errors import ConfigError
from export.naming import Naming, initials, load_naming, safe_name, strip_diacritics, unique_name
from export.types import BookKey

BOOK = BookKey("KS", "10894", "Cẩm Giàng", "Hải Dương", "2010", "1")

PDF_RE = re.compile(r"^(KS|KT|KH|HN|CMC)\.\d{4}\.\d{2}\.\d{4}-\d{2}-\d{2}\.\d{3}\.pdf$")
BOOK_RE = re.compile(r"^\d+_[A-Z]+_[A-Z]+\.(KS|KT|KH|HN|CMC)\.\d{4}\.\d+\.(xlsx|zip)$")


@pytest.mark.parametrize(("name", "expected"), [
    ("Cẩm Giàng", "CG"), ("Hải Dương", "HD"), ("Thành phố Hải Dương", "HD"), ("TP Hồ Chí Minh", "HCM"),
    ("huyện Đông Anh", "DA"), ("Bà Rịa - Vũng Tàu", "BRVT"), ("HD", "HD"),
    (unicodedata.normalize("NFD", "Cẩm Giàng"), "CG"),
])
def test_initials_from_vietnamese_names(name, expected):
    assert initials(name, load_naming().admin_prefixes) == expected


def test_strip_diacritics_handles_d_with_stroke():
    assert strip_diacritics("Đặng Thị Thúy") == "Dang Thi Thuy"


def test_pdf_name_matches_domain_example():
    naming = load_naming()
    name = naming.pdf_name(BOOK, {"ngayDangKy": "05.01.2010", "so": "01/2010"})
    assert name == "KS.2010.01.2010-01-05.001.pdf"
    assert PDF_RE.match(name)


def test_pdf_name_with_other_date_spelling_and_unknowns():
    naming = load_naming()
    assert naming.pdf_name(BOOK, {"ngayDangKy": "5/1/2010", "so": "12"}) == "KS.2010.01.2010-01-05.012.pdf"
    unknown = naming.pdf_name(BOOK, {})
    assert unknown == "KS.2010.01.0000-00-00.000.pdf"
    assert PDF_RE.match(unknown)


def test_book_names_for_excel_and_zip():
    naming = load_naming()
    assert naming.xlsx_name(BOOK) == "10894_CG_HD.KS.2010.01.xlsx"
    assert naming.zip_name(BOOK) == "10894_CG_HD.KS.2010.01.zip"
    assert BOOK_RE.match(naming.xlsx_name(BOOK)) and BOOK_RE.match(naming.zip_name(BOOK))


def test_explicit_initials_win():
    book = BookKey("KT", "00001", "Nowhere", "Elsewhere", "1999", "3", "XY", "ZW")
    assert load_naming().zip_name(book) == "00001_XY_ZW.KT.1999.03.zip"


def test_names_are_safe_and_nfc():
    nasty = BookKey("KS", "10/507", "Cẩm Giàng", "Hải Dương", "2010", "..\\1")
    name = load_naming().xlsx_name(nasty)
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert safe_name(unicodedata.normalize("NFD", "Sổ khai sinh")) == unicodedata.normalize("NFC", "Sổ khai sinh")
    assert safe_name("a/b\\c:d") == "a-b-c-d"
    with pytest.raises(ValueError):
        safe_name("..")


def test_patterns_are_configurable(tmp_path):
    (tmp_path / "naming.toml").write_text('pdf = "{type}-{reg_no:4}.pdf"\n', encoding="utf-8")
    naming = load_naming(tmp_path / "naming.toml")
    assert naming.pdf_name(BOOK, {"so": "7/2010"}) == "KS-0007.pdf"
    assert naming.book == Naming().book
    (tmp_path / "bad.toml").write_text('pfd = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown keys"):
        load_naming(tmp_path / "bad.toml")


def test_unique_name_disambiguates_collisions():
    taken: set[str] = set()
    assert unique_name("a.pdf", taken) == "a.pdf"
    assert unique_name("a.pdf", taken) == "a-2.pdf"
    assert unique_name("a.pdf", taken) == "a-3.pdf"


def test_a_note_in_brackets_is_not_a_name():
    """The demo once named a book 'xã Lê Lợi_RH_HD…': '(chưa rõ huyện)' gave the initials 'RH'."""
    assert initials("(chưa rõ huyện)") == "XX"
    assert initials("Cẩm Giàng (cũ)") == "CG"


def test_a_commune_not_in_the_workspace_file_is_found_in_the_official_list():
    from export.communes import load_communes

    table = load_communes()
    found = table.resolve("xã Tân Trường")
    assert (found.code, found.name, found.district, found.province) == ("10930", "Tân Trường", "Cẩm Giàng", "Hải Dương")
    assert table.resolve("10930") == found                       # by its official code too
    assert table.resolve("Lê Lợi - Gia Lộc").code == "11041"     # two communes of the name: the district settles it
    assert table.resolve("xã Cộng Hòa").district == "Nam Sách"   # "phường Cộng Hòa" is Chí Linh's
    assert table.resolve("phường Cộng Hòa").district == "Chí Linh"


def test_a_commune_missing_from_the_table_gets_a_readable_ascii_code():
    from export.communes import UNKNOWN_DISTRICT, load_communes

    commune = load_communes().resolve("xã Lê Lợi")  # two in the province, no district given: not guessed
    assert (commune.code, commune.name, commune.district) == ("LeLoi", "xã Lê Lợi", UNKNOWN_DISTRICT)
    assert load_communes().resolve("Xã Cẩm Hưng").code == "10894"  # a known one keeps its table code


def test_an_unknown_commune_is_warned_once_in_vietnamese(caplog):
    """Regression: the 'commune not in table' warning was English only and repeated on every resolve, even on
    exports where that commune was not involved."""
    import logging

    from export.communes import load_communes

    table = load_communes()
    with caplog.at_level(logging.WARNING, logger="export.communes"):
        for _ in range(3):
            table.resolve("Xã Không Có Thật")
    warnings = [r.getMessage() for r in caplog.records if "Không Có Thật" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("xã ") and "không có trong danh mục" in warnings[0]
