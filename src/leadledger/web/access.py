"""Who may see what: a person's access is always scoped to the projects they are staff of.

Every project page goes through `project_page`: it finds the project named in the URL, the caller's
staff record in it, checks the role, and works in the project's time zone. Someone who is not staff
of a project gets "not found", so a URL does not even reveal that the project exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from leadledger.ledger import models

Role = models.Staff.Role
View = TypeVar("View", bound=Callable[..., HttpResponse])

# Roles that may look at a customer's phone or ID number in full (an explicit, logged action), besides
# the customer's own consultant (docs/decisions.md).
SEE_IN_FULL = frozenset({Role.MANAGER, Role.ADMIN})
IMPORTERS = frozenset({Role.MANAGER, Role.ADMIN})


class ProjectRequest(HttpRequest):
    project: models.Project
    staff: models.Staff


def membership(user: Any, code: str) -> models.Staff | None:
    if not user.is_authenticated:
        return None
    return models.Staff.objects.select_related("project").filter(user=user, project__code=code).first()


def project_page(*roles: str) -> Callable[[View], View]:
    """Wrap a view taking `project` (its code) from the URL; only staff of it, in these roles if given."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, project: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            staff = membership(request.user, project)
            if staff is None:
                raise Http404
            if roles and staff.role not in roles:
                raise PermissionDenied
            request.project, request.staff = staff.project, staff  # type: ignore[attr-defined]
            timezone.activate(ZoneInfo(staff.project.time_zone))
            try:
                return view(request, *args, **kwargs)
            finally:
                timezone.deactivate()

        return wrapped  # type: ignore[return-value]

    return decorate


def posted_id(request: HttpRequest, key: str, *, required: bool = True) -> int | None:
    """An id sent by a form: a whole number, or a 400 (never a server error for a tampered form)."""
    value = request.POST.get(key, "").strip()
    if not value and not required:
        return None
    if not value.isdigit():
        raise BadRequest(f"{key}: not an id")
    return int(value)


def owns(staff: models.Staff, verdict: models.Verdict | None) -> bool:
    return bool(verdict and verdict.owners and str(staff.pk) in verdict.owners)


def may_see_in_full(staff: models.Staff, verdict: models.Verdict | None) -> bool:
    """Who may unmask personal data (always as a logged action): managers, admins, the owner."""
    return staff.role in SEE_IN_FULL or owns(staff, verdict)


def may_read_story(staff: models.Staff, verdict: models.Verdict | None) -> bool:
    """A consultant sees another's customer only as "owned by X, until …"; the story is for the owner and the office."""
    return staff.role != Role.CONSULTANT or owns(staff, verdict) or not (verdict and verdict.owners)
