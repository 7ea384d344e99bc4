"""An agent's pages, phone first: register a customer (报备), and my customers (D-11..D-13)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.ledger import convert, lookups
from leadledger.web import access
from leadledger.web.documents import pdf_response
from leadledger.web.speech import lang, said

from . import case_selectors, codes, reminders, selectors, services

agent_page = access.agent_page()


def _page(
    request: access.ProjectRequest,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    agent = request.agent
    now = timezone.now()
    rows = selectors.registrations_shown(agent, now, lang())
    context = {
        "agent": agent,
        "rows": rows,
        "notices": reminders.notices_shown(agent, rows, now),  # decision 512
        "escorts": selectors.escorts_of(request.project, selectors.agents_in_view(agent)),
        "appeals": case_selectors.cases_of_agents(request.project, selectors.agents_in_view(agent)),
        "mode": convert.policy_of(request.project).report_phone_mode,
        # The company's admin switches its other agents off and on (decision 511).
        "colleagues": selectors.agents_in_view(agent) if capabilities.may_switch_agents(agent) else [],
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "channel/agent.html", context, status=status)


@agent_page
def agent_home(request: access.ProjectRequest) -> HttpResponse:
    return _page(request)


@require_POST
@agent_page
def agent_register(request: access.ProjectRequest) -> HttpResponse:
    name, phone = request.POST.get("name", ""), request.POST.get("phone", "")
    try:
        answer = services.registration_make(
            project=request.project, agent=request.agent, user=request.user, name=name, phone=phone
        )
    except lookups.LookupRefused as refused:  # nothing was judged: say when to try again
        messages.error(request, said(refused))
        return _page(request, form={"name": name, "phone": phone}, status=429)
    except DomainError as error:  # a field to fix, next to it; nothing is lost
        return _page(
            request, form={"name": name, "phone": phone}, errors={error.field or "phone": said(error)}, status=400
        )
    text = answer.text(lang(), ZoneInfo(request.project.time_zone))
    (messages.success if answer.accepted else messages.warning)(request, text)
    return redirect("agent_home", project=request.project.code)


# -- the escorted-visit code, the confirmation at the door, the slip ---------------------------------

escort_page = access.capability_page(capabilities.CONFIRM_ESCORT)


@agent_page
def agent_code(request: access.ProjectRequest, seq: int) -> HttpResponse:
    """The agent's escorted-visit code for one of their registrations: a QR code and the code to type."""
    registration = selectors.registration_in_view(request.project, seq, request.agent)
    if registration is None:  # another agent's, or no registration at all: the same answer
        raise Http404
    code = codes.escort_code(request.project, seq)
    address = request.build_absolute_uri(reverse("escort_confirm", kwargs={"project": request.project.code}))
    context = {"code": code, "qr": mark_safe(codes.qr_svg(f"{address}?{urlencode({'code': code})}"))}
    return render(request, "channel/code.html", context)


@agent_page
def agent_slip(request: access.ProjectRequest, seq: int) -> HttpResponse:
    return _slip(request, seq, request.agent, pdf=False)


@agent_page
def agent_slip_pdf(request: access.ProjectRequest, seq: int) -> HttpResponse:
    return _slip(request, seq, request.agent, pdf=True)


@escort_page
def escort_confirm(request: access.ProjectRequest) -> HttpResponse:
    """The channel specialist (or the desk) confirms an escorted visit: the code shown, the full number."""
    form = {"code": request.GET.get("code", ""), "phone": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = {"code": request.POST.get("code", ""), "phone": request.POST.get("phone", "")}
        try:
            confirmation = services.escort_confirm(
                project=request.project, staff=request.staff, user=request.user, code=form["code"], phone=form["phone"]
            )
        except lookups.LookupRefused as refused:
            messages.error(request, said(refused))
            status = 429
        except DomainError as error:
            errors = {error.field or "code": said(error)}
            status = 400
        else:
            if confirmation.again:
                messages.info(request, _("This visit was confirmed already today: here is its slip."))
            else:
                messages.success(request, _("Escorted visit confirmed. Print the slip for the agent and the customer."))
            return redirect("escort_slip", project=request.project.code, seq=confirmation.event.seq)
    return render(request, "channel/escort.html", {"form": form, "errors": errors}, status=status)


@escort_page
def escort_slip(request: access.ProjectRequest, seq: int) -> HttpResponse:
    return _slip(request, seq, None, pdf=False)


@escort_page
def escort_slip_pdf(request: access.ProjectRequest, seq: int) -> HttpResponse:
    return _slip(request, seq, None, pdf=True)


def _slip(request: access.ProjectRequest, seq: int, agent: Any, *, pdf: bool) -> HttpResponse:
    """The slip (客户确认单, copies A and B) as a printable page or a PDF; an agent's own visits only."""
    event = selectors.escort_in_view(request.project, seq, agent)
    if event is None:
        raise Http404
    slip = selectors.slip_of(request.project, event, lang())
    pdf_name = "agent_slip_pdf" if agent is not None else "escort_slip_pdf"
    context = {"slip": slip, "copies": [_("Copy A: kept by the sales office"), _("Copy B: kept by the distributor")]}
    if not pdf:
        context["pdf_url"] = reverse(pdf_name, kwargs={"project": request.project.code, "seq": seq})
        context["back_url"] = reverse(
            "agent_home" if agent is not None else "escort_confirm", args=[request.project.code]
        )
        return render(request, "channel/slip.html", context)
    return pdf_response(request, "channel/slip_document.html", context, f"slip-{seq}.pdf", inline=True)
