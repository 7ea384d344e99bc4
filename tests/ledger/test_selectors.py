"""What the ledger loads to judge a customer: whole households, and referral chains of any depth."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from leadledger.engine import model
from leadledger.ledger import models, selectors, services
from office import Office


def test_a_referral_chain_of_six_is_followed_to_the_first_referrers_owner(office: Office) -> None:
    # 1 is Alice's customer; each next one was logged by Alice as referred by the one before (IH-8),
    # and walked in to Bob. Judged alone, the sixth must still be Alice's: only the first decides.
    start = timezone.now() - timedelta(days=3)
    chain = [models.Customer.objects.create(project=office.project, name=f"客户{n}") for n in range(1, 7)]
    alice, bob = str(office.alice.pk), str(office.bob.pk)
    records: list[tuple[str, dict[str, str], object]] = [
        (model.VISIT, {"customer": str(chain[0].pk), "staff": alice}, start),
        (model.FOLLOW_UP, {"customer": str(chain[0].pk), "staff": alice}, start + timedelta(hours=1)),
    ]
    for n in range(1, 6):
        customer, referrer = str(chain[n].pk), str(chain[n - 1].pk)
        moment = start + timedelta(hours=2 * n)
        records.append(
            (
                model.REFERRAL_LOGGED,
                model.body_for(model.REFERRAL_LOGGED, staff=alice, customer=customer, referrer=referrer),
                moment,
            )
        )
        records.append((model.VISIT, {"customer": customer, "staff": bob}, moment + timedelta(minutes=30)))
    services.events_import(project=office.project, records=records)  # type: ignore[arg-type]

    last = chain[-1]
    timeline = selectors.timeline_for(office.project, [last.pk])
    assert set(timeline.cast.customers) == {str(c.pk) for c in chain}
    assert timeline.verdict(str(last.pk), timezone.now()).owners == {alice: 1}


def test_households_are_joined_by_the_engines_word() -> None:
    assert model.joins_household("spouse") and model.joins_household(model.SAME_PERSON)
    assert not model.joins_household("friend")
    assert not model.joins_household("spouse", verified=False)  # ID-4
