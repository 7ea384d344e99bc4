"""The manager's commission plan page and each consultant's monthly statement (with its Excel)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from leadledger import capabilities
from leadledger.desk.exports import XLSX
from leadledger.engine import money as rules
from leadledger.engine.text import whole_id
from leadledger.ledger.models import Distributor, Staff
from leadledger.web import access
from leadledger.web.documents import pdf_response

from . import documents, exports, models, selectors, services

BAND_ROWS = 4


def _stage_label(stage: str) -> str:
    return {
        rules.SUBSCRIPTION: _("Subscription"),
        rules.SIGNING: _("Signing"),
        rules.DOWN_PAYMENT: _("Down payment"),
        rules.COLLECTION: _("Collection (in proportion to the price received)"),
        rules.LOAN: _("Mortgage loan"),
        rules.HANDOVER: _("Handover"),
    }[stage]


CONTRACT_ROWS = 2


def _band_rows(bands: list[dict[str, Any]], rows: int) -> list[dict[str, Any]]:
    shown = [
        {
            "up_to": band.get("up_to") or "",
            "how": "fixed" if band.get("fixed") is not None else "rate",
            # a rate is shown as per mille (千分之三 is 3), as the office says it
            "value": band.get("fixed") if band.get("fixed") is not None else _per_mille(band.get("rate")),
        }
        for band in bands
    ]
    return shown + [{"up_to": "", "how": "rate", "value": ""}] * (rows - len(shown))


def _form_from(plan: dict[str, Any], distributors: list[Distributor]) -> dict[str, Any]:
    shares = {item["stage"]: item["share"] for item in plan.get("schedule") or []}
    stages = [
        {"stage": stage, "label": _stage_label(stage), "percent": _percent(shares.get(stage))} for stage in rules.STAGES
    ]
    contracts = plan.get("distributors") or {}
    firms = [
        {
            "pk": firm.pk,
            "part": f"d{firm.pk}",
            "name": firm.name,
            "bands": _band_rows(list(contracts.get(firm.name) or []), CONTRACT_ROWS),
        }
        for firm in distributors
    ]
    return {"bands": _band_rows(list(plan.get("bands") or []), BAND_ROWS), "stages": stages, "firms": firms}


# A refused form is shown again with what was typed: a value that is not a number is shown as it was sent.
def _per_mille(rate: str | None) -> str:
    try:
        return format((Decimal(str(rate)) * 1000).normalize(), "f")
    except (ArithmeticError, ValueError):
        return str(rate or "")


def _percent(share: str | None) -> str:
    if not share:
        return ""
    try:
        value = rules.share_of(share) * 100
    except rules.PlanError:
        return str(share)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _bands_from_post(post: Any, prefix: str, rows: int) -> list[dict[str, Any]]:
    bands: list[dict[str, Any]] = []
    for i in range(rows):
        value = post.get(f"{prefix}value_{i}", "").strip()
        if not value:
            continue
        up_to = post.get(f"{prefix}up_to_{i}", "").strip() or None
        if post.get(f"{prefix}how_{i}") == "fixed":
            bands.append({"up_to": up_to, "fixed": value})
        else:
            try:
                rate = str(Decimal(value) / 1000)
            except ArithmeticError:  # not a number, or past Decimal's range: the engine refuses it as typed
                rate = value
            bands.append({"up_to": up_to, "rate": rate})
    return bands


def _plan_from_post(post: Any, distributors: list[Distributor], stored: dict[str, Any]) -> dict[str, Any]:
    bands = _bands_from_post(post, "", BAND_ROWS)
    # contracts of companies no longer listed are kept as stored; a listed company left empty has none
    contracts = dict(stored.get("distributors") or {})
    for firm in distributors:
        contracts.pop(firm.name, None)
        typed = _bands_from_post(post, f"d{firm.pk}_", CONTRACT_ROWS)
        if typed:
            contracts[firm.name] = typed
    schedule = []
    for stage in rules.STAGES:
        percent = post.get(f"stage_{stage}", "").strip()
        if percent:
            try:
                schedule.append({"stage": stage, "share": str(Decimal(percent) / 100)})
            except ArithmeticError:
                schedule.append({"stage": stage, "share": percent})
    return {"bands": bands, "schedule": schedule, "distributors": contracts}


@access.capability_page(capabilities.SET_POLICY)
def plan(request: access.ProjectRequest) -> HttpResponse:
    """The project's commission plan (C-7): price bands, the settlement schedule and each distributor's
    contract (C-6), checked by the engine; a refusal is said next to the part at fault."""
    row = models.CommissionPlan.objects.filter(project=request.project).first()
    data = row.plan if row else {}
    distributors = list(Distributor.objects.filter(project=request.project).order_by("name"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _plan_from_post(request.POST, distributors, row.plan if row else {})
        try:
            services.set_plan(request.project, data, request.user)
        except rules.PlanError as refused:
            errors = {_part_at_fault(refused.field, distributors): refused.message(get_language() or "zh")}
        else:
            messages.success(request, _("The commission plan is saved; deals from now on are posted by it."))
            return redirect("money_plan", project=request.project.code)
    context = {"form": _form_from(data, distributors), "errors": errors, "row": row}
    return render(request, "money/plan.html", context)  # a refused plan: the form again, as typed


def _part_at_fault(field: str, distributors: list[Distributor]) -> str:
    """The page's part for an engine's PlanError field: bands, schedule, or one distributor's contract."""
    if field.startswith("distributors"):
        named = {f"distributors.{firm.name}": f"d{firm.pk}" for firm in distributors}
        return next((part for name, part in named.items() if field.split("[")[0] == name), "distributors")
    return "schedule" if field.startswith("schedule") else "bands"


