"""Signed, retried webhooks: a distributor's system told when one of its registrations changes status.

A status is derived (the engine's, as the agent's page shows it), and some changes come from time alone
(报备成功 → 已失效 when protection ends), so changes are found by comparing each registration's word with
the last one told (`Notified`), not by hooking writes: `changes_find` runs after each API registration
and every minute beside the task worker (background.py). Each change is a `Delivery`, POSTed by a
task (django-tasks) with an HMAC-SHA256 signature; a receiver that does not answer 2xx is tried again
after 30 s, 2, 8, 32 minutes and about 2 hours, each attempt recorded (`Attempt`), then given up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from ninja import Schema

from leadledger.ledger import models as ledger

from .models import Attempt, Delivery, Notified, Webhook
from .speech import word_code

logger = logging.getLogger(__name__)
TRIES = 6
FIRST_WAIT = timedelta(seconds=30)
TIMEOUT_SECONDS = 5
SIGNATURE_HEADER = "X-LeadLedger-Signature"
TIMESTAMP_HEADER = "X-LeadLedger-Timestamp"


class StatusChange(Schema):
    """What a delivery says (docs/api.md): the registration, its new word and code, never the customer."""

    event: str = "registration.status"
    registration: int
    code: str
    word: str
    until: datetime | None
    agent: str = ""
    at: datetime | None = None


def webhook_create(*, distributor: ledger.Distributor, url: str, by: Any = None) -> Webhook:
    """Register a distributor's address; its secret is given to the distributor once, to verify signatures."""
    return Webhook.objects.create(
        project_id=distributor.project_id,
        distributor=distributor,
        url=url,
        secret=secrets.token_hex(32),
        created_by=by if getattr(by, "pk", None) else None,
    )


def webhook_add(*, by: ledger.Staff, distributor: ledger.Distributor, url: str) -> Webhook:
    """A webhook added on the channel's page (decision 481): an http(s) address, for a company of the project."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    from leadledger import capabilities
    from leadledger.engine.errors import DomainError

    capabilities.require(by, capabilities.ISSUE_TOKENS)
    if distributor.project_id != by.project_id:
        raise DomainError("请选择本项目的分销商", "choose a distributor of this project", field="distributor")
    url = url.strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
        if len(url) > Webhook._meta.get_field("url").max_length:  # type: ignore[operator]
            raise ValidationError("too long")
    except ValidationError:
        raise DomainError(
            "请填写完整的网址（以 https:// 或 http:// 开头）",
            "give a whole address beginning with https:// or http://",
            field="url",
        ) from None
    return webhook_create(distributor=distributor, url=url, by=by.user)


def webhook_stop(*, by: ledger.Staff, webhook: Webhook) -> bool:
    """Stop sending to a webhook (kept, with its deliveries, as the record); False when it was stopped already."""
    from leadledger import capabilities

    capabilities.require(by, capabilities.ISSUE_TOKENS)
    return bool(Webhook.objects.filter(pk=webhook.pk, project_id=by.project_id, active=True).update(active=False))


def signature(secret: str, timestamp: str, payload: bytes) -> str:
    """The header's value: HMAC-SHA256 of "<timestamp>.<body>" under the webhook's secret (docs/api.md)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + payload, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def wait_after(attempts: int) -> timedelta:
    """The backoff after the `attempts`-th failure: 30 s, 2 min, 8 min, 32 min, 2 h 8 min."""
    return FIRST_WAIT * 4 ** (attempts - 1)


