"""The desk's pages: thin, over desk.services and desk.selectors; htmx swaps the live parts."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import DEFAULT_DB_ALIAS
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.engine import search_query
from leadledger.engine.errors import DomainError
from leadledger.engine.text import whole_id
from leadledger.engine.visits import INTENTS, SOURCES, visit_details
from leadledger.ledger import models
from leadledger.ledger.lookups import LookupRefused
from leadledger.ledger.prepared import STAND_IN_IDS, PreparedRead
from leadledger.web import access
from leadledger.web import selectors as web_selectors
from leadledger.web.speech import pick, said
from leadledger.web.templatetags.web import relation_choices

from . import highlight, selectors, services
from .models import DeskSearch, DeskVisit
from .rows import match_rows

desk_page = access.capability_page(capabilities.WORK_DESK)
SITE_FIELDS = [field.attname for field in models.Site._meta.concrete_fields]


# The site a desk request names, in the project it is asked in: read by every desk request (ledger.prepared).
_SITE = PreparedRead(
    lambda site, project: models.Site.objects.filter(pk=site, project_id=project).values_list(*SITE_FIELDS),
    STAND_IN_IDS[0],
    STAND_IN_IDS[1],
)


def _site(request: access.ProjectRequest, site: int) -> models.Site:
    found = _SITE.rows(site, request.project.pk) if whole_id(site) is not None else []  # 19 digits: no site
    if not found:
        raise Http404("no such site in this project")
    built = models.Site.from_db(DEFAULT_DB_ALIAS, SITE_FIELDS, found[0])
    built.project = request.project  # already read for the page: not read again for the board's every refresh
    return built


def _board_context(request: access.ProjectRequest, site: models.Site) -> dict[str, object]:
    """Everything the board and today's panel show, and a version of it: the same version, the same HTML."""
    desk = services.rotation_desk(site, consultants=[p.pk for p in web_selectors.request_consultants(request)])
    names = web_selectors.request_staff_names(request)
    today = selectors.today_at_desk(site, timezone.now())
    receiving = desk.receiving()  # the engine says who the next new walk-in goes to; the board repeats it
    highlighted = receiving.staff if receiving.mode in ("rotation", "all_busy") else None
    rows = [
        {
            "id": staff,
            "name": names.get(staff, staff),
            "next": staff == highlighted,
            "lunch": staff == desk.lunch_duty,
            "away": staff in desk.away,
            "busy": staff in desk.busy,
            "suspended": staff in desk.suspended,
            "today": today.by_staff.get(staff, 0),
        }
        for staff in desk.roster
    ]
    shown = {
        "mode": receiving.mode,
        "receiver": names.get(receiving.staff or "", ""),
        "cites": ", ".join(receiving.cites),
        "lunch": desk.lunch_duty is not None,
        "free": desk.free_reception,
        "may_manage": capabilities.FREE_RECEPTION in request.capabilities,
    }
    zone = ZoneInfo(request.project.time_zone)
    counted = [(names.get(staff, staff), count) for staff, count in today.by_staff.items()]
    registered = [
        {
            "seq": visit.seq,
            "time": visit.at.astimezone(zone).strftime("%H:%M"),
            "customer": visit.customer,
            "staff": names.get(visit.staff, visit.staff),
            "returning": visit.returning,
            "party": visit.party,
            "source": pick(*SOURCES[visit.source]) if visit.source in SOURCES else "",
            "intent": visit.intent or "",
            "corrected": visit.corrected,
            "reason": visit.reason,
            # decision 221: whoever registered it, or a manager; the engine says when, on the form
            "may_correct": capabilities.may_correct_visit(
                request.capabilities, registered_by=visit.registered_by, user_id=request.user.pk
            ),
        }
        for visit in today.registered
    ]
    shown["by_staff"] = sorted(counted, key=lambda pair: -pair[1])
    shown["registered"] = registered
    facts = [get_language(), request.project.time_zone, shown, rows, dataclasses.asdict(today)]
    version = hashlib.sha256(json.dumps(facts, default=str, sort_keys=True).encode()).hexdigest()[:16]
    clock = timezone.now().astimezone(ZoneInfo(request.project.time_zone)).strftime("%H:%M:%S")  # ticks in the page
    move_url = reverse("desk_move", args=[request.project.code, site.pk])
    roster = _roster_html(json.dumps([get_language(), move_url, shown["lunch"], rows], sort_keys=True))
    context = {"site": site, "rows": rows, "today": today, "clock": clock, "version": version, **shown}
    return {**context, "roster": roster, "move_url": move_url}


