"""The channel team's pages (D-10, D-13, D-14): cases waiting, one case, risk signals; an agent's appeal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.engine.model import SAME_PERSON
from leadledger.ledger import lookups
from leadledger.ledger import models as ledger
from leadledger.web import access
from leadledger.web.speech import lang, said
from leadledger.web.templatetags.web import relation_choices

from . import case_selectors, cases, evidence, selectors, signals
from .models import Case, Evidence, Note, SignalMark

team_page = access.capability_page(capabilities.MANAGE_CHANNEL)
agent_page = access.agent_page()


def _team(
    request: access.ProjectRequest, *, form: dict[str, str] | None = None, errors: Any = None, status: int = 200
) -> HttpResponse:
    project = request.project
    context = {
        "open": case_selectors.cases_open(project),
        "decided": case_selectors.cases_decided(project),
        "signals": case_selectors.risk_signals(project, timezone.now(), lang()),
        "agents": ledger.Agent.objects.filter(project=project)
        .select_related("distributor")
        .order_by("distributor__name", "name"),
        "relations": [(k, label) for k, label in relation_choices() if k != SAME_PERSON],
        "form": form or {},
        "errors": errors or {},
        "mark_states": SignalMark.State.choices,
    }
    return render(request, "channel/team.html", context, status=status)


@team_page
def team_home(request: access.ProjectRequest) -> HttpResponse:
    return _team(request)


@require_POST
@team_page
def case_open(request: access.ProjectRequest) -> HttpResponse:
    """The situation form (客户情况说明表): a special case opened by the channel team."""
    form = {k: str(request.POST.get(k, "")) for k in ("agent", "phone", "other_phone", "relation", "statement")}
    agent = ledger.Agent.objects.filter(
        project=request.project, pk=access.posted_id(request, "agent", required=False) or 0
    ).first()
    try:
        if agent is None:
            raise cases.LedgerError("请选择经纪人", "choose the agent", field="agent")
        case = cases.situation_open(
            staff=request.staff,
            agent=agent,
            phone=form["phone"],
            other_phone=form["other_phone"],
            kind=form["relation"],
            statement=form["statement"],
        )
    except lookups.LookupRefused as refused:
        messages.error(request, said(refused))
        return _team(request, form=form, status=429)
    except DomainError as error:
        return _team(request, form=form, errors={error.field or "statement": said(error)}, status=400)
    messages.success(
        request, _("Special case opened: add the evidence and the verification, then the channel manager decides.")
    )
    return redirect("channel_case", project=request.project.code, pk=case.pk)


@require_POST
@team_page
def signal_mark(request: access.ProjectRequest) -> HttpResponse:
    """The "worked" mark on a risk signal (decision 483): looked at or dealt with, with a note."""
    form = {k: str(request.POST.get(k, "")) for k in ("key", "state", "note")}
    try:
        signals.signal_mark(
            staff=request.staff, key=form["key"], state=form["state"], note=form["note"], now=timezone.now()
        )
    except DomainError as error:
        mark_errors = {"key": form["key"], error.field or "note": said(error)}
        return _team(request, form={"mark": form}, errors={"mark": mark_errors}, status=400)
    messages.success(request, _("Risk signal marked: the team sees who marked it and when."))
    return redirect("channel_team", project=request.project.code)


def _case_of(request: access.ProjectRequest, pk: int) -> Case:
    return get_object_or_404(
        Case.objects.select_related("customer", "agent__distributor", "relation__a", "relation__b", "decided_by"),
        pk=pk,
        project=request.project,
    )


def _case_page(request: access.ProjectRequest, case: Case, *, errors: Any = None, status: int = 200) -> HttpResponse:
    context = {
        "view": case_selectors.case_view(case, timezone.now(), lang()),
        "case": case,
        "evidence": case.evidence.select_related("uploaded_by").order_by("at"),
        "notes": case.notes.select_related("by").order_by("at"),
        "evidence_kinds": Evidence.Kind.choices,
        "methods": Note.Method.choices,
        "may_decide": capabilities.RULE in request.capabilities,
        "errors": errors or {},
    }
    return render(request, "channel/case.html", context, status=status)


@team_page
def case_page(request: access.ProjectRequest, pk: int) -> HttpResponse:
    return _case_page(request, _case_of(request, pk))


@require_POST
@team_page
def case_note(request: access.ProjectRequest, pk: int) -> HttpResponse:
    case = _case_of(request, pk)
    try:
        cases.note_add(
            staff=request.staff, case=case, method=request.POST.get("method", ""), text=request.POST.get("text", "")
        )
    except DomainError as error:
        return _case_page(request, case, errors={error.field or "text": said(error)}, status=400)
    messages.success(request, _("Verification note recorded."))
    return redirect("channel_case", project=request.project.code, pk=case.pk)


@require_POST
@team_page
def case_evidence(request: access.ProjectRequest, pk: int) -> HttpResponse:
    case = _case_of(request, pk)
    try:
        cases.evidence_add(
            case=case, user=request.user, kind=request.POST.get("kind", ""), upload=request.FILES.get("file")
        )
    except DomainError as error:
        return _case_page(request, case, errors={error.field or "file": said(error)}, status=400)
    messages.success(request, _("Evidence uploaded."))
    return redirect("channel_case", project=request.project.code, pk=case.pk)


@require_POST
@team_page
def case_decide(request: access.ProjectRequest, pk: int) -> HttpResponse:
    case = _case_of(request, pk)
    try:
        decided = cases.case_decide(
            manager=request.staff,
            case=case,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        return _case_page(request, case, errors={error.field or "decision": said(error)}, status=400)
    if decided.decision == Case.Decision.UPHELD:
        messages.success(request, _("Upheld. The distributor's on-site representative sees the result on their page."))
    else:
        messages.success(
            request, _("Rejected. The distributor's on-site representative sees the result on their page.")
        )
    return redirect("channel_case", project=request.project.code, pk=case.pk)


@team_page
def case_file(request: access.ProjectRequest, pk: int, file: int) -> HttpResponse:
    """A piece of evidence, to the channel team only (decision 361): downloaded, never shown inline."""
    item = get_object_or_404(Evidence, pk=file, case__pk=pk, case__project=request.project)
    try:
        handle = evidence.path_of(item.sha256).open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=item.content_type, as_attachment=True, filename=item.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- the agent's appeal ------------------------------------------------------------------------------


def _appeal_page(
    request: access.ProjectRequest, seq: int, *, form: Any = None, errors: Any = None, status: int = 200
) -> HttpResponse:
    registration = selectors.registration_in_view(request.project, seq, request.agent)
    if registration is None:  # another agent's, or none: the same answer
        raise Http404
    row = next((r for r in selectors.registrations_shown(request.agent, timezone.now(), lang()) if r.seq == seq), None)
    context = {"seq": seq, "row": row, "kinds": Evidence.Kind.choices, "form": form or {}, "errors": errors or {}}
    return render(request, "channel/appeal.html", context, status=status)


@agent_page
def agent_appeal(request: access.ProjectRequest, seq: int) -> HttpResponse:
    if request.method != "POST":
        return _appeal_page(request, seq)
    form = {"statement": str(request.POST.get("statement", "")), "kind": str(request.POST.get("kind", ""))}
    upload = request.FILES.get("file")
    try:
        cases.appeal_file(
            agent=request.agent,
            user=request.user,
            seq=seq,
            statement=form["statement"],
            kind=form["kind"],
            upload=upload,
        )
    except DomainError as error:
        if selectors.registration_in_view(request.project, seq, request.agent) is None:
            raise Http404 from None
        return _appeal_page(request, seq, form=form, errors={error.field or "statement": said(error)}, status=400)
    messages.success(request, _("Appeal filed. The channel manager decides; the result will show here."))
    return redirect("agent_home", project=request.project.code)