def _month(request: access.ProjectRequest) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        if not 2000 <= year <= 2100 or not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        year, month = today.year, today.month
    return year, month


def _whose(request: access.ProjectRequest) -> Staff:
    """A consultant sees their own statement; a manager may open anyone's in the project."""
    wanted = request.GET.get("staff", "")
    if wanted and wanted != str(request.staff.pk):
        pk = whole_id(wanted)  # not str.isdigit(): "²" passes it and int() refuses it (issue 13)
        if capabilities.APPROVE not in request.capabilities or pk is None:
            raise Http404
        return get_object_or_404(Staff, project=request.project, pk=pk)
    return request.staff


def _statement_context(request: access.ProjectRequest) -> dict[str, Any]:
    year, month = _month(request)
    figures = selectors.statement(_whose(request), year, month)
    return {**documents.statement_parts(figures), "month": f"{year}-{month:02d}"}


@access.capability_page(capabilities.SEE_CUSTOMERS)
def statement(request: access.ProjectRequest) -> HttpResponse:
    context = {
        **_statement_context(request),
        "staff_list": Staff.objects.filter(project=request.project).order_by("name")
        if capabilities.APPROVE in request.capabilities
        else [],
    }
    return render(request, "money/statement.html", context)


@access.capability_page(capabilities.SEE_CUSTOMERS)
def statement_pdf(request: access.ProjectRequest) -> HttpResponse:
    """The same statement as a PDF (weasyprint), the same figures as the page and the Excel."""
    context = {**_statement_context(request), "project": request.project, "printed": timezone.localtime()}
    figures = context["s"]
    name = f"{request.project.code}-{figures.staff.pk}-{figures.year}{figures.month:02d}.pdf"
    return pdf_response(request, "money/statement_document.html", context, name)


@access.capability_page(capabilities.APPROVE)
def month_statements_pdf(request: access.ProjectRequest) -> HttpResponse:
    """Every statement of the month in one PDF, a page each, for finance to print or send (decision 520)."""
    year, month = _month(request)
    document = documents.month_statements_pdf(request.project, year, month, timezone.localtime())
    response = HttpResponse(document, content_type="application/pdf")
    name = f"{request.project.code}-statements-{year}{month:02d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@access.capability_page(capabilities.SEE_CUSTOMERS)
