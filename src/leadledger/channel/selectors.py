"""Reads for agents: their registrations as they may see them (D-11..D-13)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadledger.engine import distributor
from leadledger.engine.model import Registration, customers_of
from leadledger.ledger import convert, models, selectors
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
    if not rows:
        return []
    events = {seq: convert.engine_event(kind, seq, at, json.loads(text)) for seq, kind, at, text in rows}
    customers = {int(c) for _seq, kind, _at, text in rows for c in customers_of(kind, json.loads(text))}
    timeline = selectors.timeline_for(project, customers)
    records = {c.pk: c for c in models.Customer.objects.filter(project=project, pk__in=customers)}
    policy = convert.policy_of(project)
    warning = timedelta(days=policy.expiry_warning_days)
    mode = web_selectors.phone_mode(project)
    shown: list[Row] = []
    for seq, _kind, at, _text in reversed(rows):
        event = events[seq]
        assert isinstance(event, Registration)
        status = timeline.registration_status(event.id, now)
        record = records[int(event.customer)]
        until = status.until
        protected = status.word in (distributor.REGISTERED, distributor.VISITED)
        shown.append(
            Row(
                # What the agent typed, never the record's name: it may be the house's customer's (D-12).
                customer=event.name or record.name or f"#{record.pk}",
                phone=web_selectors.masked(record.phone, mode),
                agent=agents.get(event.agent, ""),
                at=at,
                word=status.word if lang == "zh" else distributor.STANDING_EN[status.word],
                until=until,
                sentence=status.explain(lang),
                reminder=protected and until is not None and now <= until <= now + warning,
                visited=status.word == distributor.VISITED,
            )
        )
    reminders = sorted((row for row in shown if row.reminder), key=lambda row: row.until or now)
    return reminders + [row for row in shown if not row.reminder]
