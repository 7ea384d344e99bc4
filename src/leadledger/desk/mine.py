"""A consultant's own page: my customers by status, today's follow-ups, logging, referrals, renewals."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadledger.engine.rotation import Desk
from leadledger.ledger import models, selectors
from leadledger.ledger.services import LedgerError
from leadledger.web import access
from leadledger.web import selectors as web_selectors
from leadledger.web.speech import lang, pick, said

from . import services
from .models import DeskVisit, RenewalRequest, Rotation

Role = models.Staff.Role
GROUPS = ("pending", "expiring", "active", "lapsed")


def _said(request: access.ProjectRequest, error: LedgerError) -> None:
    messages.error(request, said(error))


@access.project_page(Role.CONSULTANT)
def mine(request: access.ProjectRequest) -> HttpResponse:
    me = str(request.staff.pk)
    ids = list(
        models.Verdict.objects.filter(project=request.project, owners__has_key=me).values_list("customer_id", flat=True)
    )
    now = timezone.now()
    mode = web_selectors.phone_mode(request.project)
    groups: dict[str, list[dict[str, object]]] = {g: [] for g in GROUPS}
    if ids:
        timeline = selectors.timeline_for(request.project, ids)  # judged now: time alone moves a status
        customers = {c.pk: c for c in models.Customer.objects.filter(pk__in=ids)}
        for cid in ids:
            verdict = timeline.verdict(str(cid), now)
            if not verdict.owners or me not in verdict.owners:
                continue
            if verdict.status == "pending":
                group = "pending"
            elif verdict.status == "active" and verdict.until and verdict.until - now <= timedelta(days=7):
                group = "expiring"
            elif verdict.status in groups:
                group = verdict.status
            else:
                continue
            left = (verdict.until - now) if verdict.until else None
            groups[group].append(
                {
                    "customer": customers[cid],
                    "phone": web_selectors.masked(customers[cid].phone, mode),
                    "sentence": verdict.explain(lang()),
                    "until": verdict.until,
                    "hours_left": int(left.total_seconds() // 3600) if left else None,
                }
            )
        for rows in groups.values():
            rows.sort(key=lambda row: row["until"] or now)  # type: ignore[arg-type,return-value]
    desk_line = None
    for rotation in Rotation.objects.filter(site__project=request.project).select_related("site"):
        desk = Desk.from_json(rotation.state)
        if me in desk.roster:
            place = (desk.roster.index(me) - desk.pointer) % len(desk.roster) + 1
            desk_line = {"site": rotation.site.name, "place": place, "next": desk.next_up == me}
    # Today's follow-ups: those whose follow-up window closes within a day (IH-4).
    today = [row for row in groups["pending"] if row["hours_left"] is not None and row["hours_left"] < 24]  # type: ignore[operator]
    context = {
        "today": today,
        "groups": groups,
        "desk_line": desk_line,
        "assists": DeskVisit.objects.filter(project=request.project, staff=me, cites__contains="IH-11").count(),
        "requests": RenewalRequest.objects.filter(staff=request.staff).order_by("-pk")[:10],
        "my_customers": [row["customer"] for rows in groups.values() for row in rows],
    }
    return render(request, "desk/mine.html", context)


@require_POST
@access.project_page(Role.CONSULTANT)
def mine_contact(request: access.ProjectRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    try:
        services.contact_log(
            staff=request.staff, customer=customer, kind=request.POST.get("kind", ""), user=request.user
        )
    except LedgerError as error:
        _said(request, error)
    else:
        messages.success(request, pick(f"已登记 {customer.name}", f"{customer.name}: logged"))
    return redirect("mine", project=request.project.code)


@require_POST
@access.project_page(Role.CONSULTANT)
def mine_referral(request: access.ProjectRequest) -> HttpResponse:
    referrer = None
    if (introducer := access.posted_id(request, "referrer", required=False)) is not None:
        referrer = get_object_or_404(models.Customer, pk=introducer, project=request.project)
    try:
        customer = services.referral_log(
            staff=request.staff,
            user=request.user,
            name=request.POST.get("name", ""),
            phone=request.POST.get("phone", ""),
            referrer=referrer,
        )
    except LedgerError as error:
        _said(request, error)
    else:
        messages.success(request, pick(f"已报备 {customer.name}", f"{customer.name}: referral logged"))
    return redirect("mine", project=request.project.code)


@require_POST
@access.project_page(Role.CONSULTANT)
def mine_renewal(request: access.ProjectRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    try:
        services.renewal_ask(staff=request.staff, customer=customer, reason=request.POST.get("reason", ""))
    except LedgerError as error:
        _said(request, error)
    else:
        messages.success(request, pick("已提交延期申请", "renewal requested"))
    return redirect("mine", project=request.project.code)
