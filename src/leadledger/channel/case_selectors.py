"""Reads for the channel team (D-10, D-13, D-14): cases waiting, one case with what it rests on, risk signals."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from leadledger.engine.model import DEAL, REGISTRATION, customers_of
from leadledger.ledger import models, selectors
from leadledger.web import selectors as web_selectors

from .models import Case, SignalMark

DECIDED_SHOWN = 20
RISK_DAYS = 30  # registrations this recent are looked at for D-14's signals; older ones are history
RISK_SHOWN = 100


def cases_open(project: models.Project) -> list[Case]:
    """What waits for the channel team, oldest first (by the `channel_case_open` index)."""
    return list(
        Case.objects.filter(project=project, decision="")
        .select_related("customer", "agent__distributor")
        .order_by("filed_at", "pk")
    )


def cases_decided(project: models.Project) -> list[Case]:
    return list(
        Case.objects.filter(project=project)
        .exclude(decision="")
        .select_related("customer", "agent__distributor", "decided_by")
        .order_by("-decided_at", "-pk")[:DECIDED_SHOWN]
    )


@dataclass(frozen=True)
class AgentCase:
    case: Case
    customer: str  # as the agent typed it at the registration, never the record's name (D-12)


def cases_of_agents(project: models.Project, agents: list[models.Agent]) -> list[AgentCase]:
    """An agent's appeals and special cases (their company's, for its admin), newest first: what was filed
    and what was decided, which is how the result reaches the distributor's representative (D-10)."""
    found = list(
        Case.objects.filter(project=project, agent__in=agents)
        .select_related("agent", "customer")
        .order_by("-filed_at", "-pk")[:50]
    )
    seqs = [c.registration_seq for c in found if c.registration_seq is not None]
    typed = {
        seq: json.loads(body).get("name")
        for seq, body in models.Event.objects.filter(project=project, seq__in=seqs).values_list("seq", "body")
    }
    return [AgentCase(c, typed.get(c.registration_seq or 0) or c.customer.name) for c in found]


@dataclass(frozen=True)
class CaseView:
    case: Case
    phone: str
    other: str  # the related customer of a special case: name and masked phone
    registration: str  # the answer the appeal is against, in the agent's words
    sentence: str  # the engine's verdict on the customer now, in one sentence
    channel: str  # the agent(s) the customer's channel is with now, or "" for the house
    deals: tuple[tuple[datetime, str], ...] = ()  # each deal of the customers: when, and whose channel (D-5, D-6)


def case_view(case: Case, now: datetime, lang: str) -> CaseView:
    project = case.project
    mode = web_selectors.phone_mode(project)
    other = ""
    ids = [case.customer_id]
    if case.relation is not None:
        peer = case.relation.b if case.relation.a_id == case.customer_id else case.relation.a
        other = f"{peer.name} {web_selectors.masked(peer.phone, mode)}"
        ids.append(peer.pk)
    timeline = selectors.timeline_for(project, ids)
    verdict = timeline.verdict(str(case.customer_id), now)
    registration = ""
    if case.registration_seq is not None:
        event = models.Event.objects.filter(project=project, seq=case.registration_seq).first()
        if event is not None:
            status = timeline.registration_status(f"e{event.seq}", now)
            registration = status.word
    roster = models.Agent.objects.filter(project=project).values_list("pk", "name", "distributor__name")
    agents = {str(pk): f"{firm}{name}" for pk, name, firm in roster}
    channel = "、".join(agents.get(a, a) for a in (verdict.channel or {}))
    deals = []
    found = models.Event.objects.filter(project=project, kind=DEAL, customer_id__in=ids)
    for seq, at in found.values_list("seq", "at"):
        judged = timeline.deal(f"e{seq}", as_of=now)
        deals.append((at, "、".join(agents.get(a, a) for a in (judged.channel or {}))))
    return CaseView(
        case=case,
        phone=web_selectors.masked(case.customer.phone, mode),
        other=other,
        registration=registration,
        sentence=verdict.explain(lang),
        channel=channel,
        deals=tuple(deals),
    )


