"""The workbench's pages: a customer manager's today, work log and weekly report; the manager's team,
reviews and duties. Every figure is the engine's (engine/duties.py), through bench/selectors.py."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.desk.exports import XLSX
from leadledger.engine import competency, receivables, workreports
from leadledger.engine import duties as d
from leadledger.engine import surveys as surveys_engine
from leadledger.engine.errors import DomainError
from leadledger.engine.model import DEAL
from leadledger.ledger import models as ledger
from leadledger.web import access
from leadledger.web.documents import pdf_response
from leadledger.web.speech import pick, said

from . import appraisals, collections, exports, notices, selectors, services, surveys
from . import archive as archive_service
from .models import Cadence, Channel, Counts, CustomerFile, DutyTemplate, Report, Team, TeamKind

bench_page = access.capability_page(capabilities.WORKBENCH)
lead_page = access.capability_page(capabilities.LEAD_TEAM)

FIGURE_WORDS = {
    d.CALLS: ("电话", "Calls"),
    d.CALLBACKS: ("回访老客户", "Existing prospects called back"),
    d.VISITS: ("接待来访", "Visits received"),
    d.NEW_PROSPECTS: ("新客户", "New customers"),
    DEAL: ("成交", "Deals"),
    d.STOCK_CHECK: ("检查库存", "Stock checks"),
    d.WHOLESALER_CALL: ("电话联系二批商", "Wholesaler calls"),
    d.WHOLESALER_VISIT: ("拜访二批商", "Wholesaler visits"),
    d.RETAIL_ROUNDS: ("零售巡店（轮）", "Retail rounds"),
    d.MARKET_ANALYSIS: ("市场分析", "Market analyses"),
}
FIELD_COUNTS = selectors.FIELD_COUNTS
STATUS_WORDS = {d.MET: ("已完成", "met"), d.MISSED: ("未完成", "missed"), d.OPEN: ("进行中", "open")}


def _figures(numbers: dict[str, Any]) -> list[tuple[str, int]]:
    """A report's counted figures; 篇4's field work only for someone who did some (decision 490)."""
    shown = list(selectors.FIGURES)
    if any(numbers.get(name) for name in workreports.FIELD_COUNTED):
        shown += workreports.FIELD_COUNTED
    return [(pick(*FIGURE_WORDS[name]), numbers.get(name, 0)) for name in shown]


@bench_page
def today(request: access.ProjectRequest) -> HttpResponse:
    now = timezone.now()
    mine = selectors.board(request.staff, now)
    words = {k: pick(*v) for k, v in STATUS_WORDS.items()}
    context = {"board": mine, "status_words": words, "form": {}, "complaints": _complaints(request, now)}
    context["flagged"] = archive_service.flagged(request.staff)  # W-4: on today's list
    # 篇4: a distribution salesperson logs field work from here (decision 490).
    context["field_duties"] = any(line.duty.counts in FIELD_COUNTS for line in mine.lines)
    latest = appraisals.own_latest(request.staff)  # W-7: beside the person's measured targets
    if latest is not None:
        appraisal, standing = latest
        context["appraisal"] = {
            "period": appraisal.period,
            "cadence": appraisal.cadence,
            "level": pick(*competency.LEVEL_WORDS[standing.level]),
            "short": "、".join(pick(*competency.AREA_WORDS[a]) for a in standing.short),
            "meets": standing.meets_post,
            "comment": appraisal.comment,
        }
    return render(request, "bench/today.html", context)


def _complaints(request: access.ProjectRequest, now: datetime) -> selectors.ComplaintCounts | None:
    """The project's complaint clocks, as a reminder, for those who handle complaints (S-1)."""
    if capabilities.SERVE_COMPLAINTS not in request.capabilities:
        return None
    return selectors.complaint_counts(request.project, now)


