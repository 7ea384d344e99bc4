"""Failed sign-ins: recorded, and made to wait once there are too many (issue 13: 50 guesses in 12 s).

A username that has had `SIGN_IN_FAILURES_PER_USERNAME` wrong passwords since it last signed in, or an
address with `SIGN_IN_FAILURES_PER_ADDRESS` wrong passwords in the last hour, waits before the next try:
`SIGN_IN_WAIT_SECONDS` after the failure that reached the limit, doubling with each failure past it,
up to `SIGN_IN_WAIT_MAX_SECONDS`. While it waits, no password is checked at all, so a guesser learns
nothing by trying. An address has a higher limit because a whole office signs in from one router.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import SignInAttempt

log = logging.getLogger("leadledger.sign_in")

# An address's failures are forgotten after an hour: the whole office shares it, and one person's
# forgotten password must not keep every colleague waiting for the rest of the day.
ADDRESS_MEMORY = timedelta(hours=1)


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from; behind a proxy, the one the proxy appended last."""
    address = request.META.get("REMOTE_ADDR") or None
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        address = forwarded[-1] if forwarded else address
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:  # a proxy's garbage is not an address to store
        return None


def _wait_after(failures: QuerySet[SignInAttempt], limit: int, now: datetime) -> timedelta:
    """How long is still to wait, given the wrong tries counted against one username or one address."""
    count = failures.count()
    if count < limit:
        return timedelta(0)
    last = failures.order_by("-at").values_list("at", flat=True).first()
    assert last is not None
    wait = min(settings.SIGN_IN_WAIT_SECONDS * 2 ** min(count - limit, 20), settings.SIGN_IN_WAIT_MAX_SECONDS)
    return max(last + timedelta(seconds=wait) - now, timedelta(0))


def sign_in_wait(*, username: str, address: str | None, now: datetime | None = None) -> timedelta:
    """How long this username, from this address, must wait before a password is checked again."""
    now = now or timezone.now()
    wrong = SignInAttempt.objects.filter(outcome=SignInAttempt.Outcome.WRONG)
    last_success = (
        SignInAttempt.objects.filter(username=username, outcome=SignInAttempt.Outcome.SIGNED_IN)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    by_name = wrong.filter(username=username, **({"at__gt": last_success} if last_success else {}))
    waits = [_wait_after(by_name, settings.SIGN_IN_FAILURES_PER_USERNAME, now)]
    if address:
        by_address = wrong.filter(address=address, at__gt=now - ADDRESS_MEMORY)
        waits.append(_wait_after(by_address, settings.SIGN_IN_FAILURES_PER_ADDRESS, now))
    return max(waits)


def sign_in_record(*, username: str, address: str | None, outcome: str) -> SignInAttempt:
    """Record one sign-in attempt; a failed one is also logged (stderr and the log file)."""
    attempt = SignInAttempt.objects.create(username=username[:150], address=address, outcome=outcome)
    if outcome != SignInAttempt.Outcome.SIGNED_IN:
        log.warning("failed sign-in: %s username=%r address=%s", outcome, username[:150], address)
    return attempt


def sign_ins_failed(*, usernames: list[str] | None = None, limit: int = 200) -> list[SignInAttempt]:
    """The latest failed sign-ins, newest first; only those of these usernames when given."""
    failed = SignInAttempt.objects.exclude(outcome=SignInAttempt.Outcome.SIGNED_IN)
    if usernames is not None:
        failed = failed.filter(username__in=usernames)
    return list(failed.order_by("-at")[:limit])
