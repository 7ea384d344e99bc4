"""The sales manager's pages: approvals, departures, the policy; a dispute read event by event."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
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
from leadledger.web.templatetags.web import event_label, relation_label

from . import charts, dashboard, exports, policy_editor, queue, services
from . import selectors as desk_selectors
from .models import Dispute, RenewalRequest, Suspension

approver_page = access.capability_page(capabilities.APPROVE)
seer_page = access.capability_page(capabilities.SEE_CUSTOMERS)
ruler_page = access.capability_page(capabilities.RULE)
DEPARTURE_FIELDS = ("staff", "reason", "notice_on")
RULES_DEPARTED = ("IH-1", "IH-4", "IH-5", "IH-6", "IH-7", "IH-8", "IH-10", "IH-11", "IH-12", "IH-13", "IH-17", "D-2")


def _said(request: access.ProjectRequest, error: DomainError) -> None:
    messages.error(request, said(error))


@approver_page
def manage(request: access.ProjectRequest) -> HttpResponse:
    return _manage_page(request)


def _dashboard_charts(board: dashboard.Dashboard) -> dict[str, Any]:
    labels = [f"{d.day:%m-%d}" for d in board.days]
    return {
        "visits": charts.bars(
            labels,
            [
                charts.Series(_("First visits"), [d.new for d in board.days]),
                charts.Series(_("Return visits"), [d.returning for d in board.days]),
            ],
            title=_("Visits per day"),
            stacked=True,
        ),
        "conversion": charts.bars(
            [c.name for c in board.consultants],
            [
                charts.Series(_("First visits"), [c.new for c in board.consultants]),
                charts.Series(_("Deals"), [c.deals for c in board.consultants]),
            ],
            title=_("First visits and deals per consultant"),
        ),
        "disputes": charts.bars(
            labels,
            [
                charts.Series(_("Disputes raised"), [d.disputes for d in board.days]),
                charts.Series(_("Rulings"), [d.rulings for d in board.days]),
            ],
            title=_("Ownership disputes and rulings per day"),
        ),
    }


@functools.lru_cache(maxsize=32)
def _dashboard_html(language: str, zone: str, project_code: str, board: dashboard.Dashboard) -> SafeString:
    """The dashboard's charts and tables, drawn once for the same figures, language and time zone.

    They are most of the manager's page (a look drew some 700 values through the template, 20 ms of its
    48); every look counts the figures afresh (a few index reads), and only when they changed are they
    drawn again. The key holds everything drawn: nothing in it depends on who looks. An erased customer's
    name can stay in a worker's memory until its entry is pushed out (32 at most), never to be shown
    again: no board drawn after the erasure has it, so none matches that entry.
    """
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        context = {"board": board, "charts": _dashboard_charts(board), "project_code": project_code}
        return mark_safe(render_to_string("desk/_dashboard.html", context))


def _manage_page(
    request: access.ProjectRequest, *, departure: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """The manager's page; `departure` re-shows the departure form as typed with its error under the field."""
    policy = convert.policy_of(request.project)
    language = lang()
    now = timezone.now()
    names = web_selectors.request_staff_names(request)
    waiting_counts = web_selectors.once(request, "waiting", lambda: queue.waiting_counts(request.project, now))
    window = dashboard.window_of(request.GET.get("days"))
    # The queue counts the open disputes as the dashboard does (unsettled): counted once for both.
    open_disputes = waiting_counts[queue.Kind.DISPUTE]
    board = dashboard.dashboard(request.project, now, window, names=names, open_disputes=open_disputes)
    # The counts say whether there is any renewal or suspension to list: none, and the list is not read.
    renewals: Any = []
    if waiting_counts[queue.Kind.RENEWAL]:
        renewals = (
            RenewalRequest.objects.filter(project=request.project, status="pending")
            .select_related("customer__verdict", "staff")
            .order_by("at")
        )
    suspensions: Any = []
    if waiting_counts[queue.Kind.SUSPENSION]:
        suspensions = (
            Suspension.objects.filter(project=request.project, until__gt=now).select_related("staff").order_by("until")
        )
    context = {
        "board": board,
        "dashboard_html": _dashboard_html(
            translation.get_language(), timezone.get_current_timezone_name(), request.project.code, board
        ),
        "windows": dashboard.WINDOWS,
        "waiting": waiting_counts,
        "waiting_total": sum(waiting_counts.values()),
        "requests": renewals,
        "consultants": web_selectors.request_consultants(request),
        "suspensions": suspensions,
        "policy_title": policy_editor.policy_title(policy, language),
        "policy_rows": policy_editor.policy_rows(policy, language),
        "may_set_policy": capabilities.SET_POLICY in request.capabilities,
        "lookup_signals": _lookup_signals(request),
        "departure": departure or {},
        "departing": whole_id(str(((departure or {}).get("typed") or {}).get("staff", ""))),  # the one chosen
        "today": timezone.localtime(now).strftime("%Y-%m-%d"),  # the latest notice date a resignation may give
    }
    if not departure:  # the forms as they are drawn for everyone who looks, not one re-shown with its errors
        context["forms_html"] = _forms_html(request, context)
    return render(request, "desk/manage.html", context, status=status)


