"""The menu bar's counts: unread notices (desk.Notice) for the signed-in member, and what waits in the
manager's queue."""

from __future__ import annotations

from typing import Any

from django import template

from leadledger.desk import queue, selectors
from leadledger.web.selectors import once

register = template.Library()


@register.simple_tag
def unread_notices(request: Any) -> int:
    staff = getattr(request, "staff", None)
    return selectors.notices_unread(staff) if staff is not None else 0


@register.simple_tag
def queue_waiting(request: Any) -> int:
    """The same total as the management page's "waiting for you" figure (count queries, no rows read)."""
    project = getattr(request, "project", None)
    if project is None:
        return 0
    return sum(once(request, "waiting", lambda: queue.waiting_counts(project)).values())  # the page's own, if read