@require_POST
@bench_page
def log(request: access.ProjectRequest) -> HttpResponse:
    text = request.POST.get("text", "")
    try:
        services.log_write(staff=request.staff, text=text)
    except DomainError as error:  # shown again with what was typed, the error beside the field
        mine = selectors.board(request.staff, timezone.now())
        form = {"text": text, "field": error.field, "message": said(error)}
        words = {k: pick(*v) for k, v in STATUS_WORDS.items()}
        return render(request, "bench/today.html", {"board": mine, "status_words": words, "form": form}, status=422)
    messages.success(request, pick("已保存今天的工作日志", "today's work log is saved"))
    return redirect("bench_today", project=request.project.code)


def _cadence(request: access.ProjectRequest) -> str:
    cadence = request.GET.get("cadence", request.POST.get("cadence", d.WEEKLY))
    return cadence if cadence in workreports.CADENCES else d.WEEKLY


def _report_words(cadence: str) -> dict[str, str]:
    return {
        "name": pick(*workreports.NAMES[cadence]),
        "next": pick(*workreports.NEXT[cadence]),
        "this": pick(*workreports.THIS[cadence]),
        "earlier": pick(*EARLIER[cadence]),
    }


EARLIER = {
    d.WEEKLY: ("上一周", "The week before"),
    d.MONTHLY: ("上个月", "The month before"),
    d.QUARTERLY: ("上个季度", "The quarter before"),
    d.YEARLY: ("上一年", "The year before"),
}


@bench_page
def report(request: access.ProjectRequest) -> HttpResponse:
    """A weekly, monthly, quarterly or yearly report (W-3): counted figures and the written parts."""
    now = timezone.now()
    cadence = _cadence(request)
    words = _report_words(cadence)
    name = request.GET.get("period", request.GET.get("week", request.POST.get("period", request.POST.get("week", ""))))
    try:
        period = workreports.period_for(cadence, name, timezone.localdate(now))
    except DomainError as wrong:  # a mistyped or future period: this one's, saying why
        messages.error(request, said(wrong))
        period = workreports.period_for(cadence, "", timezone.localdate(now))
    found = Report.objects.filter(staff=request.staff, cadence=cadence, period=period.name).first()
    status, error = 200, None
    parts = {part: getattr(found, part) if found else "" for part in services.PARTS}
    if request.method == "POST":
        parts = {part: request.POST.get(part, "") for part in services.PARTS}
        submit = request.POST.get("action") == "submit"
        try:
            services.report_save(
                staff=request.staff, period=period.name, parts=parts, submit=submit, now=now, cadence=cadence
            )
        except DomainError as problem:
            status, error = 422, {"field": problem.field, "message": said(problem)}
        else:
            zh, en = workreports.NAMES[cadence]
            said_period = selectors.period_words(cadence, period)  # 2026年12月, never the key 2026-12
            if submit:
                messages.success(
                    request, pick(f"已提交{said_period}{zh}，等待经理审阅", f"{en} {said_period} submitted for review")
                )
            else:
                messages.success(request, pick(f"已保存{said_period}{zh}草稿", f"{en} {said_period} saved as a draft"))
            return redirect(f"{request.path}?cadence={cadence}&period={period.name}")
    submitted = found is not None and found.submitted_at is not None
    numbers = found.figures if found is not None and submitted else selectors.figures(request.staff, period, now)
    context = {
        "cadence": cadence,
        "cadences": [(c, pick(*workreports.NAMES[c])) for c in workreports.CADENCES],
        "words": words,
        "week": period,
        "report": found,
        "parts": parts,
        "figures": _figures(numbers),
        "collected": numbers.get(workreports.COLLECTED, "0.00"),
        "error": error,
        "earlier": workreports.previous(cadence, period).name,
        "editable": found is None or found.state in (Report.State.DRAFT, Report.State.RETURNED),
    }
    return render(request, "bench/report.html", context, status=status)