# The CSRF token in the forms kept drawn: a raw "<", which no text drawn with autoescape holds, marked safe.
FORMS_CSRF = mark_safe("<\x00csrf\x00>")


def _forms_html(request: access.ProjectRequest, context: dict[str, Any]) -> SafeString:
    """`desk/_manage_forms.html` for the page's inputs, drawn once a process for the same ones (`_forms_drawn`)."""
    key = json.dumps(
        [
            translation.get_language(),
            get_script_prefix(),  # the forms' URLs are reversed in the kept render
            timezone.get_current_timezone_name(),
            request.project.code,
            context["today"],
            [[person.pk, person.name] for person in context["consultants"]],
            context["policy_title"],
            [[row["label"], row["value"], list(row["rules"])] for row in context["policy_rows"]],
            context["may_set_policy"],
        ],
        default=str,
    )
    return mark_safe(_forms_drawn(key).replace(FORMS_CSRF, get_token(request)))


@functools.lru_cache(maxsize=32)
def _forms_drawn(key: str) -> str:
    """The suspension and departure forms and the policy in force for their exact inputs (the key holds all of
    them: language, time zone, project, today, the consultants, the policy as shown, whether it may be
    changed), with a stand-in for the CSRF token. A renamed consultant, a departure, a policy change, another
    day or language is another key: nothing kept is shown for inputs it was not drawn from."""
    language, _prefix, zone, code, today, consultants, title, rows, may_set = json.loads(key)
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        context = {
            "request": {"project": {"code": code}},
            "csrf_token": FORMS_CSRF,
            "consultants": [{"pk": pk, "name": name} for pk, name in consultants],
            "departure": {},
            "departing": None,
            "today": today,
            "policy_title": title,
            "policy_rows": [{"label": label, "value": value, "rules": rules} for label, value, rules in rows],
            "may_set_policy": may_set,
        }
        return render_to_string("desk/_manage_forms.html", context)


@approver_page
def manage_queue(request: access.ProjectRequest) -> HttpResponse:
    items, counts = queue.waiting(request.project)
    context = {
        "items": items,
        "counts": counts,
        "limit": queue.QUEUE_LIMIT,
        "may_rule": capabilities.RULE in request.capabilities,
        "channel_verifies": _channel_verifies(request, [i.item for i in items if i.kind == queue.Kind.RELATION]),
    }
    return render(request, "desk/queue.html", context)


def _channel_verifies(request: access.ProjectRequest, relations: Sequence[models.Relation]) -> dict[int, str]:
    """The relations the channel team verifies (decision 484), asked as the desk's refusal asks: the page offers
    no Verify button for them, only a line saying so, linking to the special case for whoever may open it."""
    from django.urls import reverse

    from leadledger.channel.case_selectors import relations_for_the_channel

    opens = capabilities.MANAGE_CHANNEL in request.capabilities
    code = request.project.code
    return {
        pk: reverse("channel_case", args=[code, case.pk]) if case is not None and opens else ""
        for pk, case in relations_for_the_channel(relations).items()
    }


def _kind_name(kind: str) -> str:
    return {
        queue.Kind.DISPUTE: _("Dispute"),
        queue.Kind.RENEWAL: _("Renewal"),
        queue.Kind.RELATION: _("Relation to verify"),
        queue.Kind.SUSPENSION: _("Suspension"),
    }[kind]


