"""The page for API tokens and webhooks (decision 481): issue (the secret shown once), list, revoke; webhooks
and their last deliveries. The writes are the api package's services (api/tokens.py, api/webhooks.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.api import tokens, webhooks
from leadledger.api.models import Attempt, Delivery, Token, Webhook
from leadledger.engine.errors import DomainError
from leadledger.engine.text import whole_id
from leadledger.ledger import models as ledger
from leadledger.web import access
from leadledger.web.speech import said

keys_page = access.capability_page(capabilities.ISSUE_TOKENS)
SHOWN_ONCE = "c15_shown_once"  # the session key holding a new secret until the next page shows it
DELIVERIES_SHOWN = 20


def _owners(project: ledger.Project) -> dict[str, list[tuple[str, str]]]:
    """Whom a token may be for, as the form's groups: agents with a sign-in, companies, staff with a sign-in."""
    agents = ledger.Agent.objects.filter(project=project, user__isnull=False).select_related("distributor")
    return {
        "agents": [(f"agent:{a.pk}", f"{a.distributor.name} · {a.name}") for a in agents.order_by("distributor__name")],
        "distributors": [
            (f"distributor:{d.pk}", d.name) for d in ledger.Distributor.objects.filter(project=project).order_by("name")
        ],
        "staff": [
            (f"staff:{s.pk}", f"{s.name} · {s.get_role_display()}")
            for s in ledger.Staff.objects.filter(project=project, user__isnull=False).order_by("name")
        ],
    }


def _owner(project: ledger.Project, value: str) -> dict[str, Any]:
    kind, _sep, number = value.partition(":")
    pk = whole_id(number)
    model = {"agent": ledger.Agent, "distributor": ledger.Distributor, "staff": ledger.Staff}.get(kind)
    found = model.objects.filter(project=project, pk=pk).first() if model is not None and pk is not None else None
    if found is None:
        raise DomainError("请选择令牌给谁用", "choose whom the token is for", field="owner")
    return {kind: found}


def _page(request: access.ProjectRequest, *, form: Any = None, errors: Any = None, status: int = 200) -> HttpResponse:
    project = request.project
    deliveries = (
        Delivery.objects.filter(webhook__project=project)
        .select_related("webhook__distributor")
        .prefetch_related(Prefetch("tries", queryset=Attempt.objects.order_by("-at")))
        .order_by("-created_at", "-pk")[:DELIVERIES_SHOWN]
    )
    context = {
        "shown_once": request.session.pop(SHOWN_ONCE, None),
        "tokens": Token.objects.filter(project=project)
        .select_related("agent__distributor", "distributor", "staff", "created_by", "revoked_by")
        .order_by("revoked_at", "-created_at"),
        "webhooks": Webhook.objects.filter(project=project).select_related("distributor").order_by("-active", "-pk"),
        "deliveries": [(d, next(iter(d.tries.all()), None)) for d in deliveries],
        "owners": _owners(project),
        "firms": ledger.Distributor.objects.filter(project=project).order_by("name"),
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "channel/keys.html", context, status=status)


@never_cache  # a secret shown once must not be kept by the browser's cache
@keys_page
def keys_home(request: access.ProjectRequest) -> HttpResponse:
    return _page(request)


@require_POST
@keys_page
def key_issue(request: access.ProjectRequest) -> HttpResponse:
    form = {"owner": str(request.POST.get("owner", "")), "label": str(request.POST.get("label", ""))}
    try:
        token, raw = tokens.token_issue(by=request.staff, label=form["label"], **_owner(request.project, form["owner"]))
    except DomainError as error:
        return _page(request, form=form, errors={error.field or "owner": said(error)}, status=400)
    request.session[SHOWN_ONCE] = {"what": "token", "value": raw, "name": str(token)}
    messages.success(request, _("Token issued. Copy it now: it is shown only this once."))
    return redirect("channel_keys", project=request.project.code)


@keys_page
def key_revoke(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """GET asks "are you sure?"; POST revokes."""
    token = get_object_or_404(
        Token.objects.select_related("agent__distributor", "distributor", "staff"), pk=pk, project=request.project
    )
    if request.method != "POST":
        return render(request, "channel/key_revoke.html", {"token": token})
    if tokens.token_withdraw(by=request.staff, token=token):
        messages.success(request, _("Token %(token)s revoked: it is refused from the next call.") % {"token": token})
    else:
        messages.info(request, _("Token %(token)s was revoked already.") % {"token": token})
    return redirect("channel_keys", project=request.project.code)


@require_POST
@keys_page
def webhook_add(request: access.ProjectRequest) -> HttpResponse:
    form = {"distributor": str(request.POST.get("distributor", "")), "url": str(request.POST.get("url", ""))}
    firm = ledger.Distributor.objects.filter(project=request.project, pk=whole_id(form["distributor"]) or 0).first()
    try:
        if firm is None:
            raise DomainError("请选择分销商", "choose the distributor", field="distributor")
        hook = webhooks.webhook_add(by=request.staff, distributor=firm, url=form["url"])
    except DomainError as error:
        return _page(request, form=form, errors={error.field or "url": said(error)}, status=400)
    request.session[SHOWN_ONCE] = {"what": "secret", "value": hook.secret, "name": hook.url}
    messages.success(
        request, _("Webhook added. Give its signing secret to the distributor now: it is shown only this once.")
    )
    return redirect("channel_keys", project=request.project.code)


@keys_page
def webhook_stop(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """GET asks "are you sure?"; POST stops sending to the address."""
    hook = get_object_or_404(Webhook.objects.select_related("distributor"), pk=pk, project=request.project)
    if request.method != "POST":
        return render(request, "channel/webhook_stop.html", {"hook": hook})
    if webhooks.webhook_stop(by=request.staff, webhook=hook):
        messages.success(request, _("Webhook stopped: nothing more is sent to %(url)s.") % {"url": hook.url})
    else:
        messages.info(request, _("This webhook was stopped already."))
    return redirect("channel_keys", project=request.project.code)
