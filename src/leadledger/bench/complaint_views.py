"""The complaint pages (S-1): record one as it arrives, see every open clock, handle one to its close."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import complaints as engine
from leadledger.engine import duties
from leadledger.engine import surveys as surveys_engine
from leadledger.engine.errors import DomainError
from leadledger.web import access
from leadledger.web.documents import pdf_response
from leadledger.web.selectors import masked
from leadledger.web.speech import pick, said

from . import complaints, exports, selectors, surveys
from .models import Complaint, ServiceHours

serve_page = access.capability_page(capabilities.SERVE_COMPLAINTS)
lead_page = access.capability_page(capabilities.LEAD_TEAM)

CLOCK_WORDS = {
    engine.RUNNING: ("计时中", "running"),
    engine.OVERDUE: ("已超时", "overdue"),
    engine.ON_TIME: ("按时", "on time"),
    engine.LATE: ("超时完成", "late"),
}
FIELDS = ("name", "phone", "channel", "kind", "text", "settled")


def _hours_left(clock: engine.Clock) -> str:
    hours = int(abs(clock.left).total_seconds() // 3600)
    minutes = int(abs(clock.left).total_seconds() % 3600 // 60)
    if clock.state == engine.RUNNING:
        return pick(f"剩{hours}小时{minutes}分", f"{hours} h {minutes} min left")
    if clock.state == engine.OVERDUE:
        return pick(f"超时{hours}小时{minutes}分", f"{hours} h {minutes} min overdue")
    return ""


def _clock_view(clock: engine.Clock | None) -> dict[str, object] | None:
    if clock is None:
        return None
    return {"state": clock.state, "word": pick(*CLOCK_WORDS[clock.state]), "due": clock.due, "left": _hours_left(clock)}


def _row(item: selectors.ComplaintClocks) -> dict[str, object]:
    return {
        "complaint": item.complaint,
        "phone": masked(item.complaint.phone),  # a list is read over a shoulder (decision 400)
        "answer": _clock_view(item.answer),
        "department": _clock_view(item.department),
    }


def _list_context(
    request: access.ProjectRequest, form: dict[str, str], error: dict[str, str] | None
) -> dict[str, object]:
    now = timezone.now()
    return {
        "rows": [_row(item) for item in selectors.open_complaints(request.project, now)],
        "closed": selectors.closed_complaints(request.project),
        "channels": Complaint.Channel.choices,
        "kinds": Complaint.Kind.choices,
        "form": form,
        "error": error,
        "hours": selectors.service_hours(request.project)[0],
    }


@serve_page
def complaint_list(request: access.ProjectRequest) -> HttpResponse:
    """Every open complaint, the clock falling due first at the top, and the form for a new one."""
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in FIELDS}
        try:
            made = complaints.complaint_record(by=request.staff, fields=form)
        except DomainError as problem:
            error = {"field": problem.field, "message": said(problem)}
            return render(request, "bench/complaints.html", _list_context(request, form, error), status=422)
        if made.settled_at_once:
            messages.success(
                request,
                pick(f"已登记{made.name}的投诉，当场解决", f"{made.name}'s complaint recorded, settled at once"),
            )
            return redirect("bench_complaints", project=request.project.code)
        messages.success(
            request, pick(f"已登记{made.name}的投诉，开始计时", f"{made.name}'s complaint recorded; its clock runs")
        )
        return redirect("bench_complaint", project=request.project.code, pk=made.pk)
    return render(request, "bench/complaints.html", _list_context(request, {}, None))


WEEKDAYS = (
    ("周一", "Mon"),
    ("周二", "Tue"),
    ("周三", "Wed"),
    ("周四", "Thu"),
    ("周五", "Fri"),
    ("周六", "Sat"),
    ("周日", "Sun"),
)


@lead_page
def service_hours(request: access.ProjectRequest) -> HttpResponse:
    """S-1: the manager sets how long the desk has to answer and whether nights and weekends stop the clock."""
    found = ServiceHours.objects.filter(project=request.project).first() or ServiceHours(project=request.project)
    form: dict[str, object] = {
        "response_hours": str(found.response_hours),
        "business": found.business,
        "opens": found.opens.strftime("%H:%M"),
        "closes": found.closes.strftime("%H:%M"),
        "weekdays": [d for d in found.weekdays.split(",") if d],
    }
    error = None
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in ("response_hours", "opens", "closes")}
        form["business"] = request.POST.get("business") == "on"
        form["weekdays"] = request.POST.getlist("weekdays")
        try:
            saved = complaints.service_hours_save(
                by=request.staff, fields={**form, "business": request.POST.get("business", "")}
            )
        except DomainError as problem:
            error = {"field": problem.field, "message": said(problem)}
        else:
            messages.success(
                request,
                pick(
                    f"已保存：投诉须在{saved.response_hours}小时内答复"
                    + ("（只计营业时间）" if saved.business else ""),
                    f"saved: complaints are answered within {saved.response_hours} hours"
                    + (" (business hours only)" if saved.business else ""),
                ),
            )
            return redirect("bench_complaints", project=request.project.code)
    days = [(str(i), pick(*WEEKDAYS[i])) for i in range(7)]
    context = {"form": form, "error": error, "days": days}
    return render(request, "bench/service_hours.html", context, status=422 if error else 200)


ACTIONS = {
    "answer": (
        lambda by, c, post: complaints.complaint_answer(by=by, complaint=c, answer=post.get("answer", "")),
        ("已记录给{name}的答复", "the answer to {name} is recorded"),
    ),
    "pass": (
        lambda by, c, post: complaints.complaint_pass(
            by=by, complaint=c, department=post.get("department", ""), hours=post.get("hours", "")
        ),
        ("已转交{department}", "passed to {department}"),
    ),
    "done": (
        lambda by, c, post: complaints.complaint_department_done(by=by, complaint=c, result=post.get("result", "")),
        ("已记录{department}的处理结果", "{department}'s result is recorded"),
    ),
    "close": (
        lambda by, c, post: complaints.complaint_close(by=by, complaint=c, confirmation=post.get("confirmation", "")),
        ("{name}的投诉已结案", "{name}'s complaint is closed"),
    ),
}


@serve_page
def complaint(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """One complaint: its clocks, and the next step (answer, pass to a department, its result, close)."""
    found = get_object_or_404(Complaint, pk=pk, project=request.project)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ACTIONS:
            act, (zh, en) = ACTIONS[action]
            try:
                done = act(request.staff, found, request.POST)
            except DomainError as problem:
                error = {"field": problem.field, "message": said(problem), "action": action, **request.POST.dict()}
            else:
                words = {"name": done.name, "department": done.department}
                messages.success(request, pick(zh.format(**words), en.format(**words)))
                return redirect("bench_complaint", project=request.project.code, pk=found.pk)
        found.refresh_from_db()
    item = selectors.clocks_of(found, timezone.now(), selectors.service_hours(request.project))
    context = {
        "row": _row(item),
        "c": found,
        "error": error,
        "department_open": found.passed_at is not None and found.department_done_at is None,
    }
    return render(request, "bench/complaint.html", context, status=422 if error else 200)


def _report_rows(report: engine.MonthReport) -> dict[str, list[tuple[str, int]]]:
    channels = dict(Complaint.Channel.choices)
    kinds = dict(Complaint.Kind.choices)
    return {
        "channels": [(str(channels[key]), n) for key, n in report.by_channel.items()],
        "kinds": [(str(kinds.get(key, key)), n) for key, n in report.by_kind.items()],
    }


def _summary(report: engine.MonthReport, satisfaction: surveys_engine.Figures) -> list[tuple[str, object]]:
    rate = f"{report.on_time_rate * 100:.1f}%" if report.on_time_rate is not None else "—"
    satisfied = f"{satisfaction.satisfied * 100:.1f}%" if satisfaction.satisfied is not None else "—"
    return [
        (pick("本月投诉", "Complaints this month"), report.volume),
        (pick("上月投诉", "Last month"), report.previous),
        (pick("比上月增减", "Change on last month"), report.change),
        (pick("按时答复率", "Answered on time"), rate),
        (pick("月末未解决", "Unresolved at the month's end"), report.unresolved),
        (pick("超过一个月未解决", "Open over a month"), report.open_over_a_month),
        # S-2's satisfaction: the month's satisfaction survey (W-5), answers scoring 4 or 5 (decision 462).
        (pick("客户满意率（月度调查）", "Satisfied (monthly survey)"), satisfied),
        (pick("满意度调查回复", "Survey answers"), satisfaction.answered),
    ]


def _complaint_report(request: access.ProjectRequest, fmt: str) -> HttpResponse:
    """S-2: the monthly complaint report, as a page, an Excel workbook or a PDF."""
    month, report = selectors.complaint_month(request.project, request.GET.get("month", ""), timezone.now())
    rows = _report_rows(report)
    summary = _summary(report, surveys.project_figures(request.project, duties.MONTHLY, month.name))
    title = pick(f"{month.name}客户投诉情况及处理月报", f"Complaints and their handling, {month.name}")
    if fmt == "xlsx":
        return exports.report_xlsx(month.name, title, summary, rows)
    biggest = max([n for _, n in rows["channels"] + rows["kinds"]] + [1])
    sections = [(pick("按渠道", "By channel"), rows["channels"]), (pick("按类型", "By type"), rows["kinds"])]
    context = {"month": month, "title": title, "summary": summary, "sections": sections, "biggest": biggest}
    if fmt == "pdf":
        return pdf_response(request, "bench/complaint_report_document.html", context, f"complaints-{month.name}.pdf")
    return render(request, "bench/complaint_report.html", context)


@lead_page
def complaint_report(request: access.ProjectRequest) -> HttpResponse:
    return _complaint_report(request, "html")


@lead_page
def complaint_report_xlsx(request: access.ProjectRequest) -> HttpResponse:
    return _complaint_report(request, "xlsx")


@lead_page
def complaint_report_pdf(request: access.ProjectRequest) -> HttpResponse:
    return _complaint_report(request, "pdf")
