"""Satisfaction surveys (W-5): a consultant asks their own customers once a month or quarter and records
the answers; the figures by customer, consultant and period are engine/surveys.py's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import surveys as engine
from leadledger.engine.errors import DomainError
from leadledger.ledger import models as ledger

from . import selectors
from .models import Survey


def _as_engine(rows: list[Survey]) -> list[engine.Survey]:
    return [
        engine.Survey(
            customer=str(r.customer_id), staff=str(r.staff_id), cadence=r.cadence, period=r.period, score=r.score
        )
        for r in rows
    ]


def surveys_send(*, by: ledger.Staff, cadence: str, period: str, now: datetime | None = None) -> list[Survey]:
    """W-5: ask each of this person's own customers not yet asked this period (decision 462)."""
    capabilities.require(by, capabilities.WORKBENCH)
    moment = now or timezone.now()
    span = engine.period_for(cadence, period, timezone.localdate(moment))
    if span.name != engine.period_for(cadence, "", timezone.localdate(moment)).name:
        raise DomainError("只能发出本期的调查", "only this period's survey can be sent", field="period")
    owned = [pk for pk, _ in selectors._owned(by)]
    with transaction.atomic():
        asked = Survey.objects.filter(project=by.project, cadence=cadence, period=span.name).values_list(
            "customer_id", flat=True
        )
        left = engine.to_ask(owned, [str(pk) for pk in asked])
        made = [
            Survey(project=by.project, customer_id=int(c), staff=by, cadence=cadence, period=span.name, sent_at=moment)
            for c in left
        ]
        Survey.objects.bulk_create(made)
    return made


def survey_answer(*, by: ledger.Staff, survey: Survey, fields: dict[str, Any], now: datetime | None = None) -> Survey:
    """W-5: record (or correct) the customer's answer; the one who asked or a manager records it."""
    capabilities.require(by, capabilities.WORKBENCH)
    if survey.project_id != by.project_id or (
        survey.staff_id != by.pk and not capabilities.can(by, capabilities.LEAD_TEAM)
    ):
        raise DomainError("只有发出调查的人或经理可以记录", "only who asked or a manager records the answer")
    survey.score = engine.score_of(fields.get("score"))
    survey.comment = str(fields.get("comment", "")).strip()[:300]
    survey.answered_at = now or timezone.now()
    survey.save(update_fields=["score", "comment", "answered_at"])
    return survey


def figures_of(rows: list[Survey]) -> engine.Figures:
    return engine.figures(_as_engine(rows))


def mine(staff: ledger.Staff, cadence: str, period: str) -> list[Survey]:
    """The surveys this person sent in the period, unanswered first, by customer name."""
    rows = Survey.objects.filter(staff=staff, cadence=cadence, period=period).select_related("customer")
    return sorted(rows, key=lambda r: (r.score is not None, r.customer.name))


@dataclass(frozen=True)
class PersonFigures:
    staff: ledger.Staff
    figures: engine.Figures


def team_figures(manager: ledger.Staff, cadence: str, period: str) -> list[PersonFigures]:
    """W-5 by consultant: each member of the manager's teams, with their surveys' figures."""
    people = selectors.team_of(manager)
    rows = list(Survey.objects.filter(project=manager.project, cadence=cadence, period=period, staff__in=people))
    found = engine.by(_as_engine(rows), lambda s: s.staff)
    empty = engine.figures([])
    return [PersonFigures(staff=p, figures=found.get(str(p.pk), empty)) for p in people]


def project_figures(project: ledger.Project, cadence: str, period: str) -> engine.Figures:
    """W-5 by period: the project's surveys of the period (S-2's satisfaction, from the monthly ones)."""
    rows = list(Survey.objects.filter(project=project, cadence=cadence, period=period))
    return engine.figures(_as_engine(rows))


def customer_history(customer: ledger.Customer) -> list[Survey]:
    """W-5 by customer: every survey they answered or were sent, newest first."""
    return list(Survey.objects.filter(customer=customer).select_related("staff").order_by("-sent_at"))
