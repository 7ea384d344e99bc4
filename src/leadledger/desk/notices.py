"""A consultant's notices: their customers registered at the desk, and who receives them (IH-11)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from leadledger import capabilities
from leadledger.web import access

from . import selectors, services

notices_page = access.capability_page(capabilities.OWN_CUSTOMERS)  # who may own customers is told; each of their own


@notices_page
def notices(request: access.ProjectRequest) -> HttpResponse:
    """The signed-in person's notices, newest first; the unread ones are marked read as they are shown."""
    shown = selectors.notices_of(request.staff) if request.staff is not None else []
    fresh = {n.pk for n in shown if n.read_at is None}
    if fresh:  # marked before the page is drawn, so its menu's badge already counts them as read
        services.notices_read(staff=request.staff, notices=shown)
    return render(request, "desk/notices.html", {"notices": shown, "fresh": fresh})


@notices_page
def notice_badge(request: access.ProjectRequest) -> HttpResponse:
    """The menu's badge, polled: nothing at all (204) when the count is the one the page shows."""
    count = selectors.notices_unread(request.staff) if request.staff is not None else 0
    if request.GET.get("n") == str(count):
        return HttpResponse(status=204)
    return render(request, "desk/notice_badge.html", {"unread": count})
