"""Reads for agents: their registrations as they may see them (D-11..D-13)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from leadledger.engine import distributor
from leadledger.engine.model import DEAL, ESCORTED_VISIT, REGISTRATION, VISIT, EscortedVisit, Registration, customers_of
from leadledger.ledger import convert, models, selectors
from leadledger.sales import selectors as sales_selectors
from leadledger.web import selectors as web_selectors

SHOWN = 200  # the latest registrations on the page; older ones are history, not work


@dataclass(frozen=True)
class Row:
    """One registration on an agent's page: the customer masked, the trade's word, until when, why."""

    customer: str
    phone: str
    agent: str
    at: datetime
    word: str
    until: datetime | None
    sentence: str
    reminder: bool
    visited: bool
    seq: int = 0  # the registration's number: its escorted-visit code (codes.escort_code)
    agent_id: int = 0  # who registered it: whom its reminder tells (decision 512)
    escortable: bool = False  # the agent may bring the customer on it (protected, or public again: D-3, D-4)


def agents_in_view(agent: models.Agent) -> list[models.Agent]:
    """Whose registrations an agent sees: their own, or the whole company's for its admin (decision 180)."""
    if agent.admin:
        return list(models.Agent.objects.filter(project=agent.project, distributor=agent.distributor).order_by("pk"))
    return [agent]


def registrations_shown(agent: models.Agent, now: datetime, lang: str) -> list[Row]:
    """The registrations `agent` may see, newest first, those whose protection ends soon first of all."""
    project = agent.project
    agents = {str(a.pk): a.name for a in agents_in_view(agent)}
    rows = selectors.agent_registrations(project, [int(pk) for pk in agents])[-SHOWN:]
    shown = _rows(project, rows, agents, now, lang)
    reminders = sorted((row for row in shown if row.reminder), key=lambda row: row.until or now)
    return reminders + [row for row in shown if not row.reminder]


def reminders_owed(project: models.Project, now: datetime, told: set[int]) -> list[Row]:
    """The project's registrations whose protection ends within the agents' reminder window (D-11, decision
    512) and not yet `told`, of those the engine still looks at (`Policy.reminders_since`), judged as the
    agents' pages judge them."""
    policy = convert.policy_of(project)
    if policy.agent_reminder_days <= 0:
        return []
    since = policy.reminders_since(now)
    rows = [
        row
        for row in models.Event.objects.filter(project=project, kind=REGISTRATION, at__gte=since)
        .order_by("seq")
        .values_list(*selectors.EVENT_COLUMNS)
        if row[0] not in told
    ]
    agents = {str(pk): name for pk, name in models.Agent.objects.filter(project=project).values_list("pk", "name")}
    return [row for row in _rows(project, rows, agents, now, "zh") if row.reminder]


def _rows(project: models.Project, rows: list[Any], agents: dict[str, str], now: datetime, lang: str) -> list[Row]:
    """Each registration of `rows` as an agent's page shows it, newest first."""
    if not rows:
        return []
    events = {seq: convert.engine_event(kind, seq, at, json.loads(text)) for seq, kind, at, text in rows}
    customers = {int(c) for _seq, kind, _at, text in rows for c in customers_of(kind, json.loads(text))}
    timeline = selectors.timeline_for(project, customers)
    records = {c.pk: c for c in models.Customer.objects.filter(project=project, pk__in=customers)}
    policy = convert.policy_of(project)
    mode = web_selectors.phone_mode(project)
    # 已认购 or 已签约: where each deal stands in sales control (decision 482)
    stages = sales_selectors.deal_stages(project, [int(e.id[1:]) for e in timeline.events if e.kind == DEAL])
    shown: list[Row] = []
    for seq, _kind, at, _text in reversed(rows):
        event = events[seq]
        assert isinstance(event, Registration)
        status = timeline.registration_status(event.id, now, stages)
        record = records[int(event.customer)]
        until = status.until
        protected = status.word in (distributor.REGISTERED, distributor.VISITED)
        shown.append(
            Row(
                # What the agent typed, never the record's name: it may be the house's customer's (D-12).
                customer=event.name or record.name or f"#{record.pk}",
                phone=web_selectors.masked(record.phone, mode),
                agent=agents.get(event.agent, ""),
                agent_id=int(event.agent),
                at=at,
                word=status.word if lang == "zh" else distributor.STANDING_EN[status.word],
                until=until,
                sentence=status.explain(lang),
                reminder=policy.agent_reminded(protected, until, now),  # D-11, decision 512
                visited=status.word == distributor.VISITED,
                seq=seq,
                escortable=status.word in (distributor.REGISTERED, distributor.VISITED, distributor.PUBLIC_WORD),
            )
        )
    return shown


# -- escorted visits and their slips (带看确认, 客户确认单) -----------------------------------------