@functools.lru_cache(maxsize=64)
def _roster_html(key: str) -> str:
    """The roster's HTML for its exact inputs (the key holds all of them), shared by every desk that shows it.

    With 30 desks of a site polling every 2 s, each change of the board rebuilt the same 100 rows 30 times
    (four fifths of a changed board's 54 ms); now once per change per worker and language. Nothing in it
    depends on who is looking (the free-reception switch and the corrections, which do, are outside)."""
    language, move_url, lunch, rows = json.loads(key)
    with translation.override(language):
        return mark_safe(render_to_string("desk/_roster.html", {"rows": rows, "lunch": lunch, "move_url": move_url}))


def _last_site_key(request: access.ProjectRequest) -> str:
    return f"desk_site:{request.project.pk}"


@desk_page
def desk_home(request: access.ProjectRequest) -> HttpResponse:
    """The receptionist's desk: the site they last worked at, the only one, or a choice among several."""
    sites = list(models.Site.objects.filter(project=request.project).order_by("pk"))
    if not sites:
        sites = [models.Site.objects.create(project=request.project, name=request.project.name)]
    last = request.session.get(_last_site_key(request))
    chosen = next((site for site in sites if site.pk == last), sites[0] if len(sites) == 1 else None)
    if chosen is not None:
        return redirect("desk", project=request.project.code, site=chosen.pk)
    return render(request, "desk/sites.html", {"sites": sites})


@desk_page
def desk(request: access.ProjectRequest, site: int) -> HttpResponse:
    found = _site(request, site)
    if request.session.get(_last_site_key(request)) != found.pk:
        request.session[_last_site_key(request)] = found.pk  # the desk they come back to (desk_home)
    sites = models.Site.objects.filter(project=request.project).order_by("pk")
    return render(request, "desk/desk.html", {**_board_context(request, found), "sites": sites})


def _results_context(
    request: access.ProjectRequest, site: models.Site, record: DeskSearch, customers: list[models.Customer]
) -> dict[str, object]:
    names = web_selectors.request_staff_names(request)  # the chips read them too
    board = services.rotation_desk(site, consultants=[p.pk for p in web_selectors.request_consultants(request)])
    mode = web_selectors.phone_mode(request.project)
    query = record.query
    asked = search_query(query)
    exact = asked.phone.value if asked.kind == "phone" and asked.phone is not None else None
    customers = selectors.ranked(customers, exact)
    relations = selectors.relations_by_customer(customers)  # one query for every match
    results = []
    for customer in customers:
        verdict = getattr(customer, "verdict", None)
        owner = services.owner_in(verdict, board)  # the verdict came with the search: no query per match
        presence = None
        if owner:
            presence = "busy" if owner in board.busy else "on_site" if board.present(owner) else "away"
        phone = web_selectors.masked(customer.phone, mode)
        results.append(
            {
                "relations": relations[customer.pk],
                "customer": customer,
                "name": highlight.name_marked(customer.name, query),
                "phone": highlight.phone_marked(phone, query) if phone else phone,
                "owner": names.get(owner or "", ""),
                "presence": presence,
            }
        )
    # What the receptionist typed is offered for a new customer only when nobody matched it, and a phone
    # only when it is a full number: a tail (3998) or a mask is never a new customer's phone.
    phone_typed = asked.phone.national if asked.kind == "phone" and asked.phone and not customers else ""
    name_typed = query if asked.kind in ("name", "latin") else ""
    here = [(staff, names.get(staff, staff)) for staff in board.roster if board.present(staff)]
    receiving = board.receiving()
    return {
        "query": query,
        "site": site,
        "search": record,
        "results": results,
        "phone_typed": phone_typed,
        "partial_phone": query if asked.kind in ("digits", "mask") else "",
        "name_typed": name_typed,
        "visit_sources": [(value, pick(zh, en)) for value, (zh, en) in SOURCES.items()],
        "visit_intents": INTENTS,
        "next_name": names.get(receiving.staff or "", ""),  # the lunch duty during lunch
        "next_mode": receiving.mode,  # said as the board says it, and kept so by the board's refresh
        "free": board.free_reception,
        "consultants": here,  # who may be chosen; Q-5: who a visitor may ask for
    }


