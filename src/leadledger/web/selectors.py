"""Reads for the pages: customers with their verdicts, a customer's story."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from leadledger.engine import EngineError, mask_phone
from leadledger.engine.identity import parse_mask, phone_key
from leadledger.ledger import models

from . import access


def masked(value: str | None) -> str:
    if not value:
        return ""
    return value if "*" in value else mask_phone(value)


def staff_names(project: models.Project) -> dict[str, str]:
    return {str(pk): name for pk, name in models.Staff.objects.filter(project=project).values_list("pk", "name")}


def customers_matching(project: models.Project, query: str) -> QuerySet[models.Customer]:
    """Customers by exact or masked phone, or by the start of their name."""
    rows = models.Customer.objects.filter(project=project).select_related("verdict")
    query = query.strip()
    if not query:
        return rows.order_by("-pk")
    mask = parse_mask(query)
    if mask is not None:
        return rows.filter(phone__startswith=f"+86{mask.prefix}", phone__endswith=mask.suffix).order_by("-pk")
    try:
        return rows.filter(phone=phone_key(query))
    except EngineError:
        return rows.filter(name__startswith=query).order_by("name", "pk")


def customers_page(project: models.Project, query: str, number: Any) -> Page[models.Customer]:
    return Paginator(customers_matching(project, query), 50).get_page(number)


@dataclass(frozen=True)
class VerdictLine:
    """What one person may read of a verdict: the sentence, or only "owned by X, until …"."""

    text: str
    cites: str
    full: bool


def verdict_line(staff: models.Staff, verdict: models.Verdict | None, names: dict[str, str]) -> VerdictLine:
    if verdict is None:
        return VerdictLine(_("No contact recorded yet."), "", True)
    if access.may_read_story(staff, verdict):
        sentence = verdict.explain_zh if (get_language() or "zh").startswith("zh") else verdict.explain_en
        return VerdictLine(sentence, verdict.cites, True)
    owners = "、".join(names.get(k, k) for k in verdict.owners or {})
    if verdict.until:
        until = timezone.localtime(verdict.until).strftime("%Y-%m-%d %H:%M")
        return VerdictLine(_("Owned by %(owners)s, until %(until)s.") % {"owners": owners, "until": until}, "", False)
    return VerdictLine(_("Owned by %(owners)s.") % {"owners": owners}, "", False)


@dataclass(frozen=True)
class StoryLine:
    seq: int
    at: datetime
    kind: str
    actor: str
    facts: dict[str, str]


def customer_story(customer: models.Customer, names: dict[str, str]) -> list[StoryLine]:
    """Every event filed under the customer, oldest first, with people named."""
    rows = models.Event.objects.filter(project=customer.project, customer=customer).select_related("actor")
    story = []
    for row in rows.order_by("seq"):
        body = json.loads(row.body)
        facts = {k: names.get(str(v), str(v)) for k, v in body.items() if k in ("staff", "by", "approved_by", "helper")}
        actor = row.actor.get_full_name() or row.actor.get_username() if row.actor else ""
        story.append(StoryLine(row.seq, row.at, row.kind, actor, facts))
    return story
