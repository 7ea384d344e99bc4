"""Registering through /api/v1 (报备, D-11, D-12): the same service, caps, limits and words as the agent's page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.utils import timezone

from api_cast import Api, Cast
from leadledger.engine.model import REGISTRATION
from leadledger.ledger import models
from leadledger.ledger import services as ledger_services


def test_an_agent_registers_a_customer_and_is_told_until_when(cast: Cast) -> None:
    answer = Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "13900000011"}).json()
    assert answer["accepted"] and answer["code"] == "registered" and answer["word"] == "报备成功"
    assert answer["message"].startswith("报备成功，保护至 ") and answer["until"]
    event = models.Event.objects.get(kind=REGISTRATION)
    assert answer["registration"] == event.seq and answer["escort_code"].startswith(f"{event.seq}-")
    assert event.actor == cast.liming.user  # the ledger names the agent, as the page does


def test_the_answer_is_in_english_when_asked(cast: Cast) -> None:
    answer = Api(cast.keys["liming"], "en-US,en;q=0.9").post("/registrations", {"name": "陈红", "phone": "13900000011"})
    assert answer.json()["message"].startswith("Registered, protected until ")
    assert answer.json()["word"] == "registered"


def test_a_second_agent_is_refused_with_d12s_word(cast: Cast) -> None:
    Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "13900000011"})
    second = Api(cast.keys["zhoutao"]).post("/registrations", {"name": "陈红", "phone": "13900000011"})
    assert second.status_code == 200
    assert second.json() | {"message": ""} == {
        "accepted": False,
        "code": "refused_taken",
        "word": "已被报备",
        "message": "",
        "until": None,
        "registration": None,
        "escort_code": None,
    }
    assert second.json()["message"] == "报备未通过：已被报备"


def test_a_masked_phone_in_the_projects_mode_registers(cast: Cast) -> None:
    answer = Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "139****0011"}).json()
    assert answer["accepted"]
    wrong = Api(cast.keys["liming"]).post("/registrations", {"name": "马丽", "phone": "1390****022"}).json()
    assert (wrong["accepted"], wrong["code"]) == (False, "refused_invalid_number")


def test_a_blank_name_is_an_error_on_its_field(cast: Cast) -> None:
    response = Api(cast.keys["liming"]).post("/registrations", {"name": "  ", "phone": "13900000011"})
    assert response.status_code == 400
    assert response.json() == {"code": "refused", "message": "请填写客户姓名", "field": "name"}
    assert not models.Event.objects.filter(kind=REGISTRATION).exists()


def test_the_daily_cap_holds_as_on_the_page(cast: Cast, settings: Any) -> None:
    cast.office.project.policy = {"protection_scheme": "report_visit", "report_daily_cap": 2}
    cast.office.project.save(update_fields=["policy"])
    api = Api(cast.keys["liming"])
    assert api.post("/registrations", {"name": "陈红", "phone": "13900000011"}).json()["accepted"]
    assert api.post("/registrations", {"name": "马丽", "phone": "13900000022"}).json()["accepted"]
    over = api.post("/registrations", {"name": "赵云", "phone": "13900000033"}).json()
    assert (over["accepted"], over["code"], over["word"]) == (False, "refused_daily_cap", "超出当日报备上限")


def test_registrations_are_rate_limited_as_lookups_and_the_refusal_is_json(cast: Cast, settings: Any) -> None:
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = 1
    api = Api(cast.keys["liming"])
    assert api.post("/registrations", {"name": "陈红", "phone": "13900000011"}).status_code == 200
    refused = api.post("/registrations", {"name": "马丽", "phone": "13900000022"})
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert "查询过于频繁" in refused.json()["message"] and int(refused["Retry-After"]) >= 1
    assert not models.Customer.objects.filter(name="马丽").exists()


def test_every_attempt_is_a_logged_lookup_by_the_tokens_user(cast: Cast) -> None:
    Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "13900000011"})
    Api(cast.keys["zhoutao"]).post("/registrations", {"name": "陈红", "phone": "13900000011"})
    Api(cast.keys["anju"]).post("/registrations", {"name": "马丽", "phone": "12345", "agent": cast.liming.pk})
    rows = models.Lookup.objects.filter(place=models.Lookup.Place.REGISTRATION).order_by("pk")
    assert [(r.user.username, r.answer) for r in rows][:2] == [("liming", "报备成功"), ("zhoutao", "已被报备")]
    assert rows[2].user.username.startswith("api-") and rows[2].answer == "号码无效"
    assert all("13900000011" not in r.asked for r in rows)


def test_an_integration_registers_for_its_own_agents(cast: Cast) -> None:
    api = Api(cast.keys["anju"])
    answer = api.post("/registrations", {"name": "陈红", "phone": "13900000011", "agent": cast.liming.pk}).json()
    assert answer["accepted"]
    listed = Api(cast.keys["liming"]).get("/registrations").json()["items"]
    assert [(row["customer"], row["agent"]) for row in listed] == [("陈红", "李明")]  # on 李明's list


def test_my_registrations_are_listed_masked_and_paged(cast: Cast) -> None:
    api = Api(cast.keys["liming"])
    for n in range(3):
        api.post("/registrations", {"name": f"客户{n}", "phone": f"1390000001{n}"})
    first = api.get("/registrations", page=1, size=2).json()
    second = api.get("/registrations", page=2, size=2).json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    rows = first["items"] + second["items"]
    assert {row["customer"] for row in rows} == {"客户0", "客户1", "客户2"}
    assert all(row["phone"].startswith("139****") and row["code"] == "registered" for row in rows)
    assert api.get("/registrations", page=3, size=2).json()["items"] == []
    assert api.get("/registrations", size=0).status_code == 422


def test_one_registration_and_its_escorted_visit_status(cast: Cast) -> None:
    from leadledger.channel import codes
    from leadledger.channel import services as channel_services

    api = Api(cast.keys["liming"])
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(hours=2)):  # D-11's lead
        seq = api.post("/registrations", {"name": "陈红", "phone": "13900000011"}).json()["registration"]
    assert api.get(f"/registrations/{seq}").json()["word"] == "报备成功"
    before = api.get(f"/registrations/{seq}/escort").json()
    assert before == {
        "registration": seq,
        "escort_code": codes.escort_code(cast.office.project, seq),
        "confirmed": False,
        "visits": [],
    }
    channel_services.escort_confirm(
        project=cast.office.project,
        staff=cast.office.sun,
        user=cast.office.sun.user,
        code=before["escort_code"],
        phone="13900000011",
    )
    after = api.get(f"/registrations/{seq}/escort").json()
    assert after["confirmed"] and len(after["visits"]) == 1 and after["visits"][0]["credited"]
    assert api.get(f"/registrations/{seq}").json()["code"] == "visited"


def test_the_house_seeing_the_customer_first_refuses_with_d12s_word(cast: Cast) -> None:
    office = cast.office
    ledger_services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    answer = Api(cast.keys["liming"]).post("/registrations", {"name": "张伟", "phone": "13800000001"}).json()
    assert (answer["accepted"], answer["code"], answer["message"]) == (
        False,
        "refused_known",
        "报备未通过：案场已有接触",
    )
