"""集中导入's pages: the template, an upload through the form (bad files refused in Chinese),
the preview with its corrections and the confirm; who may see what; the preview's query count
is pinned (the same for 3 rows or 60)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from minsheng.governance.models import IntakeBatch, IntakeEvent, IntakeRow, Suggestion
from minsheng.governance.services.intake import intake_upload
from minsheng.tickets.models import Category, Channel, Ticket
from tests.conftest import PASSWORD, People
from tests.governance.intake_helpers import Setup, make_setup, sheet

pytestmark = pytest.mark.django_db

HOME = "/governance/intake/"
# session, user, roles (hotline: the desk check), the batch with its area and uploader, the
# summary (one aggregate), the page's count and rows (village, township, category, ticket,
# suggestion joined), the area's places for the list, the leaf categories, the header.
PREVIEW_QUERIES = 11


@pytest.fixture
def setup(people: People) -> Setup:
    return make_setup(people)


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def upload(client: Client, content: bytes, name: str = "收集.xlsx", **data: str):  # type: ignore[no-untyped-def]
    fields = {"area": "410927000000", "destination": "ticket", **data}
    return client.post(HOME, {**fields, "file": SimpleUploadedFile(name, content)})


def test_the_template_downloads(client: Client, setup: Setup) -> None:
    login(client, "olga")
    response = client.get(f"{HOME}template/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in book["意见建议"][1]]
    assert header[:3] == ["序号", "村（社区）/地点", "意见建议内容"]


def test_upload_preview_correct_and_confirm(client: Client, setup: Setup) -> None:
    login(client, "olga")
    content = sheet(
        [1, "孙口村", "村口路灯不亮，晚上出行不便，建议维修", "张某", "13800138000", "", ""],
        [2, "", "希望多开几班公交车", "赵某", "", "", ""],
        [3, "孙口村", "", "王某", "", "", ""],
    )
    response = upload(client, content)
    batch = IntakeBatch.objects.get()
    assert response["Location"] == f"{HOME}{batch.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "孙口镇 · 孙口村委会" in html  # the matched village, in its input
    assert "意见建议内容为空" in html and "138****8000" in html and "13800138000" not in html
    assert Ticket.objects.count() == 0
    first, second, _third = batch.rows.order_by("number")
    leaf = Category.objects.get(full_name="市政公用/供水/停水")
    url = f"{HOME}{batch.pk}/"
    # A village not in the list is refused, naming the row; nothing changes.
    response = client.post(url, {f"place-{second.pk}": "不存在村", "save": "1"})
    assert "第 3 行" in response.content.decode()
    second.refresh_from_db()
    assert second.village_id is None
    response = client.post(
        url,
        {
            f"place-{first.pk}": "孙口镇 · 孙口村委会",
            f"category-{first.pk}": leaf.full_name,
            f"destination-{first.pk}": "ticket",
            f"place-{second.pk}": "孙口镇 · 孙码头村委会",
            f"category-{second.pk}": "",
            f"destination-{second.pk}": "skip",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.IMPORT and ticket.category_id == leaf.pk
    assert ticket.division_id == "410927102201"
    second.refresh_from_db()
    assert second.outcome == IntakeRow.Outcome.SKIPPED and second.village_id == "410927102202"
    html = client.get(url).content.decode()
    assert ticket.number in html and "已转工单" in html
    # Posting again changes nothing.
    client.post(url, {"confirm": "1"})
    assert Ticket.objects.count() == 1
    assert set(IntakeEvent.objects.values_list("verb", flat=True)) == {
        "uploaded",
        "corrected",
        "confirmed",
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", b"a,b\n", "请上传 Excel 文件"),
        ("a.xlsx", b"not a zip", "请上传 Excel 文件"),
        ("a.xlsx", sheet(header=["甲"]), "这不是意见建议导入模板"),
    ],
    # Names of their own: an Excel file's bytes differ between runs (zip timestamps), and the
    # parallel workers must collect the same tests.
    ids=["csv", "not-a-zip", "wrong-header"],
)
def test_bad_files_are_refused_in_chinese(
    client: Client, setup: Setup, name: str, content: bytes, message: str
) -> None:
    login(client, "olga")
    response = upload(client, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert IntakeBatch.objects.count() == 0


def test_township_staff_upload_for_their_council(client: Client, setup: Setup) -> None:
    login(client, "leader-sunkou")
    html = client.get(HOME).content.decode()
    assert "孙口镇" in html and "台前县" not in html.split("<form")[1].split("</form>")[0]
    response = upload(
        client, sheet([1, "孙口村", "建议增设健身器材", "", "", "", ""]), area="410927102000"
    )
    batch = IntakeBatch.objects.get()
    assert batch.council_only
    client.post(response["Location"], {"confirm": "1"})
    assert Suggestion.objects.get().council == setup.council
    assert Ticket.objects.count() == 0


def test_who_may_see(client: Client, setup: Setup) -> None:
    batch = intake_upload(
        actor=setup.secretary,
        area=setup.sunkou,
        filename="a.xlsx",
        content=sheet([1, "孙口村", "建议增设健身器材", "", "", "", ""]),
    )
    login(client, "h-team")
    assert client.get(HOME).status_code == 404
    assert client.get(f"{HOME}{batch.pk}/").status_code == 404
    assert client.get(f"{HOME}template/").status_code == 404
    client.logout()
    login(client, "leader-houmiao")
    assert client.get(f"{HOME}{batch.pk}/").status_code == 404
    assert client.post(f"{HOME}{batch.pk}/", {"confirm": "1"}).status_code == 404
    assert Suggestion.objects.count() == 0
    client.logout()
    login(client, "dora")
    assert client.get(f"{HOME}{batch.pk}/").status_code == 200


@pytest.mark.parametrize("rows", [3, 60])
def test_preview_query_count_is_pinned(
    client: Client, setup: Setup, rows: int, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    content = sheet(
        *[[i, "孙口村", f"第{i}条建议：村口路灯不亮", "", "", "", ""] for i in range(rows)]
    )
    batch = intake_upload(
        actor=setup.people.operator, area=setup.county, filename="a.xlsx", content=content
    )
    login(client, "olga")
    with django_assert_max_num_queries(PREVIEW_QUERIES):
        response = client.get(f"{HOME}{batch.pk}/")
    assert response.status_code == 200