# A match's customer id, the search's id and the CSRF token in the forms kept for their inputs: each holds a
# raw "<", which text drawn with autoescape never holds (a name "<x>" is drawn "&lt;x&gt;"), and is marked
# safe so that the template draws it as it is: no consultant's name, whatever it holds, is taken for one.
STAND_IN = mark_safe("<\x00match\x00>")
SEARCH_STAND_IN, CSRF_STAND_IN = mark_safe("<\x00search\x00>"), mark_safe("<\x00csrf\x00>")


@functools.lru_cache(maxsize=64)
def _match_forms_html(key: str) -> str:
    """A match's register and relation forms for their exact inputs (the key holds all of them: the language,
    the project's code, the site, free reception and whom it offers), with stand-ins for the search, the
    match and the CSRF token; shared by every search of those inputs (the same form each time until the
    board's free reception or its people change, which change the key)."""
    language, _prefix, code, site, free, consultants = json.loads(key)  # the prefix: the URLs reversed here
    with translation.override(language):
        context = {
            "request": {"project": {"code": code}},
            "site": {"pk": site},
            "search": {"pk": SEARCH_STAND_IN},
            "match": {"customer": {"pk": STAND_IN}},
            "csrf_token": CSRF_STAND_IN,
            "free": free,
            "consultants": consultants,
            "visit_sources": [(value, pick(zh, en)) for value, (zh, en) in SOURCES.items()],
            "visit_intents": INTENTS,
            "relation_kinds": relation_choices(),
        }
        return render_to_string("desk/match_forms.html", context)


def _stamp_match_forms(request: access.ProjectRequest, context: dict[str, Any]) -> None:
    """Each match's register and relation forms, rendered once for all the matches and stamped with each id.

    The forms differ only by the customer's id (a refusal shown under one match is rendered by the
    template for that match alone: `_refused` does not stamp); twenty matches rendered through the
    template cost the fragment more than its queries and its two writes together (docs/benchmarks.md).
    Rendered once per process for the same inputs (`_match_forms_html`), then stamped with this page's
    search and CSRF token.
    """
    if not context.get("results"):
        return
    site: models.Site = context["site"]
    free = bool(context["free"])
    key = json.dumps(
        [
            get_language(),
            get_script_prefix(),
            request.project.code,
            site.pk,
            free,
            context["consultants"] if free else [],
        ]
    )
    once = (
        _match_forms_html(key)
        .replace(SEARCH_STAND_IN, str(context["search"].pk))
        .replace(CSRF_STAND_IN, get_token(request))
    )
    for match in context["results"]:  # type: ignore[union-attr]
        match["forms"] = mark_safe(once.replace(STAND_IN, str(match["customer"].pk)))


TYPED_STAND_INS = {  # what the receptionist typed, in the kept form for somebody new (escaped when stamped)
    "name_typed": mark_safe("<\x00name\x00>"),
    "phone_typed": mark_safe("<\x00phone\x00>"),
    "partial_phone": mark_safe("<\x00partial\x00>"),
}


@functools.lru_cache(maxsize=64)
def _new_customer_html(key: str) -> str:
    """The search's form for somebody new for its exact inputs (the key: the language, the project, the site,
    whether anybody matched, whether a part of a number was typed, free reception, the consultants offered and
    who is next), with stand-ins for the search, the CSRF token and what was typed: as `_match_forms_html`."""
    language, _prefix, code, site, matched, partial, free, consultants, mode, next_name = json.loads(key)
    with translation.override(language):
        context = {
            "request": {"project": {"code": code}},
            "site": {"pk": site},
            "search": {"pk": SEARCH_STAND_IN},
            "csrf_token": CSRF_STAND_IN,
            "results": matched,
            **TYPED_STAND_INS,
            "partial_phone": TYPED_STAND_INS["partial_phone"] if partial else "",
            "free": free,
            "consultants": consultants,
            "visit_sources": [(value, pick(zh, en)) for value, (zh, en) in SOURCES.items()],
            "visit_intents": INTENTS,
            "next_mode": mode,
            "next_name": next_name,
        }
        return render_to_string("desk/new_customer.html", context)


