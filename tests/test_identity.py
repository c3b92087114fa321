"""Spec for flows.identity: resident ID numbers (GB 11643), ages, phone numbers and masking."""

from __future__ import annotations

from datetime import date

import pytest

from flows.identity import (
    IdProblem,
    ResidentId,
    age_on,
    check_character,
    mask_id,
    mask_phone,
    normalise_phone,
    parse_resident_id,
)

TODAY = date(2021, 6, 17)
CHECK_CHARS = "0123456789X"


def valid(first17: str) -> str:
    """A full 18-character ID number: ``first17`` and its check character."""
    return first17 + check_character(first17)


# -- check character ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        pytest.param("11010519491231002", "X", id="gb11643-example-X"),
        pytest.param("44052418800101001", "4", id="guangdong-1880-example"),
        pytest.param("44010619900101123", "5", id="1990-male"),
        pytest.param("44010620000229004", "0", id="leap-day-female"),
        pytest.param("44010619900101000", "5", id="sequence-000"),
    ],
)
def test_check_character(first17: str, expected: str) -> None:
    assert check_character(first17) == expected


# -- valid numbers -----------------------------------------------------------------------------

VALID = [
    pytest.param(
        "11010519491231002X", "11010519491231002X", date(1949, 12, 31), "F", id="X-female"
    ),
    pytest.param("11010519491231002x", "11010519491231002X", date(1949, 12, 31), "F", id="lower-x"),
    pytest.param(
        "11010519491231002Ｘ", "11010519491231002X", date(1949, 12, 31), "F", id="full-width-X"
    ),
    pytest.param(
        "１１０１０５１９４９１２３１００２ｘ",
        "11010519491231002X",
        date(1949, 12, 31),
        "F",
        id="all-full-width",
    ),
    pytest.param(
        "110105 19491231 002X", "11010519491231002X", date(1949, 12, 31), "F", id="spaces"
    ),
    pytest.param(
        "  110105-19491231-002X\t", "11010519491231002X", date(1949, 12, 31), "F", id="dashes-tab"
    ),
    pytest.param(
        "１１０１０５　１９４９１２３１　００２Ｘ",
        "11010519491231002X",
        date(1949, 12, 31),
        "F",
        id="ideographic-spaces",
    ),
    pytest.param(
        valid("44010619900101123"), valid("44010619900101123"), date(1990, 1, 1), "M", id="male"
    ),
    pytest.param(
        valid("44010620000229004"),
        valid("44010620000229004"),
        date(2000, 2, 29),
        "F",
        id="born-29-february",
    ),
    pytest.param(
        valid("44010619000101001"),
        valid("44010619000101001"),
        date(1900, 1, 1),
        "M",
        id="earliest-year-1900",
    ),
    pytest.param(
        valid("44010620210617001"),
        valid("44010620210617001"),
        date(2021, 6, 17),
        "M",
        id="born-today",
    ),
]


@pytest.mark.parametrize(("text", "number", "born", "sex"), VALID)
def test_valid_ids(text: str, number: str, born: date, sex: str) -> None:
    assert parse_resident_id(text, TODAY) == ResidentId(number, born, sex)


# -- problems ----------------------------------------------------------------------------------

