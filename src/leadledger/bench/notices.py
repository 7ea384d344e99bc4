"""One-to-many notices to existing customers (S-3): who agreed to which channel, notices sent and logged.

The rules (who agreed, who a notice may reach) are engine/notices.py's. Consent is recorded on the
customer archive by whoever keeps it (W-4); a notice is sent by those who serve customers
(`serve_complaints`). The app logs the notice and each customer it went to; the message itself is
sent by the office's own SMS platform or WeChat (decision 461).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import notices as engine
from leadledger.engine.errors import DomainError
from leadledger.engine.model import DEAL
from leadledger.ledger import models as ledger

from .archive import may_keep
from .models import ConsentChange, Notice, NoticeDelivery


def _changes(project: ledger.Project, customers: Iterable[int] | None = None) -> list[engine.ConsentChange]:
    rows = ConsentChange.objects.filter(project=project)
    if customers is not None:
        rows = rows.filter(customer_id__in=list(customers))
    return [
        engine.ConsentChange(customer=str(customer), channel=channel, agreed=agreed, at=at)
        for customer, channel, agreed, at in rows.order_by("at", "pk").values_list(
            "customer_id", "channel", "agreed", "at"
        )
    ]


def consents_of(customer: ledger.Customer) -> set[str]:
    """The channels this customer agrees to now (S-3)."""
    standing = engine.agreed(_changes(customer.project, [customer.pk]))
    return {channel for (_, channel), yes in standing.items() if yes}


def consent_set(
    *, by: ledger.Staff, customer: ledger.Customer, channels: Iterable[str], now: datetime | None = None
) -> list[ConsentChange]:
    """Record the channels the customer agrees to (S-3): a change for each channel agreed or taken back."""
    if customer.project_id != by.project_id or not may_keep(by, customer):
        raise DomainError("只有客户的归属顾问或经理可以登记", "only the customer's owner or a manager records this")
    wanted = set(channels)
    if not wanted <= set(engine.CHANNELS):
        raise DomainError("请选择发送渠道", "choose a channel", field="channels")
    moment = now or timezone.now()
    before = consents_of(customer)
    changes = [
        ConsentChange(project=by.project, customer=customer, channel=c, agreed=c in wanted, by=by, at=moment)
        for c in engine.CHANNELS
        if (c in wanted) != (c in before)
    ]
    ConsentChange.objects.bulk_create(changes)
    return changes


def existing_customers(project: ledger.Project) -> list[engine.Recipient]:
    """Decision 461: the project's existing customers are those with a deal recorded, by the event_kind index."""
    bought = ledger.Event.objects.filter(project=project, kind=DEAL, customer__isnull=False).values("customer_id")
    rows = ledger.Customer.objects.filter(project=project, pk__in=bought).values_list("pk", "erased_at", "phone")
    return [
        engine.Recipient(customer=str(pk), erased=erased is not None, has_number=bool(phone))
        for pk, erased, phone in rows.order_by("pk")
    ]


def audience_of(project: ledger.Project, channel: str) -> engine.Audience:
    """S-3: who a notice by `channel` would reach now, and how many are left out and why."""
    people = existing_customers(project)
    agreements = engine.agreed(_changes(project, [int(p.customer) for p in people]))
    return engine.audience(people, agreements, channel)


def notice_send(*, by: ledger.Staff, fields: dict[str, Any], now: datetime | None = None) -> Notice:
    """Log a notice to the existing customers who agreed to its channel (S-3); none reached is refused."""
    capabilities.require(by, capabilities.SERVE_COMPLAINTS)
    topic, channel = str(fields.get("topic", "")), str(fields.get("channel", ""))
    title, text = str(fields.get("title", "")).strip(), str(fields.get("text", "")).strip()
    refusal = engine.notice_refusal(topic=topic, channel=channel, title=title, text=text)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        found = audience_of(by.project, channel)
        if not found.to:
            raise DomainError(
                "没有已成交且同意这个渠道的客户，通知未发送",
                "no customer who bought has agreed to this channel: nothing sent",
                field="channel",
            )
        notice = Notice.objects.create(
            project=by.project,
            topic=topic,
            channel=channel,
            title=title,
            text=text,
            by=by,
            at=now or timezone.now(),
            left_out=found.left_out,
        )
        NoticeDelivery.objects.bulk_create(NoticeDelivery(notice=notice, customer_id=int(c)) for c in found.to)
    return notice


@dataclass(frozen=True)
class Sent:
    notice: Notice
    reached: int


def notices_sent(project: ledger.Project, limit: int = 30) -> list[Sent]:
    """The project's latest notices, newest first, with how many customers each reached."""
    rows = (
        Notice.objects.filter(project=project)
        .select_related("by")
        .annotate(reached=Count("deliveries"))
        .order_by("-at", "-pk")[:limit]
    )
    return [Sent(notice=row, reached=row.reached) for row in rows]  # type: ignore[attr-defined]


def recipients(notice: Notice, limit: int = 200) -> list[ledger.Customer]:
    """The customers a notice went to, by name (their phones are the customer pages' to show)."""
    ids = NoticeDelivery.objects.filter(notice=notice).values("customer_id")
    return list(ledger.Customer.objects.filter(pk__in=ids).order_by("name", "pk")[:limit])
