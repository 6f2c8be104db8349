"""知识库 screens: who may read and edit, the forms' Chinese errors, the desk's search fragment,
and the list page's query count.

"Alice (a 孙口镇 handler) may read the knowledge base but never change it."
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.org.models import Division, Role, Unit
from minsheng.tickets.catalogue import MESSAGE_BOARD_CSV, load_categories
from minsheng.tickets.knowledge import article_create, article_update
from minsheng.tickets.models import (
    Assignment,
    CatalogueEntry,
    Category,
    KnowledgeArticle,
    Ticket,
    TicketEvent,
)
from tests.conftest import PASSWORD, Org, make_user

pytestmark = pytest.mark.urls("tests.tickets.urls_kb_test")


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def article(org: Org) -> KnowledgeArticle:
    return article_create(
        actor=org.olga,
        title="社会保障卡补办流程",
        body="本人携带居民身份证到县人社局窗口办理。\n即时制卡网点可当场领卡。",
        source="县人社局",
    )


def _form(**overrides: str) -> dict[str, str]:
    return {
        "title": "停水报修",
        "body": "派单至县自来水公司。",
        "source": "",
        "category": "",
        "valid_from": "",
        "valid_to": "",
        **overrides,
    }


# ---------------------------------------------------------------------------------------------
# Access


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client, article) -> None:
    for url in ("/kb/", f"/kb/{article.pk}/", "/kb/new/", "/kb/search/?q=社保"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_user_without_roles_is_refused(client: Client, org: Org, article) -> None:
    make_user("nobody", org.sunkou)
    login(client, "nobody")
    response = client.get("/kb/")
    assert response.status_code == 403
    assert "尚未分配角色" in response.content.decode()


def test_alice_reads_but_sees_no_edit_links(client: Client, org: Org, article) -> None:
    login(client, "alice")
    page = client.get("/kb/").content.decode()
    assert "社会保障卡补办流程" in page
    assert "/kb/new/" not in page
    detail = client.get(f"/kb/{article.pk}/")
    assert detail.status_code == 200
    assert "即时制卡网点可当场领卡" in detail.content.decode()
    assert f"/kb/{article.pk}/edit/" not in detail.content.decode()


@pytest.mark.parametrize("username", ["alice", "lee"])
def test_readers_get_403_on_the_edit_pages_and_posts(
    client: Client, org: Org, article, username: str
) -> None:
    login(client, username)
    assert client.get("/kb/new/").status_code == 403
    assert client.get(f"/kb/{article.pk}/edit/").status_code == 403
    response = client.post(f"/kb/{article.pk}/edit/", _form(title="改了"))
    assert response.status_code == 403
    assert "只有话务员、派单员、督办员和系统管理员可以编辑知识库" in response.content.decode()
    assert client.post("/kb/new/", _form()).status_code == 403
    assert KnowledgeArticle.objects.get().title == "社会保障卡补办流程"


@pytest.mark.parametrize(
    "url", ["/kb/abc/", "/kb/0/", "/kb/999999/edit/", "/kb/99999999999999999999999/"]
)
def test_bad_or_unknown_ids_are_404(client: Client, org: Org, url: str) -> None:
    login(client, "olga")
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------------------------------------
# Creating and editing


def test_olga_creates_an_article(client: Client, org: Org) -> None:
    load_categories(MESSAGE_BOARD_CSV)
    category = Category.objects.get(full_name="城乡建设/城市建设和市政管理/自来水供应")
    login(client, "olga")
    assert client.get("/kb/new/").status_code == 200
    response = client.post(
        "/kb/new/",
        _form(category=str(category.pk), valid_from="2026-01-01", valid_to="2026-12-31"),
    )
    created = KnowledgeArticle.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/kb/{created.pk}/"
    assert created.category == category
    assert created.valid_to == dt.date(2026, 12, 31)
    assert created.updated_by == org.olga
    assert " 停水 " in created.search_text
    page = client.get(response["Location"]).content.decode()
    assert "已保存" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "长" * 201}, "标题不能超过 200 个字（现为 201 个字）"),
        ({"title": ""}, "请填写标题"),
        ({"body": "  "}, "请填写正文"),
        ({"source": "源" * 201}, "来源不能超过 200 个字"),
        ({"valid_from": "2026-13-45"}, "请输入有效的日期"),
        ({"valid_from": "2026-03-01", "valid_to": "2026-02-01"}, "失效日期不能早于生效日期"),
        ({"category": "abc"}, "选择一个有效的选项"),
        ({"category": "999999"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_shows_chinese_errors_and_saves_nothing(
    client: Client, org: Org, overrides: dict[str, str], message: str
) -> None:
    login(client, "olga")
    response = client.post("/kb/new/", _form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'class="error"' in response.content.decode()
    assert not KnowledgeArticle.objects.exists()


def test_an_editor_changes_an_article(client: Client, org: Org, article) -> None:
    dina = make_user("dina", org.hotline, Role.DISPATCHER)
    login(client, "dina")
    page = client.get(f"/kb/{article.pk}/edit/").content.decode()
    assert "社会保障卡补办流程" in page and article.updated_at.isoformat() in page
    response = client.post(
        f"/kb/{article.pk}/edit/",
        _form(
            title="社会保障卡（社保卡）补办流程",
            body="新的正文",
            updated_at=article.updated_at.isoformat(),
        ),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "社会保障卡（社保卡）补办流程"
    assert article.updated_by == dina


def test_an_article_keeps_a_category_that_was_switched_off(
    client: Client, org: Org, article
) -> None:
    load_categories(MESSAGE_BOARD_CSV)
    old = Category.objects.get(full_name="劳动和社会保障/其他/其他")
    article = article_update(article=article, actor=org.olga, category=old)
    Category.objects.filter(pk=old.pk).update(is_active=False)
    login(client, "olga")
    assert "劳动和社会保障/其他/其他" not in client.get("/kb/new/").content.decode()
    response = client.post(
        f"/kb/{article.pk}/edit/",
        _form(category=str(old.pk), updated_at=article.updated_at.isoformat()),
    )
    assert response.status_code == 302
    assert KnowledgeArticle.objects.get().category == old


def test_an_edit_from_a_stale_page_is_refused(client: Client, org: Org, article) -> None:
    shown = article.updated_at.isoformat()
    article_update(article=article, actor=org.olga, body="别人先保存的正文")
    login(client, "olga")
    response = client.post(f"/kb/{article.pk}/edit/", _form(updated_at=shown))
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    assert KnowledgeArticle.objects.get().body == "别人先保存的正文"


def test_a_garbled_version_field_is_a_form_error(client: Client, org: Org, article) -> None:
    login(client, "olga")
    response = client.post(f"/kb/{article.pk}/edit/", _form(updated_at="yesterday"))
    assert response.status_code == 200
    assert "页面已过期" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# The list and the search fragment


def test_the_list_searches_chinese(client: Client, org: Org, article) -> None:
    article_create(actor=org.olga, title="停水报修", body="派单至自来水公司。")
    login(client, "alice")
    page = client.get("/kb/", {"q": "社保卡"}).content.decode()
    assert "社会保障卡补办流程" in page and "停水报修" not in page


def test_the_list_marks_expired_articles_only_when_asked(client: Client, org: Org) -> None:
    article_create(
        actor=org.olga, title="去年的标准", body="缴费标准", valid_to=dt.date(2020, 12, 31)
    )
    login(client, "olga")
    assert "去年的标准" not in client.get("/kb/", {"q": "缴费标准"}).content.decode()
    page = client.get("/kb/", {"q": "缴费标准", "expired": "on"}).content.decode()
    assert "去年的标准" in page and "已失效" in page


@pytest.mark.parametrize("params", [{"category": "abc"}, {"q": "长" * 101}])
def test_bad_search_parameters_are_form_errors(client: Client, org: Org, article, params) -> None:
    login(client, "olga")
    response = client.get("/kb/", params)
    assert response.status_code == 200
    assert "请修正上面的搜索条件" in response.content.decode()


def test_the_detail_page_warns_about_an_expired_article(client: Client, org: Org) -> None:
    old = article_create(actor=org.olga, title="旧政策", body="正文", valid_to=dt.date(2020, 1, 1))
    login(client, "alice")
    assert "本条目已失效" in client.get(f"/kb/{old.pk}/").content.decode()


def test_the_fragment_is_a_list_of_links(client: Client, org: Org, article) -> None:
    login(client, "olga")
    response = client.get("/kb/search/", {"q": "社保卡怎么补办"})
    body = response.content.decode().strip()
    assert response.status_code == 200
    assert body.startswith('<ul class="kb-results">') and body.endswith("</ul>")
    assert f'href="/kb/{article.pk}/"' in body
    assert "<html" not in body


def test_the_fragment_says_when_nothing_is_found(client: Client, org: Org, article) -> None:
    login(client, "olga")
    assert "未找到相关知识" in client.get("/kb/search/", {"q": "火星移民"}).content.decode()
    assert "请输入关键词" in client.get("/kb/search/").content.decode()


def test_the_fragment_answers_json_when_asked(client: Client, org: Org, article) -> None:
    login(client, "olga")
    data = client.get("/kb/search/", {"q": "社保卡", "format": "json"}).json()
    assert data["results"][0]["title"] == "社会保障卡补办流程"
    assert data["results"][0]["url"] == f"/kb/{article.pk}/"
    accept = client.get("/kb/search/", {"q": "社保卡"}, headers={"Accept": "application/json"})
    assert accept.json()["results"][0]["id"] == article.pk


def test_the_fragment_opened_as_a_page_redirects_to_the_search_page(
    client: Client, org: Org, article
) -> None:
    login(client, "olga")
    response = client.get("/kb/search/", {"q": "社保卡"}, headers={"Sec-Fetch-Mode": "navigate"})
    assert response.status_code == 302
    assert response["Location"] == "/kb/?q=%E7%A4%BE%E4%BF%9D%E5%8D%A1"
    assert "社会保障卡补办流程" in client.get(response["Location"]).content.decode()


def test_the_fragment_survives_a_huge_query(client: Client, org: Org, article) -> None:
    login(client, "olga")
    assert client.get("/kb/search/", {"q": "社保" * 5000}).status_code == 200


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/kb/").status_code == 200
    return len(queries)


def test_the_list_page_query_count_does_not_grow_with_articles(client: Client, org: Org) -> None:
    load_categories(MESSAGE_BOARD_CSV)
    categories = list(Category.objects.filter(level=3)[:30])
    editors = [org.olga, make_user("dina", org.hotline, Role.DISPATCHER)]
    for i in range(3):
        article_create(actor=editors[i % 2], title=f"条目{i}", body="正文", category=categories[i])
    login(client, "olga")
    few = _list_queries(client)
    for i in range(3, 30):
        article_create(actor=editors[i % 2], title=f"条目{i}", body="正文", category=categories[i])
    assert _list_queries(client) == few
    assert few <= 10  # session, user, roles, categories for the filter, articles, the header…


# ---------------------------------------------------------------------------------------------
# The admin: reference data editable, tickets read-only


@pytest.fixture
def admin_client(client: Client, org: Org) -> Client:
    User = type(org.olga)
    User.objects.create_superuser(username="root", password=PASSWORD, email="")
    return login(client, "root")


def _ticket(unit: Unit | None = None) -> Ticket:
    ticket = Ticket.objects.create(
        number="261123000001",
        channel="hotline",
        kind="consultation",
        title="路灯不亮",
        description="村口路灯",
    )
    if unit is not None:
        Assignment.objects.create(ticket=ticket, unit=unit, role=Assignment.Role.LEAD)
        TicketEvent.objects.create(ticket=ticket, action="dispatch", unit=unit, note="派单")
    return ticket


def test_the_admin_lists_every_tickets_model(admin_client: Client) -> None:
    load_categories(MESSAGE_BOARD_CSV)
    _ticket()
    for model in (
        "category",
        "catalogueentry",
        "knowledgearticle",
        "ticket",
        "assignment",
        "ticketevent",
    ):
        assert admin_client.get(f"/admin/tickets/{model}/").status_code == 200, model


def test_tickets_and_their_events_cannot_be_changed_in_the_admin(
    admin_client: Client, org: Org
) -> None:
    ticket = _ticket(org.sunkou)
    for model in ("ticket", "assignment", "ticketevent"):
        assert admin_client.get(f"/admin/tickets/{model}/add/").status_code == 403
    page = admin_client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    assert page.status_code == 200  # viewable
    assert 'name="_save"' not in page.content.decode()
    assert "孙口镇人民政府" in page.content.decode()  # the read-only assignment inline
    response = admin_client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", {"title": "改了"})
    assert response.status_code == 403
    assert (
        admin_client.post(f"/admin/tickets/ticket/{ticket.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    ticket.refresh_from_db()
    assert ticket.title == "路灯不亮"


def test_an_article_saved_in_the_admin_is_indexed(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/tickets/knowledgearticle/add/",
        {
            "title": "社会保障卡补办",
            "body": "到窗口办理",
            "source": "",
            "valid_from": "",
            "valid_to": "",
        },
    )
    assert response.status_code == 302
    article = KnowledgeArticle.objects.get()
    assert " 社保 " in article.search_text and article.updated_by is not None
    assert article.updated_by.username == "root"


def test_a_category_added_in_the_admin_gets_its_level_and_full_name(admin_client: Client) -> None:
    load_categories(MESSAGE_BOARD_CSV)
    parent = Category.objects.get(full_name="城乡建设/村镇建设")
    response = admin_client.post(
        "/admin/tickets/category/add/", {"name": "村庄规划", "parent": parent.pk, "is_active": "on"}
    )
    assert response.status_code == 302
    leaf = Category.objects.get(name="村庄规划")
    assert (leaf.level, leaf.full_name) == (3, "城乡建设/村镇建设/村庄规划")
    # Renaming a branch renames its subtree.
    response = admin_client.post(
        f"/admin/tickets/category/{parent.pk}/change/",
        {"name": "村镇建设管理", "parent": parent.parent_id, "is_active": "on"},
    )
    assert response.status_code == 302
    leaf.refresh_from_db()
    assert leaf.full_name == "城乡建设/村镇建设管理/村庄规划"


def test_a_catalogue_entry_needs_a_township_not_a_village(admin_client: Client, org: Org) -> None:
    load_categories(MESSAGE_BOARD_CSV)
    Division.objects.create(code="410927102201", name="孙口村", level=5)
    category = Category.objects.get(full_name="农村农业/村务管理")
    response = admin_client.post(
        "/admin/tickets/catalogueentry/add/",
        {"category": category.pk, "township": "410927102201", "unit": org.sunkou.pk, "note": ""},
    )
    assert response.status_code == 200
    assert "请选择乡镇（街道）级区划" in response.content.decode()
    assert not CatalogueEntry.objects.exists()
