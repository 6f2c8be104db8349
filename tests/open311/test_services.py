"""discovery, services and services/{code}: categories as GeoReport v2 services."""

from __future__ import annotations

import pytest

from minsheng.open311.models import ServiceAttribute
from minsheng.tickets.models import Category
from tests.open311.conftest import STREET_LIGHT, Api, validate

pytestmark = pytest.mark.django_db


def test_discovery_names_the_endpoint_and_both_formats(api: Api) -> None:
    body = api.json(api.get("discovery.json"))
    assert body["contact"] and body["key_service"] and body["changeset"]
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}

    root = api.xml(api.get("discovery.xml"))
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    [xml_endpoint] = root.find("endpoints") or []
    assert xml_endpoint.tag == "endpoint"
    assert [f.text for f in xml_endpoint.find("formats") or []] == ["text/xml", "application/json"]


def test_services_are_the_active_leaf_categories(api: Api, street_light: Category) -> None:
    body = api.json(api.get("services.json"))
    validate(body, "services.json")
    assert len(body) == 517  # the shipped taxonomy's leaves
    by_code = {s["service_code"]: s for s in body}
    light = by_code[str(street_light.pk)]
    assert light == {
        "service_code": str(street_light.pk),
        "service_name": "城市建设和市政管理/城市公共设施",
        "description": STREET_LIGHT,
        "metadata": True,
        "type": "realtime",
        "keywords": "城乡建设,城市建设和市政管理,城市公共设施",
        "group": "城乡建设",
    }
    other = next(s for s in body if s["service_code"] != str(street_light.pk))
    assert other["metadata"] is False


def test_switched_off_categories_and_their_subtrees_are_not_services(
    api: Api, categories: None
) -> None:
    branch = Category.objects.get(full_name="城乡建设/城市建设和市政管理")
    leaf = Category.objects.get(full_name="城乡建设/安全生产/事故处理")
    Category.objects.filter(pk__in=[branch.pk, leaf.pk]).update(is_active=False)
    codes = {s["service_code"] for s in api.json(api.get("services.json"))}
    assert str(leaf.pk) not in codes
    assert not codes & {str(pk) for pk in branch.children.values_list("pk", flat=True)}
    assert str(branch.pk) not in codes
    hidden = branch.children.first()
    assert hidden is not None
    api.errors(api.get(f"services/{hidden.pk}.json"), 404)


def test_service_codes_are_stable_across_a_reload_of_the_taxonomy(
    api: Api, categories: None
) -> None:
    from minsheng.tickets.catalogue import MESSAGE_BOARD_CSV, load_categories

    before = api.json(api.get("services.json"))
    assert load_categories(MESSAGE_BOARD_CSV) == 0
    assert api.json(api.get("services.json")) == before


def test_services_xml_uses_the_spec_element_names(api: Api, street_light: Category) -> None:
    root = api.xml(api.get("services.xml"))
    assert root.tag == "services"
    assert {child.tag for child in root} == {"service"}
    light = next(s for s in root if s.findtext("service_code") == str(street_light.pk))
    assert [c.tag for c in light] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert light.findtext("metadata") == "true" and light.findtext("group") == "城乡建设"


def test_the_services_list_costs_two_queries(
    api: Api, street_light: Category, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(2):
        api.get("services.json")


def test_a_service_definition_lists_its_attributes_in_order(
    api: Api, street_light: Category
) -> None:
    body = api.json(api.get(f"services/{street_light.pk}.json"))
    validate(body, "service-definition.json")
    assert body["service_code"] == str(street_light.pk)
    assert [a["code"] for a in body["attributes"]] == [
        "pole",
        "fault",
        "count",
        "since",
        "nearby",
        "notice",
    ]
    pole, fault, *_, notice = body["attributes"]
    assert pole == {
        "variable": True,
        "code": "pole",
        "datatype": "string",
        "required": True,
        "datatype_description": "灯杆上喷涂的编号",
        "order": 1,
        "description": "灯杆编号",
    }
    assert fault["values"] == [
        {"key": "dark", "name": "不亮"},
        {"key": "flicker", "name": "闪烁"},
        {"key": "daylight", "name": "白天亮"},
    ]
    assert notice["variable"] is False

    root = api.xml(api.get(f"services/{street_light.pk}.xml"))
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert attributes is not None and {a.tag for a in attributes} == {"attribute"}
    xml_fault = attributes[1]
    assert [c.tag for c in xml_fault] == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]
    values = xml_fault.find("values")
    assert values is not None and [v.tag for v in values] == ["value"] * 3
    assert [(v.findtext("key"), v.findtext("name")) for v in values][0] == ("dark", "不亮")


def test_a_service_without_attributes_has_an_empty_list(api: Api, categories: None) -> None:
    leaf = Category.objects.get(full_name="城乡建设/安全生产/事故处理")
    body = api.json(api.get(f"services/{leaf.pk}.json"))
    assert body == {"service_code": str(leaf.pk), "attributes": []}
    validate(body, "service-definition.json")


@pytest.mark.parametrize("code", ["999999", "abc", "1" * 40, "%E4%B8%AD"])
def test_an_unknown_service_code_is_404_in_both_formats(
    api: Api, categories: None, code: str
) -> None:
    api.errors(api.get(f"services/{code}.json"), 404)
    api.xml_errors(api.get(f"services/{code}.xml"), 404)


def test_a_branch_category_is_not_a_service(api: Api, categories: None) -> None:
    branch = Category.objects.get(full_name="城乡建设/城市建设和市政管理")
    api.errors(api.get(f"services/{branch.pk}.json"), 404)


def test_attribute_definitions_are_validated_in_the_model(categories: None) -> None:
    from django.core.exceptions import ValidationError

    category = Category.objects.get(full_name=STREET_LIGHT)
    bad = [
        ServiceAttribute(
            category=category, code="a", datatype="singlevaluelist", description="x", values=[]
        ),
        ServiceAttribute(
            category=category,
            code="b",
            datatype="string",
            description="x",
            values=[{"key": "1", "name": "一"}],
        ),
        ServiceAttribute(
            category=category,
            code="c",
            datatype="singlevaluelist",
            description="x",
            values=[{"key": "1"}],
        ),
        ServiceAttribute(
            category=category,
            code="d",
            datatype="multivaluelist",
            description="x",
            values=[{"key": "1", "name": "一"}, {"key": "1", "name": "二"}],
        ),
        ServiceAttribute(
            category=category,
            code="e",
            datatype="text",
            description="x",
            variable=False,
            required=True,
        ),
        ServiceAttribute(category=category, code="f", datatype="colour", description="x"),
    ]
    for attribute in bad:
        with pytest.raises(ValidationError):
            attribute.full_clean()
