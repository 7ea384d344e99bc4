"""The sales manager's pages: approvals, departures, the policy; a dispute read event by event."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadledger import capabilities, engine
from leadledger.engine.answers import proposal_from, what_if
from leadledger.engine.errors import DomainError
from leadledger.engine.model import EVENT_TYPES
from leadledger.engine.scenario import scenario_data
from leadledger.engine.text import whole_id
from leadledger.ledger import convert, lookups, models, selectors
from leadledger.ledger import services as services_ledger
from leadledger.web import access, chips
from leadledger.web import selectors as web_selectors
from leadledger.web.speech import lang, pick, said

from . import policy_editor, services
from . import selectors as desk_selectors
from .models import RenewalRequest, Suspension

approver_page = access.capability_page(capabilities.APPROVE)
ruler_page = access.capability_page(capabilities.RULE)
RULES_DEPARTED = ("IH-1", "IH-4", "IH-5", "IH-6", "IH-7", "IH-8", "IH-10", "IH-11", "IH-12", "IH-13", "IH-17", "D-2")


def _said(request: access.ProjectRequest, error: DomainError) -> None:
    messages.error(request, said(error))


@approver_page
def manage(request: access.ProjectRequest) -> HttpResponse:
    return _manage_page(request)


def _manage_page(request: access.ProjectRequest) -> HttpResponse:
    policy = convert.policy_of(request.project)
    language = lang()
    context = {
        "requests": RenewalRequest.objects.filter(project=request.project, status="pending")
        .select_related("customer__verdict", "staff")
        .order_by("at"),
        "consultants": capabilities.owner_candidates(request.project),
        "suspensions": Suspension.objects.filter(project=request.project, until__gt=timezone.now())
        .select_related("staff")
        .order_by("until"),
        "policy_title": policy_editor.policy_title(policy, language),
        "policy_rows": policy_editor.policy_rows(policy, language),
        "may_set_policy": capabilities.SET_POLICY in request.capabilities,
        "lookup_signals": _lookup_signals(request),
    }
    return render(request, "desk/manage.html", context)


def _lookup_signals(request: access.ProjectRequest) -> list[dict[str, Any]]:
    """Bursts of lookups by one person (ledger.lookups), newest first, each with the person's name here."""
    signals = lookups.signals_recent(request.project)
    names = dict(
        models.Staff.objects.filter(project=request.project, user_id__in={s.user_id for s in signals}).values_list(
            "user_id", "name"
        )
    )
    return [{"signal": s, "who": names.get(s.user_id) or s.user.get_username()} for s in signals]


@require_POST
@approver_page
def manage_renewal(request: access.ProjectRequest, pk: int) -> HttpResponse:
    try:
        services.renewal_decide(
            manager=request.staff, request_id=pk, approve=request.POST.get("decision") == "approve", user=request.user
        )
    except (DomainError, RenewalRequest.DoesNotExist) as error:
        if isinstance(error, DomainError):
            _said(request, error)
    return redirect("manage", project=request.project.code)