def _stamp_new_customer(request: access.ProjectRequest, context: dict[str, Any]) -> None:
    """The form for somebody new, kept drawn for its inputs (`_new_customer_html`) and stamped with this search,
    the CSRF token and what was typed, escaped as the template escapes them."""
    key = json.dumps(
        [
            get_language(),
            get_script_prefix(),
            request.project.code,
            context["site"].pk,
            bool(context["results"]),
            bool(context["partial_phone"]),
            bool(context["free"]),
            context["consultants"],
            context["next_mode"],
            context["next_name"],
        ]
    )
    values = {
        SEARCH_STAND_IN: str(context["search"].pk),
        CSRF_STAND_IN: get_token(request),
        **{stand_in: conditional_escape(context[name]) for name, stand_in in TYPED_STAND_INS.items()},
    }
    drawn = _new_customer_html(key)
    for stand_in, value in values.items():
        drawn = drawn.replace(stand_in, value)
    context["new_customer"] = mark_safe(drawn)


@desk_page
def desk_search(request: access.ProjectRequest, site: int) -> HttpResponse:
    found_site = _site(request, site)
    query = request.GET.get("q", "").strip()
    if not query or (len(query) < 2 and query.isascii()):  # one character is enough for a surname (张)
        return render(request, "desk/results.html", {"query": query, "site": found_site})
    if search_query(query).kind == "digits":
        # Part of a number matches nobody (ledger.selectors.customer_search): nothing is looked up, so
        # nothing is disclosed, logged or counted against the limits while the number is being typed.
        return render(request, "desk/results.html", {"query": query, "site": found_site, "incomplete": True})
    try:
        after = whole_id(request.GET.get("after", ""))  # the search the box showed before: still being typed?
        record, customers = services.search_log(site=found_site, user=request.user, query=query, after=after)
    except LookupRefused as refused:  # nothing was looked up; the desk says when it may search again
        context = {"query": query, "site": found_site, "refused": said(refused)}
        return render(request, "desk/results.html", context, status=429)
    context = {**_results_context(request, found_site, record, customers), "relation_kinds": relation_choices()}
    _stamp_match_forms(request, context)
    _stamp_new_customer(request, context)
    context["drawn_matches"] = match_rows(request, context["results"])  # type: ignore[arg-type]
    return render(request, "desk/results.html", context)


@require_POST
@desk_page
def desk_register(request: access.ProjectRequest, site: int) -> HttpResponse:
    found_site = _site(request, site)
    search_id, returning = access.posted_id(request, "search"), access.posted_id(request, "customer", required=False)
    chosen = access.posted_id(request, "chosen", required=False)
    asks_for = access.posted_id(request, "asks_for", required=False)
    search = get_object_or_404(DeskSearch, pk=search_id, site=found_site)
    customer = None
    if returning is not None:
        customer = get_object_or_404(models.Customer, pk=returning, project=request.project)
    try:
        details = visit_details(
            party=request.POST.get("party"), source=request.POST.get("source"), intent=request.POST.get("intent")
        )
        done = services.visit_at_desk(
            site=found_site,
            user=request.user,
            search=search,
            customer=customer,
            name=request.POST.get("name", ""),
            phone=request.POST.get("phone", ""),
            asks_for=str(asks_for) if asks_for is not None else None,
            chosen=str(chosen) if chosen is not None else None,
            details=details,
        )
    except DomainError as error:
        return _refused(request, found_site, search, customer, error)
    messages.success(request, _confirmation(done, web_selectors.staff_names(request.project)))
    return redirect("desk", project=request.project.code, site=found_site.pk)


