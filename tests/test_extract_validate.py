"""Validators and the MRZ: check digits computed here independently of the code under test."""
import pytest

from extract.mrz import check_digit, clean_mrz_lines, parse_td1
from extract.validate import (
    POLICE_RECONCILIATION,
    check_cccd_number,
    check_date,
    check_date_order,
    check_id_matches_person,
    check_id_number,
    check_mrz,
    check_regex,
)


def icao(data: str) -> str:
    """Independent ICAO 9303 check digit (weights 7, 3, 1)."""
    values = {**{str(d): d for d in range(10)}, **{chr(65 + i): 10 + i for i in range(26)}, "<": 0}
    return str(sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(data)) % 10)


def test_known_icao_check_digits():
    assert icao("L898902C3") == "6"          # ICAO 9303 specimen passport number
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"


def test_icao_td1_specimen():
    mrz = parse_td1(["I<UTOD231458907<<<<<<<<<<<<<<<",
                     "7408122F1204159UTO<<<<<<<<<<<6",
                     "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"])
    assert mrz.valid, mrz.checks
    assert mrz.sex == "2" and mrz.surname == "ERIKSSON" and mrz.given_names == "ANNA MARIA"


def vn_mrz(id12="001190012345", birth="900105", sex="F", expiry="300105", name="NGUYEN<<THI<THUY"):
    doc = id12[3:]
    l1 = ("IDVNM" + doc + icao(doc) + id12 + "<" * 30)[:30]
    l2 = birth + icao(birth) + sex + expiry + icao(expiry) + "VNM" + "<" * 11
    l2 += icao(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    l3 = (name + "<" * 30)[:30]
    return [l1, l2, l3]


def test_vietnamese_mrz_parsed_and_checked():
    lines = vn_mrz()
    assert all(len(x) == 30 for x in lines)
    mrz = parse_td1(lines)
    assert mrz.valid
    assert mrz.id_number == "001190012345"
    assert mrz.doc_number == "190012345"
    assert mrz.birth_date == "05.01.1990" and mrz.expiry == "05.01.2030"
    assert mrz.sex == "2" and mrz.name == "NGUYEN THI THUY"


def test_mrz_birth_century_from_the_id_digit():
    mrz = parse_td1(vn_mrz(id12="001305012345", birth="050301", sex="M", expiry="300301"))
    assert mrz.valid and mrz.birth_date == "01.03.2005"


def test_mrz_ocr_slips_repaired_and_tampering_caught():
    lines = vn_mrz()
    noisy = [lines[0].replace("0", "O", 2), lines[1], lines[2]]
    assert parse_td1(noisy).valid            # O in a digit-only position is read as 0
    broken = [lines[0], "8" + lines[1][1:], lines[2]]
    mrz = parse_td1(broken)
    assert not mrz.valid and not mrz.checks["birth"]
    assert "MRZ" in mrz.failures()[0]


def test_mrz_lines_found_in_ocr_text():
    l1, l2, l3 = vn_mrz()
    text = ["Ngón trỏ trái", l1[:15] + " " + l1[15:], l2.replace("<<<", "«<"), l3]
    found = clean_mrz_lines(text)
    assert found == [l1, l2, l3]
    assert check_mrz("\n".join(found)).ok
    assert not check_mrz("chỉ một dòng").ok


@pytest.mark.parametrize("number, ok", [
    ("001090012345", True), ("079190001234", True), ("003090012345", False),  # 003 is no province
    ("001590012345", False),  # century digit 5 = 22nd century
    ("00109001234", False), ("0010900123456", False),
])
def test_cccd_number(number, ok):
    assert check_cccd_number(number).ok is ok


def test_province_message_names_the_rule():
    assert "mã tỉnh" in check_cccd_number("003090012345").message


def test_nine_digit_number_is_cmnd_flagged_for_police():
    r = check_id_number("123456789")
    assert r.ok and r.flag == POLICE_RECONCILIATION
    assert check_id_number("001090012345").flag == ""
    assert not check_id_number("12345").ok


@pytest.mark.parametrize("number, birth, sex, broken", [
    ("001090012345", "05.01.1990", "1", []),
    ("001190012345", "05.01.1990", "2", []),
    ("001305012345", "01.03.2005", "2", []),
    ("001291012345", "05.01.1990", "1", ["năm sinh", "thế kỷ"]),   # says 1991 and 2000s
    ("001090012345", "05.01.1990", "2", ["giới tính"]),
    ("001090012345", "1990", "", []),
])
def test_id_matches_person(number, birth, sex, broken):
    messages = [c.message for c in check_id_matches_person(number, birth, sex)]
    assert len(messages) == len(broken)
    for word, msg in zip(broken, messages, strict=True):
        assert word in msg and "(" in msg  # Vietnamese first, English gloss in parentheses


def test_birth_year_message_exact():
    msgs = [c.message for c in check_id_matches_person("001091012345", "05.01.1990", "1")]
    assert msgs == ["số định danh không khớp năm sinh (ID number does not match birth year)"]


@pytest.mark.parametrize("a, b, ok", [
    ("05.01.1990", "06.01.1990", True), ("05.01.1990", "05.01.1990", True), ("06.01.1990", "05.01.1990", False),
    ("1990", "05.01.1990", True), ("01.1990", "31.01.1990", True), ("1991", "31.12.1990", False),
])
def test_date_order(a, b, ok):
    r = check_date_order(a, b, "ngày sinh sau ngày đăng ký (birth date after registration date)")
    assert r.ok is ok
    if not ok:
        assert r.message.startswith("ngày sinh sau ngày đăng ký")


def test_date_exists_and_not_future():
    assert check_date("29.02.2000").ok
    assert not check_date("29.02.2001").ok
    assert not check_date("01.01.2999").ok
    assert check_date("01.01.2035", {"not_future": False}).ok


@pytest.mark.parametrize("value, ok", [("CS 123456", True), ("CS 12345", False), ("C 123456", False)])
def test_regex_from_profile(value, ok):
    r = check_regex(value, {"pattern": r"[A-ZĐ]{2} \d{6}", "message": "số phát hành sai (serial malformed)"})
    assert r.ok is ok and (ok or r.message == "số phát hành sai (serial malformed)")


def test_mrz_id_field_must_repeat_the_document_number_with_a_real_province():
    lines = vn_mrz()
    mrz = parse_td1(lines)
    assert mrz.checks["id"]
    # two slips in the unprotected province digits can cancel out in the composite digit: caught here
    l1 = lines[0][:15] + "939" + lines[0][18:]
    assert not parse_td1([l1, lines[1], lines[2]]).checks["id"]


def test_gcn_register_entry_number_has_a_two_letter_prefix():
    """'CSI 77745' (an I glued to CS) was accepted on a photocopy: the prefix is two letters (CH, CS)."""
    from extract.profiles import load_profiles
    from extract.validate import run_validator
    spec = next(f for f in load_profiles()["gcn_2024"].fields if f.key == "soVaoSo")
    pattern = next(v for v in spec.validators if v.name == "regex")
    assert run_validator("regex", "CS 77745", pattern.params).ok
    assert not run_validator("regex", "CSI 77745", pattern.params).ok


def test_cross_checks_run_validity_rules_only_whatever_their_arity():
    """One evaluator for extraction, review and imports: agreement rules (one-field `in_header`, `same_as`)
    are never run as the three-field ID check (that crashed the review app and legacy imports)."""
    from extract.profiles import CrossCheck
    from extract.validate import run_cross_checks

    checks = [CrossCheck("in_header", ["noiDangKy"]), CrossCheck("same_as", ["nycHoTen", "chaHoTen"]),
              CrossCheck("date_order", ["nksNgaySinh", "ngayDangKy"], "sinh sau đăng ký"),
              CrossCheck("id_matches_person", ["soDinhDanh", "ngaySinh", "gioiTinh"]),
              CrossCheck("id_matches_person", ["soDinhDanh", "ngaySinh"])]
    values = {"noiDangKy": "UBND xã Cẩm Hưng", "nycHoTen": "A", "chaHoTen": "B", "nksNgaySinh": "02.01.2011",
              "ngayDangKy": "01.01.2011", "soDinhDanh": "030084001234", "ngaySinh": "01.01.1985",
              "gioiTinh": "2"}
    results = run_cross_checks(checks, values)
    assert [r.rule for r in results] == ["date_order", "id_matches_person", "id_matches_person"]
    assert results[0].failures == ["sinh sau đăng ký"] and results[0].keys == ["nksNgaySinh", "ngayDangKy"]
    assert len(results[1].failures) == 2   # birth year 85 vs 84, and sex
    assert len(results[2].failures) == 1   # birth year only
    assert run_cross_checks(checks, {"soDinhDanh": "030084001234"}) == []  # nothing to compare with
