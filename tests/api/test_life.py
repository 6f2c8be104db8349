"""A whole ticket life through the API alone: intake → dispatch → sign → contact → reply →
callback → closed, each step by the person whose job it is."""

from __future__ import annotations

from tests.api.conftest import INTAKE, Apis


def test_it_runs_a_ticket_from_intake_to_closed(apis: Apis) -> None:
    created = apis.operator.post("tickets/", INTAKE)
    assert created.status == 201, created.body
    number = created.body["number"]
    assert created.body["status"] == "new"
    assert created.headers["Location"] == f"/api/v1/tickets/{number}/"

    steps = [
        (
            apis.dispatcher,
            "dispatch",
            {"lead_unit": "sunkou", "assisting_units": ["houmiao"]},
            "dispatched",
        ),
        (apis.alice, "sign", {}, "in_progress"),
        (apis.alice, "contact", {"method": "phone", "note": "已电话联系"}, "in_progress"),
        (
            apis.alice,
            "reply",
            {"result": "resolved", "content": "已更换灯泡，恢复照明。"},
            "replied",
        ),
        (
            apis.operator,
            "callback",
            {"reached": True, "resolved": True, "satisfaction": "satisfied", "comment": "很满意"},
            "closed",
        ),
    ]
    for api, action, body, status in steps:
        answer = api.act(number, action, body)
        assert answer.status == 200, (action, answer.body)
        assert answer.body["status"] == status, action

    final = apis.alice.get(f"tickets/{number}/")
    assert final.status == 200
    assert final.body["status"] == "closed"
    assert final.body["satisfaction"] == "satisfied"
    assert [e["action"] for e in final.body["timeline"]] == [
        "intake",
        "dispatch",
        "sign",
        "contact",
        "reply",
        "callback",
    ]
    lead = [a for a in final.body["assignments"] if a["role"] == "lead"]
    assert lead[0]["unit"] == "sunkou" and lead[0]["state"] == "replied"
    assert final.body["callbacks"][0]["satisfaction"] == "satisfied"
    # The assisting unit took part, so it sees the ticket too; its assignment is still to sign.
    assisting = apis.bob.get(f"tickets/{number}/")
    assert assisting.status == 200
    assert {a["unit"]: a["state"] for a in assisting.body["assignments"]}["houmiao"] == "pending"


def test_it_runs_a_return_and_its_review(apis: Apis) -> None:
    number = apis.operator.post("tickets/", INTAKE).body["number"]
    apis.dispatcher.act(number, "dispatch", {"lead_unit": "houmiao"})
    returned = apis.bob.act(number, "return", {"reason": "该路段属孙口镇管辖"})
    assert returned.status == 200 and returned.body["status"] == "returned"

    accepted = apis.dispatcher.act(number, "return-accept", {"lead_unit": "sunkou"})
    assert accepted.status == 200, accepted.body
    assert accepted.body["status"] == "dispatched"
    assert accepted.body["lead_unit"] == "sunkou"

    apis.alice.act(number, "sign")
    apis.alice.act(number, "return", {"reason": "不是我们的"})
    refused = apis.dispatcher.act(number, "return-refuse", {"note": "属地管理，请继续办理"})
    assert refused.status == 200 and refused.body["status"] == "in_progress"


def test_it_runs_an_extension_and_a_reopen(apis: Apis) -> None:
    number = apis.operator.post("tickets/", INTAKE).body["number"]
    apis.dispatcher.act(number, "dispatch", {"lead_unit": "sunkou"})
    apis.alice.act(number, "sign")
    asked = apis.alice.act(number, "extend", {"days": 5, "reason": "需采购配件"})
    assert asked.status == 200
    assert asked.body["extension_requests"][0]["state"] == "pending"
    approved = apis.dispatcher.act(number, "extension-approve", {"note": "同意"})
    assert approved.status == 200
    assert approved.body["extension_days"] == 5

    apis.alice.act(number, "extend", {"days": 3, "reason": "天气原因"})
    refused = apis.dispatcher.act(number, "extension-refuse", {"note": "请按期办结"})
    assert refused.body["extension_requests"][1]["state"] == "refused"

    apis.alice.act(number, "contact", {"method": "visit"})
    apis.alice.act(number, "reply", {"result": "explained", "content": "已解释。"})
    unsatisfied = apis.operator.act(
        number, "callback", {"reached": True, "resolved": False, "satisfaction": "unsatisfied"}
    )
    assert unsatisfied.body["status"] == "replied"
    reopened = apis.operator.act(number, "reopen", {"note": "群众不满意，请重新办理"})
    assert reopened.status == 200
    assert reopened.body["status"] == "dispatched" and reopened.body["round"] == 2
