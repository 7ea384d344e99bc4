"""Distributor performance for the channel team (issue 15, decision 485): per company, over a period, its
registrations and their refusals by D-12's reason, escorted visits, deals (已认购, 已签约), the conversion
from one to the next, and its open cases. Every judgement is the engine's, read as the agent's page reads it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from leadledger.engine import distributor
from leadledger.engine.model import DEAL, ESCORTED_VISIT, REGISTRATION, EscortedVisit, Registration
from leadledger.ledger import convert, models, selectors
from leadledger.sales import selectors as sales_selectors

from .models import Case

PERIODS = (30, 90, 365)  # the days a page may look back over; 90 unless asked
DEFAULT_DAYS = 90


@dataclass
class Figures:
    registrations: int = 0
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # D-12's word -> attempts refused with it
    visits: int = 0  # accepted registrations the agent then brought in (an escorted visit confirmed at the door)
    subscribed: int = 0  # registrations now 已认购
    signed: int = 0  # registrations now 已签约
    open_cases: int = 0

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    @property
    def deals(self) -> int:
        return self.subscribed + self.signed

    @property
    def visit_rate(self) -> Fraction | None:
        """Registrations brought in per accepted registration (at most 1)."""
        return Fraction(self.visits, self.accepted) if self.accepted else None

    @property
    def deal_rate(self) -> Fraction | None:
        """Deals per registration brought in."""
        return Fraction(self.deals, self.visits) if self.visits else None

    @property
    def refusals(self) -> list[tuple[str, int]]:
        return sorted(self.refused.items(), key=lambda item: (-item[1], item[0]))


def figures(project: models.Project, since: datetime, now: datetime) -> dict[int, Figures]:
    """Each distributor's figures (by its id) for registrations and visits since `since`, judged as of `now`."""
    firm_of = dict(models.Agent.objects.filter(project=project).values_list("pk", "distributor_id"))
    result: dict[int, Figures] = {
        pk: Figures() for pk in models.Distributor.objects.filter(project=project).values_list("pk", flat=True)
    }
    rows = list(
        models.Event.objects.filter(project=project, kind=REGISTRATION, at__gte=since)
        .order_by("seq")
        .values_list("seq", "kind", "at", "body")
    )
    brought: dict[tuple[str, str], list[datetime]] = {}  # (agent, customer) -> their escorted visits
    escorts = models.Event.objects.filter(project=project, kind=ESCORTED_VISIT, at__gte=since)
    for seq, kind, at, text in escorts.values_list("seq", "kind", "at", "body"):
        visit = convert.engine_event(kind, seq, at, json.loads(text))
        assert isinstance(visit, EscortedVisit)
        brought.setdefault((str(visit.agent), str(visit.customer)), []).append(at)
    if rows:
        events = [convert.engine_event(kind, seq, at, json.loads(text)) for seq, kind, at, text in rows]
        timeline = selectors.timeline_for(project, sorted({int(e.customer) for e in events}))  # type: ignore[attr-defined]
        stages = sales_selectors.deal_stages(project, [int(e.id[1:]) for e in timeline.events if e.kind == DEAL])
        for event in events:
            assert isinstance(event, Registration)
            firm = firm_of.get(int(event.agent))
            if firm is None or firm not in result:
                continue
            counted = result[firm]
            counted.registrations += 1
            judged = timeline.registration(event.id)
            if not judged.accepted:
                counted.refused[judged.refusal or distributor.INVALID] += 1
                continue
            counted.accepted += 1
            counted.visits += any(at >= event.at for at in brought.get((event.agent, event.customer), ()))
            word = timeline.registration_status(event.id, now, stages).word
            counted.subscribed += word == distributor.SUBSCRIBED
            counted.signed += word == distributor.SIGNED
    cases = Case.objects.filter(project=project, decision="").values_list("agent__distributor_id", flat=True)
    for firm in cases:
        if firm in result:
            result[firm].open_cases += 1
    return result


def open_cases(firm: models.Distributor) -> list[Case]:
    """The company's cases waiting for the channel manager: its disputes with other companies and the house."""
    return list(
        Case.objects.filter(project_id=firm.project_id, agent__distributor=firm, decision="")
        .select_related("customer", "agent")
        .order_by("filed_at")
    )
