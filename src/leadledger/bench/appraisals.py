"""KSA appraisals (W-7): a manager appraises the members of their own teams each month, quarter or year,
beside the figures counted from their logged work (W-2, W-3). The level rules are engine/competency.py's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import competency as engine
from leadledger.engine import duties as d
from leadledger.engine.errors import DomainError
from leadledger.ledger import models as ledger

from . import selectors
from .models import Appraisal


def appraisal_save(*, by: ledger.Staff, fields: dict[str, Any], now: datetime | None = None) -> Appraisal:
    """W-7: record (or redo) a team member's appraisal of a period under way or over."""
    capabilities.require(by, capabilities.LEAD_TEAM)
    text = str(fields.get("staff", ""))
    person = next((p for p in selectors.team_of(by) if text.isascii() and text.isdigit() and p.pk == int(text)), None)
    if person is None:
        raise DomainError("只能考核自己团队的成员", "only your own team's members are appraised", field="staff")
    cadence = str(fields.get("cadence", ""))
    moment = now or timezone.now()
    period = engine.period_for(cadence, str(fields.get("period", "")), timezone.localdate(moment))
    levels = engine.read(fields)
    engine.standing(levels, str(fields.get("post", "")))  # the post is a level too, beside its field
    found, _ = Appraisal.objects.update_or_create(
        staff=person,
        cadence=cadence,
        period=period.name,
        defaults={
            "project": by.project,
            "by": by,
            "post": str(fields["post"]),
            **levels,
            "comment": str(fields.get("comment", "")).strip(),
            "at": moment,
        },
    )
    return found


@dataclass
class Member:
    """A team member on the appraisal page: the period's counted figures and their latest appraisal."""

    staff: ledger.Staff
    figures: dict[str, int | str]
    latest: Appraisal | None
    standing: engine.Standing | None


def members(manager: ledger.Staff, period: d.Period, now: datetime) -> list[Member]:
    """W-7 beside W-2/W-3: each member of the manager's teams with what they did in the period."""
    people = selectors.team_of(manager)
    latest: dict[int, Appraisal] = {}
    for row in Appraisal.objects.filter(staff__in=people).order_by("at"):
        latest[row.staff_id] = row
    found = []
    for person in people:
        last = latest.get(person.pk)
        standing = None
        if last is not None:
            ratings = {a: getattr(last, a) for a in engine.AREAS}
            standing = engine.standing(ratings, last.post)
        found.append(
            Member(staff=person, figures=selectors.figures(person, period, now), latest=last, standing=standing)
        )
    return found


def own_latest(staff: ledger.Staff) -> tuple[Appraisal, engine.Standing] | None:
    """W-7: the person's latest appraisal and where it puts them, shown beside their own duties."""
    last = Appraisal.objects.filter(staff=staff).order_by("-at").first()
    if last is None:
        return None
    return last, engine.standing({a: getattr(last, a) for a in engine.AREAS}, last.post)
