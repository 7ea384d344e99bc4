"""An agent's pages, phone first: register a customer (报备), and my customers (D-11..D-13)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadledger.engine.errors import DomainError
from leadledger.ledger import convert, lookups
from leadledger.web import access
from leadledger.web.speech import lang, said

from . import selectors, services

agent_page = access.agent_page()


def _page(
    request: access.ProjectRequest,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    agent = request.agent
    context = {
        "agent": agent,
        "rows": selectors.registrations_shown(agent, timezone.now(), lang()),
        "mode": convert.policy_of(request.project).report_phone_mode,
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