def _confirmation(done: services.Registered, names: dict[str, str]) -> str:
    """What the receptionist is told: who receives, and when it is an assist, that ownership stays (IH-11)."""
    who = names.get(done.visit.staff, "")
    customer = done.customer.name
    cites = [c for c in done.visit.cites.split(",") if c]
    owners_zh = "、".join(names.get(o, o) for o in done.owners)
    owners_en = " and ".join(names.get(o, o) for o in done.owners)
    if done.assisted and done.returning:
        said_cites = ", ".join([*cites, "IH-11"] if "IH-11" not in cites else cites)
        return pick(  # no spaces around Chinese names
            f"已登记{customer}：由{who}协助接待，客户仍归{owners_zh}（{said_cites}）。已通知{owners_zh}。",
            f"{customer} registered: {who} assists; the customer stays with {owners_en} ({said_cites})."
            f" {owners_en} has been told.",
        )
    if done.assisted:  # a new visitor who asked for someone not here, whom the engine names owner (IH-8)
        said_cites = ", ".join([*cites, "IH-8"] if "IH-8" not in cites else cites)
        return pick(
            f"已登记{customer}：由{who}接待，客户归{owners_zh}（{said_cites}）。已通知{owners_zh}。",
            f"{customer} registered: {who} receives; the customer belongs to {owners_en} ({said_cites})."
            f" {owners_en} has been told.",
        )
    said_cites = ", ".join(cites)
    return pick(
        f"已登记{customer}，由{who}接待（{said_cites}）",
        f"{customer} registered; {who} receives ({said_cites})",
    )


def _place(error: DomainError, search: DeskSearch, customer: models.Customer | None) -> str:
    """Where the refusal is shown: next to its field, on the returning visitor's form, or above the results."""
    if error.field in ("party", "source", "intent"):
        return error.field  # shown under the field, in the form it was typed in (`details_for`)
    if customer is not None:
        return "match" if customer.pk in search.found else "top"
    return error.field if error.field in ("name", "phone", "asks_for", "chosen") else "form"


def _refused(
    request: access.ProjectRequest,
    site: models.Site,
    search: DeskSearch,
    customer: models.Customer | None,
    error: DomainError,
) -> HttpResponse:
    """The desk again, with the search's results and what was typed, and the refusal next to its field."""
    order = {pk: i for i, pk in enumerate(search.found)}
    found = models.Customer.objects.filter(pk__in=search.found, project=request.project).select_related("verdict")
    context = _results_context(request, site, search, sorted(found, key=lambda c: order[c.pk]))
    if customer is None:
        context["name_typed"] = request.POST.get("name", "")
        context["phone_typed"] = request.POST.get("phone", "")
    sites = models.Site.objects.filter(project=request.project).order_by("pk")
    return render(
        request,
        "desk/desk.html",
        {
            **_board_context(request, site),
            **context,
            "sites": sites,
            "relation_kinds": relation_choices(),
            "register_error": said(error),
            "error_field": _place(error, search, customer),
            "error_customer": customer.pk if customer is not None else None,
            "asks_for_typed": request.POST.get("asks_for", ""),
            "details_for": customer.pk if customer is not None else "new",
            "party_typed": request.POST.get("party", ""),
            "source_typed": request.POST.get("source", ""),
            "intent_typed": request.POST.get("intent", ""),
            "chosen_typed": request.POST.get("chosen", ""),
        },
        status=200,
    )


@require_POST
@desk_page
def desk_relation(request: access.ProjectRequest, site: int) -> HttpResponse:
    found_site = _site(request, site)
    customer = get_object_or_404(models.Customer, pk=access.posted_id(request, "customer"), project=request.project)
    try:
        services.relation_add(
            project=request.project,
            customer=customer,
            phone=request.POST.get("phone", ""),
            kind=request.POST.get("kind", ""),
            user=request.user,
        )
    except DomainError as error:
        messages.error(request, said(error))
    else:
        messages.success(
            request,
            pick(
                "关系已记录，待经理核实后才影响归属（ID-4）",
                "relation recorded; it counts once a manager verifies it (ID-4)",
            ),
        )
    return redirect("desk", project=request.project.code, site=found_site.pk)


