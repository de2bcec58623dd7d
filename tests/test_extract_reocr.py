"""Region re-OCR when the first pass is weak, MRZ repair, times, and the CLI's JSON shape."""
from dataclasses import dataclass

import numpy as np
import pytest

from extract.mrz import clean_mrz_lines, parse_td1
from extract.normalize import norm_time
from extract.pipeline import extract_page
from ocr.types import OcrPage
from synth.perfect_ocr import line_of, page_of


@dataclass
class FakePrepared:
    ocr_image: np.ndarray
    page_index: int = 0
    dpi: float = 300.0


class FakeEngine:
    """Answers region reads with a fixed text, and records what was asked."""

    def __init__(self, text: str):
        self.text = text
        self.calls: list[tuple] = []

    def read_region(self, image, box, psm=7, whitelist=None):
        self.calls.append((tuple(box), psm, whitelist))
        return OcrPage(lines=[line_of(self.text, box, 0.96)], width=image.shape[1], height=image.shape[0])


def card(number_line: str):
    at = lambda t, x0, y0, x1: (t, (x0, y0, x1, y0 + 24))  # noqa: E731
    return page_of([at("CĂN CƯỚC CÔNG DÂN", 420, 100, 800), at("Citizen Identity Card", 460, 130, 760),
                    at(number_line, 330, 180, 800), at("Họ và tên / Full name:", 330, 220, 600),
                    at("NGUYỄN THỊ THÚY", 330, 250, 650), at("Ngày sinh / Date of birth: 05/01/1990", 330, 290, 850),
                    at("Giới tính / Sex: Nữ   Quốc tịch / Nationality: Việt Nam", 330, 320, 980)],
                   width=1012, height=638)


def test_missing_value_is_reread_beside_its_label_with_the_field_settings():
    page = card("Số / No.:")  # the number itself was not read on the first pass
    engine = FakeEngine("001190012345")
    rec = extract_page(FakePrepared(np.full((638, 1012), 255, np.uint8)), page, engine)
    fv = rec.fields["soDinhDanh"]
    assert fv.value == "001190012345" and fv.status == "accepted"
    box, psm, whitelist = engine.calls[0]
    assert psm == 7 and whitelist == "0123456789"
    assert box[0] >= 330 and box[1] <= 180 <= box[3]  # right of the label, on its line
    assert fv.box is not None


def test_weak_first_reading_replaced_only_when_the_reread_is_better():
    page = card("Số / No.: 0O119OO1Z3A5")  # garbled digits: fails to normalise
    rec = extract_page(FakePrepared(np.full((638, 1012), 255, np.uint8)), page, FakeEngine("001190012345"))
    assert rec.fields["soDinhDanh"].value == "001190012345"
    rec = extract_page(FakePrepared(np.full((638, 1012), 255, np.uint8)), page, FakeEngine("xx"))
    assert rec.fields["soDinhDanh"].status != "accepted"


def test_without_an_engine_no_reread_happens():
    rec = extract_page(None, card("Số / No.:"))
    assert rec.fields["soDinhDanh"].status == "needs_review"


def test_mrz_with_an_ocr_slip_in_the_country_code_is_rebuilt():
    lines = clean_mrz_lines(["TDVNMO589529338030058952933<<<", "5811100M<<<<<<<VWNM<<<<<<<<<<9",
                             "DO<<NGOC<HOAT<<<<<<<<<<<<<<<<<"])
    mrz = parse_td1(lines)
    assert mrz.valid and mrz.id_number == "030058952933" and mrz.birth_date == "10.11.1958"
    assert mrz.expiry == ""  # card without expiry: fillers and a '<' check


@pytest.mark.parametrize("raw, value", [("6 giờ 10 phút", "06:10"), ("06:30", "06:30"), ("14h05", "14:05"),
                                        ("lúc 7 giờ", "07:00")])
def test_time(raw, value):
    assert norm_time(raw).value == value


def test_time_invalid():
    assert not norm_time("25 giờ").ok


def test_year_after_colon_stop_label_not_taken_as_book_number():
    page = page_of(["SỔ ĐĂNG KÝ KẾT HÔN", "Quyển số:   Năm: 2011", "Số đăng ký: 50",
                    "Ngày, tháng, năm đăng ký: 11/04/2011", "Bên chồng:", "Họ, chữ đệm, tên: HỒ VĂN MẠNH",
                    "Quốc tịch: Việt Nam", "Bên vợ:", "Họ, chữ đệm, tên: NGUYỄN THU DUNG", "Quốc tịch: Việt Nam"])
    rec = extract_page(None, page)
    assert rec.doc_type == "kh"
    assert "quyenSo" not in rec.fields  # blank, and not "2011"
    assert rec.fields["chongHoTen"].value == "Hồ Văn Mạnh" and rec.fields["voHoTen"].value == "Nguyễn Thu Dung"
    assert rec.fields["so"].value == "50"


def test_mrz_name_line_has_no_check_digit_so_a_misread_name_is_reviewed():
    from test_extract_pages import cccd_back
    from test_extract_validate import vn_mrz

    back = extract_page(None, cccd_back(vn_mrz(name="NGUYEN<<THTI<THUY")))
    assert back.fields["mrz"].status == "needs_review" and "MRZ" in back.fields["mrz"].reason
    assert back.fields["ngaySinh"].status == "accepted" and back.fields["ngaySinh"].source == "mrz"
    assert "hoTenMrz" not in back.fields
    good = extract_page(None, cccd_back(vn_mrz()))
    assert good.fields["hoTenMrz"].value == "NGUYEN THI THUY"


def test_all_capitals_word_in_mixed_text_is_an_ocr_slip():
    from extract.normalize import norm_text
    assert norm_text("SỐ 7 ngõ 18, UBND phường").value == "Số 7 ngõ 18, UBND phường"
    assert norm_text("HÀ NỘI").value == "HÀ NỘI"


def test_numbers_without_check_digit_need_two_agreeing_reads():
    from test_extract_pages import gcn_page

    image = FakePrepared(np.full((3508, 2480), 255, np.uint8))
    rec = extract_page(image, gcn_page(), FakeEngine("45"))
    assert rec.fields["toBanDoSo"].status == "accepted"        # the re-read agrees
    assert rec.fields["thuaDatSo"].status == "needs_review"    # "45" != "123"
    assert "khác nhau" in rec.fields["thuaDatSo"].reason


def test_mrz_name_line_single_letter_slip_repaired_but_still_reviewed():
    from test_extract_pages import cccd_back
    from test_extract_validate import vn_mrz

    from extract.normalize import norm_mrz

    lines = vn_mrz(name="VU<<THT<ANH")
    assert norm_mrz("\n".join(lines)).value.splitlines()[2].startswith("VU<<THI<ANH<")
    back = extract_page(None, cccd_back(lines))
    assert back.fields["mrz"].value.splitlines()[2].startswith("VU<<THI<ANH<")
    assert back.fields["mrz"].status == "needs_review"  # no check digit on the name line: the front decides