def changes_find(project: ledger.Project, now: datetime | None = None) -> list[Delivery]:
    """A delivery for each registration whose status differs from what its distributor's webhooks were told."""
    from leadledger.channel.selectors import registrations_shown

    now = now or timezone.now()
    made: list[Delivery] = []
    for webhook in Webhook.objects.filter(project=project, active=True).select_related("distributor"):
        viewer = ledger.Agent(project=project, distributor=webhook.distributor, admin=True, name="")
        told = dict(Notified.objects.filter(webhook=webhook).values_list("registration_seq", "word"))
        for row in registrations_shown(viewer, now, "zh"):
            if told.get(row.seq) == row.word:
                continue
            change = StatusChange(registration=row.seq, code=word_code(row.word), word=row.word, until=row.until)
            change.agent, change.at = row.agent, now
            with transaction.atomic():
                Notified.objects.update_or_create(
                    webhook=webhook, registration_seq=row.seq, defaults={"word": row.word}
                )
                delivery = Delivery.objects.create(
                    webhook=webhook,
                    registration_seq=row.seq,
                    payload=json.dumps(change.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")),
                    next_at=now,
                )
                transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))
            made.append(delivery)
    return made


def reminder_deliveries(*, project: ledger.Project, distributor_id: int, row: Any, now: datetime) -> list[Delivery]:
    """Tell the company's webhooks that a registration's protection ends soon (decision 512): event
    `registration.reminder`, the same fields as a status change, sent and retried as one. Called inside the
    transaction that records the agent's notice, so the two are written together or not at all."""
    made = []
    for webhook in Webhook.objects.filter(project=project, distributor_id=distributor_id, active=True):
        told = StatusChange(
            event="registration.reminder",
            registration=row.seq,
            code=word_code(row.word),
            word=row.word,
            until=row.until,
        )
        told.agent, told.at = row.agent, now
        delivery = Delivery.objects.create(
            webhook=webhook,
            registration_seq=row.seq,
            payload=json.dumps(told.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")),
            next_at=now,
        )
        transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))
        made.append(delivery)
    return made


def _enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    from .tasks import delivery_send

    try:
        (delivery_send.using(run_after=run_after) if run_after else delivery_send).enqueue(delivery_id)
    except Exception:  # a backend that cannot defer (immediate): the minute's sweep sends it when due
        logger.info("webhook delivery %s left for the sweep", delivery_id)


def delivery_attempt(delivery_id: int, now: datetime | None = None) -> Delivery:
    """POST one delivery once, record the attempt, and schedule the next one or give up."""
    now = now or timezone.now()
    # Claim it: of two workers holding the same delivery, one sends (a conditional update, row count checked).
    claimed = Delivery.objects.filter(
        pk=delivery_id, state=Delivery.State.PENDING, next_at__lte=now + timedelta(seconds=1)
    ).update(next_at=now + timedelta(minutes=10))
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    if not claimed:
        return delivery
    body = delivery.payload.encode()
    stamp = str(int(now.timestamp()))
    request = urllib.request.Request(
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "LeadLedger-Webhook/1",
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: signature(delivery.webhook.secret, stamp, body),
            "X-LeadLedger-Delivery": str(delivery.pk),
        },
    )
    status: int | None = None
    error = ""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as refused:
        status = refused.code
    except (OSError, ValueError) as unreachable:
        error = str(unreachable)[:200]
    Attempt.objects.create(delivery=delivery, at=now, status=status, error=error)
    delivery.attempts += 1
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.next_at = Delivery.State.DELIVERED, None
    elif delivery.attempts >= TRIES:
        delivery.state, delivery.next_at = Delivery.State.FAILED, None
    else:
        delivery.next_at = now + wait_after(delivery.attempts)
    delivery.save(update_fields=["attempts", "state", "next_at"])
    if delivery.state == Delivery.State.PENDING:
        _enqueue(delivery.pk, run_after=delivery.next_at)
    return delivery


def deliveries_due(now: datetime | None = None) -> int:
    """Send every pending delivery whose time has come (the minute's sweep: a lost task is not a lost change)."""
    now = now or timezone.now()
    due = list(Delivery.objects.filter(state=Delivery.State.PENDING, next_at__lte=now).values_list("pk", flat=True))
    for pk in due:
        delivery_attempt(pk, now)
    return len(due)


def sweep() -> None:
    """Find the changes of every project with a webhook, then send what is due."""
    for project in ledger.Project.objects.filter(pk__in=Webhook.objects.filter(active=True).values("project")):
        changes_find(project)
    deliveries_due()
