"""已认购 (decision 482): a deal credited to the agent's channel whose deposit is taken and not yet signed, read
from sales control; 已签约 once signed; after a return (退房) the agent's word is their claim's again. The same
word on the agent's page, the API and the webhook, all from channel.selectors.registrations_shown.

The cast of tests/channel/test_escort.py (李明 of 安居分销, 钱多 the specialist); 赵强 the manager records the
unit's signing and return, 王芳 takes the deposit.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.utils import timezone

from api_cast import Api
from channel.test_escort import Channel, _client, _confirm, _register, channel  # noqa: F401 (fixture)
from leadledger.api import tokens, webhooks
from leadledger.api.models import Delivery
from leadledger.channel import selectors
from leadledger.ledger import models
from leadledger.sales import services as sales


def _visited_and_subscribed(channel: Channel) -> tuple[int, int]:  # noqa: F811
    registration = _register(channel.liming, "陈红", "13900000011")
    customer = json.loads(_confirm(channel, registration, "13900000011").event.body)["customer"]
    office = channel.office
    unit = sales.unit_list(
        by=office.zhao,
        building="3栋",
        floor=12,
        number="1201",
        area=Decimal("89.5"),
        list_price=Decimal("1280000"),
        user=office.zhao.user,
    )
    sales.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[customer], price="1250000", user=office.alice.user)
    return registration.seq, unit.pk


def _word(channel: Channel, lang: str = "zh") -> str:  # noqa: F811
    rows = selectors.registrations_shown(channel.liming, timezone.now(), lang)
    return rows[0].word


def test_a_deposit_makes_the_registration_subscribed_then_signed(channel: Channel) -> None:  # noqa: F811
    seq, unit = _visited_and_subscribed(channel)
    row = selectors.registrations_shown(channel.liming, timezone.now(), "zh")[0]
    assert (row.seq, row.word) == (seq, "已认购") and "认购" in row.sentence and row.until is None
    assert _word(channel, "en") == "subscribed"
    sales.unit_sign(by=channel.office.zhao, unit_id=unit, price="1250000", user=channel.office.zhao.user)
    assert _word(channel) == "已签约"


def test_a_return_gives_the_agent_their_claims_word_again(channel: Channel) -> None:  # noqa: F811
    _seq, unit = _visited_and_subscribed(channel)
    sales.unit_return(by=channel.office.zhao, unit_id=unit, reason="客户贷款未批", user=channel.office.zhao.user)
    assert _word(channel) == "已到访"


def test_the_agents_page_the_api_and_the_webhook_say_subscribed(channel: Channel) -> None:  # noqa: F811
    seq, _unit = _visited_and_subscribed(channel)
    page = _client("liming").get("/p/hz-1/agent/").content.decode()
    assert "已认购" in page
    key = tokens.token_create(agent=channel.liming)[1]
    one = Api(key).get(f"/registrations/{seq}").json()
    assert (one["word"], one["code"]) == ("已认购", "subscribed")
    webhooks.webhook_create(distributor=channel.liming.distributor, url="https://anju.cn/hook")
    webhooks.changes_find(channel.office.project)
    told = json.loads(Delivery.objects.get(registration_seq=seq).payload)
    assert (told["word"], told["code"]) == ("已认购", "subscribed")


def test_a_deal_sales_control_does_not_know_is_a_signing(channel: Channel) -> None:  # noqa: F811
    """Decision 254: a deal recorded without a unit (an import, a replayed file) is a signing."""
    from leadledger.engine.model import DEAL, body_for
    from leadledger.ledger import services as ledger_services

    registration = _register(channel.liming, "陈红", "13900000011")
    customer = json.loads(_confirm(channel, registration, "13900000011").event.body)["customer"]
    body = body_for(DEAL, customer=customer, buyer=customer, staff=str(channel.office.alice.pk))
    ledger_services.event_append(project=channel.office.project, kind=DEAL, body=body, actor=None)
    assert _word(channel) == "已签约"
    assert models.Event.objects.filter(kind=DEAL).count() == 1
