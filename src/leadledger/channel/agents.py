"""One agent switched off and back on (decision 511): by the channel team on the agent's page under their
company, or by the company's admin on their own agents' pages. Both call `distributors.agent_switch`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.ledger import models as ledger
from leadledger.web import access
from leadledger.web.speech import said

from . import distributors

team_page = access.capability_page(capabilities.MANAGE_CHANNEL)
agent_page = access.agent_page()


def _teams(request: access.ProjectRequest, pk: int) -> ledger.Agent:
    return get_object_or_404(ledger.Agent.objects.select_related("distributor"), pk=pk, project=request.project)


def _colleague(request: access.ProjectRequest, pk: int) -> ledger.Agent:
    """One of the admin's company's other agents; anyone else's, and anything for a plain agent, is not found."""
    admin = request.agent
    if not capabilities.may_switch_agents(admin):
        raise Http404
    return get_object_or_404(
        ledger.Agent.objects.select_related("distributor"),
        pk=pk,
        project=request.project,
        distributor_id=admin.distributor_id,
    )


def _page(
    request: access.ProjectRequest,
    agent: ledger.Agent,
    *,
    by_team: bool,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    code = request.project.code
    context = {
        "subject": agent,
        "by_team": by_team,
        "switches": agent.switches.select_related("by", "by_agent").order_by("-at", "-pk"),  # type: ignore[attr-defined]
        "action": reverse("channel_agent_switch" if by_team else "agent_colleague_switch", args=[code, agent.pk]),
        "back": reverse("channel_firm", args=[code, agent.distributor_id])
        if by_team
        else reverse("agent_home", args=[code]),
        "back_label": agent.distributor.name if by_team else _("My page"),
        "self": not by_team and agent.pk == request.agent.pk,
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "channel/agent_switch.html", context, status=status)


def _switch(request: access.ProjectRequest, agent: ledger.Agent, *, by_team: bool) -> HttpResponse:
    form = {"reason": str(request.POST.get("reason", "")), "confirmed": request.POST.get("confirmed") == "yes"}
    try:
        distributors.agent_switch(
            agent=agent,
            active=not agent.active,
            reason=form["reason"],
            confirmed=bool(form["confirmed"]),
            staff=request.staff if by_team else None,
            by_agent=None if by_team else request.agent,
        )
    except DomainError as error:
        return _page(
            request, agent, by_team=by_team, form=form, errors={error.field or "reason": said(error)}, status=400
        )
    if agent.active:
        messages.success(request, _("%(name)s is active again: they may sign in and register.") % {"name": agent.name})
    else:
        messages.success(
            request,
            _(
                "%(name)s is switched off: they and their tokens are refused until switched back on; what they "
                "registered keeps its protection."
            )
            % {"name": agent.name},
        )
    name = "channel_agent" if by_team else "agent_colleague"
    return redirect(name, project=request.project.code, pk=agent.pk)


@team_page
def team_agent(request: access.ProjectRequest, pk: int) -> HttpResponse:
    return _page(request, _teams(request, pk), by_team=True)


@require_POST
@team_page
def team_agent_switch(request: access.ProjectRequest, pk: int) -> HttpResponse:
    return _switch(request, _teams(request, pk), by_team=True)


@agent_page
def colleague(request: access.ProjectRequest, pk: int) -> HttpResponse:
    return _page(request, _colleague(request, pk), by_team=False)


@require_POST
@agent_page
def colleague_switch(request: access.ProjectRequest, pk: int) -> HttpResponse:
    return _switch(request, _colleague(request, pk), by_team=False)