def _list_rows(request: access.ProjectRequest, name: str) -> tuple[str, list[str], Iterable[Sequence[Any]]]:
    """A list shown on the manager's pages as a sheet: its title, its header and its rows."""
    project, now = request.project, timezone.now()
    if name in ("visits", "consultants", "disputes"):
        board = dashboard.dashboard(project, now, dashboard.window_of(request.GET.get("days")))
        if name == "visits":
            return (
                _("Visits per day"),
                [_("Day"), _("Visits"), _("First visits"), _("Return visits")],
                [(d.day, d.visits, d.new, d.returning) for d in board.days],
            )
        if name == "consultants":
            return (
                _("Conversion"),
                [_("Consultant"), _("Visits"), _("First visits"), _("Deals"), _("Deals per first visit (%)")],
                [(c.name, c.visits, c.new, c.deals, c.conversion) for c in board.consultants],
            )
        return (
            _("Disputes and rulings"),
            [_("Day"), _("Disputes raised"), _("Rulings")],
            [(d.day, d.disputes, d.rulings) for d in board.days],
        )
    if name == "expiring":
        names = web_selectors.staff_names(project)
        rows, _count = dashboard.claims_expiring(project, now, names, limit=None)
        return (
            _("Claims expiring this week"),
            [_("Customer"), _("Owner"), _("Valid until")],
            [(r.name, r.owners, r.until) for r in rows],
        )
    if name == "queue":
        items, _counts = queue.waiting(project, now)
        return (
            _("Waiting for you"),
            [_("What"), _("Since"), _("Customer"), _("Who"), _("Details")],
            [(_kind_name(i.kind), i.at, i.customer.name if i.customer else "", i.who, i.what) for i in items],
        )
    if name == "renewals":
        found = RenewalRequest.objects.filter(project=project, status="pending").select_related("customer", "staff")
        return (
            _("Renewals waiting for approval"),
            [_("Customer"), _("Consultant"), _("Reason"), _("Asked")],
            [(r.customer.name, r.staff.name, r.reason, r.at) for r in found.order_by("at")],
        )
    if name == "suspensions":
        found = Suspension.objects.filter(project=project, until__gt=now).select_related("staff").order_by("until")
        return (
            _("Suspensions from the rotation"),
            [_("Consultant"), _("Until"), _("Reason")],
            [(s.staff.name, s.until, s.reason) for s in found],
        )
    if name == "lookups":
        return (
            _("Lookups to look into"),
            [_("What"), _("Who"), _("First lookup"), _("Last lookup"), _("Lookups")],
            [
                (i["signal"].get_kind_display(), i["who"], i["signal"].first_at, i["signal"].last_at, i["signal"].count)
                for i in _lookup_signals(request)
            ],
        )
    if name == "policy":
        rows = policy_editor.policy_rows(convert.policy_of(project), lang())
        return (
            _("Policy in force"),
            [_("Setting"), _("Value"), _("Rules")],
            [(row["label"], row["value"], ", ".join(row["rules"])) for row in rows],
        )
    raise Http404


EXPORTS = ("visits", "consultants", "disputes", "expiring", "queue", "renewals", "suspensions", "lookups", "policy")


@approver_page
def manage_export(request: access.ProjectRequest, name: str) -> HttpResponse:
    """Any list of the manager's pages as an Excel file, cells neutralised as every file the app writes."""
    if name not in EXPORTS:
        raise Http404
    title, header, rows = _list_rows(request, name)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return exports.xlsx_response(f"{request.project.code}-{name}-{stamp}", title, header, rows)


BACK = {"queue": "manage_queue", "manage": "manage"}


def _back(request: access.ProjectRequest, default: str = "manage") -> HttpResponse:
    """Back to the page the action was taken from (the queue or the management page)."""
    return redirect(BACK.get(request.POST.get("back", ""), BACK[default]), project=request.project.code)


def _lookup_signals(request: access.ProjectRequest) -> list[dict[str, Any]]:
    """Bursts of lookups by one person (ledger.lookups), newest first, each with the person's name here."""
    signals = lookups.signals_recent(request.project)
    names = {p.user_id: p.name for p in web_selectors.request_people(request) if p.user_id is not None}
    return [{"signal": s, "who": names.get(s.user_id) or s.user.get_username()} for s in signals]


