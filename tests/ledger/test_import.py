"""Many past events at once: chained, validated first, verdicts rebuilt by the engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from leadledger.ledger import models, relations, services
from leadledger.ledger.verify import verify
from office import Office


def test_an_import_chains_every_event_and_stores_the_engines_verdicts(office: Office) -> None:
    start = timezone.now() - timedelta(days=20)
    zhang, alice, bob = str(office.zhang.pk), str(office.alice.pk), str(office.bob.pk)
    records = [
        ("visit", {"customer": zhang, "staff": bob}, start + timedelta(days=3)),  # given out of order
        ("visit", {"customer": zhang, "staff": alice}, start),
        ("follow_up", {"customer": zhang, "staff": alice}, start + timedelta(days=1)),
    ]
    assert [e.seq for e in services.events_import(project=office.project, records=records)] == [1, 2, 3]
    assert list(models.Event.objects.order_by("seq").values_list("kind", flat=True)) == ["visit", "follow_up", "visit"]
    verdict = models.Verdict.objects.get(customer=office.zhang)
    assert verdict.owners == {alice: "1"} and verdict.status == "active"
    problems: list[object] = []
    assert verify(office.project, problems.append) == 0


def test_one_bad_record_stores_nothing(office: Office) -> None:
    good = ("visit", {"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}, timezone.now())
    bad = ("visit", {"customer": str(office.zhang.pk)}, timezone.now())
    with pytest.raises(TypeError):
        services.events_import(project=office.project, records=[good, bad])
    assert models.Event.objects.count() == 0


def test_an_import_continues_the_chain_of_live_events(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    record = ("follow_up", {"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}, timezone.now())
    services.events_import(project=office.project, records=[record])
    second = models.Event.objects.get(seq=2)
    assert second.prev_hash == models.Event.objects.get(seq=1).hash


def test_an_import_judges_only_the_customers_it_touches_in_chunks(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadledger.ledger import selectors

    monkeypatch.setattr(selectors, "CHUNK", 2)  # many small IN lists, as for a hundred thousand customers
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    before = models.Verdict.objects.get(customer=office.zhang)
    start = timezone.now() - timedelta(days=1)
    people = [
        services.customer_find_or_create(project=office.project, name=f"客户{i}", phone=f"1390000000{i}")[0]
        for i in range(5)
    ]
    relations.relation_create(project=office.project, a=people[0], b=people[1], kind="spouse", verified=True)
    records = [
        ("visit", {"customer": str(p.pk), "staff": str(office.bob.pk)}, start + timedelta(minutes=i))
        for i, p in enumerate(people)
    ]
    services.events_import(project=office.project, records=records)
    assert models.Verdict.objects.get(customer=office.zhang).judged_at == before.judged_at  # untouched
    assert models.Verdict.objects.filter(owners={str(office.bob.pk): "1"}).count() == 5
    assert verify(office.project, lambda problem: None) == 0
