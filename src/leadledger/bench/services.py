"""What changes the workbench: shipped duties installed, duties edited and assigned, logs and reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import duties as engine_duties
from leadledger.engine import workreports
from leadledger.engine.errors import DomainError
from leadledger.ledger import models as ledger
from leadledger.web.speech import pick

from . import selectors
from .models import DayOff, DutyTemplate, Joining, Report, Team, TeamKind, WorkLogEntry
from .presets import PRESETS


def presets_install(*, by: ledger.Staff, kind: str) -> list[DutyTemplate]:
    """A manager installs the shipped duties of a kind of team (篇1, 篇4, 篇5) in their project."""
    capabilities.require(by, capabilities.LEAD_TEAM)
    return presets_load(project=by.project, kind=kind, zh=pick("zh", "en") == "zh")


def presets_load(*, project: ledger.Project, kind: str, zh: bool = True) -> list[DutyTemplate]:
    """Install the shipped duties of a kind of team once (the bench_presets command too); again adds nothing."""
    if kind not in PRESETS:
        raise DomainError("没有这种团队", "there is no such kind of team", field="kind")
    made = []
    with transaction.atomic():
        for role, zh_name, en_name, cadence, n, at_time, counts, target, source in PRESETS[kind]:
            name = zh_name if zh else en_name
            if DutyTemplate.objects.filter(project=project, team_kind=kind, source=source, name=name).exists():
                continue
            made.append(
                DutyTemplate.objects.create(
                    project=project,
                    team_kind=kind,
                    role=role,
                    name=name,
                    cadence=cadence,
                    n=n,
                    starts=timezone.localdate() if cadence == engine_duties.EVERY_N_DAYS else None,
                    at_time=at_time,
                    counts=counts,
                    target=target,
                    source=source,
                )
            )
    return made


def duty_save(*, by: ledger.Staff, duty: DutyTemplate, fields: dict[str, Any]) -> DutyTemplate:
    """A manager edits a duty: its name, cadence, target, and who it is assigned to."""
    capabilities.require(by, capabilities.LEAD_TEAM)
    if duty.project_id != by.project_id:
        raise DomainError("没有这项职责", "there is no such duty")
    name = str(fields.get("name", "")).strip()
    if not name:
        raise DomainError("请填写职责名称", "give the duty a name", field="name")
    cadence = str(fields.get("cadence", ""))
    if cadence not in engine_duties.CADENCES:
        raise DomainError("请选择周期", "choose a cadence", field="cadence")
    target = _whole(fields.get("target"), "target")
    n = _whole(fields.get("n"), "n", low=1) if cadence == engine_duties.EVERY_N_DAYS else None
    counts = str(fields.get("counts", ""))
    if counts and counts not in engine_duties.COUNTS:
        raise DomainError("请选择计数方式", "choose what the duty counts", field="counts")
    people = [int(p) for p in fields.get("people", [])]
    teams = [int(t) for t in fields.get("teams", [])]
    staff = list(ledger.Staff.objects.filter(project=by.project, pk__in=people))
    chosen_teams = list(Team.objects.filter(project=by.project, pk__in=teams))
    if len(staff) != len(set(people)) or len(chosen_teams) != len(set(teams)):
        raise DomainError("只能指派给本项目的人员和团队", "assign only this project's people and teams", field="people")
    with transaction.atomic():
        duty.name, duty.cadence, duty.target, duty.n, duty.counts = name, cadence, target, n, counts
        if cadence == engine_duties.EVERY_N_DAYS and duty.starts is None:
            duty.starts = timezone.localdate()
        duty.save()
        duty.people.set(staff)
        duty.teams.set(chosen_teams)
    return duty


def _whole(value: Any, field: str, *, low: int = 0) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or int(text) < low:
        raise DomainError(f"请填写不小于 {low} 的整数", f"enter a whole number of at least {low}", field=field)
    return int(text)


def team_create(*, by: ledger.Staff, name: str, kind: str, members: list[int]) -> Team:
    """A team of a kind, led by the manager who makes it."""
    capabilities.require(by, capabilities.LEAD_TEAM)
    name = name.strip()
    if not name:
        raise DomainError("请填写团队名称", "give the team a name", field="team_name")
    if kind not in TeamKind.values:
        raise DomainError("请选择团队类型", "choose the kind of team", field="team_kind")
    if Team.objects.filter(project=by.project, name=name).exists():
        raise DomainError(f"已有名为{name}的团队", f"there is already a team called {name}", field="team_name")
    people = list(ledger.Staff.objects.filter(project=by.project, pk__in=members))
    with transaction.atomic():
        team = Team.objects.create(project=by.project, name=name, kind=kind, manager=by)
        team.members.set(people)
    return team


def log_write(*, staff: ledger.Staff, text: str, now: datetime | None = None) -> WorkLogEntry:
    """Today's work log (W-3): written, and rewritten the same day; an empty one is refused."""
    capabilities.require(staff, capabilities.WORKBENCH)
    text = text.strip()
    if not text:
        raise DomainError("请写下今天的工作", "write what you did today", field="text")
    moment = now or timezone.now()
    day = timezone.localdate(moment)
    entry, _ = WorkLogEntry.objects.update_or_create(
        staff=staff, day=day, defaults={"project": staff.project, "text": text, "written_at": moment}
    )
    return entry