@dataclass(frozen=True)
class Signal:
    customer: models.Customer
    phone: str
    code: str
    sentence: str
    events: tuple[int, ...]
    marks: tuple[SignalMark, ...] = ()  # the channel team's marks, latest first (decision 483)

    @property
    def key(self) -> str:
        """How a mark names the signal: its code and its events (the engine finds it again by these)."""
        return f"{self.code}:{events_key(self.events)}"

    @property
    def dealt(self) -> bool:
        return bool(self.marks) and self.marks[0].state == SignalMark.State.DEALT


def events_key(events: tuple[int, ...]) -> str:
    return ",".join(str(seq) for seq in events)


def risk_signals(project: models.Project, now: datetime, lang: str) -> list[Signal]:
    """D-14's signals about customers registered in the last RISK_DAYS days, each with its events."""
    rows = models.Event.objects.filter(project=project, kind=REGISTRATION, at__gte=now - timedelta(days=RISK_DAYS))
    ids = sorted(
        {int(c) for text in rows.values_list("body", flat=True) for c in customers_of(REGISTRATION, json.loads(text))}
    )
    if not ids:
        return []
    timeline = selectors.timeline_for(project, ids)
    records = {c.pk: c for c in models.Customer.objects.filter(project=project, pk__in=ids)}
    mode = web_selectors.phone_mode(project)
    found: list[Signal] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for pk in ids:
        signals = timeline.risk_signals(str(pk), now)
        if not signals:
            continue
        describer = timeline.verdict(str(pk), now).describer
        for signal in signals:
            if (signal.code, signal.events) in seen:  # a household's signal is found from each of its members
                continue
            seen.add((signal.code, signal.events))
            found.append(
                Signal(
                    customer=records[pk],
                    phone=web_selectors.masked(records[pk].phone, mode),
                    code=signal.code,
                    sentence=describer.sentence((signal.reason,), lang),
                    events=tuple(int(e.lstrip("e")) for e in signal.events),
                )
            )
    marks: dict[tuple[str, str], list[SignalMark]] = {}
    for mark in SignalMark.objects.filter(project=project).select_related("by").order_by("-at", "-pk"):
        marks.setdefault((mark.code, mark.events), []).append(mark)
    found = [replace(s, marks=tuple(marks.get((s.code, events_key(s.events)), ()))) for s in found]
    # Open signals first (not yet dealt with), in the order the engine found them (decision 483).
    return sorted(found, key=lambda s: s.dealt)[:RISK_SHOWN]


def relations_for_the_channel(relations: Iterable[models.Relation]) -> dict[int, Case | None]:
    """Of these relations, those the channel team verifies (decision 484), each with its special case if one
    exists: a relation a case holds, or one touching a customer a distributor claims (their verdict's
    channel). The desk's refusal and the desk's pages (which then offer no Verify button) both ask this."""
    relations = list(relations)
    if not relations:
        return {}
    found: dict[int, Case | None] = {}
    cases = Case.objects.filter(relation_id__in=[r.pk for r in relations]).order_by("pk")
    for case in cases:
        found[case.relation_id] = case  # the latest case wins, as the refusal names it
    customers = {pk for r in relations for pk in (r.a_id, r.b_id)}
    verdicts = models.Verdict.objects.filter(customer_id__in=customers).values_list("customer_id", "channel")
    claimed = {pk for pk, channel in verdicts if channel}
    for relation in relations:
        if relation.pk not in found and ({relation.a_id, relation.b_id} & claimed):
            found[relation.pk] = None
    return found


def relation_channel_case(relation: models.Relation) -> tuple[bool, Case | None]:
    """Whether a relation is the channel team's to verify (decision 484), and its special case if any."""
    found = relations_for_the_channel([relation])
    return relation.pk in found, found.get(relation.pk)
