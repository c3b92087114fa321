"""Spec for bot.matching: global command words and answers to numbered options."""

from __future__ import annotations

import pytest

from bot.matching import Command, command_of, fold, match_option, number_of
from flows.dialogue import Option, numbered, yes_no

DISTRICTS = (
    Option("1", "天河区", "tianhe", ("天河", "Tianhe", "tianhe")),
    Option("2", "白云区", "baiyun", ("白云", "Baiyun", "baiyun")),
    Option("3", "海珠区", "haizhu", ("海珠", "Haizhu", "haizhu")),
)
SITES = (
    Option("1", "天河体育中心接种点 剩120", 1, ("天河体育中心接种点", "Tianhe Sports Centre")),
    Option(
        "2",
        "白云国际会议中心接种点 剩80",
        3,
        ("白云国际会议中心接种点", "Baiyun Convention Centre"),
    ),
    Option("3", "海珠区疾控接种门诊 剩40", 5, ("海珠区疾控接种门诊", "Haizhu CDC Clinic")),
)
TWELVE = numbered((f"Day {chr(ord('A') + i)}", f"day-{i + 1}") for i in range(12))
YES_NO = yes_no("是", "否")


def value(option: Option | None) -> object:
    return None if option is None else option.value


# -- options -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2", "baiyun", id="digit"),
        pytest.param("２", "baiyun", id="full-width-digit"),
        pytest.param("02", "baiyun", id="leading-zero"),
        pytest.param(" 2 ", "baiyun", id="spaces"),
        pytest.param("2。", "baiyun", id="digit-chinese-full-stop"),
        pytest.param("2!", "baiyun", id="digit-exclamation"),
        pytest.param("２！", "baiyun", id="full-width-digit-exclamation"),
        pytest.param("二", "baiyun", id="chinese-numeral"),
        pytest.param("两", "baiyun", id="chinese-liang"),
        pytest.param("白云区", "baiyun", id="label"),
        pytest.param("白云区。", "baiyun", id="label-full-stop"),
        pytest.param("白云", "baiyun", id="alias-zh"),
        pytest.param("Baiyun", "baiyun", id="alias-en"),
        pytest.param("BAIYUN", "baiyun", id="alias-upper-case"),
        pytest.param("ｂａｉｙｕｎ", "baiyun", id="alias-full-width-latin"),
        pytest.param("baiyun!", "baiyun", id="alias-exclamation"),
        pytest.param("云区", "baiyun", id="unique-part-of-label"),
        pytest.param("aiyu", "baiyun", id="unique-part-of-alias"),
        pytest.param("1", "tianhe", id="first"),
        pytest.param("一", "tianhe", id="first-chinese"),
        pytest.param("3", "haizhu", id="last"),
        pytest.param("三", "haizhu", id="last-chinese"),
    ],
)
def test_district_answers(text: str, expected: str) -> None:
    assert value(match_option(text, DISTRICTS)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1", "day-1", id="1"),
        pytest.param("10", "day-10", id="10"),
        pytest.param("12", "day-12", id="12"),
        pytest.param("１２", "day-12", id="full-width-12"),
        pytest.param("十", "day-10", id="shi"),
        pytest.param("十一", "day-11", id="shi-yi"),
        pytest.param("十二", "day-12", id="shi-er"),
        pytest.param("一十二", "day-12", id="yi-shi-er"),
        pytest.param("十二。", "day-12", id="shi-er-full-stop"),
        pytest.param("Day L", "day-12", id="label"),
        pytest.param("day l", "day-12", id="label-lower-case"),
    ],
)
def test_two_digit_numbers(text: str, expected: str) -> None:
    assert value(match_option(text, TWELVE)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1", "yes", id="1"),
        pytest.param("是", "yes", id="label-yes"),
        pytest.param("好的", "yes", id="alias-haode"),
        pytest.param("对", "yes", id="alias-dui"),
        pytest.param("Y", "yes", id="alias-Y"),
        pytest.param("OK", "yes", id="alias-OK"),
        pytest.param("yes!", "yes", id="alias-yes-exclamation"),
        pytest.param("2", "no", id="2"),
        pytest.param("否", "no", id="label-no"),
        pytest.param("不是", "no", id="alias-bushi"),
        pytest.param("没有", "no", id="alias-meiyou"),
        pytest.param("No.", "no", id="alias-No-full-stop"),
        pytest.param("n", "no", id="alias-n"),
    ],
)
def test_yes_no(text: str, expected: str) -> None:
    assert value(match_option(text, YES_NO)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("体育", 1, id="unique-part-zh"),
        pytest.param("convention", 3, id="unique-part-en"),
        pytest.param("cdc", 5, id="unique-part-upper-in-alias"),
        pytest.param("Tianhe Sports Centre", 1, id="alias-en-full"),
    ],
)
def test_site_answers(text: str, expected: int) -> None:
    assert value(match_option(text, SITES)) == expected