PROBLEMS = [
    pytest.param("", IdProblem.LENGTH, id="empty"),
    pytest.param("   ", IdProblem.LENGTH, id="blank"),
    pytest.param("11010519491231002", IdProblem.LENGTH, id="17-digits"),
    pytest.param("11010519491231002X1", IdProblem.LENGTH, id="19-characters"),
    pytest.param("1101051949123100", IdProblem.LENGTH, id="16-digits"),
    pytest.param("110105491231002", IdProblem.LENGTH, id="old-15-digit-id"),
    pytest.param("11010519491231002A", IdProblem.CHARACTERS, id="letter-A-last"),
    pytest.param("1101051949123100X2", IdProblem.CHARACTERS, id="X-not-last"),
    pytest.param("X10105194912310021", IdProblem.CHARACTERS, id="X-first"),
    pytest.param("11010519491231OO2X", IdProblem.CHARACTERS, id="letter-O-for-zero"),
    pytest.param("11010519491231002*", IdProblem.CHARACTERS, id="asterisk"),
    pytest.param("1101051九491231002X", IdProblem.CHARACTERS, id="hanzi-digit"),
    pytest.param(valid("44010619900230123"), IdProblem.BIRTH_DATE, id="30-february"),
    pytest.param(valid("44010619901301123"), IdProblem.BIRTH_DATE, id="month-13"),
    pytest.param(valid("44010619900001123"), IdProblem.BIRTH_DATE, id="month-00"),
    pytest.param(valid("44010619900100123"), IdProblem.BIRTH_DATE, id="day-00"),
    pytest.param(valid("44010620010229123"), IdProblem.BIRTH_DATE, id="29-feb-non-leap"),
    pytest.param(valid("44010620210618001"), IdProblem.BIRTH_DATE, id="born-tomorrow"),
    pytest.param(valid("44010630000101001"), IdProblem.BIRTH_DATE, id="year-3000"),
    pytest.param("440524188001010014", IdProblem.BIRTH_DATE, id="born-1880"),
    pytest.param(valid("44010618991231001"), IdProblem.BIRTH_DATE, id="born-1899"),
    pytest.param("11010519491231002" + "0", IdProblem.CHECKSUM, id="wrong-check-0"),
]


@pytest.mark.parametrize(("text", "problem"), PROBLEMS)
def test_id_problems(text: str, problem: IdProblem) -> None:
    assert parse_resident_id(text, TODAY) is problem


BASES = ["11010519491231002", "44010619900101123", "44010620000229004", "44052419700615002"]


@pytest.mark.parametrize(
    ("first17", "wrong"),
    [
        pytest.param(base, char, id=f"{base}-{char}")
        for base in BASES
        for char in CHECK_CHARS
        if char != check_character(base)
    ],
)
def test_every_wrong_check_character_is_a_checksum_problem(first17: str, wrong: str) -> None:
    assert parse_resident_id(first17 + wrong, TODAY) is IdProblem.CHECKSUM
    assert parse_resident_id(first17 + wrong.lower(), TODAY) is IdProblem.CHECKSUM


@pytest.mark.parametrize(
    "position", [pytest.param(i, id=f"digit-{i + 1}") for i in (0, 5, 14, 15, 16)]
)
def test_a_mistyped_digit_is_a_checksum_problem(position: int) -> None:
    number = "11010519491231002X"
    digit = number[position]
    mistyped = number[:position] + str((int(digit) + 1) % 10) + number[position + 1 :]
    assert parse_resident_id(mistyped, TODAY) is IdProblem.CHECKSUM


def test_non_ascii_digits_are_not_stored_as_a_different_number() -> None:
    """Arabic-Indic digits pass ``str.isdigit`` but are not folded to ASCII by NFKC.

    Either they are refused, or the number comes back in ASCII digits: otherwise the same
    document could be registered twice under two spellings.
    """
    arabic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in "11010519491231002X")
    result = parse_resident_id(arabic, TODAY)
    if isinstance(result, ResidentId):
        assert result.number == "11010519491231002X"
    else:
        assert result is IdProblem.CHARACTERS


