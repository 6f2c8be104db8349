"""帮扶台账, read-only over the REST API: the people of an area (masked values only), one person,
an area's figures (a station's village, a township, the county).

Scoped exactly as the pages: the reads go through `assistance.selectors` and `assistance.rules`
(`ledger_scope` for people, `figures_scope` for figures), so a token sees what its user would
see at /assistance/ — a station's token its village, a township's 帮扶专干 the township, a county
department its categories. Anything else answers 404, as on the pages (a person's existence is
not confirmed). No endpoint decrypts: ID numbers and phones are their masks; the full values
are revealed only on the person's page, with a logged reason.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minsheng.api.errors import ErrorSerializer
from minsheng.assistance import figures as assistance_figures
from minsheng.assistance import rules, selectors
from minsheng.assistance.models import Person
from minsheng.org.models import User

PAGE_SIZE_MAX = 200


def _user(request: Request) -> User:
    return cast(User, request.user)


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


class PersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    village = serializers.CharField(source="village_id", help_text="村（社区）区划代码（12 位）")
    village_name = serializers.CharField(source="village.name")
    household = serializers.SerializerMethodField()
    sex = serializers.CharField()
    birth_year = serializers.IntegerField()
    id_number_masked = serializers.CharField(source="id_mask", help_text="脱敏身份证号")
    phone_masked = serializers.CharField(source="phone_mask", help_text="脱敏电话，可为空")
    categories = serializers.SerializerMethodField()
    in_workforce = serializers.BooleanField(help_text="计入登记劳动力")
    employed_since = serializers.DateField(allow_null=True, help_text="现岗位起始日期；空为未就业")
    last_contact_on = serializers.DateField(allow_null=True, help_text="最近一次走访或帮扶日期")

    def get_household(self, person: Person) -> str:
        return person.household.label if person.household else ""

    def get_categories(self, person: Person) -> list[str]:
        names = getattr(person, "category_names", None)
        if names is None:
            names = list(person.categories.order_by("pk").values_list("category", flat=True))
        return list(names)


class PersonPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = PersonSerializer(many=True)


class PeopleFilterSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(max_length=20, required=False, help_text="类别")
    q = serializers.CharField(
        max_length=40, required=False, help_text="姓名（包含）或身份证号（按密钥哈希精确查找）"
    )
    page = serializers.IntegerField(min_value=1, max_value=100000, default=1, required=False)
    page_size = serializers.IntegerField(
        min_value=1, max_value=PAGE_SIZE_MAX, default=50, required=False
    )


class CertificateSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    level = serializers.CharField()
    obtained_on = serializers.DateField()


class EmploymentSerializer(serializers.Serializer[Any]):
    employer = serializers.CharField()
    work = serializers.CharField()
    since = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    income_band = serializers.CharField()


class NeedSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)


class PersonDetailSerializer(PersonSerializer):
    certificates = serializers.SerializerMethodField()
    employments = serializers.SerializerMethodField()
    needs = serializers.SerializerMethodField()

    @staticmethod
    def _many(serializer: type[serializers.Serializer[Any]], rows: Any) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], serializer(rows, many=True).data)

    def get_certificates(self, person: Person) -> list[dict[str, Any]]:
        return self._many(CertificateSerializer, person.certificates.order_by("-obtained_on"))

    def get_employments(self, person: Person) -> list[dict[str, Any]]:
        return self._many(EmploymentSerializer, person.employments.order_by("-since"))

    def get_needs(self, person: Person) -> list[dict[str, Any]]:
        return self._many(NeedSerializer, person.need_rows.order_by("closed_on", "-opened_on"))


class FiguresSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    people = serializers.IntegerField(
        allow_null=True, help_text="人数；仅看统计的角色低于最小分组时为空"
    )
    assisted_month = serializers.IntegerField(allow_null=True)
    employed = serializers.IntegerField(allow_null=True)
    stable = serializers.IntegerField(allow_null=True)
    certificates_year = serializers.IntegerField(allow_null=True)
    postings_open = serializers.IntegerField()
    headcount_open = serializers.IntegerField()
    workshop_postings = serializers.IntegerField()
    referred = serializers.IntegerField(allow_null=True)
    hires = serializers.IntegerField(allow_null=True)
    stations = serializers.IntegerField()
    six_one_complete = serializers.IntegerField()
    six_one_percent = serializers.FloatField()
    full_employment_villages = serializers.IntegerField()


CODE_PARAMETER = OpenApiParameter(
    "code",
    str,
    OpenApiParameter.PATH,
    description="区划代码：村（社区）12 位，乡镇 9 位或 12 位，县 6 位或 12 位",
)


def _area(user: User, code: str, *, figures: bool = False) -> Any:
    division = selectors.area(user, code, figures=figures)
    if division is None:
        raise Http404("area not found")
    return division


class AssistancePeople(APIView):
    @extend_schema(
        operation_id="assistance_people_list",
        summary="帮扶台账：某区划的帮扶对象（脱敏，本人权限范围内）",
        parameters=[CODE_PARAMETER, PeopleFilterSerializer],
        responses={200: PersonPageSerializer, **_errors(400, 401, 404)},
        tags=["assistance"],
    )
    def get(self, request: Request, code: str) -> Response:
        user = _user(request)
        division = _area(user, code)
        filters = PeopleFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        rows = selectors.people_of(
            user, division, category=params.get("category", ""), query=params.get("q", "")
        )
        paginator = Paginator(rows, params["page_size"])
        page = paginator.get_page(params["page"])
        return Response(
            {
                "count": paginator.count,
                "page": page.number,
                "pages": paginator.num_pages,
                "results": PersonSerializer(
                    selectors.with_categories(list(page.object_list)), many=True
                ).data,
            }
        )


class AssistancePerson(APIView):
    @extend_schema(
        operation_id="assistance_person",
        summary="帮扶台账：一位帮扶对象（脱敏）",
        responses={200: PersonDetailSerializer, **_errors(401, 404)},
        tags=["assistance"],
    )
    def get(self, request: Request, pk: int) -> Response:
        person = selectors.person_for(_user(request), pk)
        if person is None:
            raise Http404("person not found")
        return Response(PersonDetailSerializer(person).data)


FIGURES = (
    "code",
    "name",
    "people",
    "assisted_month",
    "employed",
    "stable",
    "certificates_year",
    "postings_open",
    "headcount_open",
    "workshop_postings",
    "referred",
    "hires",
    "stations",
    "six_one_complete",
    "six_one_percent",
)
MASKED = (
    "people",
    "assisted_month",
    "employed",
    "stable",
    "certificates_year",
    "referred",
    "hires",
)


class AssistanceFigures(APIView):
    @extend_schema(
        operation_id="assistance_figures",
        summary="帮扶台账：某区划（服务站所在村、乡镇、县）的统计",
        parameters=[CODE_PARAMETER],
        responses={200: FiguresSerializer, **_errors(401, 404)},
        tags=["assistance"],
    )
    def get(self, request: Request, code: str) -> Response:
        user = _user(request)
        division = _area(user, code, figures=True)
        facts = assistance_figures.figures_for(
            rules.figures_scope(user), division, timezone.localdate(), breakdown=False
        )
        data: dict[str, Any] = {name: getattr(facts, name) for name in FIGURES}
        data["full_employment_villages"] = facts.full_villages
        # Readers of aggregates only (leaders) never get a count between 1 and the minimum group.
        if rules.ledger_scope(user).empty:
            smallest = int(settings.MINSHENG_ASSIST_MIN_GROUP)
            for name in MASKED:
                if 0 < data[name] < smallest:
                    data[name] = None
        return Response(FiguresSerializer(data).data)
