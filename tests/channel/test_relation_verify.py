"""A relation of a customer a distributor claims is verified by the channel team only, with evidence (D-10,
decision 484): the desk's /relations/<pk>/verify/ refuses it and points to the channel case page.

The cast of tests/channel/test_cases.py: 李明 of 安居分销, 钱多 the specialist; 赵强 the sales manager.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from channel.test_cases import evidence_dir, sun  # noqa: F401 (fixture)
from channel.test_escort import Channel, _client, _confirm, _register, channel  # noqa: F401 (fixture)
from leadledger import capabilities
from leadledger.channel import cases
from leadledger.desk import services as desk_services
from leadledger.engine.errors import DomainError
from leadledger.ledger import models, relations
from leadledger.ledger import services as ledger_services


def _claimed_wife_and_husband(channel: Channel) -> models.Relation:  # noqa: F811
    registration = _register(channel.liming, "陈红", "13900000011")
    wife = models.Customer.objects.get(
        pk=json.loads(_confirm(channel, registration, "13900000011").event.body)["customer"]
    )
    husband, _ = ledger_services.customer_find_or_create(
        project=channel.office.project, name="王强", phone="+8613900000022"
    )
    return relations.relation_create(
        project=channel.office.project, a=wife, b=husband, kind="spouse", verified=False, user=channel.office.sun.user
    )


def test_the_desk_refuses_a_distributors_customers_relation_and_points_to_the_channel(channel: Channel) -> None:  # noqa: F811
    relation = _claimed_wife_and_husband(channel)
    with pytest.raises(DomainError) as refused:
        desk_services.relation_verify(manager=channel.office.zhao, relation=relation)
    assert "渠道部" in refused.value.zh and "/p/hz-1/channel/" in refused.value.zh
    page = _client("zhao").post(f"/p/hz-1/relations/{relation.pk}/verify/", follow=True).content.decode()
    assert "只能由渠道部凭证据通过特殊情况核实" in page
    assert not models.Relation.objects.get(pk=relation.pk).verified


def test_the_refusal_names_the_special_case_when_there_is_one(channel: Channel) -> None:  # noqa: F811
    _claimed_wife_and_husband(channel)
    case = cases.situation_open(
        staff=channel.qian,
        agent=channel.liming,
        phone="13900000011",
        other_phone="13900000022",
        kind="spouse",
        statement="夫妻",
    )
    assert case.relation is not None
    with pytest.raises(DomainError) as refused:
        desk_services.relation_verify(manager=channel.office.zhao, relation=case.relation)
    assert reverse("channel_case", args=["hz-1", case.pk]) in refused.value.zh


def test_a_relation_between_the_houses_customers_is_still_verified_at_the_desk(channel: Channel) -> None:  # noqa: F811
    project = channel.office.project
    other, _ = ledger_services.customer_find_or_create(project=project, name="李娜", phone="+8613900000033")
    relation = relations.relation_create(
        project=project, a=channel.office.zhang, b=other, kind="spouse", verified=False, user=channel.office.sun.user
    )
    _client("zhao").post(f"/p/hz-1/relations/{relation.pk}/verify/")
    assert models.Relation.objects.get(pk=relation.pk).verified


def test_capabilities_decide_who_verifies_which_relation(channel: Channel) -> None:  # noqa: F811
    office = channel.office
    capabilities.require_relation_verify(office.zhao, channel_claimed=False)
    with pytest.raises(DomainError):
        capabilities.require_relation_verify(office.zhao, channel_claimed=True)
    with pytest.raises(DomainError):
        capabilities.require_relation_verify(office.sun, channel_claimed=False)  # the desk does not rule


def test_the_desk_offers_no_verify_button_for_a_distributors_customer_and_says_who_verifies(channel: Channel) -> None:  # noqa: F811
    """Don't offer what will be refused: the dispute page and the manager's queue ask the refusal's own question
    (`relations_for_the_channel`) and show one line instead of the button (decision 484)."""
    relation = _claimed_wife_and_husband(channel)
    project = channel.office.project
    other, _ = ledger_services.customer_find_or_create(project=project, name="李娜", phone="+8613900000033")
    houses = relations.relation_create(
        project=project, a=channel.office.zhang, b=other, kind="spouse", verified=False, user=channel.office.sun.user
    )
    zhao = _client("zhao")
    verify = f"/p/hz-1/relations/{relation.pk}/verify/"
    for page in (
        zhao.get(reverse("dispute", args=["hz-1", relation.a_id])).content.decode(),
        zhao.get(reverse("manage_queue", args=["hz-1"])).content.decode(),
    ):
        assert verify not in page and "分销商客户，由渠道部核实。" in page
        assert "/channel/cases/" not in page  # no case yet: nothing to open
    queue = zhao.get(reverse("manage_queue", args=["hz-1"])).content.decode()
    assert f"/p/hz-1/relations/{houses.pk}/verify/" in queue  # the house's own relation keeps its button


def test_the_line_links_to_the_case_for_whoever_may_open_it(channel: Channel, sun: models.Staff) -> None:  # noqa: F811
    _claimed_wife_and_husband(channel)
    case = cases.situation_open(
        staff=channel.qian,
        agent=channel.liming,
        phone="13900000011",
        other_phone="13900000022",
        kind="spouse",
        statement="夫妻",
    )
    link = reverse("channel_case", args=["hz-1", case.pk])
    queue = reverse("manage_queue", args=["hz-1"])
    dispute = reverse("dispute", args=["hz-1", case.relation.a_id])  # type: ignore[union-attr]
    as_manager = _client("sunhong").get(dispute).content.decode()  # the channel manager rules and opens cases
    assert link in as_manager and f"/relations/{case.relation_id}/verify/" not in as_manager
    as_sales_manager = _client("zhao").get(queue).content.decode()  # would be refused the case page: no link
    assert link not in as_sales_manager and "分销商客户，由渠道部核实。" in as_sales_manager
