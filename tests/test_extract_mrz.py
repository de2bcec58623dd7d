"""The machine-readable zone: found on the card's back line by line, read, and corrected only where the check
digits confirm one correction (never an unconfirmed guess)."""
from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from extract.card import mrz_lines
from extract.mrz import correct_vn, parse_td1, read_zone12
from extract.normalize import norm_mrz
from synth import mrz as synth_mrz

NAME = "NGUYEN<<VAN<THINH<<<<<<<<<<<<<"


def zone(id12="030059069853", birth=date(1959, 4, 25), male=True, expiry=None) -> list[str]:
    return synth_mrz.td1(id12, birth, male, expiry, "NGUYEN", "VAN THINH")


def test_a_confusable_digit_is_corrected_when_every_check_confirms_it():
    l1, l2, l3 = zone()
    slipped = "59" + "6" + l2[3:]                        # 590425 read 596425: 0 and 6 look alike
    assert not parse_td1([l1, slipped, l3]).valid
    fixed = correct_vn([l1, slipped, l3])
    assert fixed is not None and fixed.lines[:2] == [l1, l2] and fixed.edits == 1
    assert norm_mrz("\n".join([l1, slipped, l3])).value.split("\n")[:2] == [l1, l2]


def test_the_id_repeated_in_line_one_settles_a_misread_copy():
    l1, l2, l3 = zone("030079123384", date(1979, 7, 23), True, date(2039, 7, 23))
    slipped = l1[:5] + "6" + l1[6:]                      # the document number's first digit read as 6
    fixed = correct_vn([slipped, l2, l3])
    assert fixed is not None and fixed.lines[0] == l1


def test_a_character_too_many_is_dropped_only_where_the_checks_agree():
    l1, l2, l3 = zone("030059069853", date(1959, 4, 25), True, date(2019, 4, 25))
    extra = l2[:9] + "1" + l2[9:]                        # an inserted 1 in the expiry
    fixed = correct_vn([l1, extra, l3])
    assert fixed is not None and fixed.lines[1] == l2


def test_two_readings_that_both_pass_leave_the_zone_unread():
    # "31103201": dropping either 1 gives an expiry (2031-03-20 or 2031-10-20) whose check digits and the
    # composite both pass: the checks cannot tell, so nothing is corrected
    l1 = "IDVNM2066818955030206681895<<<"
    l2 = "0603205M31103201VNM<<<<<<<<<<<2"
    assert correct_vn([l1, l2, NAME]) is None
    assert not parse_td1(norm_mrz("\n".join([l1, l2, NAME])).value.split("\n")).valid


def test_three_corrections_are_too_many():
    l1, l2, l3 = zone("030087224221", date(1987, 6, 15), True, date(2047, 6, 15))
    broken = [l1[:5] + "6" + l1[6:18] + "6" + l1[19:], l2[:10] + "6" + l2[11:], l3]
    assert correct_vn(broken) is None


@pytest.mark.parametrize("seed", range(40))
def test_correction_never_returns_a_zone_that_differs_from_the_printed_one_by_chance(seed):
    """Random single and double confusable slips: the correction either finds the printed zone or gives up."""
    rng = random.Random(seed)
    birth = date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28))
    century = 0 if birth.year < 2000 else 2
    male = rng.random() < 0.5
    id12 = f"0{rng.choice(['01', '30', '31', '79', '33'])}{century + (0 if male else 1)}{birth.year % 100:02d}" + \
        "".join(rng.choice("0123456789") for _ in range(6))
    lines = zone(id12, birth, male, date(birth.year + 60, birth.month, birth.day) if rng.random() < 0.7 else None)
    confusions = {"0": "689", "6": "058", "8": "0369", "1": "7", "7": "1", "3": "8", "5": "6", "9": "08"}
    slipped = [list(lines[0]), list(lines[1])]
    for _ in range(rng.choice([1, 2])):
        row = rng.randrange(2)
        spots = [i for i, c in enumerate(slipped[row]) if c in confusions and i >= (5 if row == 0 else 0)]
        i = rng.choice(spots)
        slipped[row][i] = rng.choice(confusions[slipped[row][i]])
    a, b = "".join(slipped[0]), "".join(slipped[1])
    if parse_td1([a, b, lines[2]]).valid:
        return  # two slips that cancel out in every check: the zone's own limit, no correction involved
    fixed = correct_vn([a, b, lines[2]])
    assert fixed is None or fixed.lines[:2] == lines[:2]


def test_readings_vote_and_a_tie_between_two_passing_zones_reads_nothing():
    l1, l2, _ = zone()
    other1, other2, _ = zone("030059069855", date(1959, 4, 25), True)
    assert read_zone12([l1, "garbage" * 5], [l2]) == (l1, l2)
    assert read_zone12([l1, other1], [l2, other2]) is None      # one vote each: neither is sure
    assert read_zone12([l1, l1[:5] + "6" + l1[6:]], [l2]) == (l1, l2)


def _band(lines: list[str], streak: bool) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    from synth import fonts
    img = Image.new("L", (1300, 300), 245)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(fonts.fonts_for("mrz")[0].path, 52)
    for i, line in enumerate(lines):
        d.text((30, 40 + i * 75), line, font=font, fill=20)
    if streak:
        d.line((0, 150, 1300, 150), fill=120, width=3)        # a photocopier's drum streak through line 2
        d.line((400, 0, 400, 300), fill=120, width=3)
        d.rectangle((0, 280, 1300, 300), fill=60)             # the card's dark edge below the zone
    return np.asarray(img)


@pytest.mark.parametrize("streak", [False, True])
def test_the_zone_band_gives_three_lines_despite_streaks_and_the_card_edge(streak):
    band = _band(zone(), streak)
    found = mrz_lines(band)
    assert len(found) == 3
    tops = [z.box[1] for z in found]
    assert tops == sorted(tops) and all(abs(z.image.shape[0] - 40 * 1.67) < 25 for z in found)