def test_exact_label_wins_over_a_longer_label_containing_it() -> None:
    options = (Option("1", "天河中心", "a"), Option("2", "中心", "b"))
    assert value(match_option("中心", options)) == "b"


@pytest.mark.parametrize(
    ("text", "options"),
    [
        pytest.param("4", DISTRICTS, id="one-past-the-end"),
        pytest.param("0", DISTRICTS, id="zero"),
        pytest.param("零", DISTRICTS, id="chinese-zero"),
        pytest.param("四", DISTRICTS, id="chinese-out-of-range"),
        pytest.param("99", DISTRICTS, id="99"),
        pytest.param("13", TWELVE, id="13-of-12"),
        pytest.param("十三", TWELVE, id="shisan-of-12"),
        pytest.param("12345678901234567890", DISTRICTS, id="huge-number"),
        pytest.param("-1", DISTRICTS, id="negative"),
        pytest.param("1.5", DISTRICTS, id="decimal"),
        pytest.param("接种", SITES, id="ambiguous-part-zh"),
        pytest.param("中心", SITES, id="ambiguous-part-zh-2"),
        pytest.param("centre", SITES, id="ambiguous-part-en"),
        pytest.param("区", DISTRICTS, id="single-character-part"),
        pytest.param("天", DISTRICTS, id="single-character-unique-part"),
        pytest.param("", DISTRICTS, id="empty"),
        pytest.param("   ", DISTRICTS, id="blank"),
        pytest.param("。", DISTRICTS, id="only-punctuation"),
        pytest.param("!!!", DISTRICTS, id="only-exclamations"),
        pytest.param("越秀区", DISTRICTS, id="not-an-option"),
        pytest.param("white cloud", DISTRICTS, id="english-words"),
        pytest.param("1", (), id="no-options"),
    ],
)
def test_no_match(text: str, options: tuple[Option, ...]) -> None:
    assert match_option(text, options) is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("二十零", id="ershi-ling"),
        pytest.param("十十一", id="shishi-yi"),
        pytest.param("零十一", id="ling-shi-yi"),
    ],
)
def test_malformed_chinese_numerals_do_not_crash(text: str) -> None:
    # cn2an raises KeyError (not ValueError) for these: a typo must not crash the turn.
    assert match_option(text, DISTRICTS) is None


def test_typing_a_label_with_full_width_punctuation_matches_it() -> None:
    # District labels get "（居住地）" appended for the resident's home district; the input is
    # NFKC-folded, so the labels must be folded the same way.
    options = (
        Option("1", "天河区（居住地）", "tianhe", ("天河区", "天河")),
        Option("2", "白云区", "baiyun", ("白云区", "白云")),
    )
    assert value(match_option("天河区（居住地）", options)) == "tianhe"


# -- commands ----------------------------------------------------------------------------------