def statement_export(request: access.ProjectRequest) -> HttpResponse:
    year, month = _month(request)
    staff = _whose(request)
    response = HttpResponse(exports.statement_workbook(selectors.statement(staff, year, month)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{request.project.code}-{staff.pk}-{year}{month:02d}.xlsx"'
    return response


@access.capability_page(capabilities.RULE)
def penalty(request: access.ProjectRequest) -> HttpResponse:
    """A penalty or reward (section 6) with the rule, the manager and the evidence: the fine into the pool,
    points, and days off the rotation (Q-7)."""
    errors: dict[str, str] = {}
    consultants = capabilities.owner_candidates(request.project)
    if request.method == "POST":
        post = request.POST
        problems: list[tuple[str, str]] = []
        amounts: dict[str, Any] = {}
        for field, kind in (("fine", Decimal), ("reward", Decimal), ("points", int), ("days", int)):
            raw = post.get(field, "").strip().replace("，", "").replace(",", "") or "0"
            try:
                amounts[field] = kind(raw)
                if kind is Decimal and not amounts[field].is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                problems.append((field, "number"))
        if amounts.get("reward", 0) < 0:  # a reward is paid out of the pool; a negative one would be a fine
            problems.append(("reward", "number"))
        rule = post.get("rule", "").strip()[:32]
        if not rule:
            problems.append(("rule", "rule"))
        staff = next((person for person in consultants if str(person.pk) == post.get("staff")), None)
        if staff is None:
            raise Http404
        try:
            if problems:  # said together with what the engine would refuse in the values that were read
                values = {"fine": Decimal(0), "reward": Decimal(0), "points": 0, "days": 0, **amounts}
                evidence = post.get("evidence", "")
                raise services.PenaltyRefused(problems + services.penalty_problems(**values, evidence=evidence))
            services.record_penalty(
                staff=staff, manager=request.staff, rule=rule, evidence=post.get("evidence", "").strip(), **amounts
            )
        except services.PenaltyRefused as refused:
            errors = refused.said(get_language() or "zh")
        else:
            messages.success(request, _("Recorded for %(name)s.") % {"name": staff.name})
            return redirect("money_penalty", project=request.project.code)
    recent = (
        models.Penalty.objects.filter(project=request.project).select_related("staff", "manager").order_by("-at")[:30]
    )
    context = {"consultants": consultants, "errors": errors, "posted": request.POST, "recent": recent}
    return render(request, "money/penalty.html", context, status=400 if errors else 200)


@access.capability_page(capabilities.APPROVE)
def figures(request: access.ProjectRequest) -> HttpResponse:
    """Deals and commission by consultant, by channel (the house, each distributor) and by month (issue 16),
    as charts drawn on the server."""
    from . import charts

    year, month = _month(request)
    project = request.project
    staff = dict(Staff.objects.filter(project=project).values_list("pk", "name"))
    firms = dict(Distributor.objects.filter(project=project).values_list("pk", "name"))

    def staff_name(key: str) -> str:
        return staff.get(int(key), key) if key.isdigit() else _("Department pool")

    def channel_name(key: str) -> str:
        if key == "house":
            return _("The house's own")
        pk = whole_id(key.removeprefix(rules.DISTRIBUTOR))
        return firms.get(pk, key) if pk is not None else key

    words = (_("%(count)s deals"), _("%(amount)s yuan"))
    drawn = [
        (
            _("By consultant"),
            [
                charts.Row(staff_name(f.key), f.deals, f.commission)
                for f in selectors.by_consultant(project, year, month)
            ],
        ),
        (
            _("By channel"),
            [
                charts.Row(channel_name(f.key), f.deals, f.commission)
                for f in selectors.by_channel(project, year, month)
            ],
        ),
        (
            _("By month"),
            [charts.Row(f.key, f.deals, f.commission) for f in selectors.by_month(project, year, month)],
        ),
    ]
    shown = [(title, charts.bars(rows, title, *words) if rows else None) for title, rows in drawn]
    return render(request, "money/figures.html", {"charts": shown, "month": f"{year}-{month:02d}"})
