"""A consultant's own page: my customers by status, today's follow-ups, logging, referrals, renewals."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.engine.model import FOLLOW_UP
from leadledger.engine.rotation import CLAIMED
from leadledger.engine.text import whole_id
from leadledger.ledger import convert, models
from leadledger.ledger import services as ledger_services
from leadledger.web import access
from leadledger.web.speech import lang, pick, said

from . import mine_rows, mine_selectors, services
from .models import DeskVisit, RenewalRequest

consultant_page = access.capability_page(capabilities.OWN_CUSTOMERS)


def _said(request: access.ProjectRequest, error: DomainError) -> None:
    messages.error(request, said(error))


def _page_number(value: str) -> int:
    number = whole_id(value)
    return number if number is not None and number > 0 else 1


def _my_desks(request: access.ProjectRequest) -> list[dict[str, object]]:
    """Where the consultant stands at each site's board: on site, busy or away, and their place (Q-1)."""
    me = str(request.staff.pk)
    lines = []
    sites = list(models.Site.objects.filter(project=request.project).order_by("pk"))
    consultants = capabilities.owner_candidate_ids(request.project) if sites else []
    for site in sites:
        site.project = request.project  # the page's own: not read again for each site
        desk = services.rotation_desk(site, consultants=consultants)  # the engine's Desk, away, busy
        if me not in desk.roster and me not in desk.present_off_roster:
            continue
        state = "away" if not desk.present(me) else "busy" if me in desk.busy else "on_site"
        lines.append({"site": site, "state": state, "place": desk.place_of(me)})
    return lines


def _context(request: access.ProjectRequest, **extra: object) -> dict[str, object]:
    now = timezone.now()
    # Time alone moves a status (IH-4, IH-5): verdicts whose moment passed are judged again first.
    tally = mine_selectors.tally_of(request.project, request.staff, now)
    if tally.moved:
        moved = mine_selectors.moved_by_time(request.project, request.staff, now)
        ledger_services.verdicts_catch_up(project=request.project, customer_ids=moved)
        tally = mine_selectors.tally_of(request.project, request.staff, now)
    board = mine_selectors.my_customers(
        request.project,
        request.staff,
        now,
        tally=tally,
        tab=request.GET.get("tab", mine_selectors.TODAY),
        page=_page_number(request.GET.get("page", "")),
    )
    return {
        "board": board,
        "lines": mine_rows.mine_lines(request, board),
        "tabs": mine_selectors.TABS,
        "warning_days": convert.policy_of(request.project).expiry_warning_days,
        "desks": _my_desks(request),
        "assists": DeskVisit.objects.filter(
            project=request.project, staff=str(request.staff.pk), cites__contains="IH-11"
        ).count(),
        "requests": RenewalRequest.objects.filter(staff=request.staff).select_related("customer").order_by("-pk")[:10],
        **extra,
    }


@consultant_page
def mine(request: access.ProjectRequest) -> HttpResponse:
    if request.htmx and request.htmx.target == "mine-list":  # a tab or a page: the list alone
        return render(request, "desk/mine_list.html", _context(request))
    return render(request, "desk/mine.html", _context(request))


@consultant_page
def mine_more(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """A line's on-demand part: the engine's sentence, a call, a renewal, a referral by this customer."""
    row = mine_selectors.row_of(request.project, request.staff, pk, timezone.now(), lang())
    if row is None:
        raise Http404
    return render(request, "desk/mine_more.html", {"row": row})


@require_POST
@consultant_page
def mine_contact(request: access.ProjectRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    note, next_contact = request.POST.get("note", ""), request.POST.get("next_contact", "")
    try:
        logged = services.contact_log(
            staff=request.staff,
            customer=customer,
            kind=request.POST.get("kind", ""),
            user=request.user,
            note=note,
            next_contact=next_contact,
        )
    except DomainError as error:
        # Shown again with what was typed and the error beside its field: nothing lost.
        failed = {"customer": customer, "field": error.field, "message": said(error)}
        failed |= {"note": note, "next": next_contact}
        return render(request, "desk/mine.html", _context(request, failed=failed), status=422)
    if logged.changed or logged.status in CLAIMED:
        plan = mine_selectors.plan_of(request.staff, customer) if request.POST.get("kind") == FOLLOW_UP else None
        if plan is not None and plan.next_contact is not None:
            when = plan.next_contact
            today = timezone.localdate(timezone=ZoneInfo(request.project.time_zone))
            zh, en = ("今天", "today") if when == today else (f"{when.month}月{when.day}日", f"{when:%b} {when.day}")
            messages.success(
                request,
                pick(
                    f"已登记{customer.name}的追访，下次联系：{zh}",
                    f"{customer.name}: follow-up logged; next contact {en}",
                ),
            )
        elif request.POST.get("kind") == FOLLOW_UP:
            messages.success(request, pick(f"已登记{customer.name}的追访", f"{customer.name}: follow-up logged"))
        else:
            messages.success(request, pick(f"已登记{customer.name}的来电", f"{customer.name}: call logged"))
    else:  # recorded, but the claim is as it was: say why, in the engine's words (IH-4, IH-7)
        messages.warning(
            request,
            pick(
                f"已登记{customer.name}，但归属没有变化：{logged.zh}",
                f"{customer.name}: logged, but the ownership did not change: {logged.en}",
            ),
        )
    return redirect("mine", project=request.project.code)


STATE_SAID = {
    "go_busy": ("已标记为忙碌：轮到您时将跳过（Q-2）", "marked busy: the rotation passes you over (Q-2)"),
    "finish": ("已标记为在岗，可以接待", "marked on site and free to receive"),
    "come_back": ("已标记为在岗，可以接待", "marked on site and free to receive"),
    "go_away": ("已标记为离开：轮到您时将跳过（Q-2）", "marked away: the rotation passes you over (Q-2)"),
}


@require_POST
@consultant_page
def mine_status(request: access.ProjectRequest) -> HttpResponse:
    """The consultant marks themself on site, busy or away at a site's board; never anyone else."""
    site = get_object_or_404(models.Site, pk=access.posted_id(request, "site"), project=request.project)
    action = request.POST.get("action", "")
    try:
        services.board_move_self(site=site, staff=request.staff, action=action)
    except DomainError as error:
        _said(request, error)
    else:
        messages.success(request, pick(*STATE_SAID[action]))
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
        messages.success(request, pick(f"已报备{customer.name}", f"{customer.name}: referral logged"))
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
