"""Who may see what: a person's access is always scoped to the projects they are staff of.

Every project page goes through `capability_page` (or `agent_page`): it finds the project named in
the URL, the caller's membership of it, checks what they may do (leadledger.capabilities), and works
in the project's time zone. Someone who is not a member of a project gets "not found", so a URL does
not even reveal that the project exists.

Members are staff, and (once agents sign in) a distributor's agents. An agent is admitted only to the
pages marked `agents=True`, and even there holds no staff capability; every other page treats them as
a stranger (404), so admitting agents weakens neither the staff pages nor the projects' isolation.
A staff member recorded as departed (IH-13) holds no capability: every page refuses them, saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from leadledger import capabilities
from leadledger.channel.distributors import AGENT_OFF, PAUSED
from leadledger.engine.text import whole_id
from leadledger.ledger import models
from leadledger.ledger.prepared import STAND_IN_IDS, PreparedRead
from leadledger.ledger.selectors import departed_staff
from leadledger.web.speech import pick

Role = models.Staff.Role
View = TypeVar("View", bound=Callable[..., HttpResponse])


# Derived from the capability table, for code that still asks by role.
SEE_IN_FULL = frozenset(capabilities.roles_with(capabilities.REVEAL))
IMPORTERS = frozenset(capabilities.roles_with(capabilities.IMPORT))


class ProjectRequest(HttpRequest):
    project: models.Project
    staff: models.Staff
    agent: Any  # ledger.Agent on a page for agents, else None
    capabilities: frozenset[str]
    departed: frozenset[str] | None  # the project's departed staff (IH-13), read once; None on an agent's page


def _agents_sign_in() -> bool:
    return any(f.name == "user" for f in models.Agent._meta.get_fields())  # ledger.Agent.user (h-events)


_STAFF_COLUMNS = tuple(field.attname for field in models.Staff._meta.concrete_fields)
_PROJECT_COLUMNS = tuple(field.attname for field in models.Project._meta.concrete_fields)
_MEMBER = PreparedRead(  # on every page: prepared (ledger.prepared), the staff row with its project's
    lambda user, code: (
        models.Staff.objects.filter(user_id=user, project__code=code)
        .order_by("pk")
        .values_list(*_STAFF_COLUMNS, *(f"project__{column}" for column in _PROJECT_COLUMNS))[:1]
    ),
    STAND_IN_IDS[0],
    "\x00code\x00",
)


def _staff_member(user: int, code: str) -> models.Staff | None:
    """The user's staff record in project `code`, with its project: `Staff.objects.select_related("project")
    .filter(user=user, project__code=code).first()`, built from one prepared read as the ORM builds it."""
    alias = models.Staff.objects.db
    found = _MEMBER.rows(user, code, using=alias)
    if not found:
        return None
    row, split = found[0], len(_STAFF_COLUMNS)
    staff = models.Staff.from_db(alias, list(_STAFF_COLUMNS), row[:split])
    staff.project = models.Project.from_db(alias, list(_PROJECT_COLUMNS), row[split:])
    return staff


def membership(user: Any, code: str, *, agents: bool = False) -> Any:
    """The caller's membership of project `code`: their staff record, else (where `agents`) their agent
    record, else None. Never a membership of another project, whatever the URL says."""
    if not user.is_authenticated:
        return None
    staff = _staff_member(user.pk, code)
    if staff is not None or not agents or not _agents_sign_in():
        return staff
    return models.Agent.objects.select_related("project", "distributor").filter(user=user, project__code=code).first()


def capability_page(capability: str | None = None, *, agents: bool = False) -> Callable[[View], View]:
    """Wrap a view taking `project` (its code) from the URL: members of it only (others: 404), holding
    `capability` if given (else 403). `agents=True` marks a page an agent may open too."""
    return _page(capability, agents)


def agent_page() -> Callable[[View], View]:
    """Wrap a view for a distributor's agents of the project only (issue 15): staff are refused (403),
    everybody else finds nothing (404)."""
    return _page(None, True, only_agents=True)


def _page(capability: str | None, agents: bool, *, only_agents: bool = False) -> Callable[[View], View]:
    if capability is not None and capability not in capabilities.CAPABILITIES:
        raise AssertionError(f"unknown capability {capability!r}")

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, project: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            member = membership(request.user, project, agents=agents)
            if member is None:
                raise Http404
            gone: set[str] | None = None
            if isinstance(member, models.Staff):
                gone = departed_staff(member.project)
                if str(member.pk) in gone:  # IH-13: they have left; the page says so
                    return render(request, "web/departed.html", {"staff": member}, status=403)
                held = capabilities.capabilities_of(member, departed=gone)
                staff, agent = member, None
            else:
                off = PAUSED if not member.distributor.active else None if member.active else AGENT_OFF
                if off is not None:  # decisions 480, 511: the company or the agent is switched off
                    return render(request, "channel/paused.html", {"sentence": pick(*off)}, status=403)
                held, staff, agent = capabilities.AGENT_CAPABILITIES, None, member
            if (capability is not None and capability not in held) or (only_agents and agent is None):
                raise PermissionDenied
            request.project, request.staff, request.agent = member.project, staff, agent  # type: ignore[attr-defined]
            request.capabilities = held  # type: ignore[attr-defined]
            # Read once for the page: the rotation's roster and the consultants' lists need it again.
            request.departed = frozenset(gone) if gone is not None else None  # type: ignore[attr-defined]
            timezone.activate(ZoneInfo(member.project.time_zone))
            try:
                return view(request, *args, **kwargs)
            finally:
                timezone.deactivate()

        wrapped.capability = capability  # type: ignore[attr-defined]
        wrapped.for_agents = agents  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def posted_id(request: HttpRequest, key: str, *, required: bool = True) -> int | None:
    """An id sent by a form: a whole number, or a 400 (never a server error for a tampered form)."""
    value = request.POST.get(key, "").strip()
    if not value and not required:
        return None
    number = whole_id(value)
    if number is None:  # "²" passes str.isdigit() and crashes int(): only ASCII digits are an id
        raise BadRequest(f"{key}: not an id")
    return number


def owns(staff: models.Staff, verdict: models.Verdict | None) -> bool:
    return bool(verdict and verdict.owners and str(staff.pk) in verdict.owners)


def may_see_in_full(staff: models.Staff, verdict: models.Verdict | None) -> bool:
    """Who may unmask personal data (always as a logged action): those who may reveal, and the owner."""
    return capabilities.can(staff, capabilities.REVEAL) or (
        capabilities.can(staff, capabilities.OWN_CUSTOMERS) and owns(staff, verdict)
    )


def may_read_story(
    staff: models.Staff, verdict: models.Verdict | None, *, departed: Collection[str] | None = None
) -> bool:
    """A consultant sees another's customer only as "owned by X, until …"; the story is for the owner and the office.

    `departed`: the project's departed staff as the page read them (else read here, a query a chip)."""
    return story_reader(staff, departed=departed)(verdict)


def story_reader(staff: models.Staff, *, departed: Collection[str] | None = None) -> Callable[[Any], bool]:
    """`may_read_story` for one reader and many verdicts (a page of chips): what the reader may do, asked once."""
    competing = capabilities.can(staff, capabilities.OWN_CUSTOMERS, departed=departed)  # another consultant's customer
    if not competing:
        return lambda verdict: True
    return lambda verdict: owns(staff, verdict) or not (verdict and verdict.owners)
