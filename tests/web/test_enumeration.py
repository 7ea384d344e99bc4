"""The enumeration found in issue 13, replayed: a consultant tries `180XXXX0932` for every XXXX on the
customer list to recover a colleague's customer's phone. It used to take 128 s, unlogged; now the
lookup limit stops it long before the number, every attempt is logged, and the manager is told."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from leadledger.ledger import lookups, models, services
from office import PASSWORD, Office, client_in

HIDDEN = "7351"  # late in the sweep: the first 7,351 numbers are tried before it


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def shipped_limits(settings: Any) -> None:
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = 30
    settings.LEADLEDGER_LOOKUPS_PER_HOUR = 300
    settings.LEADLEDGER_LOOKUP_MISSES = 20
    settings.LEADLEDGER_LOOKUP_MISS_MINUTES = 10


def test_a_phone_sweep_on_the_customer_list_is_stopped_logged_and_shown_to_the_manager(
    office: Office, shipped_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, _ = services.customer_find_or_create(project=office.project, name="李娜", phone=f"180{HIDDEN}0932")
    services.event_append(
        project=office.project, kind="visit", body={"customer": str(target.pk), "staff": str(office.alice.pk)}
    )
    clock = Clock()
    monkeypatch.setattr(lookups, "_now", clock)
    bob = client_in("zh-hans")
    assert bob.login(username="bob", password=PASSWORD)
    start, attempts, refused, answered, first_refusal = clock.now, 0, 0, 0, 0
    for xxxx in range(10_000):  # the attacker waits a minute at every refusal, for a whole hour
        if clock.now - start >= timedelta(hours=1):
            break
        response = bob.get("/p/hz-1/", {"q": f"180{xxxx:04d}0932"})
        attempts += 1
        page = response.content.decode()
        assert "李娜" not in page  # never found
        if response.status_code == 429:
            refused += 1
            first_refusal = first_refusal or attempts
            assert "查询过于频繁" in page and "后再查询" in page
            clock.now += timedelta(minutes=1)
        else:
            answered += 1
    assert answered == 300 and xxxx < int(HIDDEN)  # an hour of trying reached 0300 of 10,000 numbers
    assert (first_refusal, attempts, refused) == (31, 360, 60)  # the figures in docs/operations.md
    logged = models.Lookup.objects.filter(user=office.bob.user, place="customers")
    assert logged.count() == attempts and logged.filter(refused=True).count() == refused
    assert not logged.filter(matched__gt=0).exists()
    assert not logged.filter(asked__contains="0300").exists()  # the log holds masks, not the numbers tried
    zhao = client_in("zh-hans")
    assert zhao.login(username="zhao", password=PASSWORD)
    page = zhao.get("/p/hz-1/manage/").content.decode()
    assert "查询次数超限" in page and "大量查询无结果" in page and "刘洋" in page
    kinds = set(models.LookupSignal.objects.filter(user=office.bob.user).values_list("kind", flat=True))
    assert kinds == {"limit", "misses"}
    assert models.LookupSignal.objects.filter(kind="limit").count() == 1  # one burst, one signal


def test_a_refused_desk_search_is_swapped_in_by_htmx_with_the_time_to_search_again(
    office: Office, shipped_limits: None, settings: Any
) -> None:
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = 0
    site = models.Site.objects.create(project=office.project, name="展厅")
    sun = client_in("en")
    assert sun.login(username="sun", password=PASSWORD)
    response = sun.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "张伟"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 429
    assert "Too many lookups" in response.content.decode() and "You may search again after" in response.content.decode()
    assert '"code": "429", "swap": true' in sun.get(f"/p/hz-1/desk/{site.pk}/").content.decode()
