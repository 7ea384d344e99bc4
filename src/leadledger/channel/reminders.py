"""Agents reminded before a registration's protection ends (D-11, decision 512): a notice on their page and,
if their company has a webhook, a `registration.reminder` delivery, each once per registration.

Run by the background process beside the task worker (background.py `reminders_every`), like the
webhooks' sweep: the protection's end is derived and moves with time alone, so nothing that writes can
announce it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from leadledger.ledger import models

from . import selectors
from .models import AgentNotice


def reminders_due(project: models.Project, now: datetime | None = None) -> list[AgentNotice]:
    """Write the notices (and webhook deliveries) owed now in `project`; the notices written."""
    from leadledger.api.webhooks import reminder_deliveries

    now = now or timezone.now()
    told = set(AgentNotice.objects.filter(project=project).values_list("registration_seq", flat=True))
    owed = selectors.reminders_owed(project, now, told)
    if not owed:
        return []
    agents = {
        pk: (firm, active)
        for pk, firm, active in models.Agent.objects.filter(project=project).values_list("pk", "distributor", "active")
    }
    made = []
    for row in owed:
        firm, active = agents.get(row.agent_id, (None, False))
        if firm is None or not active:  # switched off (decision 511): they may not bring anyone in now
            continue
        try:
            with transaction.atomic():  # once per registration: a second sweep at the same moment loses here
                notice = AgentNotice.objects.create(
                    project=project, agent_id=row.agent_id, registration_seq=row.seq, until=row.until, at=now
                )
                reminder_deliveries(project=project, distributor_id=firm, row=row, now=now)
        except IntegrityError:
            continue
        made.append(notice)
    return made


def sweep(now: datetime | None = None) -> int:
    """Every project with agents: the notices written."""
    projects = models.Project.objects.filter(pk__in=models.Agent.objects.values("project"))
    return sum(len(reminders_due(project, now)) for project in projects)


def notices_shown(
    agent: models.Agent, rows: list[selectors.Row], now: datetime
) -> list[tuple[AgentNotice, selectors.Row]]:
    """The agent's reminders of the last week with their registration as the page shows it, newest first;
    those not yet read are marked read now (they have been shown)."""
    from datetime import timedelta

    by_seq = {row.seq: row for row in rows}
    found = list(AgentNotice.objects.filter(agent=agent, at__gte=now - timedelta(days=7)).order_by("-at", "-pk"))
    shown = [(notice, by_seq[notice.registration_seq]) for notice in found if notice.registration_seq in by_seq]
    unread = [notice.pk for notice, _row in shown if notice.read_at is None]
    if unread:
        AgentNotice.objects.filter(pk__in=unread, read_at__isnull=True).update(read_at=now)
    return shown