# -- ages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        pytest.param(date(1990, 6, 17), date(2021, 6, 16), 30, id="day-before-birthday"),
        pytest.param(date(1990, 6, 17), date(2021, 6, 17), 31, id="on-birthday"),
        pytest.param(date(1990, 6, 17), date(2021, 6, 18), 31, id="day-after-birthday"),
        pytest.param(date(2003, 6, 18), date(2021, 6, 17), 17, id="turns-18-tomorrow"),
        pytest.param(date(2003, 6, 17), date(2021, 6, 17), 18, id="turns-18-today"),
        pytest.param(date(1949, 12, 31), date(2021, 6, 17), 71, id="born-31-december"),
        pytest.param(date(1950, 1, 1), date(2020, 12, 31), 70, id="new-years-eve"),
        pytest.param(date(1950, 1, 1), date(2021, 1, 1), 71, id="new-years-day"),
        pytest.param(date(2000, 2, 29), date(2021, 2, 28), 20, id="leap-birthday-28-feb"),
        pytest.param(date(2000, 2, 29), date(2021, 3, 1), 21, id="leap-birthday-1-march"),
        pytest.param(date(2000, 2, 29), date(2024, 2, 28), 23, id="leap-year-28-feb"),
        pytest.param(date(2000, 2, 29), date(2024, 2, 29), 24, id="leap-year-29-feb"),
        pytest.param(date(2021, 6, 17), date(2021, 6, 17), 0, id="born-today"),
        pytest.param(date(1945, 6, 18), date(2021, 6, 17), 75, id="76-tomorrow"),
        pytest.param(date(1945, 6, 17), date(2021, 6, 17), 76, id="76-today"),
    ],
)
def test_age_on(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


# -- phones ------------------------------------------------------------------------------------

MOBILE = "+8613800138000"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("13800138000", MOBILE, id="national"),
        pytest.param("+8613800138000", MOBILE, id="e164"),
        pytest.param("+86 138 0013 8000", MOBILE, id="spaced-international"),
        pytest.param("+86-138-0013-8000", MOBILE, id="dashed-international"),
        pytest.param("138 0013 8000", MOBILE, id="spaced-national"),
        pytest.param("138-0013-8000", MOBILE, id="dashed-national"),
        pytest.param("  13800138000\n", MOBILE, id="surrounding-whitespace"),
        pytest.param("8613800138000", MOBILE, id="country-code-without-plus"),
        pytest.param("008613800138000", MOBILE, id="00-international-prefix"),
        pytest.param("１３８００１３８０００", MOBILE, id="full-width-digits"),
        pytest.param("＋８６　１３８　００１３　８０００", MOBILE, id="full-width-plus-and-spaces"),
        pytest.param("15912345678", "+8615912345678", id="159-prefix"),
        pytest.param("19912345678", "+8619912345678", id="199-prefix"),
    ],
)
def test_normalise_phone_accepts_cn_mobiles(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("020-12345678", id="guangzhou-landline"),
        pytest.param("02012345678", id="landline-undashed"),
        pytest.param("+86 20 1234 5678", id="landline-international"),
        pytest.param("400-820-8820", id="400-service-number"),
        pytest.param("95588", id="short-service-number"),
        pytest.param("1380013800", id="10-digits"),
        pytest.param("138001380001", id="12-digits"),
        pytest.param("138", id="too-short"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("hello", id="word"),
        pytest.param("13800138000abc", id="trailing-letters"),
        pytest.param("😀", id="emoji"),
        pytest.param("😀😀😀😀😀😀😀😀😀😀😀", id="eleven-emoji"),
        pytest.param("138😀0013😀8000", id="emoji-inside"),
        pytest.param("1" * 10_000, id="10k-digits"),
        pytest.param("x" * 10_000, id="10k-letters"),
        pytest.param("13800138000" * 1000, id="repeated-number"),
    ],
)
def test_normalise_phone_rejects(text: str) -> None:
    assert normalise_phone(text) is None


# -- masks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        pytest.param("+8613800138000", "138****8000", id="cn-e164"),
        pytest.param("13800138000", "138****8000", id="cn-national"),
        pytest.param("+8615912345678", "159****5678", id="cn-159"),
        pytest.param("+85251234567", "852****4567", id="hong-kong"),
        pytest.param("+16502530000", "165****0000", id="us"),
        pytest.param("+861234", "****", id="short"),
        pytest.param("", "", id="empty"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        pytest.param("11010519491231002X", "1101**********002X", id="check-X"),
        pytest.param("440106199001011234", "4401**********1234", id="docstring-example"),
        pytest.param("E12345678", "E123*5678", id="nine-characters"),
        pytest.param("12345678", "********", id="eight-characters"),
        pytest.param("", "", id="empty"),
    ],
)
def test_mask_id(number: str, masked: str) -> None:
    assert mask_id(number) == masked