@lead_page
def team(request: access.ProjectRequest) -> HttpResponse:
    now = timezone.now()
    boards = selectors.team_boards(request.staff, now)
    month = d.period_of(d.MONTHLY, now.astimezone(selectors.zone_of(request.project)).date())
    context = {
        "boards": boards,
        "reports": [(r, _report_label(r)) for r in selectors.reports_to_review(request.staff)],
        "status_words": {k: pick(*v) for k, v in STATUS_WORDS.items()},
        "complaints": _complaints(request, now),
        "month_words": selectors.month_words(month),
        **_charts(request, boards, month),
    }
    return render(request, "bench/team.html", context)


def _report_label(report: Report) -> str:
    """2026年12月月报, "Monthly report, December 2026": never the stored key 2026-12."""
    zh, en = workreports.NAMES.get(report.cadence, workreports.NAMES[d.WEEKLY])
    words = selectors.report_period_words(report)
    return pick(f"{words}{zh}", f"{en.capitalize()}, {words}")


def _percent(part: Decimal | int, whole: Decimal | int) -> str:
    """A bar's length in an SVG of width 100, to a tenth (0 for an empty whole)."""
    return f"{min(Decimal(part) * 100 / Decimal(whole), Decimal(100)):.1f}" if whole else "0"


def _charts(request: access.ProjectRequest, boards: list[selectors.Board], month: d.Period) -> dict[str, object]:
    """The dashboard's charts (W-7), drawn by the page as SVG: each member's duties today by status,
    and the month's collection rate (W-6, decision 492) by member and for the team."""
    duty_rows = []
    most = max((sum(1 for line in b.lines if line.standing) for b in boards), default=0)
    for board in boards:
        counted = [line.standing.status for line in board.lines if line.standing is not None]
        parts, x = [], Decimal(0)
        for status in (d.MET, d.OPEN, d.MISSED):
            n = counted.count(status)
            width = Decimal(_percent(n, most))
            parts.append({"status": status, "n": n, "x": f"{x:.1f}", "width": f"{width:.1f}"})
            x += width
        duty_rows.append({"name": board.staff.name, "parts": parts, "total": len(counted)})
    rates = collections.collection_by_person(request.project, month.first, month.last, [b.staff.pk for b in boards])
    rate_rows = []
    team_total = receivables.NOTHING
    for board in boards:
        found = rates.get(board.staff.pk, receivables.NOTHING)
        team_total += found
        rate_rows.append(_rate_row(board.staff.name, found))
    return {
        "duty_chart": duty_rows,
        "rate_chart": rate_rows,
        "team_rate": _rate_row(pick("全组", "Whole team"), team_total),
    }


def _rate_row(name: str, found: receivables.Collection) -> dict[str, object]:
    rate = found.rate
    return {
        "name": name,
        "width": _percent(found.collected, found.due),
        "percent": None if rate is None else f"{rate * 100:.1f}%",
        "due": f"{found.due:,.0f}",  # to the yuan on a chart; the diary keeps the fen
        "collected": f"{found.collected:,.0f}",
    }


