"""English is available: the catalogue is complete and consistent, the compiled .mo matches it,
pages render in English when the user chooses it, and Chinese stays the default otherwise.

The catalogue is parsed here without polib: a .po file is a short list of quoted strings.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from minsheng.core.middleware import chosen_language
from minsheng.tickets.actions import EMERGENCY_SERVICES
from tests.conftest import PASSWORD, People
from tests.factories import new_ticket

LC_MESSAGES = Path(settings.BASE_DIR) / "minsheng" / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
CJK = re.compile(r"[\u3400-\u9fff]")
# %(name)s, %s, %d, %% (printf style, including Django's blocktranslate) and {name} (str.format).
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr%]|\{\w*\}")
# A language's own name is shown in that language in the switch, whatever the page language.
KEPT_AS_IS = {"简体中文"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    context: str | None = None  # msgctxt, from pgettext and {% translate ... context ... %}
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """Every active entry of a .po file (obsolete #~ entries skipped), the header included."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] = ("", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        else:
            match = re.fullmatch(
                r'(msgid_plural|msgid|msgstr(?:\[(\d+)\])?|msgctxt)\s+(".*")', line
            )
            keyword, index, text = match.groups() if match else ("", None, line)
            value = ast.literal_eval(text)  # a C-quoted string reads as a Python literal
            if keyword:
                target = (keyword.split("[")[0], int(index or 0))
                if target[0] == "msgstr":
                    current.msgstr[target[1]] = ""
                elif target[0] == "msgid_plural":
                    current.msgid_plural = ""
            if target[0] == "msgctxt":
                current.context = (current.context or "") + value
            elif target[0] == "msgid":
                current.msgid += value
            elif target[0] == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            elif target[0] == "msgstr":
                current.msgstr[target[1]] += value
    return [e for e in entries if e.msgstr]


def messages() -> list[Entry]:
    return [entry for entry in parse_po(PO) if entry.msgid]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(autouse=True)
def _back_to_the_default_language() -> Iterator[None]:
    # The middleware activates the request's language for the thread, as Django's does; later
    # tests that call services directly must not inherit English from these.
    yield
    translation.deactivate()


# --- the catalogue ----------------------------------------------------------------------


def test_the_parser_reads_plain_plural_and_multiline_entries(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, python-format\nmsgid "共 %(n)s 件"\nmsgstr "%(n)s in "\n"total"\n\n'
        'msgid "%(c)s 条"\nmsgid_plural "%(c)s 条"\nmsgstr[0] "%(c)s item"\nmsgstr[1] "%(c)s items"\n\n'
        'msgctxt "月份"\nmsgid "月"\nmsgstr "Month"\n\n'
        '#~ msgid "旧"\n#~ msgstr "old"\n',
        encoding="utf-8",
    )
    header, plain, plural, with_context = parse_po(po)
    assert header.msgid == "" and header.msgstr == {0: "Language: en\n"}
    assert (with_context.context, with_context.msgid, with_context.msgstr) == (
        "月份",
        "月",
        {0: "Month"},
    )
    assert (plain.msgid, plain.msgstr, plain.flags) == (
        "共 %(n)s 件",
        {0: "%(n)s in total"},
        {"python-format"},
    )
    assert plural.msgid_plural == "%(c)s 条" and plural.msgstr == {
        0: "%(c)s item",
        1: "%(c)s items",
    }


def test_the_catalogue_is_the_english_one_for_this_project() -> None:
    header = parse_po(PO)[0]
    assert header.msgid == "" and "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    # The UI's central terms are in it (a catalogue made for another tree would miss them).
    english = {entry.msgid: entry.msgstr[0] for entry in messages()}
    assert english["工单"] == "Ticket" and english["派单"] == "Dispatch"
    assert english["承办单位"] == "Handling units" and english["签收"] == "Sign for"
    assert english["满意"] == "Satisfied" and english["不满意"] == "Unsatisfied"


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    untranslated = [
        e.msgid
        for e in messages()
        if "fuzzy" in e.flags
        or any(not text.strip() for text in e.msgstr.values())
        or (e.msgid_plural is not None and sorted(e.msgstr) != [0, 1])
    ]
    assert untranslated == []


def test_no_chinese_string_is_left_as_its_own_translation() -> None:
    copied = [
        e.msgid
        for e in messages()
        if CJK.search(e.msgid) and e.msgid not in KEPT_AS_IS and e.msgstr[0] == e.msgid
    ]
    assert copied == []


def test_placeholders_in_every_translation_match_the_chinese() -> None:
    mismatched = []
    for e in messages():
        for index, text in e.msgstr.items():
            source = e.msgid_plural if (index and e.msgid_plural is not None) else e.msgid
            if placeholders(text) != placeholders(source):
                mismatched.append((e.line, e.msgid, text))
    assert mismatched == []


def test_the_placeholder_check_would_catch_a_dropped_or_renamed_name() -> None:
    assert placeholders("%(n)s 天") == placeholders("%(n)s d")
    assert placeholders("第 %(n)s 行：%(error)s。") != placeholders("Line %(n)s.")
    assert placeholders("请填写{label}。") != placeholders("{name} is required.")
    assert placeholders("响应率 %(r)s%%，") == placeholders("response rate %(r)s%%,")


def test_the_compiled_mo_holds_exactly_what_the_po_says() -> None:
    """The .mo is committed (a fresh machine need not have gettext); it must not be stale."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in messages():
        if e.context is not None:
            if compiled.pgettext(e.context, e.msgid) != e.msgstr[0]:
                stale.append(e.msgid)
        elif e.msgid_plural is None:
            if compiled.gettext(e.msgid) != e.msgstr[0]:
                stale.append(e.msgid)
        elif (
            compiled.ngettext(e.msgid, e.msgid_plural, 1),
            compiled.ngettext(e.msgid, e.msgid_plural, 2),
        ) != (
            e.msgstr[0],
            e.msgstr[1],
        ):
            stale.append(e.msgid)
    assert stale == []
    assert compiled.info()["language"] == "en"


def test_django_serves_the_catalogue() -> None:
    with translation.override("en"):
        assert translation.gettext("工单号") == "Ticket no."
        assert str(EMERGENCY_SERVICES["110"]) == "Police"  # labels built at import stay lazy
        assert (
            translation.ngettext("%(counter)s 条未读", "%(counter)s 条未读", 3)
            == "%(counter)s unread"
        )
    with translation.override("zh-hans"):
        assert translation.gettext("工单号") == "工单号"


# --- choosing the language ----------------------------------------------------------------


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_chinese_is_the_default_even_for_an_english_browser(client: Client) -> None:
    for headers in ({}, {"Accept-Language": "en-US,en;q=0.9"}):
        response = client.get("/accounts/login/", headers=headers)
        html = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="zh-hans">' in html and "用户名" in html and "Username" not in html
        assert response["Content-Language"] == "zh-hans"
        # The switch offers English, named in English.
        assert 'name="language" value="en"' in html and ">English</button>" in html


def test_the_login_page_in_english(client: Client) -> None:
    response = english(client).get("/accounts/login/")
    html = response.content.decode()
    assert '<html lang="en">' in html and response["Content-Language"] == "en"
    assert "<h1>Log in</h1>" in html and "Username" in html and "Password" in html
    assert "登录" not in html and "用户名" not in html
    assert 'value="zh-hans"' in html and "简体中文" in html  # the way back
    assert "Cookie" in response["Vary"]


def test_the_switch_sets_the_cookie_and_returns_to_the_page(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/?next=/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/"
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and cookie["max-age"] == 365 * 24 * 3600  # remembered
    assert "Log in" in client.get(response["Location"]).content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert "登录" in client.get("/accounts/login/").content.decode()


def test_an_unknown_or_forged_language_choice_falls_back_to_language_code(client: Client) -> None:
    for value in ("fr", "../../etc", ""):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = value
        html = client.get("/accounts/login/").content.decode()
        assert '<html lang="zh-hans">' in html and "用户名" in html
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert "用户名" in client.get("/accounts/login/").content.decode()


def test_language_code_sets_the_default(client: Client, settings: object) -> None:
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]
    assert "Username" in client.get("/accounts/login/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"  # type: ignore[attr-defined]
    assert "用户名" in client.get("/accounts/login/").content.decode()  # the user's choice wins


def test_chosen_language_only_accepts_configured_languages(rf: object) -> None:
    request = rf.get("/")  # type: ignore[attr-defined]
    assert chosen_language(request) == "zh-hans"
    request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    assert chosen_language(request) == "en"  # the closest configured variant
    request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert chosen_language(request) == "zh-hans"


def navigation(html: str) -> str:
    return html.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]


def test_the_navigation_in_english_and_in_chinese(people: People, client: Client) -> None:
    assert client.login(username=people.dispatcher.username, password=PASSWORD)
    chinese = navigation(client.get("/").content.decode())
    assert "派单" in chinese and "工单查询" in chinese and "Dispatch" not in chinese
    nav = navigation(english(client).get("/").content.decode())
    assert nav.startswith("Main navigation")
    assert "Dispatch" in nav and "Ticket search" in nav and "Home" in nav
    assert not CJK.search(nav)


def test_a_ticket_page_in_english(people: People, client: Client) -> None:
    ticket = new_ticket(people)
    assert client.login(username=people.dispatcher.username, password=PASSWORD)
    html = english(client).get(f"/tickets/{ticket.number}/").content.decode()
    assert ticket.number in html  # ticket numbers are kept as they are
    for text in (
        "<title>Ticket ",
        "Request type",
        "Awaiting dispatch",
        "Available actions",
        "Dispatch",
        "History",
        "Log out",
    ):
        assert text in html, text
    for text in ("可执行的操作", "待派单", "流转记录", "退出"):
        assert text not in html, text
    chinese = english(client)
    chinese.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = chinese.get(f"/tickets/{ticket.number}/").content.decode()
    assert "可执行的操作" in html and "待派单" in html and "Available actions" not in html
