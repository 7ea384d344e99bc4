"""Appending events: server time, the hash chain, and verdicts materialised through the engine."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from leadledger.ledger import models, services
from leadledger.ledger.chain import GENESIS, event_hash
from office import Office


def test_a_registration_appends_a_chained_event_and_stores_the_engines_verdict(office: Office) -> None:
    event = services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    assert (event.seq, event.prev_hash) == (1, GENESIS)
    assert event.hash == event_hash(
        GENESIS,
        1,
        event.at,
        "visit",
        event.body,
        project=office.project.pk,
        customer=office.zhang.pk,
        staff=office.alice.pk,
        actor=None,
    )
    verdict = models.Verdict.objects.get(customer=office.zhang)
    assert verdict.owners == {str(office.alice.pk): "1"} and verdict.status == "pending"
    assert "IH-1" in verdict.cites and verdict.explain_zh.startswith("王芳于")
    assert verdict.through_seq == 1


def test_a_second_desk_registering_an_owned_customer_is_an_assist(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    second = services.visit_register(project=office.project, customer=office.zhang, staff=office.bob)
    assert second.seq == 2 and second.prev_hash == models.Event.objects.get(seq=1).hash
    assert models.Verdict.objects.get(customer=office.zhang).owners == {str(office.alice.pk): "1"}


def test_the_same_phone_in_another_spelling_is_the_same_customer(office: Office) -> None:
    again, created = services.customer_find_or_create(project=office.project, name="张先生", phone="+86-138-0000-0001")
    assert again == office.zhang and not created


def test_a_malformed_fact_is_refused_before_anything_is_stored(office: Office) -> None:
    with pytest.raises(TypeError):
        services.event_append(project=office.project, kind="visit", body={"customer": str(office.zhang.pk)})
    with pytest.raises(services.LedgerError):
        services.event_append(project=office.project, kind="teleport", body={})
    assert models.Event.objects.count() == 0


def test_a_departure_sends_the_leavers_customers_to_the_pool(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    services.event_append(
        project=office.project, kind="staff_left", body={"staff": str(office.alice.pk), "reason": "resigned"}
    )
    verdict = models.Verdict.objects.get(customer=office.zhang)
    assert verdict.owners is None and verdict.status == "pool" and "IH-13" in verdict.cites


def test_the_database_refuses_to_change_or_delete_an_event(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    for statement in ("UPDATE ledger_event SET kind = 'call'", "DELETE FROM ledger_event"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert models.Event.objects.count() == 1


def test_one_seq_cannot_be_recorded_twice(office: Office) -> None:
    event = services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Event.objects.create(
            project=office.project, seq=event.seq, kind="call", at=event.at, body="{}", prev_hash=GENESIS, hash=GENESIS
        )


def test_a_deal_without_a_buyer_is_bought_by_its_customer(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    body = {"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    event = services.event_append(project=office.project, kind="deal", body=body)
    assert event.customer_id == office.zhang.pk and '"buyer"' in event.body
    assert "buyer" not in body  # the caller's dict is not changed


def test_a_customer_named_as_their_own_referrer_is_refused_live_and_in_an_import(office: Office) -> None:
    zhang, alice = str(office.zhang.pk), str(office.alice.pk)
    own = {"customer": zhang, "staff": alice, "referrer": zhang}
    with pytest.raises(services.LedgerError) as refused:
        services.event_append(project=office.project, kind="referral_logged", body=own)
    assert refused.value.field == "referrer" and refused.value.zh == "介绍人不能是客户本人"
    visit = ("visit", {"customer": zhang, "staff": alice}, timezone.now())
    with pytest.raises(services.LedgerError):
        services.events_import(project=office.project, records=[visit, ("referral_logged", own, timezone.now())])
    with pytest.raises(services.LedgerError):
        services.event_append(project=office.project, kind="visit", body={**visit[1], "introduced_by": zhang})
    assert models.Event.objects.count() == 0
