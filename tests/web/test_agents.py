"""Agents on their phones (issue 15): sign in, register a customer (D-11, D-12), see their own customers.

The cast: 李明 and 黄磊 of 安居分销 (黄磊 is its admin), 周涛 of 好房分销; the office of tests/office.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leadledger.channel import services
from leadledger.engine.model import REGISTRATION, VISIT
from leadledger.ledger import models
from leadledger.ledger import services as ledger_services
from office import PASSWORD, Office
from pages import page_url, project_urls

REPORT_VISIT = {"protection_scheme": "report_visit"}


@dataclass
class Agents:
    office: Office
    liming: models.Agent
    huanglei: models.Agent  # 安居分销's admin
    zhoutao: models.Agent


def _agent(
    project: models.Project, username: str, name: str, distributor: models.Distributor, **kw: Any
) -> models.Agent:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=name)
    return models.Agent.objects.create(project=project, name=name, distributor=distributor, user=user, **kw)


@pytest.fixture
def agents(office: Office) -> Agents:
    office.project.policy = REPORT_VISIT
    office.project.save(update_fields=["policy"])
    anju = models.Distributor.objects.create(project=office.project, name="安居分销")
    haofang = models.Distributor.objects.create(project=office.project, name="好房分销")
    return Agents(
        office,
        _agent(office.project, "liming", "李明", anju),
        _agent(office.project, "huanglei", "黄磊", anju, admin=True),
        _agent(office.project, "zhoutao", "周涛", haofang),
    )


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _register(agent: models.Agent, name: str, phone: str) -> services.Answer:
    return services.registration_make(project=agent.project, agent=agent, user=agent.user, name=name, phone=phone)


def _registrations() -> list[dict[str, Any]]:
    return [json.loads(body) for body in models.Event.objects.filter(kind=REGISTRATION).values_list("body", flat=True)]


# -- sign-in and scope ---------------------------------------------------------------------------


def test_an_agent_lands_on_their_own_page(agents: Agents) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "liming", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("agent_home", kwargs={"project": "hz-1"})
    assert "李明" in response.content.decode()


def test_an_agent_sees_only_their_own_registrations(agents: Agents) -> None:
    _register(agents.liming, "陈红", "13900000011")
    _register(agents.zhoutao, "马丽", "13900000022")
    page = _client("liming").get("/p/hz-1/agent/").content.decode()
    assert "陈红" in page and "马丽" not in page
    page = _client("zhoutao").get("/p/hz-1/agent/").content.decode()
    assert "马丽" in page and "陈红" not in page


def test_a_distributors_admin_sees_the_companys_registrations_only(agents: Agents) -> None:
    _register(agents.liming, "陈红", "13900000011")
    _register(agents.zhoutao, "马丽", "13900000022")
    page = _client("huanglei").get("/p/hz-1/agent/").content.decode()
    assert "陈红" in page and "李明" in page  # the colleague's, named
    assert "马丽" not in page  # another company's


def test_the_agents_page_shows_phones_masked(agents: Agents) -> None:
    _register(agents.liming, "陈红", "13900000011")
    page = _client("liming").get("/p/hz-1/agent/").content.decode()
    assert "139****0011" in page and "13900000011" not in page


STAFF_PAGES = [(name, pattern) for name, pattern in project_urls() if not name.startswith("agent_")]


@pytest.mark.parametrize(("name", "pattern"), STAFF_PAGES, ids=[name for name, _ in STAFF_PAGES])
def test_an_agent_gets_no_staff_page(agents: Agents, name: str, pattern: str) -> None:
    url = page_url(name, pattern, "hz-1", agents.office.zhang.pk)
    client = _client("liming")
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code in (302, 403, 404, 405), (url, response.status_code)
        assert "张伟" not in response.content.decode()
        if response.status_code == 302:
            assert "/agent/" in response["Location"] or "/login/" in response["Location"]


def test_staff_are_refused_the_agents_pages(agents: Agents) -> None:
    for username in ("alice", "sun", "zhao", "root"):
        client = _client(username)
        assert client.get("/p/hz-1/agent/").status_code == 403
        assert client.post("/p/hz-1/agent/register/", {"name": "陈红", "phone": "13900000011"}).status_code == 403
    assert not _registrations()


def test_an_agent_of_another_project_finds_nothing(agents: Agents) -> None:
    from office import office_create

    other = office_create("sh-2", "上海二期")
    firm = models.Distributor.objects.create(project=other.project, name="外地分销")
    _agent(other.project, "stranger", "钱多", firm)
    client = _client("stranger")
    assert client.get("/p/hz-1/agent/").status_code == 404
    assert client.post("/p/hz-1/agent/register/", {"name": "陈红", "phone": "13900000011"}).status_code == 404


# -- registering: the engine's judgement, neutral answers -----------------------------------------


def test_a_registration_of_someone_new_creates_the_customer_and_protects(agents: Agents) -> None:
    answer = _register(agents.liming, "陈红", "139 0000 0011")
    assert answer.accepted and answer.word == "报备成功"
    assert answer.until is not None and timedelta(days=6) < answer.until - timezone.now() <= timedelta(days=7)
    customer = models.Customer.objects.get(phone="+8613900000011")
    assert customer.name == "陈红"
    assert _registrations() == [{"agent": str(agents.liming.pk), "customer": str(customer.pk)}]
    assert answer.text("zh", timezone.get_current_timezone()).startswith("报备成功，保护至 ")


def test_the_event_holds_no_full_number_and_no_name(agents: Agents) -> None:
    _register(agents.liming, "陈红", "13900000011")
    _register(agents.zhoutao, "马丽", "139****0022")
    text = " ".join(models.Event.objects.filter(kind=REGISTRATION).values_list("body", flat=True))
    assert "13900000011" not in text and "陈红" not in text and "马丽" not in text
    assert "139****0022" in text  # a mask is kept: the visit is matched by it (ID-2)


def test_a_second_agent_is_refused_neutrally(agents: Agents) -> None:
    first = _register(agents.liming, "陈红", "13900000011")
    second = _register(agents.zhoutao, "陈红", "13900000011")
    assert first.accepted and not second.accepted
    assert second.word == "已被报备"
    text = second.text("zh", timezone.get_current_timezone())
    assert text == "报备未通过：已被报备"
    assert "李明" not in text and "安居" not in text


def test_a_masked_registration_of_the_same_person_is_refused_to_a_second_agent(agents: Agents) -> None:
    first = _register(agents.liming, "陈红", "139****0011")
    assert first.accepted
    masked = models.Customer.objects.get(phone="139****0011")
    assert masked.name == "陈红"
    again = _register(agents.zhoutao, "陈丽", "139****0011")  # same surname, same visible digits (ID-2)
    assert (again.accepted, again.word) == (False, "已被报备")
    other = _register(agents.zhoutao, "马丽", "139****0011")  # another surname: another person
    assert other.accepted


def test_an_agent_never_reads_the_name_on_the_record_their_registration_was_judged_on(agents: Agents) -> None:
    _register(agents.liming, "陈红", "139****0011")
    _register(agents.zhoutao, "陈丽", "139****0011")  # judged on 李明's record of 陈红: refused
    page = _client("zhoutao").get("/p/hz-1/agent/").content.decode()
    assert "陈丽" in page and "陈红" not in page
    body = json.loads(models.Event.objects.filter(kind=REGISTRATION).order_by("-seq").values_list("body", flat=True)[0])
    assert body["name"] == "陈丽"  # kept because it is not the record's (D-14 sees the difference)


def test_a_masked_registration_is_judged_on_the_known_customer_it_may_be(agents: Agents) -> None:
    office = agents.office
    ledger_services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    answer = _register(agents.liming, "张三", "138****0001")  # 张伟 13800000001, seen by the house
    assert (answer.accepted, answer.word) == (False, "案场已有接触")
    event = models.Event.objects.filter(kind=REGISTRATION).get()
    assert event.customer_id == office.zhang.pk  # in his story: an appeal is against it (D-13)


def test_a_mask_not_in_the_projects_mode_is_an_invalid_number(agents: Agents) -> None:
    answer = _register(agents.liming, "陈红", "1390****011")  # 前四后三, the project takes 前三后四
    assert (answer.accepted, answer.word) == (False, "号码无效")
    assert not models.Customer.objects.filter(name="陈红").exists()
    assert not _registrations()


def test_the_answer_has_the_same_shape_whether_or_not_the_house_knows_the_customer(agents: Agents) -> None:
    office = agents.office
    ledger_services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    known = _register(agents.liming, "张伟", "13800000001")
    zone = timezone.get_current_timezone()
    assert known.text("zh", zone) == "报备未通过：案场已有接触"
    assert "王芳" not in known.text("zh", zone) and "王芳" not in known.text("en", zone)


def test_the_daily_cap_counts_refused_attempts_too(agents: Agents, settings: Any) -> None:
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = 1000
    agents.office.project.policy = {**REPORT_VISIT, "report_daily_cap": 3}
    agents.office.project.save(update_fields=["policy"])
    office = agents.office
    ledger_services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    assert _register(agents.liming, "张伟", "13800000001").word == "案场已有接触"  # 1: refused, counted
    assert _register(agents.liming, "陈红", "13900000011").accepted  # 2
    assert _register(agents.liming, "马丽", "13900000022").accepted  # 3
    over = _register(agents.liming, "赵云", "13900000033")
    assert (over.accepted, over.word) == (False, "超出当日报备上限")
    assert not models.Customer.objects.filter(name="赵云").exists()  # nobody stored for a refusal about nobody
    events = models.Event.objects.filter(kind=REGISTRATION).count()
    known = _register(agents.liming, "张伟", "13800000001")
    assert known.word == "超出当日报备上限"  # the cap first: the house's contact is not even looked at
    assert models.Event.objects.filter(kind=REGISTRATION).count() == events  # over the cap: no event, known or not
    assert _register(agents.zhoutao, "赵云", "13900000033").accepted  # the cap is per agent


def test_registrations_are_rate_limited_as_lookups(agents: Agents, settings: Any) -> None:
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = 2
    client = _client("liming")
    for phone in ("13900000011", "13900000022"):
        assert client.post("/p/hz-1/agent/register/", {"name": "陈红", "phone": phone}).status_code == 302
    refused = client.post("/p/hz-1/agent/register/", {"name": "马丽", "phone": "13900000033"})
    assert refused.status_code == 429
    assert "查询过于频繁" in refused.content.decode()
    assert not models.Customer.objects.filter(name="马丽").exists()
    rows = models.Lookup.objects.filter(place=models.Lookup.Place.REGISTRATION).order_by("pk")
    assert [r.refused for r in rows] == [False, False, True]


def test_every_attempt_is_logged_with_its_answer(agents: Agents) -> None:
    _register(agents.liming, "陈红", "13900000011")
    _register(agents.zhoutao, "陈红", "13900000011")
    _register(agents.zhoutao, "马丽", "12345")
    rows = list(models.Lookup.objects.filter(place=models.Lookup.Place.REGISTRATION).order_by("pk"))
    assert [(r.user.username, r.answer) for r in rows] == [
        ("liming", "报备成功"),
        ("zhoutao", "已被报备"),
        ("zhoutao", "号码无效"),
    ]
    assert all("13900000011" not in r.asked for r in rows)  # the log keeps a mask and a digest only
    assert [e.kind for e in models.Event.objects.order_by("seq")] == [REGISTRATION, REGISTRATION]  # accepted, refused


def test_a_blank_name_is_an_error_next_to_the_field_and_nothing_is_lost(agents: Agents) -> None:
    response = _client("liming").post("/p/hz-1/agent/register/", {"name": " ", "phone": "13900000011"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="name-error"' in page and "13900000011" in page
    assert not _registrations()


def test_the_page_answers_in_the_trades_words(agents: Agents) -> None:
    client = _client("liming")
    page = client.post("/p/hz-1/agent/register/", {"name": "陈红", "phone": "13900000011"}, follow=True)
    text = page.content.decode()
    assert "报备成功，保护至 " in text
    other = _client("zhoutao").post("/p/hz-1/agent/register/", {"name": "陈红", "phone": "13900000011"}, follow=True)
    assert "报备未通过：已被报备" in other.content.decode()


# -- my customers ----------------------------------------------------------------------------------


def test_my_customers_say_status_until_and_why(agents: Agents) -> None:
    _register(agents.liming, "陈红", "13900000011")
    _register(agents.liming, "陈红", "13900000011")  # 重复报备
    page = _client("liming").get("/p/hz-1/agent/").content.decode()
    assert "报备成功" in page and "无效" in page and "报备未通过：重复报备" in page


def test_a_visit_with_the_agent_shows_as_visited(agents: Agents) -> None:
    from leadledger.engine.model import ESCORTED_VISIT

    _register(agents.liming, "陈红", "13900000011")
    customer = models.Customer.objects.get(phone="+8613900000011")
    at = timezone.now() + timedelta(hours=1)
    ledger_services.event_append(
        project=agents.office.project,
        kind=ESCORTED_VISIT,
        body={"customer": str(customer.pk), "agent": str(agents.liming.pk)},
        at=at,
    )
    from leadledger.channel import selectors

    rows = selectors.registrations_shown(agents.liming, at + timedelta(minutes=1), "zh")
    assert [row.word for row in rows] == ["已到访"]
    assert rows[0].until is not None and rows[0].until > at + timedelta(days=80)


def test_registrations_ending_soon_come_first_as_reminders(agents: Agents) -> None:
    from leadledger.channel import selectors

    _register(agents.liming, "陈红", "13900000011")
    _register(agents.liming, "马丽", "13900000022")
    early = selectors.registrations_shown(agents.liming, timezone.now() + timedelta(days=1), "zh")
    assert not any(row.reminder for row in early)  # 6 days left: outside the 2 days of decision 512
    later = timezone.now() + timedelta(days=5, hours=12)
    rows = selectors.registrations_shown(agents.liming, later, "zh")
    assert all(row.reminder for row in rows)  # 7 days' protection, the agents' reminder window of 2 days
    assert [row.customer for row in rows] == ["陈红", "马丽"]  # the one ending first, first
    gone = selectors.registrations_shown(agents.liming, timezone.now() + timedelta(days=8), "zh")
    assert [row.word for row in gone] == ["已失效", "已失效"] and not any(row.reminder for row in gone)


def test_the_agents_sentence_names_nobody_else(agents: Agents) -> None:
    office = agents.office
    _register(agents.liming, "陈红", "13900000011")
    customer = models.Customer.objects.get(phone="+8613900000011")
    ledger_services.event_append(
        project=office.project, kind=VISIT, body={"customer": str(customer.pk), "staff": str(office.alice.pk)}
    )
    page = _client("liming").get("/p/hz-1/agent/").content.decode()
    assert "王芳" not in page and "周涛" not in page


def test_an_agent_gets_nothing_from_the_admin_site_either(agents: Agents) -> None:
    client = _client("liming")
    for url in ("/admin/", "/admin/ledger/customer/", f"/admin/ledger/customer/{agents.office.zhang.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