@require_POST
@approver_page
def manage_renewal(request: access.ProjectRequest, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        decided = services.renewal_decide(manager=request.staff, request_id=pk, approve=approve, user=request.user)
    except RenewalRequest.DoesNotExist:
        messages.error(request, _("This request is no longer there."))
    except DomainError as error:
        _said(request, error)
    else:
        names = {"customer": decided.customer.name, "staff": decided.staff.name}
        if approve:
            verdict = models.Verdict.objects.filter(customer_id=decided.customer_id).values_list("until", flat=True)
            until = verdict.first()
            names["until"] = date_format(timezone.localtime(until), "SHORT_DATE_FORMAT") if until else "—"
            messages.success(
                request, _("Renewal approved: %(customer)s stays with %(staff)s, valid until %(until)s.") % names
            )
        else:
            messages.success(request, _("Renewal refused: %(staff)s's claim on %(customer)s keeps its date.") % names)
    return _back(request)


@require_POST
@approver_page
def manage_suspension(request: access.ProjectRequest) -> HttpResponse:
    days = whole_id(request.POST.get("days", "0").strip())  # ASCII digits: "١٢" is not twelve days here
    if days is None or days > 365:
        messages.error(request, pick("天数应在 0 到 365 之间", "days must be between 0 and 365"))
        return _back(request)
    staff = access.posted_id(request, "staff")
    try:
        services.suspension_set(
            manager=request.staff, staff=str(staff), days=days, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        _said(request, error)
    else:
        name = models.Staff.objects.filter(pk=staff).values_list("name", flat=True).first() or ""
        if days:
            messages.success(
                request,
                _("%(name)s is off the rotation for %(days)s days.") % {"name": name, "days": days},
            )
        else:
            messages.success(request, _("%(name)s is back on the rotation.") % {"name": name})
    return _back(request)


@require_POST
@ruler_page
def manage_departure(request: access.ProjectRequest) -> HttpResponse:
    """A departure asks "are you sure?" on a page of its own first, saying what leaving does to the
    consultant's commission (IH-13); only the confirmed form records it."""
    from leadledger.money import services as money

    leaver = get_object_or_404(models.Staff, pk=access.posted_id(request, "staff"), project=request.project)
    reason = request.POST.get("reason", "")
    try:
        notice_on = services.notice_read(request.POST.get("notice_on")) if reason == "resigned" else None
        if request.POST.get("confirmed") != "yes":
            services.departure_checked(by=request.staff, leaver=leaver, reason=reason)
            owned = models.Verdict.objects.filter(project=request.project, owners__has_key=str(leaver.pk)).count()
            settles, amount = money.leaving_settlement(leaver, reason, notice_on, timezone.localdate())
            context = {
                "leaver": leaver,
                "reason": reason,
                "owned": owned,
                "notice_on": notice_on.isoformat() if notice_on else "",
                "settles": settles,
                "amount": amount,
            }
            return render(request, "desk/departure_confirm.html", context)
        settles, amount = money.leaving_settlement(leaver, reason, notice_on, timezone.localdate())
        services.departure_record(
            by=request.staff, leaver=leaver, reason=reason, user=request.user, notice_on=notice_on
        )
    except DomainError as error:
        # Said under the field it is about, the form as typed (a confirmed form refused goes back to it too).
        field = error.field if error.field in DEPARTURE_FIELDS else "form"
        typed = {"staff": str(leaver.pk), "reason": reason, "notice_on": request.POST.get("notice_on", "")}
        return _manage_page(request, departure={"typed": typed, "errors": {field: said(error)}}, status=400)
    else:
        messages.success(
            request,
            _("%(name)s's departure is recorded: their customers without a deal are back in the pool.")
            % {"name": leaver.name},
        )
        settled = {
            "paid": _("%(amount)s yuan of commission is paid to %(name)s on leaving (IH-13)."),
            "forfeited": _("%(amount)s yuan of unpaid commission is forfeited to the department pool (IH-13)."),
            "kept": _("%(amount)s yuan of commission falls due to %(name)s by the plan's schedule (IH-13)."),
        }
        if amount:
            messages.info(request, settled[settles] % {"amount": amount, "name": leaver.name})
    return redirect("manage", project=request.project.code)


def _timeline(request: access.ProjectRequest, customer: models.Customer) -> engine.Timeline:
    return selectors.timeline_for(request.project, [customer.pk])


def _story(
    request: access.ProjectRequest, customer: models.Customer, timeline: engine.Timeline
) -> list[dict[str, Any]]:
    """Every event of the customer's household, with the verdict before and after it (the page and its sheet)."""
    cid = str(customer.pk)
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
    return story


@ruler_page
def dispute(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """Every event of the customer's household, with the verdict before and after it (IH-16 needs this)."""
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    timeline = _timeline(request, customer)
    cid, language = str(customer.pk), lang()
    story = _story(request, customer, timeline)
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
        "relations": (relations := desk_selectors.relations_of(customer)),
        "channel_verifies": _channel_verifies(request, [relation for relation, _other in relations]),
        "open_disputes": Dispute.objects.filter(customer=customer, settled_at__isnull=True)
        .select_related("raised_by")
        .order_by("at"),
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


@ruler_page
def dispute_events_export(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """The dispute page's events as an Excel sheet: what the table shows, each verdict as its chip reads."""
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    timeline = _timeline(request, customer)
    language, now = lang(), timezone.now()
    names = web_selectors.staff_names(request.project)
    agents = {str(a): n for a, n in models.Agent.objects.filter(project=request.project).values_list("pk", "name")}
    policy = convert.policy_of(request.project)

    def face(verdict: Any) -> str:
        chip = chips.chip_of(verdict, names=names, agents=agents, policy=policy, now=now, lang=language, readable=False)
        return " · ".join(part for part in (chip.text, chip.channel) if part)

    rows = [
        (
            line["row"].seq,
            line["row"].at,
            str(event_label(line["row"].kind)),
            line["site"],
            "、".join(line["who"].values()),
            (line["row"].actor.get_full_name() or line["row"].actor.username) if line["row"].actor else "",
            face(line["before"]),
            face(line["after"]),
        )
        for line in _story(request, customer, timeline)
    ]
    header = [_("No."), _("When"), _("What"), _("Site"), _("Who"), _("Recorded by"), _("Before"), _("After")]
    stamp = timezone.localtime().strftime("%Y%m%d")
    return exports.xlsx_response(
        f"{request.project.code}-dispute-{customer.pk}-{stamp}", _("Dispute events"), header, rows
    )


@require_POST
@ruler_page
def dispute_ruling(request: access.ProjectRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    staff = None
    chosen = request.POST.get("staff", "").strip()
    if not chosen:  # no default: "nobody" is a choice the manager makes, not what an untouched form says
        messages.error(request, _("Choose who the customer belongs to, or the pool."))
        return redirect("dispute", project=request.project.code, pk=pk)
    if chosen != POOL:
        staff = get_object_or_404(models.Staff, pk=access.posted_id(request, "staff"), project=request.project)
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
    else:
        if staff is None:
            messages.success(request, _("Ruled: %(customer)s goes to the pool.") % {"customer": customer.name})
        else:
            messages.success(
                request,
                _("Ruled: %(customer)s belongs to %(staff)s.") % {"customer": customer.name, "staff": staff.name},
            )
    return redirect("dispute", project=request.project.code, pk=pk)


POOL = "pool"  # the ruling form's explicit choice of nobody (IH-13's pool)


@require_POST
@ruler_page
def relation_verify(request: access.ProjectRequest, pk: int) -> HttpResponse:
    relation = get_object_or_404(models.Relation.objects.select_related("a", "b"), pk=pk, project=request.project)
    try:
        services.relation_verify(manager=request.staff, relation=relation)
    except DomainError as error:  # a distributor's customer: the channel team's (decision 484)
        messages.error(request, said(error))
        if request.POST.get("back") == "queue":
            return redirect("manage_queue", project=request.project.code)
        return redirect("dispute", project=request.project.code, pk=relation.a_id)
    messages.success(
        request,
        _("Relation verified: %(a)s and %(b)s (%(kind)s); both are judged again from now on.")
        % {"a": relation.a.name, "b": relation.b.name, "kind": relation_label(relation.kind)},
    )
    if request.POST.get("back") == "queue":
        return redirect("manage_queue", project=request.project.code)
    return redirect("dispute", project=request.project.code, pk=relation.a_id)


@require_POST
@seer_page
def dispute_raise(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """Contest who a customer belongs to, from the customer's page: it waits for the manager's ruling."""
    customer = get_object_or_404(models.Customer, pk=pk, project=request.project)
    try:
        services.dispute_raise(staff=request.staff, customer=customer, reason=request.POST.get("reason", ""))
    except DomainError as error:
        _said(request, error)
    else:
        messages.success(request, _("Your dispute is waiting for the manager's ruling."))
    return redirect("customer", project=request.project.code, pk=pk)