COMMANDS = [
    ("帮助", Command.HELP),
    ("help", Command.HELP),
    ("?", Command.HELP),
    ("？", Command.HELP),
    ("h", Command.HELP),
    ("/help", Command.HELP),
    ("菜单", Command.MENU),
    ("主菜单", Command.MENU),
    ("menu", Command.MENU),
    ("返回", Command.BACK),
    ("上一步", Command.BACK),
    ("back", Command.BACK),
    ("退出", Command.QUIT),
    ("结束", Command.QUIT),
    ("quit", Command.QUIT),
    ("exit", Command.QUIT),
    ("语言", Command.LANG),
    ("lang", Command.LANG),
    ("language", Command.LANG),
    ("中文", Command.ZH),
    ("简体中文", Command.ZH),
    ("chinese", Command.ZH),
    ("zh", Command.ZH),
    ("en", Command.EN),
    ("english", Command.EN),
    ("英文", Command.EN),
    ("英语", Command.EN),
    ("人工", Command.AGENT),
    ("人工服务", Command.AGENT),
    ("客服", Command.AGENT),
    ("agent", Command.AGENT),
    ("human", Command.AGENT),
    ("operator", Command.AGENT),
    ("你好", Command.GREET),
    ("您好", Command.GREET),
    ("hi", Command.GREET),
    ("hello", Command.GREET),
    ("start", Command.START),
    ("/start", Command.GREET),
    ("预约", Command.BOOK),
    ("预约接种", Command.BOOK),
    ("我要预约", Command.BOOK),
    ("book", Command.BOOK),
    ("booking", Command.BOOK),
    ("查询", Command.STATUS),
    ("查询预约", Command.STATUS),
    ("我的预约", Command.STATUS),
    ("status", Command.STATUS),
    ("登记", Command.REGISTER),
    ("预登记", Command.REGISTER),
    ("register", Command.REGISTER),
]


@pytest.mark.parametrize(("word", "command"), [pytest.param(w, c, id=w) for w, c in COMMANDS])
def test_command_words(word: str, command: Command) -> None:
    assert command_of(word) is command


@pytest.mark.parametrize(
    ("text", "command"),
    [
        pytest.param("HELP", Command.HELP, id="upper-case"),
        pytest.param("Help", Command.HELP, id="title-case"),
        pytest.param("ＨＥＬＰ", Command.HELP, id="full-width-latin"),
        pytest.param("help.", Command.HELP, id="full-stop"),
        pytest.param("help!", Command.HELP, id="exclamation"),
        pytest.param("帮助。", Command.HELP, id="chinese-full-stop"),
        pytest.param("帮助！", Command.HELP, id="full-width-exclamation"),
        pytest.param("菜单~", Command.MENU, id="tilde"),
        pytest.param("  菜单  ", Command.MENU, id="spaces"),
        pytest.param("menu\n", Command.MENU, id="newline"),
        pytest.param("EN", Command.EN, id="EN"),
        pytest.param("English!!", Command.EN, id="English-double-exclamation"),
        pytest.param("人工。。", Command.AGENT, id="double-full-stop"),
        pytest.param("Hello!", Command.GREET, id="Hello-exclamation"),
        pytest.param("您好！", Command.GREET, id="ninhao-exclamation"),
        pytest.param("/START", Command.GREET, id="slash-start-upper"),
        pytest.param("BOOK", Command.BOOK, id="BOOK"),
        pytest.param("Status。", Command.STATUS, id="Status-full-stop"),
    ],
)
def test_command_variants(text: str, command: Command) -> None:
    assert command_of(text) is command


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("1", id="number"),
        pytest.param("help me", id="help-me"),
        pytest.param("帮帮我", id="bangbangwo"),
        pytest.param("预约疫苗", id="yuyue-yimiao"),
        pytest.param("菜 单", id="split-word"),
        pytest.param("menus", id="plural"),
        pytest.param("hel", id="prefix"),
        pytest.param("天河区", id="district"),
        pytest.param("13800138000", id="phone"),
        pytest.param("11010519491231002X", id="id-number"),
        pytest.param("??", id="two-question-marks"),
        pytest.param("zh-cn", id="locale"),
    ],
)
def test_not_commands(text: str) -> None:
    assert command_of(text) is None


@pytest.mark.parametrize(
    "answer", ["选1", "选第1个", "第一个", "#1", "1、", "1️⃣", "option 1", "No.1"]
)
def test_an_options_number_with_the_words_around_it(answer: str) -> None:
    assert number_of(fold(answer)) == "1"


@pytest.mark.parametrize("answer", ["1号", "第1针", "no 1", "1 3"])
def test_what_is_no_options_number(answer: str) -> None:
    assert number_of(fold(answer)) is None