@desk_page
def desk_board(request: access.ProjectRequest, site: int) -> HttpResponse:
    """The board's refresh, every 2 s from every open desk: nothing at all (204) when nothing changed."""
    context = _board_context(request, _site(request, site))
    if request.GET.get("v") == context["version"]:
        return HttpResponse(status=204)  # htmx keeps the board it has
    return render(request, "desk/board.html", {**context, "oob": True})


@require_POST
@desk_page
def desk_move(request: access.ProjectRequest, site: int) -> HttpResponse:
    found_site = _site(request, site)
    try:
        services.board_move(
            site=found_site,
            by=request.staff,
            action=request.POST.get("action", ""),
            staff=str(moved) if (moved := access.posted_id(request, "staff", required=False)) is not None else None,
        )
    except DomainError as error:
        return render(
            request, "desk/board.html", {**_board_context(request, found_site), "error": said(error), "oob": True}
        )
    return render(request, "desk/board.html", {**_board_context(request, found_site), "oob": True})


@desk_page
def desk_correct(request: access.ProjectRequest, site: int, seq: int) -> HttpResponse:
    """Correct one of today's registrations (decisions 220-223): a form, a confirmation, then a new event.

    The customer may be changed to another of the search's matches only (the receptionist picked the
    wrong one); the receiver to any consultant on the roster; the reason is required.
    """
    found = _site(request, site)
    visit = get_object_or_404(DeskVisit, site=found, seq=seq)
    event = get_object_or_404(models.Event, project=request.project, seq=seq)
    names = web_selectors.staff_names(request.project)
    matches = list(models.Customer.objects.filter(project=request.project, pk__in=visit.search.found).order_by("pk"))
    if event.customer is not None and event.customer not in matches:
        matches.insert(0, event.customer)
    posted = request.POST if request.method == "POST" else None
    chosen_customer = access.posted_id(request, "customer", required=False) if posted else None
    values = {
        "customer": chosen_customer or event.customer_id,
        "staff": (posted.get("staff") if posted else None) or visit.staff,
        "reason": posted.get("reason", "").strip() if posted else "",
        "party": posted.get("party", "") if posted else "",
        "source": posted.get("source", "") if posted else "",
        "intent": posted.get("intent", "") if posted else "",
    }
    context: dict[str, object] = {
        "site": found,
        "desk_visit": visit,
        "event": event,
        "was_staff": names.get(visit.staff, visit.staff),
        "matches": matches,
        "consultants": capabilities.owner_candidates(request.project),
        "values": values,
        "sources": [(key, pick(*words)) for key, words in SOURCES.items()],
        "intents": INTENTS,
        "error": "",
        "field": "",
        "confirming": False,
    }
    if posted is None:
        return render(request, "desk/correct.html", context)
    customer = next((c for c in matches if c.pk == values["customer"]), None)
    try:
        if customer is None:
            raise DomainError(
                "请从这次查询的结果中选择客户", "choose the customer among this search's matches", field="customer"
            )
        details = visit_details(party=values["party"], source=values["source"], intent=values["intent"])
        if posted.get("confirm") != "1":
            if not str(values["reason"]).strip():
                raise DomainError("请填写更正原因", "the reason for the correction is required", field="reason")
            context.update(
                confirming=True,
                new_customer=customer,
                new_staff=names.get(str(values["staff"]), str(values["staff"])),
            )
            return render(request, "desk/correct.html", context)
        done = services.visit_correct(
            site=found,
            user=request.user,
            seq=seq,
            reason=str(values["reason"]),
            customer=customer,
            staff=str(values["staff"]),
            details=details,
        )
    except DomainError as error:
        context.update(error=said(error), field=error.field)
        return render(request, "desk/correct.html", context, status=400)
    told = [names.get(o, o) for o in (*done.gained, *done.lost)]
    messages.success(
        request,
        pick(
            f"已更正登记：{done.customer.name}，由{done.staff.name}接待。"
            + (f"已通知{'、'.join(told)}。" if told else ""),
            f"Registration corrected: {done.customer.name}, received by {done.staff.name}."
            + (f" {' and '.join(told)} told." if told else ""),
        ),
    )
    return redirect("desk", project=request.project.code, site=found.pk)
