"""The notice pages (S-3): write a notice to existing customers by a channel they agreed to; see who got it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from leadledger import capabilities
from leadledger.engine import notices as engine
from leadledger.engine.errors import DomainError
from leadledger.web import access
from leadledger.web.speech import pick, said

from . import notices
from .models import Channel, Notice

serve_page = access.capability_page(capabilities.SERVE_COMPLAINTS)

FIELDS = ("topic", "channel", "title", "text")
LEFT_OUT_WORDS = {
    engine.NO_CONSENT: ("未同意该渠道", "not agreed to this channel"),
    engine.ERASED: ("个人信息已删除", "personal data erased"),
    engine.NO_NUMBER: ("没有电话号码", "no phone number"),
}


def _left_out(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [
        (pick(*LEFT_OUT_WORDS[key]), counts.get(key, 0)) for key in (engine.NO_CONSENT, engine.ERASED, engine.NO_NUMBER)
    ]


def _reach(request: access.ProjectRequest) -> list[dict[str, object]]:
    """Each channel with how many existing customers a notice by it would reach now."""
    rows = []
    for value, label in Channel.choices:
        found = notices.audience_of(request.project, value)
        rows.append({"label": label, "to": len(found.to), "left_out": sum(found.left_out.values())})
    return rows


@serve_page
def notice_list(request: access.ProjectRequest) -> HttpResponse:
    """Notices sent, and the form to send one (S-3)."""
    form: dict[str, str] = {}
    error = None
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in FIELDS}
        try:
            sent = notices.notice_send(by=request.staff, fields=form)
        except DomainError as problem:
            error = {"field": problem.field, "message": said(problem)}
        else:
            reached = sent.deliveries.count()
            messages.success(
                request,
                pick(
                    f"已登记通知“{sent.title}”，发给{reached}位客户",
                    f"notice “{sent.title}” logged for {reached} customers",
                ),
            )
            return redirect("bench_notice", project=request.project.code, pk=sent.pk)
    context = {
        "form": form,
        "error": error,
        "topics": Notice.Topic.choices,
        "channels": Channel.choices,
        "reach": _reach(request),
        "sent": notices.notices_sent(request.project),
    }
    return render(request, "bench/notices.html", context, status=422 if error else 200)


@serve_page
def notice(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """One notice: what it said, by which channel, who it went to and how many were left out (S-3)."""
    found = get_object_or_404(Notice.objects.select_related("by"), pk=pk, project=request.project)
    context = {
        "notice": found,
        "recipients": notices.recipients(found),
        "reached": found.deliveries.count(),
        "left_out": _left_out(found.left_out),
    }
    return render(request, "bench/notice.html", context)