@lead_page
def team_xlsx(request: access.ProjectRequest) -> HttpResponse:
    """The team dashboard as Excel (W-7): today's duties of each member and the month's figures, with a chart."""
    now = timezone.now()
    words = {k: pick(*v) for k, v in STATUS_WORDS.items()}
    duty_rows: list[list[object]] = []
    for board in selectors.team_boards(request.staff, now):
        for line in board.lines:
            if line.standing is None:
                duty_rows.append([board.staff.name, line.duty.name, str(line.duty.get_cadence_display()), "", "", ""])
            else:
                s = line.standing
                duty_rows.append([board.staff.name, line.duty.name, s.period.name, s.done, s.owed, words[s.status]])
    month = d.period_of(d.MONTHLY, timezone.localdate(now))
    head = [pick("成员", "Member"), *(pick(*FIGURE_WORDS[n]) for n in selectors.FIGURES)]
    head += [pick("回款（元）", "Collected (yuan)"), pick("满意率", "Satisfied"), pick("能力层级", "KSA level")]
    head += [pick("回款率", "Collection rate")]  # W-6, decision 492: as on 团队今日's chart
    members = appraisals.members(request.staff, month, now)
    rates = collections.collection_by_person(request.project, month.first, month.last, [m.staff.pk for m in members])
    month_rows: list[list[object]] = []
    satisfaction = {
        row.staff.pk: row.figures.satisfied for row in surveys.team_figures(request.staff, d.MONTHLY, month.name)
    }
    for member in members:
        satisfied = satisfaction.get(member.staff.pk)
        level = pick(*competency.LEVEL_WORDS[member.standing.level]) if member.standing else ""
        month_rows.append(
            [
                member.staff.name,
                *(member.figures.get(n, 0) for n in selectors.FIGURES),
                member.figures.get(workreports.COLLECTED, "0.00"),
                "" if satisfied is None else f"{satisfied * 100:.1f}%",
                level,
                _rate_row("", rates.get(member.staff.pk, receivables.NOTHING))["percent"] or "",
            ]
        )
    title = pick(f"团队今日 {timezone.localdate(now):%Y-%m-%d}", f"My team today, {timezone.localdate(now):%Y-%m-%d}")
    response = HttpResponse(exports.team_workbook(title, duty_rows, head, month_rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="team-{timezone.localdate(now):%Y-%m-%d}.xlsx"'
    return response


@lead_page
def reports_xlsx(request: access.ProjectRequest) -> HttpResponse:
    """W-3: the team's reports of one period as Excel, a row per member (none written: the counts alone)."""
    now = timezone.now()
    cadence = _cadence(request)
    try:
        period = workreports.period_for(cadence, request.GET.get("period", ""), timezone.localdate(now))
    except DomainError:
        period = workreports.period_for(cadence, "", timezone.localdate(now))
    people = selectors.team_of(request.staff)
    found = {r.staff_id: r for r in Report.objects.filter(staff__in=people, cadence=cadence, period=period.name)}
    head = [pick("成员", "Member"), pick("状态", "State"), *(pick(*FIGURE_WORDS[n]) for n in selectors.FIGURES)]
    head += [pick("回款（元）", "Collected (yuan)")]
    written = (("成果", "Results"), ("问题及原因", "Problems"), ("计划", "Plan"), ("建议", "Suggestions"))
    head += [pick(*words) for words in written]
    head += [pick("经理意见", "Manager's comment")]
    rows: list[list[object]] = []
    for person in people:
        report = found.get(person.pk)
        submitted = report is not None and report.submitted_at is not None
        numbers = report.figures if report is not None and submitted else selectors.figures(person, period, now)
        state = str(report.get_state_display()) if report is not None else pick("未写", "Not written")
        parts = [getattr(report, p) if report is not None else "" for p in services.PARTS]
        rows.append(
            [
                person.name,
                state,
                *(numbers.get(n, 0) for n in selectors.FIGURES),
                numbers.get(workreports.COLLECTED, "0.00"),
                *parts,
                report.comment if report is not None else "",
            ]
        )
    zh, en = workreports.NAMES[cadence]
    title = pick(f"{period.name}团队{zh}", f"The team's {en}s, {period.name}")
    response = HttpResponse(exports.reports_workbook(title, head, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="reports-{cadence}-{period.name}.xlsx"'
    return response


@lead_page
def review(request: access.ProjectRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Report, pk=pk, project=request.project, staff__in=selectors.team_of(request.staff))
    error = None
    if request.method == "POST":
        accept = request.POST.get("action") == "accept"
        comment = request.POST.get("comment", "")
        try:
            services.report_review(by=request.staff, report=found, accept=accept, comment=comment)
        except DomainError as problem:
            error = {"field": problem.field, "message": said(problem), "comment": comment}
        else:
            name, said_period = found.staff.name, selectors.report_period_words(found)
            zh, en = workreports.NAMES.get(found.cadence, workreports.NAMES[d.WEEKLY])
            messages.success(
                request,
                pick(f"已通过{name}的{said_period}{zh}", f"{name}'s {en} {said_period} accepted")
                if accept
                else pick(f"已退回{name}的{said_period}{zh}", f"{name}'s {en} {said_period} returned"),
            )
            return redirect("bench_team", project=request.project.code)
    cadence = found.cadence if found.cadence in workreports.CADENCES else d.WEEKLY
    context = {
        "report": found,
        "period_words": selectors.report_period_words(found),
        "figures": _figures(found.figures),
        "collected": found.figures.get(workreports.COLLECTED, "0.00"),
        "words": _report_words(cadence),
        "error": error,
    }
    return render(request, "bench/review.html", context, status=422 if error else 200)


@bench_page
def report_pdf(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """A work report (W-3) as a PDF to print or send: its counted figures, written parts and review.
    The author's own, or a report of the manager's team."""
    mine = Report.objects.filter(pk=pk, project=request.project, staff=request.staff)
    found = mine.first()
    if found is None and capabilities.LEAD_TEAM in request.capabilities:
        found = Report.objects.filter(
            pk=pk, project=request.project, staff__in=selectors.team_of(request.staff)
        ).first()
    if found is None:
        raise Http404
    cadence = found.cadence if found.cadence in workreports.CADENCES else d.WEEKLY
    period = d.period_named(cadence, found.period)
    submitted = found.submitted_at is not None
    numbers = found.figures if submitted else selectors.figures(found.staff, period, timezone.now())
    words = _report_words(cadence)
    context = {
        "report": found,
        "title": pick(
            f"{selectors.period_words(cadence, period)}{words['name']}（{found.staff.name}）",
            f"{found.staff.name}'s {words['name']}, {selectors.period_words(cadence, period)}",
        ),
        "period": period,
        "words": words,
        "figures": _figures(numbers),
        "collected": numbers.get(workreports.COLLECTED, "0.00"),
        "counted_when": found.submitted_at if submitted else None,
    }
    name = f"{cadence}-report-{found.period}-{found.staff_id}.pdf"
    return pdf_response(request, "bench/report_document.html", context, name)


def _duties_context(request: access.ProjectRequest) -> dict[str, object]:
    return {
        "duties": DutyTemplate.objects.filter(project=request.project).prefetch_related("people", "teams"),
        "teams": Team.objects.filter(project=request.project).prefetch_related("members").order_by("pk"),
        "kinds": TeamKind.choices,
        "staff": ledger.Staff.objects.filter(project=request.project).order_by("pk"),
    }


@lead_page
def duties(request: access.ProjectRequest) -> HttpResponse:
    """The project's duties and teams: install a kind of team's shipped duties, make a team."""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "team":
                members = [int(p) for p in request.POST.getlist("members") if p.isascii() and p.isdigit()]
                made = services.team_create(
                    by=request.staff,
                    name=request.POST.get("team_name", ""),
                    kind=request.POST.get("team_kind", ""),
                    members=members,
                )
                messages.success(request, pick(f"已建立团队{made.name}", f"team {made.name} created"))
            else:
                kind = request.POST.get("kind", "")
                installed = services.presets_install(by=request.staff, kind=kind)
                messages.success(
                    request,
                    pick(f"已添加{len(installed)}项职责", f"{len(installed)} duties added"),
                )
        except DomainError as error:
            messages.error(request, said(error))
        return redirect("bench_duties", project=request.project.code)
    return render(request, "bench/duties.html", _duties_context(request))


@lead_page
def duty_edit(request: access.ProjectRequest, pk: int) -> HttpResponse:
    duty = get_object_or_404(DutyTemplate, pk=pk, project=request.project)
    error = None
    if request.method == "POST":
        fields = {key: request.POST.get(key, "") for key in ("name", "cadence", "target", "n", "counts")}
        fields["people"] = [p for p in request.POST.getlist("people") if p.isascii() and p.isdigit()]
        fields["teams"] = [t for t in request.POST.getlist("teams") if t.isascii() and t.isdigit()]
        try:
            services.duty_save(by=request.staff, duty=duty, fields=fields)
        except DomainError as problem:
            error = {"field": problem.field, "message": said(problem)}
            duty.refresh_from_db()
        else:
            messages.success(request, pick(f"已保存职责{duty.name}", f"duty {duty.name} saved"))
            return redirect("bench_duties", project=request.project.code)
    context = {
        **_duties_context(request),
        "duty": duty,
        "cadences": Cadence.choices,
        "counts": Counts.choices,
        "error": error,
        "assigned_people": {p.pk for p in duty.people.all()},
        "assigned_teams": {t.pk for t in duty.teams.all()},
    }
    return render(request, "bench/duty.html", context, status=422 if error else 200)


@require_POST
@lead_page
def calendar(request: access.ProjectRequest) -> HttpResponse:
    """A team member's day off or joining day (W-1), set by their manager from the team page."""
    action = request.POST.get("action", "")
    try:
        if action == "joined":
            person, day = services.joined_set(
                by=request.staff, staff_id=request.POST.get("staff"), day=request.POST.get("day")
            )
            messages.success(request, pick(f"已设{person.name}的入职日期为{day}", f"{person.name} joined on {day}"))
        else:
            off = action != "back"
            person, day = services.day_off_set(
                by=request.staff, staff_id=request.POST.get("staff"), day=request.POST.get("day"), off=off
            )
            messages.success(
                request,
                pick(f"已设{person.name}{day}休息", f"{person.name} is off on {day}")
                if off
                else pick(f"已取消{person.name}{day}的休息", f"{person.name} works on {day} after all"),
            )
    except DomainError as error:
        messages.error(request, said(error))
    return redirect("bench_team", project=request.project.code)


@bench_page
def archive(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """W-4: the customer archive, for the customer's owner or a manager (anyone else finds nothing)."""
    customer = get_object_or_404(ledger.Customer, pk=pk, project=request.project)
    if not archive_service.may_keep(request.staff, customer):
        raise Http404
    found = CustomerFile.objects.filter(customer=customer).first()
    form = {"target": found.target, "reason": found.reason, "flag": found.flag} if found else {}
    error = None
    if request.method == "POST" and request.POST.get("action") == "consent":  # S-3: channels agreed to
        try:
            notices.consent_set(by=request.staff, customer=customer, channels=request.POST.getlist("channels"))
        except DomainError as problem:
            messages.error(request, said(problem))
        else:
            messages.success(
                request, pick(f"已保存{customer.name}同意的通知渠道", f"{customer.name}'s notice channels saved")
            )
        return redirect("bench_archive", project=request.project.code, pk=customer.pk)
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in ("target", "reason", "flag")}
        try:
            archive_service.file_save(by=request.staff, customer=customer, fields=form)
        except DomainError as problem:
            error = {"field": problem.field, "message": said(problem)}
        else:
            messages.success(request, pick(f"已保存{customer.name}的客户小档案", f"{customer.name}'s archive saved"))
            return redirect("bench_archive", project=request.project.code, pk=customer.pk)
    context = {
        "customer": customer,
        "form": form,
        "error": error,
        "targets": CustomerFile.Target.choices,
        "flags": CustomerFile.Flag.choices,
        "channels": Channel.choices,
        "agreed": notices.consents_of(customer),
        "surveys": surveys.customer_history(customer),  # W-5 by customer
        "score_words": {s: pick(*surveys_engine.SCORE_WORDS[s]) for s in surveys_engine.SCORES},
    }
    return render(request, "bench/archive.html", context, status=422 if error else 200)
