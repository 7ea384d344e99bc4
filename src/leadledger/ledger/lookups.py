"""Looking a person up: the one gate every search of people goes through (PIPL, DESIGN principle 10).

Whoever cannot see a phone must not fish it out by searching: `180XXXX0932` tried for every XXXX
found a colleague's customer in two minutes. So every place that looks a person up (the desk's
search, the customer list, the referral and relation forms, an import; `Lookup.Place`) calls
`lookup`, which

- refuses a user over `LEADLEDGER_LOOKUPS_PER_MINUTE` / `_PER_HOUR` before anything is looked up,
  saying when they may search again; the limit is counted from the `Lookup` table, so it holds for
  every app process at once;
- records every lookup and every refusal (a digest and a masked form of what was asked, never the
  phone as typed: the log must not become a second store of the numbers it guards), on a hash chain
  per project (`logchain.LOOKUPS`), so that a lookup deleted to hide an enumeration is caught;
- raises a risk signal for the managers, once per burst: a user refused by the limit, or one whose
  lookups keep matching nobody (an enumeration's signature).

Nothing here decides who owns whom: that is the engine's. The count and the insert are not one
atomic step, so a user hammering from several processes at the very edge may get a lookup or two per
process past the limit; the limit is a pace, not a lock.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sized
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q

from leadledger.engine import search_query

from . import logchain, models
from .prepared import STAND_IN_IDS, STAND_IN_MOMENT, STAND_IN_MOMENT_2, PreparedRead
from .services import LedgerError

T = TypeVar("T")
Place = models.Lookup.Place
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


class LookupRefused(LedgerError):
    """Over the rate limit: nothing was looked up; `retry_at` is when the user may search again."""

    def __init__(self, zh: str, en: str, *, retry_at: datetime, **kwargs: Any) -> None:
        super().__init__(zh, en, **kwargs)
        self.retry_at = retry_at


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def asked_masked(query: str) -> str:
    """What was asked, as the log keeps it: a phone masked (180****0932), a name or digits but their first
    character (张*, 1**), so that a manager reading the log sees the shape of the searches, not the data."""
    asked = search_query(query)
    if asked.phone is not None:
        return asked.phone.masked()
    text = asked.text
    return (text[:1] + "*" * (len(text) - 1))[:40] if text else ""


def asked_digest(query: str) -> str:
    """A keyed digest of the normalised query: the same number typed any way gives the same digest, so an
    inquiry can ask "who looked up this number?" without the log holding it."""
    asked = search_query(query)
    text = f"{asked.kind}:{asked.phone.value if asked.phone is not None else asked.text}"
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


# A person's answered lookups of the last hour and of its last minute, in one read on every lookup: prepared
# (ledger.prepared). Grouped by the one user asked about: no row when they have none.
_COUNTED = PreparedRead(
    lambda user, hour_ago, minute_ago: (
        models.Lookup.objects.filter(user_id=user, refused=False, at__gt=hour_ago)
        .values("user_id")
        .annotate(minute=Count("pk", filter=Q(at__gt=minute_ago)), hour=Count("pk"))
        .values_list("minute", "hour")
    ),
    STAND_IN_IDS[0],
    STAND_IN_MOMENT,
    STAND_IN_MOMENT_2,
)


def _retry_at(user: Any, now: datetime) -> datetime | None:
    """When a user over a limit may search again (the moment enough of their window's lookups age out)."""
    found = _COUNTED.rows(user.pk, now - HOUR, now - MINUTE)
    counted = {"minute": found[0][0], "hour": found[0][1]} if found else {"minute": 0, "hour": 0}
    for window, span, limit in (
        ("minute", MINUTE, settings.LEADLEDGER_LOOKUPS_PER_MINUTE),
        ("hour", HOUR, settings.LEADLEDGER_LOOKUPS_PER_HOUR),
    ):
        over = counted[window] - limit
        if over >= 0:
            # Built only here: the queryset alone cost every lookup under its limits 0.15 ms.
            recent = models.Lookup.objects.filter(user=user, refused=False, at__gt=now - span)
            ageing = list(recent.order_by("at").values_list("at", flat=True)[over : over + 1])
            return (ageing[0] if ageing else now) + span  # a limit of 0: a whole window from now
    return None


def _signal(project: models.Project, user: Any, kind: str, now: datetime, window: timedelta, count: int) -> None:
    """Raise a risk signal, or extend the one of the same burst (a signal seen within `window`)."""
    ongoing = models.LookupSignal.objects.filter(project=project, user=user, kind=kind, last_at__gte=now - window)
    if ongoing.update(last_at=now, count=F("count") + 1):
        return
    logchain.chained_append(
        logchain.LOOKUP_SIGNALS, project=project, user=user, kind=kind, first_at=now, last_at=now, count=count
    )


def _refusal(project: models.Project, retry_at: datetime) -> LookupRefused:
    # Rounded up to the minute: "after 15:32" must not turn out to be a second too early.
    shown = (retry_at + timedelta(seconds=59)).astimezone(ZoneInfo(project.time_zone)).strftime("%H:%M")
    per_minute, per_hour = settings.LEADLEDGER_LOOKUPS_PER_MINUTE, settings.LEADLEDGER_LOOKUPS_PER_HOUR
    return LookupRefused(
        f"查询过于频繁：每人每分钟最多查询 {per_minute} 次、每小时最多 {per_hour} 次。请于 {shown} 后再查询。",
        f"Too many lookups: at most {per_minute} a minute and {per_hour} an hour per person. "
        f"You may search again after {shown}.",
        retry_at=retry_at,
        field="q",
    )


def lookup(
    *,
    project: models.Project,
    user: Any,
    place: str,
    query: str,
    find: Callable[[], T],
    matched: Callable[[T], int] = lambda found: len(found) if isinstance(found, Sized) else 0,
    answered: Callable[[T], str] | None = None,
    kept: Callable[[T], object] | None = None,
) -> T:
    """Look a person up through `find`, within the user's limits, and record it (see the module's docstring).

    `user` is None only for the command line (the operator holds the database): recorded, not limited.
    Raises `LookupRefused` (recorded too) when the user is over a limit; `find` is then never called.
    `answered` says what the person was told (an agent's registration: D-12's word, or 报备成功).
    `kept` writes what the caller keeps of the lookup (the desk's search record) in the log line's own
    transaction: one commit where there were two, on a request every desk makes several times a minute.
    Call it outside a transaction that the refusal would roll back, or the refusal goes unrecorded.
    """
    if place not in Place.values:
        raise AssertionError(f"unknown lookup place {place!r}")  # a new place is added to Lookup.Place
    now = _now()
    row = {"user": user, "place": place, "asked": asked_masked(query), "digest": asked_digest(query), "at": now}
    if user is not None and (retry_at := _retry_at(user, now)) is not None:
        logchain.chained_append(logchain.LOOKUPS, project=project, refused=True, **row)
        in_hour = models.Lookup.objects.filter(user=user, at__gt=now - HOUR).count()
        _signal(project, user, models.LookupSignal.Kind.LIMIT, now, HOUR, in_hour)
        raise _refusal(project, retry_at)
    found = find()
    count = matched(found)
    answer = answered(found)[:16] if answered is not None else ""
    with transaction.atomic():
        logchain.chained_append(logchain.LOOKUPS, project=project, matched=count, answer=answer, **row)
        if kept is not None:
            kept(found)
    # A registration of somebody new matches nobody, as most do: that is no enumeration's signature
    # (D-12's daily cap and refusals guard registrations).
    if user is not None and count == 0 and place != Place.REGISTRATION:
        window = timedelta(minutes=settings.LEADLEDGER_LOOKUP_MISS_MINUTES)
        misses = models.Lookup.objects.filter(user=user, refused=False, matched=0, at__gt=now - window).count()
        if misses >= settings.LEADLEDGER_LOOKUP_MISSES:
            _signal(project, user, models.LookupSignal.Kind.MISSES, now, window, misses)
    return found


_ANY_SIGNAL = PreparedRead(  # the management page asks on every look; most projects have none
    lambda project: models.LookupSignal.objects.filter(project_id=project).values_list("pk")[:1], STAND_IN_IDS[0]
)


def signals_recent(project: models.Project, *, limit: int = 20) -> list[models.LookupSignal]:
    """The project's latest risk signals from lookups, newest first, each with its user (for the managers)."""
    if not _ANY_SIGNAL.rows(project.pk):
        return []
    found = models.LookupSignal.objects.filter(project=project).select_related("user").order_by("-last_at")
    return list(found[:limit])
