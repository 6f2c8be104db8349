"""Personal data: found, masked, never left behind, and masking twice changes nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.textproc.pii import (
    PiiKind,
    PiiMatch,
    find_pii,
    is_luhn_valid,
    is_valid_id_number,
    mask_bank_card,
    mask_email,
    mask_id_number,
    mask_phone,
    mask_pii,
    mask_plate,
    normalize_phone,
)

# --- independent oracles (deliberately not the module's own code) -------------------------

ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # the weights as the standard defines them


def id_check(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def make_id(region: str, born: date, sequence: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check(first17)


def luhn_complete(body: str) -> str:
    """Append the digit that makes ``body`` Luhn-valid."""
    for check in "0123456789":
        digits = [int(d) for d in body + check]
        total = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
        if total % 10 == 0:
            return body + check
    raise AssertionError("unreachable")


def leftover_pii(text: str) -> list[str]:
    """Brute force over contiguous ASCII digit runs: what a careless masker would leave."""
    found = []
    for run in re.findall(r"[0-9]+[Xx]?", text):
        if re.fullmatch(r"1[3-9][0-9]{9}", run):
            found.append(run)
        if len(run) == 18 and is_valid_id_number(run):
            found.append(run)
        if 16 <= len(run) <= 19 and run.isdigit() and is_luhn_valid(run):
            found.append(run)
    return found


VALID_ID = "11010519491231002X"  # the specimen number of GB 11643
ID_1990 = make_id("410927", date(1990, 3, 7), 123)
CARD_16 = luhn_complete("622202123456789")
CARD_19 = luhn_complete("621700000000000123")


def kinds(text: str) -> list[str]:
    return [match.kind.value for match in find_pii(text)]


# --- mobile phones ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "+86-138-0013-8000",
        "0086 13800138000",
        "(+86)13800138000",
        "8613800138000",
        "１３８００１３８０００",  # full-width digits
    ],
)
def test_it_masks_a_mobile_however_it_is_written(written: str) -> None:
    assert find_pii(f"电话{written}。") == [PiiMatch(PiiKind.MOBILE, 2, 2 + len(written), written)]
    assert mask_pii(f"请回电{written},谢谢") == "请回电138****8000,谢谢"


@pytest.mark.parametrize(
    "text",
    [
        "订单号138001380001",  # 12 digits: an order number, not a phone
        "流水1380013800",  # 10 digits
        "12800138000",  # no mobile prefix starts with 12
        "价格1380013800.5元",
        "金额13800138000.50元",  # part of a decimal number
        "比例0.13800138000",
        "2025年6月16日",
        "拨打12345热线",
        "ABC13800138000999",  # inside a longer digit run
    ],
)
def test_it_leaves_numbers_that_are_not_phones(text: str) -> None:
    assert find_pii(text) == []
    assert mask_pii(text) == text


@pytest.mark.parametrize(
    "written",
    [
        "139.1234.5678",
        "139．1234．5678",  # full-width dots
        "139－1234－5678",  # full-width dashes
        "139\u30001234\u30005678",  # ideographic spaces
        "1391 234 5678",
        "1 3 9 1 2 3 4 5 6 7 8",
        "13912 345678",
        "一三九一二三四五六七八",
        "幺三九幺二三四五六七八",  # 幺 is how 1 is read out on the phone
        "一三九 一二三四 五六七八",
        "139一二三四5678",
        "+86.139.1234.5678",
    ],
)
def test_it_masks_a_mobile_typed_as_it_was_heard(written: str) -> None:
    assert kinds(f"电话{written}") == ["mobile"]
    assert mask_pii(f"回电{written}谢谢") == "回电139****5678谢谢"


def test_it_masks_a_mobile_with_zeros_read_as_chinese_numerals() -> None:
    assert mask_pii("电话一三八〇〇一三八零零零") == "电话138****8000"


@pytest.mark.parametrize(
    "text",
    [
        "工单号2612050001已办结",  # ticket numbers are ten digits
        "3组12号",
        "金额1380元,面积15.2 16.3 17.4 18平方米",  # a list of decimals is not a phone
        "比例1.3912345678",
        "2025.12.05 14.30",
        "2025-12-05 14:30",
        "第一三九号楼",
        "二〇二五年十二月五日",
        "一二三四五六七八九十",  # counting, ten numerals but not a mobile prefix
        "共 1 2 3 4 5 6 7 8 9 10 11 项",
    ],
)
def test_it_leaves_ordinary_numbers_in_chinese_text(text: str) -> None:
    assert find_pii(text) == []
    assert mask_pii(text) == text


# --- QQ numbers and WeChat ids ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("QQ:12345678", "QQ:1*******"),
        ("qq号 123456789 谢谢", "qq号 1******** 谢谢"),
        ("QQ号码是一二三四五六七八", "QQ号码是1*******"),
        ("扣扣：98765", "扣扣：9****"),
        ("微信：zhang_san-88", "微信：z***********"),
        ("加微信号 wxid_abc123 联系", "加微信号 w********** 联系"),
        ("vx: Li2024", "vx: L*****"),
        ("WeChat ID: lisi1990", "WeChat ID: l*******"),
        ("微信13912345678", "微信139****5678"),  # a phone used as the WeChat id
    ],
)
def test_it_masks_qq_numbers_and_wechat_ids_after_their_keyword(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "QQ群123456",  # a group number is published on purpose
        "微信公众号：minsheng12345",
        "微信支付 200元",
        "微信 abc",  # too short for a WeChat id
        "QQ音乐",
        "我的qq坏了1234",
        "wxyz123456",
    ],
)
def test_it_leaves_qq_and_wechat_mentions_without_an_id(text: str) -> None:
    assert mask_pii(text) == text


# --- landlines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("(0393)5123456", "0393-****3456"),
        ("（0393）5123456", "0393-****3456"),
        ("0393-5123456", "0393-****3456"),
        ("0393 51234567", "0393-****4567"),
        ("03935123456", "0393-****3456"),
        ("010-62345678", "010-****5678"),
        ("021 62345678", "021-****5678"),
    ],
)
def test_it_masks_landlines_keeping_the_area_code(written: str, masked: str) -> None:
    assert kinds(f"座机{written}") == ["landline"]
    assert mask_pii(f"座机{written}转人工") == f"座机{masked}转人工"


@pytest.mark.parametrize("text", ["010-2345678", "0393-1234567", "0393-0234567", "第12345678号"])
def test_it_leaves_numbers_that_are_not_landlines(text: str) -> None:
    # 010 needs 8 local digits; local numbers never start with 0 or 1; no area code, no phone.
    assert mask_pii(text) == text


# --- ID card numbers ----------------------------------------------------------------------


def test_it_validates_id_numbers() -> None:
    assert is_valid_id_number(VALID_ID)
    assert is_valid_id_number(VALID_ID.lower())
    assert is_valid_id_number(ID_1990)
    assert is_valid_id_number(f"{ID_1990[:6]} {ID_1990[6:14]} {ID_1990[14:]}")


@pytest.mark.parametrize(
    "value",
    [
        VALID_ID[:-1] + "1",  # wrong check character
        "110105" + "19491331" + "002" + id_check("11010519491331002"),  # month 13
        "110105" + "19490230" + "002" + id_check("11010519490230002"),  # 30 February
        "110105" + "18991231" + "002" + id_check("11010518991231002"),  # before 1900
        "110105" + "20991231" + "002" + id_check("11010520991231002"),  # in the future
        "990105" + "19491231" + "002" + id_check("99010519491231002"),  # no province 99
        "11010519491231002",  # 17 characters
        "11010519491231002Y",
        "",
    ],
)
def test_it_rejects_invalid_id_numbers(value: str) -> None:
    assert not is_valid_id_number(value)


@pytest.mark.parametrize(
    "value",
    [
        VALID_ID[:-1] + "1",  # wrong check character: a typo read out on the phone
        ID_1990[:-1] + ("0" if ID_1990[-1] != "0" else "1"),
        "110105" + "19491331" + "002" + id_check("11010519491331002"),  # month 13, check right
        "110105" + "18991231" + "002" + id_check("11010518991231002"),
    ],
)
def test_it_masks_id_numbers_that_are_wrong_but_look_like_one(value: str) -> None:
    assert kinds(f"身份证{value}") == ["id_card"]
    assert mask_pii(f"身份证{value}。") == f"身份证{value[:4]}**********{value[-4:]}。"


@pytest.mark.parametrize(
    "value",
    [
        "990105" + "19491231" + "002" + id_check("99010519491231002"),  # no province 99
        "11010519491231002",  # 17 characters
        "11010519491231002Y",
        "110105" + "19491331" + "002" + "5",  # neither a real date nor a matching check
    ],
)
def test_it_leaves_numbers_that_do_not_look_like_id_numbers(value: str) -> None:
    # A Luhn-valid digit run may still be masked as a possible bank card.
    assert "id_card" not in kinds(f"身份证{value}")


def test_it_masks_id_numbers_keeping_four_and_four() -> None:
    assert mask_id_number(VALID_ID) == "1101**********002X"
    assert mask_pii(f"身份证号{VALID_ID},") == "身份证号1101**********002X,"
    spaced = f"{ID_1990[:6]} {ID_1990[6:14]} {ID_1990[14:]}"
    assert mask_pii(f"证件 {spaced} 号") == f"证件 4109**********{ID_1990[-4:]} 号"


def test_it_masks_legacy_fifteen_digit_id_numbers_with_a_real_date() -> None:
    assert mask_pii("老身份证410927900307123") == "老身份证4109*******7123"
    assert mask_pii("单号410927901307123") == "单号410927901307123"  # month 13: not an ID


# --- bank cards ---------------------------------------------------------------------------


def test_it_masks_luhn_valid_bank_cards() -> None:
    grouped = " ".join(CARD_19[i : i + 4] for i in range(0, 19, 4))
    assert mask_pii(f"卡号{CARD_16}") == f"卡号6222********{CARD_16[-4:]}"
    assert mask_pii(f"卡号 {grouped} 。") == f"卡号 6217***********{CARD_19[-4:]} 。"
    assert mask_bank_card("6222-0212-3456-7890") == "6222********7890"


def test_it_leaves_luhn_invalid_long_numbers() -> None:
    broken = CARD_16[:-1] + str((int(CARD_16[-1]) + 1) % 10)
    assert mask_pii(f"单号{broken}") == f"单号{broken}"


# --- e-mail and plates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("邮箱zhangsan@example.com联系", "邮箱z***@example.com联系"),
        ("mail: li.si+12345@mail.gov.cn.", "mail: l***@mail.gov.cn."),
        ("13800138000@qq.com", "1***@qq.com"),  # the longer match (e-mail) wins
        ("ｗａｎｇ＠ｑｑ．ｃｏｍ", "w***@qq.com"),
    ],
)
def test_it_masks_email_addresses(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize("text", ["a@b", "@example.com", "user@localhost", "价格@5元", "x@@y.com"])
def test_it_leaves_things_that_are_not_email_addresses(text: str) -> None:
    assert mask_pii(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("车牌豫J·12345", "车牌豫J·***45"),
        ("车牌豫J12345", "车牌豫J·***45"),
        ("京a 8b3c2", "京A·***C2"),
        ("新能源粤BD12345", "新能源粤B·****45"),
        ("粤B12345F", "粤B·****5F"),
    ],
)
def test_it_masks_licence_plates(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "text",
    ["鲁Android", "京ABCDEF", "粤B123456", "豫J1234", "新iPhone15", "京港澳G4高速", "沪O12345"],
)
def test_it_leaves_things_that_are_not_plates(text: str) -> None:
    assert mask_pii(text) == text


def test_it_masks_single_values_in_the_documented_formats() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("+86 138-0013-8000") == "138****8000"
    assert mask_phone("(0393)5123456") == "0393-****3456"
    assert mask_phone("not a phone") == "*******hone"  # invalid values are masked blindly
    assert mask_phone("123") == "***"
    assert mask_email("zhang@example.com") == "z***@example.com"
    assert mask_plate("豫J·12345") == "豫J·***45"


# --- several kinds at once, overlaps, the fixpoint ----------------------------------------


def test_it_masks_a_realistic_ticket() -> None:
    ticket = (
        f"市民张先生(身份证{VALID_ID},电话138 0013 8000,座机0393-5123456)反映:"
        f"车辆豫J·12345被刮,退款请打到{CARD_16},回复至zhang@example.com。"
    )
    assert kinds(ticket) == ["id_card", "mobile", "landline", "plate", "bank_card", "email"]
    assert mask_pii(ticket) == (
        "市民张先生(身份证1101**********002X,电话138****8000,座机0393-****3456)反映:"
        f"车辆豫J·***45被刮,退款请打到6222********{CARD_16[-4:]},回复至z***@example.com。"
    )


def test_it_restricts_to_the_requested_kinds() -> None:
    text = f"电话13800138000 邮箱a@b.cn 卡{CARD_16}"
    assert kinds_of(find_pii(text, kinds=[PiiKind.MOBILE, "email"])) == ["mobile", "email"]
    assert mask_pii(text, kinds=["mobile"]) == f"电话138****8000 邮箱a@b.cn 卡{CARD_16}"


def kinds_of(matches: list[PiiMatch]) -> list[str]:
    return [match.kind.value for match in matches]


def test_it_prefers_the_id_number_when_an_id_also_passes_luhn() -> None:
    # About one ID in ten is Luhn-valid too; for those the ID must win the tie.
    candidates = [make_id("110105", date(1949, 12, 31), sequence) for sequence in range(100)]
    both = [number for number in candidates if is_luhn_valid(number)]
    assert both
    for number in both:
        assert kinds(number) == ["id_card"]


def test_it_masks_again_when_kept_digits_form_a_new_match() -> None:
    # After 13800138000 is masked, its kept "8000" plus the next groups is a Luhn-valid card.
    card = luhn_complete("800012345678901")
    text = f"13800138000 {card[4:8]} {card[8:12]} {card[12:16]}"
    assert kinds(text) == ["mobile"]
    masked = mask_pii(text)
    assert find_pii(masked) == []
    assert mask_pii(masked) == masked


# --- normalize_phone ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("13800138000", "13800138000"),
        (" 138 0013 8000 ", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 13800138000", "13800138000"),
        ("+86-138-0013-8000", "13800138000"),
        ("0086 138 0013 8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("0393-5123456", "0393-5123456"),
        ("(0393)5123456", "0393-5123456"),
        ("（0393）51234567", "0393-51234567"),
        ("0393 5123456", "0393-5123456"),
        ("03935123456", "0393-5123456"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
    ],
)
def test_normalize_phone_accepts_common_spellings(written: str, canonical: str) -> None:
    assert normalize_phone(written) == canonical
    assert normalize_phone(canonical) == canonical


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "138001380001",  # 12 digits
        "1380013800",  # 10 digits
        "12800138000",  # not a mobile prefix
        "1380013800O",  # letter O
        "138OO138000",
        "tel:13800138000",
        "13800138000 转 123",
        "138 0013 8000 9",
        "+1 13800138000",
        "+86 0393 5123456",  # country code with a trunk 0
        "0393-1234567",  # local numbers never start with 1
        "010-6234567",  # Beijing numbers have 8 digits
        "0393-512345",  # too short
        "0393-512345678",  # too long
        "(0393-5123456",
        "12345",
        "110",
        "13800138000\n13900139000",
        "１３８００１３８０００x",
    ],
)
def test_normalize_phone_rejects_everything_else(written: str) -> None:
    assert normalize_phone(written) is None


def test_normalize_phone_rejects_non_strings() -> None:
    assert normalize_phone(None) is None  # type: ignore[arg-type]
    assert normalize_phone(13800138000) is None  # type: ignore[arg-type]


# --- strategies ---------------------------------------------------------------------------

REGIONS = ["410927", "410203", "110105", "310115", "440305", "650102", "130102", "510104"]


def n_digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


mobile_numbers = st.builds(lambda p, rest: f"1{p}{rest}", st.sampled_from("3456789"), n_digits(9))
id_numbers = st.builds(
    make_id,
    st.sampled_from(REGIONS),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
bank_cards = st.builds(
    lambda prefix, body: luhn_complete(prefix + body),
    st.sampled_from(["6222", "6217", "6228", "4367", "5187", "9558"]),
    st.integers(min_value=11, max_value=14).flatmap(n_digits),
)
landlines = st.one_of(
    st.builds(
        lambda a, f, r: f"{a}{f}{r}",
        st.sampled_from(["010", "021", "027"]),
        st.sampled_from("23456789"),
        n_digits(7),
    ),
    st.builds(
        lambda a, f, r: f"{a}{f}{r}",
        st.sampled_from(["0393", "0371", "0755", "0851"]),
        st.sampled_from("23456789"),
        st.integers(min_value=6, max_value=7).flatmap(n_digits),
    ),
)
emails = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.from_regex(r"[a-z][a-z0-9._]{0,10}", fullmatch=True),
    st.sampled_from(["example.com", "qq.com", "163.com", "mail.gov.cn"]),
)
plates = st.builds(
    lambda province, letter, tail: f"{province}{letter}{tail}",
    st.sampled_from("京豫粤沪川"),
    st.sampled_from("ABCJKZ"),
    st.from_regex(r"[0-9][A-HJ-NP-Z0-9]{3}[0-9]", fullmatch=True),
)


def spell_mobile(number: str, style: int) -> str:
    return [
        number,
        f"{number[:3]} {number[3:7]} {number[7:]}",
        f"{number[:3]}-{number[3:7]}-{number[7:]}",
        f"+86 {number}",
        f"+86-{number[:3]}-{number[3:7]}-{number[7:]}",
    ][style]


CHINESE_DIGITS = {
    "0": ["〇", "零"],
    "1": ["一", "幺"],
    **{str(d): ["一二三四五六七八九"[d - 1]] for d in range(2, 10)},
}
SEPARATORS = [" ", ".", "-", "．", "－", "\u3000"]


@st.composite
def heard_mobiles(draw: st.DrawFn) -> str:
    """A mobile as typed from what was heard: numerals, full-width digits, odd separators."""
    number = draw(mobile_numbers)
    chars = []
    for digit in number:
        style = draw(st.integers(0, 2))
        if style == 0:
            chars.append(digit)
        elif style == 1:
            chars.append(chr(ord(digit) + 0xFEE0))
        else:
            chars.append(draw(st.sampled_from(CHINESE_DIGITS[digit])))
    separator = draw(st.sampled_from(SEPARATORS))
    if separator.strip() in {"", "\u3000"}:  # spaces may split anywhere
        cuts = draw(st.sets(st.integers(1, 10), max_size=10))
    else:  # dots and dashes split groups of three or more
        cuts = draw(st.sampled_from([set(), {3, 7}, {3}, {7}, {4, 7}, {3, 6}]))
    return "".join(separator + char if index in cuts else char for index, char in enumerate(chars))


def wrong_check(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def spell_card(number: str, grouped: bool) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4)) if grouped else number


def spell_landline(number: str, style: int) -> str:
    area_len = 3 if number[1] in "12" else 4
    area, local = number[:area_len], number[area_len:]
    return [f"{area}-{local}", f"({area}){local}", f"{area} {local}", number][style]


pii_items = st.one_of(
    st.tuples(st.just("mobile"), st.builds(spell_mobile, mobile_numbers, st.integers(0, 4))),
    st.tuples(st.just("mobile"), heard_mobiles()),
    st.tuples(st.just("id_card"), id_numbers),
    st.tuples(st.just("id_card"), st.builds(wrong_check, id_numbers)),
    st.tuples(st.just("bank_card"), st.builds(spell_card, bank_cards, st.booleans())),
    st.tuples(st.just("landline"), st.builds(spell_landline, landlines, st.integers(0, 3))),
    st.tuples(st.just("email"), emails),
    st.tuples(st.just("plate"), plates),
)
# No digits, no "@": the filler cannot merge with the embedded values.
filler = st.text(
    alphabet=st.sampled_from("市民反映路灯坏了请尽快处理京豫 abcXYZ,。!?:()·-\n"), max_size=12
)


@st.composite
def tickets(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    items = draw(st.lists(pii_items, min_size=1, max_size=5))
    parts = [draw(filler)]
    for _, value in items:
        parts += [" ", value, " ", draw(filler)]
    return "".join(parts), items


TO_ASCII = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        **{numeral: digit for digit, numerals in CHINESE_DIGITS.items() for numeral in numerals},
    }
)

# --- properties ---------------------------------------------------------------------------


def count_digits(text: str) -> int:
    # Masks turn full-width digits and Chinese numerals into ASCII digits.
    return len(re.findall("[0-9０-９〇零一幺二三四五六七八九]", text))


@given(id_numbers)
def test_generated_id_numbers_are_valid_and_any_single_change_breaks_them(number: str) -> None:
    assert is_valid_id_number(number)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert not is_valid_id_number(wrong)


@given(mobile_numbers, st.integers(0, 4))
def test_normalize_phone_recovers_generated_mobiles(number: str, style: int) -> None:
    assert normalize_phone(spell_mobile(number, style)) == number


@given(landlines, st.integers(0, 3))
def test_normalize_phone_recovers_generated_landlines(number: str, style: int) -> None:
    canonical = normalize_phone(spell_landline(number, style))
    assert canonical is not None
    assert canonical.replace("-", "") == number


@settings(deadline=None)
@given(tickets())
def test_embedded_pii_is_found_and_fully_masked(ticket: tuple[str, list[tuple[str, str]]]) -> None:
    text, items = ticket
    found = find_pii(text)
    assert len(found) == len(items)
    for match, (kind, value) in zip(found, items, strict=True):
        assert match.value == value
        # An 18-digit Luhn-valid card can also be a valid ID number; the ID wins the tie.
        assert match.kind == kind or (kind == "bank_card" and match.kind == "id_card")
    masked = mask_pii(text)
    for _, value in items:
        assert value not in masked
        assert value.translate(TO_ASCII) not in masked.translate(TO_ASCII)
    assert leftover_pii(masked.translate(TO_ASCII)) == []
    assert find_pii(masked) == []
    assert mask_pii(masked) == masked


@settings(deadline=None)
@given(st.text())
def test_masking_arbitrary_text_is_safe_idempotent_and_sane(text: str) -> None:
    masked = mask_pii(text)
    assert mask_pii(masked) == masked
    assert find_pii(masked) == []
    # Masks only ever hide digits; only e-mail masks (three stars) and landline masks (a dash,
    # four stars) can make the text longer.
    assert count_digits(masked) <= count_digits(text)
    assert len(masked) <= len(text) + 3 * text.count("@") + 3 * text.count("＠") + len(text) // 5
    if not find_pii(text):
        assert masked == text


@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 -+()@.xX京A豫J字abc一幺〇零九．"), max_size=80))
def test_masking_digit_heavy_text_is_idempotent_and_leaves_nothing(text: str) -> None:
    masked = mask_pii(text)
    assert mask_pii(masked) == masked
    assert find_pii(masked) == []


@given(st.text())
def test_find_pii_returns_sorted_disjoint_spans_of_the_input(text: str) -> None:
    matches = find_pii(text)
    for match in matches:
        assert text[match.start : match.end] == match.value
    for before, after in zip(matches, matches[1:], strict=False):
        assert before.end <= after.start


@given(
    st.lists(
        st.one_of(
            st.integers(0, 99_999).map(str),  # amounts, house numbers
            st.dates().map(lambda day: f"{day:%Y年%m月%d日}"),
            st.dates().map(lambda day: f"{day:%Y-%m-%d}"),
            st.integers(1, 99).map(lambda n: f"{n}组{n + 3}号"),
            st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 999), st.integers(0, 99)),
            st.integers(2_600_000_000, 2_699_999_999).map(str),  # ticket numbers
        ),
        max_size=8,
    ),
    st.sampled_from(["", "元", "号", "，", " "]),
)
def test_ordinary_numbers_in_chinese_text_are_left_alone(numbers: list[str], glue: str) -> None:
    text = "市民反映" + f"{glue}，".join(numbers) + "。"
    assert mask_pii(text) == text


# --- speed --------------------------------------------------------------------------------

ADVERSARIAL = {
    "digits": "1" * 100_000,
    "grouped digits": "1234 " * 20_000,
    "at signs": "@" * 100_000,
    "local parts": ("a" * 63 + "@") * 1_500,
    "dotted domain": "x@" + "a." * 50_000,
    "plate starts": "京A" * 50_000,
    "phones": "13800138000 " * 8_000,
    "decimals": "0.1" * 33_000,
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_it_survives_adversarial_input(text: str) -> None:
    # Speed on these inputs is measured by bench/bench_textproc.py, not asserted here.
    masked = mask_pii(text)
    assert mask_pii(masked) == masked