# What of the engine's reasons for an escorted visit may be printed on a slip the agent and the buyer
# take away: only what is about this agent's own visit (D-12: nobody else is ever named).
_ABOUT_THIS_AGENT = frozenset(
    {
        "d_valid",
        "d_valid_registered",
        "d_registered_late",
        "d_unregistered",
        "d_unregistered_report",
        "d_renewed",
        "d_reclaim",
        "d_simultaneous",
    }
)


@dataclass(frozen=True)
class Slip:
    """The customer confirmation slip (客户确认单) of one escorted visit: what issue 15 lists, nothing more."""

    seq: int
    project: str
    distributor: str
    agent: str
    agent_phone: str
    customer: str
    phone: str  # masked
    registered_at: datetime | None
    arrived_at: datetime
    consultant: str  # who received the customer that day at the desk, or "" (a line to fill in)
    specialist: str  # who confirmed the visit
    until: datetime | None
    credited: bool  # the visit is credited to this agent's distributor (D-1..D-11)
    sentence: str


def escorts_of(project: models.Project, agents: list[models.Agent]) -> list[models.Event]:
    """The escorted visits of these agents, newest first (their slips)."""
    mentions = Q()
    for agent in agents:
        mentions |= Q(body__contains=f'"agent":"{agent.pk}"')
    if not agents:
        return []
    return list(models.Event.objects.filter(mentions, project=project, kind=ESCORTED_VISIT).order_by("-seq")[:SHOWN])


def escort_in_view(project: models.Project, seq: int, agent: models.Agent | None) -> models.Event | None:
    """An escorted visit by its number: for an agent only their own (or, for an admin, the company's)."""
    event = models.Event.objects.filter(project=project, seq=seq, kind=ESCORTED_VISIT).first()
    if event is None or agent is None:
        return event
    mine = {str(a.pk) for a in agents_in_view(agent)}
    return event if convert.stored(event, EscortedVisit).agent in mine else None


def registration_in_view(project: models.Project, seq: int, agent: models.Agent) -> models.Event | None:
    """A registration by its number, only if it is the agent's own (or their company's, for an admin)."""
    event = models.Event.objects.filter(project=project, seq=seq, kind=REGISTRATION).first()
    mine = {str(a.pk) for a in agents_in_view(agent)}
    return event if event is not None and convert.stored(event, Registration).agent in mine else None


def slip_of(project: models.Project, event: models.Event, lang: str) -> Slip:
    """The slip of escorted visit `event`, judged by the engine as of the visit."""
    escorted = convert.stored(event, EscortedVisit)
    agent = models.Agent.objects.select_related("distributor").get(project=project, pk=int(escorted.agent))
    customer = models.Customer.objects.get(project=project, pk=int(escorted.customer))
    timeline = selectors.timeline_for(project, [customer.pk])
    verdict = timeline.verdict(str(customer.pk), event.at)
    credited = verdict.channel is not None and escorted.agent in verdict.channel
    own = tuple(r for r in verdict.reasons if r.event == f"e{event.seq}" and r.code in _ABOUT_THIS_AGENT)
    if own and (credited or not any(r.code in ("d_valid", "d_valid_registered") for r in own)):
        sentence = verdict.describer.sentence(own, lang)
    else:  # the visit changed nothing for this agent, for reasons about others: none of them is said
        sentence = (
            "本次带看未计入该经纪人名下；如有异议，分销商可于7天内提出申诉（D-13）。"
            if lang == "zh"
            else "This visit is not credited to the agent; the distributor may appeal within 7 days (D-13)."
        )
    registered = [
        at
        for seq, kind, at, text in selectors.agent_registrations(project, [agent.pk])
        if convert.engine_event(kind, seq, at, json.loads(text)).customer == escorted.customer and at <= event.at
    ]
    zone = ZoneInfo(project.time_zone)
    day = event.at.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    visit = (
        models.Event.objects.filter(
            project=project, kind=VISIT, customer=customer, at__gte=day, at__lt=day + timedelta(days=1)
        )
        .select_related("staff")
        .order_by("seq")
        .first()
    )
    specialist = (
        models.Staff.objects.filter(project=project, user=event.actor_id).values_list("name", flat=True).first()
        if event.actor_id is not None
        else None
    )
    mode = web_selectors.phone_mode(project)
    return Slip(
        seq=event.seq,
        project=project.name,
        distributor=agent.distributor.name,
        agent=agent.name,
        agent_phone=agent.phone,
        customer=customer.name or "",
        phone=web_selectors.masked(customer.phone, mode),
        registered_at=registered[-1] if registered else None,
        arrived_at=event.at,
        consultant=visit.staff.name if visit is not None and visit.staff is not None else "",
        specialist=specialist or "",
        until=verdict.channel_until if credited else None,
        credited=credited,
        sentence=sentence,
    )
