"""Reads for the pages: customers with their verdicts, a customer's story."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import QuerySet

from leadledger import capabilities
from leadledger.engine.phone import DEFAULT_MODE, Phone
from leadledger.engine.text import whole_id
from leadledger.ledger import models
from leadledger.ledger.convert import policy_of
from leadledger.ledger.prepared import STAND_IN_IDS, Ids, PreparedRead
from leadledger.ledger.selectors import customer_search, departed_staff

T = TypeVar("T")


def phone_mode(project: models.Project) -> str:
    """How the project writes a masked number (ID-2: `report_phone_mode`)."""
    return policy_of(project).report_phone_mode


def masked(value: str | None, mode: str = DEFAULT_MODE) -> str:
    """A stored phone as a person without the right to see it reads it, in the project's `mode`."""
    return Phone.of(value).masked(mode) if value else ""


def staff_names(project: models.Project) -> dict[str, str]:
    return {str(pk): name for pk, name in models.Staff.objects.filter(project=project).values_list("pk", "name")}


def once(request: Any, key: str, make: Callable[[], T]) -> T:
    """`make()` once per request under `key`: a page of fifty chips and its own rows read the names once."""
    kept = request.__dict__.setdefault("_once", {})
    if key not in kept:
        kept[key] = make()
    return kept[key]  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Person:
    """A member of the project's staff as a page shows them (a form's option, a name)."""

    pk: int
    name: str
    role: str
    user_id: int | None


def request_people(request: Any) -> list[Person]:
    """The request's project's staff, in id order, read once per request: its names, the rotation's
    roster and the consultants' lists of a page come from this one read (a query each before)."""

    return once(request, "people", lambda: [Person(*row) for row in _PEOPLE.rows(request.project.pk)])


_PEOPLE = PreparedRead(  # on most pages: prepared (ledger.prepared)
    lambda project: (
        models.Staff.objects.filter(project_id=project).order_by("pk").values_list("pk", "name", "role", "user_id")
    ),
    STAND_IN_IDS[0],
)


def request_departed(request: Any) -> frozenset[str]:
    """The project's departed staff (IH-13): as the page's access check read them, else read once now."""
    departed = getattr(request, "departed", None)
    if departed is None:
        departed = once(request, "departed", lambda: frozenset(departed_staff(request.project)))
    return departed  # type: ignore[no-any-return]


def request_consultants(request: Any) -> list[Person]:
    """`capabilities.owner_candidates` of the request's project, from `request_people`."""
    return capabilities.owner_candidates_among(request_people(request), request_departed(request))


def request_staff_names(request: Any) -> dict[str, str]:
    """`staff_names` of the request's project, read once per request."""
    return once(request, "staff_names", lambda: {str(p.pk): p.name for p in request_people(request)})


def agent_names(project: models.Project, ids: Iterable[object]) -> dict[str, str]:
    """The names of these agents of the project (the keys of verdicts' `channel`), by id, in one read."""
    wanted = sorted({number for number in (whole_id(str(i)) for i in ids) if number is not None})
    return {
        str(pk): name
        for start in range(0, len(wanted), _AGENTS_AT_ONCE)
        for pk, name in _AGENT_NAMES.rows(project.pk, wanted[start : start + _AGENTS_AT_ONCE])
    }


_AGENTS_AT_ONCE = 20  # a desk search's twenty matches name one or two agents each
_AGENT_NAMES = PreparedRead(  # on every search whose matches a distributor protects: prepared (ledger.prepared)
    lambda project, ids: models.Agent.objects.filter(project_id=project, pk__in=ids).values_list("pk", "name"),
    STAND_IN_IDS[0],
    Ids(_AGENTS_AT_ONCE),
)


# A search on the customer list shows this many matches at most; an empty query pages through everyone.
LIST_SEARCH_LIMIT = 200


def customers_matching(project: models.Project, query: str) -> QuerySet[models.Customer] | list[models.Customer]:
    """Every customer, newest first, or those the project's one search finds for `query`."""
    if not query.strip():
        return models.Customer.objects.filter(project=project).select_related("verdict").order_by("-pk")
    return customer_search(project, query, limit=LIST_SEARCH_LIMIT)


@dataclass(frozen=True)
class StoryLine:
    seq: int
    at: datetime
    kind: str
    actor: str
    facts: dict[str, str]


def customer_story(customer: models.Customer, names: dict[str, str]) -> list[StoryLine]:
    """Every event filed under the customer, oldest first, with people named."""
    rows = models.Event.objects.filter(project=customer.project, customer=customer).select_related("actor")
    story = []
    for row in rows.order_by("seq"):
        body = json.loads(row.body)
        facts = {k: names.get(str(v), str(v)) for k, v in body.items() if k in ("staff", "by", "approved_by", "helper")}
        actor = row.actor.get_full_name() or row.actor.get_username() if row.actor else ""
        story.append(StoryLine(row.seq, row.at, row.kind, actor, facts))
    return story