PARTS = workreports.PARTS


def report_save(
    *,
    staff: ledger.Staff,
    period: str,
    parts: dict[str, str],
    submit: bool,
    now: datetime | None = None,
    cadence: str = engine_duties.WEEKLY,
) -> Report:
    """Keep or submit a weekly, monthly, quarterly or yearly report (W-3); figures counted at submission."""
    capabilities.require(staff, capabilities.WORKBENCH)
    moment = now or timezone.now()
    span = workreports.period_for(cadence, period, timezone.localdate(moment))
    zh, en = workreports.NAMES[cadence]
    with transaction.atomic():
        report, _ = Report.objects.select_for_update().get_or_create(
            staff=staff, cadence=cadence, period=span.name, defaults={"project": staff.project}
        )
        if report.state in (Report.State.SUBMITTED, Report.State.ACCEPTED):
            raise DomainError(f"这份{zh}已提交，不能再修改", f"this {en} is submitted and can no longer change")
        for part in PARTS:
            setattr(report, part, str(parts.get(part, "")).strip())
        if submit:
            missing = workreports.missing(parts)
            if missing:
                next_zh, next_en = workreports.NEXT[cadence]
                raise DomainError(
                    f"提交前请填写成果和{next_zh}计划",
                    f"write the results and the plan for {next_en} before submitting",
                    field=missing[0],
                )
            report.figures = selectors.figures(staff, span, moment)
            report.state, report.submitted_at = Report.State.SUBMITTED, moment
        report.save()
    return report


def report_review(
    *, by: ledger.Staff, report: Report, accept: bool, comment: str, now: datetime | None = None
) -> Report:
    """The manager accepts a submitted report or returns it with a comment saying what to change."""
    capabilities.require(by, capabilities.LEAD_TEAM)
    zh, en = workreports.NAMES.get(report.cadence, workreports.NAMES[engine_duties.WEEKLY])
    if report.project_id != by.project_id:
        raise DomainError(f"没有这份{zh}", f"there is no such {en}")
    if report.state != Report.State.SUBMITTED:
        raise DomainError(f"只能审阅已提交的{zh}", f"only a submitted {en} can be reviewed")
    comment = comment.strip()
    if not accept and not comment:
        raise DomainError("退回时请写明修改意见", "say what to change when returning a report", field="comment")
    report.state = Report.State.ACCEPTED if accept else Report.State.RETURNED
    report.comment, report.reviewed_by, report.reviewed_at = comment, by, now or timezone.now()
    report.save()
    return report


def _member(by: ledger.Staff, staff_id: Any) -> ledger.Staff:
    capabilities.require(by, capabilities.LEAD_TEAM)
    text = str(staff_id or "")
    found = next((p for p in selectors.team_of(by) if text.isascii() and text.isdigit() and p.pk == int(text)), None)
    if found is None:
        raise DomainError("只能为自己团队的成员设置", "only your own team's members", field="staff")
    return found


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError("请填写日期，例如2026-03-14", "enter a date such as 2026-03-14", field=field) from None


def day_off_set(*, by: ledger.Staff, staff_id: Any, day: Any, off: bool = True) -> tuple[ledger.Staff, date]:
    """The manager gives a team member a day off (W-1: daily duties owe nothing that day), or takes it back."""
    person, when = _member(by, staff_id), _date(day, "day")
    if off:
        DayOff.objects.get_or_create(staff=person, day=when, defaults={"by": by})
    else:
        DayOff.objects.filter(staff=person, day=when).delete()
    return person, when


def joined_set(*, by: ledger.Staff, staff_id: Any, day: Any) -> tuple[ledger.Staff, date]:
    """The day a team member started (W-1): a period they joined during owes its share, rounded up."""
    person, when = _member(by, staff_id), _date(day, "joined")
    Joining.objects.update_or_create(staff=person, defaults={"day": when})
    return person, when
