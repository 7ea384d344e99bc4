"""Nothing through /api/v1 that the pages would not give (issue 15's "Done when"): no other agent's or
company's data by any call, nothing about who holds a customer in an answer, an error or the work done
for it, nothing of another project, and no lookup by phone around ledger/lookups.py."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api_cast import Api, Cast
from leadledger.engine.model import REGISTRATION
from leadledger.ledger import lookups, models
from leadledger.ledger import services as ledger_services
from office import PASSWORD

NAMES = ("李明", "黄磊", "周涛", "安居", "好房", "王芳", "刘洋")


def _seq(cast: Cast, key: str, name: str, phone: str, **extra: Any) -> int:
    answer = Api(cast.keys[key]).post("/registrations", {"name": name, "phone": phone, **extra}).json()
    assert answer["accepted"], answer
    return int(answer["registration"])


def _reads(seq: int) -> list[str]:
    return [f"/registrations/{seq}", f"/registrations/{seq}/escort"]


def test_an_agent_reads_nothing_of_another_agents_registrations(cast: Cast) -> None:
    mine = _seq(cast, "liming", "陈红", "13900000011")
    theirs = _seq(cast, "zhoutao", "马丽", "13900000022")
    zhoutao = Api(cast.keys["zhoutao"])
    assert [row["registration"] for row in zhoutao.get("/registrations").json()["items"]] == [theirs]
    nobody = [zhoutao.get(path) for path in _reads(999_999)]
    for path, absent in zip(_reads(mine), nobody, strict=True):
        response = zhoutao.get(path)
        # Another's looks exactly like none at all: the number says nothing.
        assert (
            (response.status_code, response.json())
            == (absent.status_code, absent.json())
            == (
                404,
                {"code": "not_found", "message": "没有找到", "field": ""},
            )
        )


def test_a_distributors_admin_sees_the_company_and_no_other(cast: Cast) -> None:
    liming = _seq(cast, "liming", "陈红", "13900000011")
    zhoutao = _seq(cast, "zhoutao", "马丽", "13900000022")
    for key in ("huanglei", "anju"):  # the company's admin, the company's own system
        api = Api(cast.keys[key])
        assert [row["registration"] for row in api.get("/registrations").json()["items"]] == [liming]
        assert api.get(f"/registrations/{liming}").status_code == 200
        assert all(api.get(path).status_code == 404 for path in _reads(zhoutao))


def test_nobody_registers_in_anothers_name(cast: Cast) -> None:
    refusals = []
    for key, agent in (
        ("zhoutao", cast.liming.pk),  # an agent as a colleague of another company
        ("liming", cast.huanglei.pk),  # an agent as their own admin
        ("anju", cast.zhoutao.pk),  # an integration as another company's agent
        ("anju", 987_654),  # as nobody
        ("anju", None),  # an integration without saying which agent
    ):
        response = Api(cast.keys[key]).post("/registrations", {"name": "陈红", "phone": "13900000011", "agent": agent})
        refusals.append((response.status_code, response.json()))
    assert all(refusal == refusals[0] for refusal in refusals)  # the same for an agent elsewhere and nobody
    assert refusals[0][0] == 400 and refusals[0][1]["field"] == "agent"
    assert not models.Event.objects.filter(kind=REGISTRATION).exists()
    assert not models.Lookup.objects.exists()  # refused before anybody was looked at


def test_a_token_of_another_project_gets_nothing_of_this_one(cast: Cast) -> None:
    seq = _seq(cast, "liming", "陈红", "13900000011")
    other = Api(cast.keys["other"])
    assert other.get("/registrations").json() == {"items": [], "page": 1, "size": 50, "total": 0}
    assert all(other.get(path).status_code == 404 for path in _reads(seq))
    # Its agent's registration is judged in its own project: 李明's here holds nothing there.
    answer = other.post("/registrations", {"name": "陈红", "phone": "13900000011"}).json()
    assert answer["accepted"]
    assert models.Event.objects.filter(project__code="xh-2", seq=answer["registration"], kind=REGISTRATION).exists()
    hz = models.Project.objects.get(code="hz-1")
    assert not models.Lookup.objects.filter(project=hz, user__username="wuqiang").exists()


def _three_answers(cast: Cast) -> dict[str, Any]:
    """周涛 registers a phone nobody holds, one 李明 holds, one the house holds (王芳 received 张伟)."""
    office = cast.office
    _seq(cast, "liming", "陈红", "13900000011")
    ledger_services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    api = Api(cast.keys["zhoutao"])
    answers: dict[str, Any] = {}
    for case, name, phone in (
        ("free", "马丽", "13900000022"),
        ("agent", "陈红", "13900000011"),
        ("house", "张伟", "13800000001"),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = api.post("/registrations", {"name": name, "phone": phone})
        answers[case] = (response, len(queries))
    return answers


def test_the_answer_never_says_who_holds_the_customer(cast: Cast) -> None:
    answers = _three_answers(cast)
    shapes = {case: (response.status_code, sorted(response.json())) for case, (response, _n) in answers.items()}
    assert shapes["free"] == shapes["agent"] == shapes["house"]  # the same status, the same fields
    assert "已被报备" in answers["agent"][0].content.decode()  # the body holds Chinese as itself, so names would show
    for response, _n in answers.values():
        text = response.content.decode()
        assert not any(name in text for name in NAMES), text
    assert answers["agent"][0].json()["message"] == "报备未通过：已被报备"  # D-12's word, nobody named
    assert answers["house"][0].json()["message"] == "报备未通过：案场已有接触"


def test_held_by_an_agent_or_by_the_house_costs_the_same_work(cast: Cast) -> None:
    """The time an answer takes follows the queries it runs: a refusal costs the same whoever holds."""
    answers = _three_answers(cast)
    assert answers["agent"][1] == answers["house"][1]


def test_the_api_says_what_the_page_says(cast: Cast) -> None:
    office = cast.office
    ledger_services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    _seq(cast, "liming", "陈红", "13900000011")
    page = Client()
    assert page.login(username="zhoutao", password=PASSWORD)
    for name, phone in (("陈红", "13900000011"), ("张伟", "13800000001")):
        api = Api(cast.keys["zhoutao"]).post("/registrations", {"name": name, "phone": phone}).json()
        shown = page.post("/p/hz-1/agent/register/", {"name": name, "phone": phone}, follow=True).content.decode()
        assert api["message"] in shown


def test_an_error_says_nothing_of_the_holder_either(cast: Cast) -> None:
    _seq(cast, "liming", "陈红", "13900000011")
    blank = [
        Api(cast.keys["zhoutao"]).post("/registrations", {"name": " ", "phone": phone})
        for phone in ("13900000011", "13900000099")  # held, free
    ]
    assert blank[0].json() == blank[1].json() and blank[0].status_code == blank[1].status_code == 400


def test_every_registration_looks_the_phone_up_through_the_lookup_gate(cast: Cast) -> None:
    with mock.patch.object(lookups, "lookup", wraps=lookups.lookup) as gate:
        Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "13900000011"})
        Api(cast.keys["anju"]).post("/registrations", {"name": "马丽", "phone": "139****0022", "agent": cast.liming.pk})
        Api(cast.keys["liming"]).get("/registrations")  # reads the token's own registrations: no lookup
    assert [call.kwargs["place"] for call in gate.call_args_list] == [models.Lookup.Place.REGISTRATION] * 2
    assert models.Lookup.objects.filter(place=models.Lookup.Place.REGISTRATION).count() == 2


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_nothing_is_changed_by_another_method(cast: Cast, method: str) -> None:
    seq = _seq(cast, "liming", "陈红", "13900000011")
    client = Client()
    for key in ("liming", "zhoutao"):
        response = getattr(client, method)(
            f"/api/v1/registrations/{seq}", headers={"Authorization": f"Bearer {cast.keys[key]}"}
        )
        assert response.status_code == 405
    assert models.Event.objects.filter(kind=REGISTRATION).count() == 1
