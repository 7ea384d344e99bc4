"""A consultant's own page: my customers by status, today's follow-ups, logging, referrals, renewals."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.engine.rotation import CLAIMED
from leadledger.ledger import convert, models, selectors
from leadledger.web import access
from leadledger.web import selectors as web_selectors
from leadledger.web.speech import pick, said

from . import services
from .models import DeskVisit, RenewalRequest

consultant_page = access.capability_page(capabilities.OWN_CUSTOMERS)

GROUPS = ("pending", "expiring", "active", "lapsed")


def _said(request: access.ProjectRequest, error: DomainError) -> None:
    messages.error(request, said(error))


@consultant_page
def mine(request: access.ProjectRequest) -> HttpResponse:
    me = str(request.staff.pk)
    ids = list(
        models.Verdict.objects.filter(project=request.project, owners__has_key=me).values_list("customer_id", flat=True)
    )
    now = timezone.now()
    mode = web_selectors.phone_mode(request.project)
    policy = convert.policy_of(request.project)
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
            elif policy.expiring(verdict.status, verdict.until, now):  # IH-5, the policy's warning window
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
                    "verdict": verdict,
                    "until": verdict.until,
                    "hours_left": int(left.total_seconds() // 3600) if left else None,
                }
            )
        for rows in groups.values():
            rows.sort(key=lambda row: row["until"] or now)  # type: ignore[arg-type,return-value]
    desk_line = None
    for site in models.Site.objects.filter(project=request.project, rotation__isnull=False).order_by("pk"):
        place = services.rotation_desk(site).place_of(me)  # the engine's Desk, away, busy
        if place is not None:
            desk_line = {"site": site.name, "place": place, "next": place == 1}
    # Today's follow-ups: those whose follow-up window closes within a day (IH-4).
    today = [row for row in groups["pending"] if row["hours_left"] is not None and row["hours_left"] < 24]  # type: ignore[operator]
    context = {
        "today": today,
        "groups": groups,
        "desk_line": desk_line,
        "warning_days": policy.expiry_warning_days,
        "assists": DeskVisit.objects.filter(project=request.project, staff=me, cites__contains="IH-11").count(),
        "requests": RenewalRequest.objects.filter(staff=request.staff).order_by("-pk")[:10],
        "my_customers": [row["customer"] for rows in groups.values() for row in rows],
    }
    return render(request, "desk/mine.html", context)


@require_POST
@consultant_page
def mine_contact(request: access.ProjectRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    try:
        logged = services.contact_log(
            staff=request.staff, customer=customer, kind=request.POST.get("kind", ""), user=request.user
        )
    except DomainError as error:
        _said(request, error)
    else:
        if logged.changed or logged.status in CLAIMED:
            messages.success(request, pick(f"已登记 {customer.name}", f"{customer.name}: logged"))
        else:  # recorded, but the claim is as it was: say why, in the engine's words (IH-4, IH-7)
            messages.warning(
                request,
                pick(
                    f"已登记 {customer.name}，但归属没有变化：{logged.zh}",
                    f"{customer.name}: logged, but the ownership did not change: {logged.en}",
                ),
            )
    return redirect("mine", project=request.project.code)


@require_POST
@consultant_page
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
    except DomainError as error:
        _said(request, error)
    else:
        messages.success(request, pick(f"已报备 {customer.name}", f"{customer.name}: referral logged"))
    return redirect("mine", project=request.project.code)


@require_POST
@consultant_page
def mine_renewal(request: access.ProjectRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    try:
        services.renewal_ask(staff=request.staff, customer=customer, reason=request.POST.get("reason", ""))
    except DomainError as error:
        _said(request, error)
    else:
        messages.success(request, pick("已提交延期申请", "renewal requested"))
    return redirect("mine", project=request.project.code)