@require_POST
@approver_page
def manage_suspension(request: access.ProjectRequest) -> HttpResponse:
    days = whole_id(request.POST.get("days", "0").strip())  # ASCII digits: "١٢" is not twelve days here
    if days is None or days > 365:
        messages.error(request, pick("天数应在 0 到 365 之间", "days must be between 0 and 365"))
        return redirect("manage", project=request.project.code)
    try:
        services.suspension_set(
            manager=request.staff,
            staff=str(access.posted_id(request, "staff")),
            days=days,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        _said(request, error)
    return redirect("manage", project=request.project.code)


@require_POST
@ruler_page
def manage_departure(request: access.ProjectRequest) -> HttpResponse:
    leaver = get_object_or_404(models.Staff, pk=access.posted_id(request, "staff"), project=request.project)
    try:
        services.departure_record(
            by=request.staff, leaver=leaver, reason=request.POST.get("reason", ""), user=request.user
        )
    except DomainError as error:
        _said(request, error)
    else:
        messages.success(
            request,
            pick(f"{leaver.name}：客户已回到公共池（IH-13）", f"{leaver.name}: customers returned to the pool (IH-13)"),
        )
    return redirect("manage", project=request.project.code)


def _timeline(request: access.ProjectRequest, customer: models.Customer) -> engine.Timeline:
    return selectors.timeline_for(request.project, [customer.pk])


@ruler_page
def dispute(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """Every event of the customer's household, with the verdict before and after it (IH-16 needs this)."""
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    timeline = _timeline(request, customer)
    cid, language = str(customer.pk), lang()
    names = web_selectors.staff_names(request.project)
    rows = models.Event.objects.filter(
        project=request.project, customer_id__in=[int(c) for c in timeline.cast.customers]
    )
    ids = {event.seq: event.id for event in timeline.events}
    story = []
    for row in rows.select_related("actor").order_by("at", "seq"):
        before, after = timeline.verdicts_around(cid, ids[row.seq])
        fields = json.loads(row.body)
        event = convert.engine_event(row.kind, row.seq, row.at, fields)
        named = EVENT_TYPES[row.kind].staff_fields  # the staff it names, as its type declares them
        story.append(
            {
                "row": row,
                "who": {k: names.get(str(v), str(v)) for k, v in fields.items() if k in named and v is not None},
                "site": getattr(event, "site", None) or "",
                "before": before,
                "after": after,
                "changed": (before.owners, before.status) != (after.owners, after.status),
            }
        )
    proposal = request.GET.get("what_if", "").strip()
    asked = {key: request.GET.get(key, "").strip()[:100] for key in ("preset", "param", "value")}
    changes, proposal_error = None, ""
    if proposal or asked["preset"] or asked["param"]:
        try:
            proposed = proposal_from(proposal) if proposal else _proposal_asked(asked)
            changes = _changes_shown(what_if(_scenario(request, customer, timeline), proposed, lang=language))
        except DomainError as error:
            proposal_error = said(error)
    context = {
        "customer": customer,
        "story": story,
        "now": timeline.verdict(cid, timezone.now()),
        "consultants": capabilities.owner_candidates(request.project),
        "rules": RULES_DEPARTED,
        "relations": desk_selectors.relations_of(customer),
        "proposal": proposal,
        "asked": asked,
        "presets": [(key, engine.preset_name(key, language)) for key in engine.PRESETS],
        "parameters": [
            (p.name, policy_editor.with_unit(p.label(language), p.unit_in(language), language), p.rules)
            for p in engine.PARAMETERS
            if p.editable and p.group != "shown"
        ],
        "proposal_error": proposal_error,
        "changes": changes,
    }
    return render(request, "desk/dispute.html", context)


def _proposal_asked(asked: dict[str, str]) -> dict[str, Any]:
    """The what-if a manager asked for by the form: a preset, and one parameter changed (the engine judges it)."""
    proposed: dict[str, Any] = {"preset": asked["preset"]} if asked["preset"] else {}
    if asked["param"]:
        parameter = engine.PARAMETER.get(asked["param"])
        proposed[asked["param"]] = parameter.read(asked["value"]) if parameter else asked["value"]
    return proposed


def _changes_shown(changes: dict[str, Any]) -> dict[str, Any]:
    """The what-if's changes as the page shows them: each verdict as a chip, each moment in local time."""
    rows = []
    for change in changes["changes"]:
        if "at" not in change:  # a deal's split, said in its sentences
            rows.append({"current": change["current"], "proposed": change["proposed"]})
        else:
            at = datetime.fromisoformat(change["at"])
            rows.append(
                {
                    "at": at,
                    "current": chips.Answered.of(change["current"], at),
                    "proposed": chips.Answered.of(change["proposed"], at),
                }
            )
    return {"changed": changes["changed"], "compared": changes["compared"], "rows": rows}


def _scenario(
    request: access.ProjectRequest,
    customer: models.Customer,
    timeline: engine.Timeline,
    cast: engine.Cast | None = None,
) -> dict[str, Any]:
    now = timezone.now()
    verdict = timeline.verdict(str(customer.pk), now).as_dict("zh")
    zone = ZoneInfo(request.project.time_zone)
    return scenario_data(
        title=f"{request.project.name}: {customer.name or customer.pk}",
        cast=cast or timeline.cast,
        policy={**request.project.policy, "time_zone": request.project.time_zone},
        events=timeline.events,
        expect=[
            {"at": now.astimezone(zone).isoformat(), "customer": str(customer.pk)}
            | {k: verdict[k] for k in ("consultant", "channel", "status")}
        ],
        zone=zone,
    )


EXPORT_REASON = "争议导出 / dispute export"


def _cast_shown(request: access.ProjectRequest, cast: engine.Cast) -> engine.Cast:
    """The cast as this reader may take it away (PIPL): a phone in full only where they may see it
    (`access.may_see_in_full`), each one so shown logged as a disclosure; otherwise masked in the
    project's mode (ID-2), and an ID number left out."""
    mode = web_selectors.phone_mode(request.project)
    stored = models.Customer.objects.filter(project=request.project, pk__in=[int(c) for c in cast.customers])
    people = {str(c.pk): c for c in stored.select_related("verdict")}
    shown = {}
    for cid, person in cast.customers.items():
        row = people.get(cid)
        if row is not None and access.may_see_in_full(request.staff, getattr(row, "verdict", None)):
            for field in ("phone", "id_number"):
                if getattr(row, field) and "*" not in getattr(row, field):
                    services_ledger.personal_data_show(
                        project=request.project, customer=row, user=request.user, field=field, reason=EXPORT_REASON
                    )
            shown[cid] = person
        else:
            shown[cid] = dataclasses.replace(
                person, phone=web_selectors.masked(person.phone, mode) or None, id_number=None
            )
    return dataclasses.replace(cast, customers=shown)


@ruler_page
def dispute_export(request: access.ProjectRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    timeline = _timeline(request, customer)
    data = _scenario(request, customer, timeline, _cast_shown(request, timeline.cast))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="dispute-{customer.pk}.json"'
    return response


@require_POST
@ruler_page
def dispute_ruling(request: access.ProjectRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    staff = None
    if (chosen := access.posted_id(request, "staff", required=False)) is not None:
        staff = get_object_or_404(models.Staff, pk=chosen, project=request.project)
    try:
        services.ruling_make(
            manager=request.staff,
            customer=customer,
            staff=staff,
            rule=request.POST.get("rule", ""),
            reason=request.POST.get("reason", ""),
            user=request.user,
        )
    except DomainError as error:
        _said(request, error)
    return redirect("dispute", project=request.project.code, pk=pk)


@require_POST
@ruler_page
def relation_verify(request: access.ProjectRequest, pk: int) -> HttpResponse:
    relation = get_object_or_404(models.Relation, pk=pk, project=request.project)
    services.relation_verify(manager=request.staff, relation=relation)
    return redirect("dispute", project=request.project.code, pk=relation.a_id)
