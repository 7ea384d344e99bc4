"""The manager's policy editor: each parameter as the engine declares it, a preview (the what-if over the
whole project) before anything changes, then the change applied and every verdict re-judged."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadledger import capabilities, engine
from leadledger.engine.errors import DomainError
from leadledger.engine.text import whole_id
from leadledger.engine.verdict import status_name
from leadledger.ledger import convert, models
from leadledger.ledger import services as services_ledger
from leadledger.web import access
from leadledger.web.speech import lang, pick, said

policy_page = access.capability_page(capabilities.SET_POLICY)
Job = models.PolicyJob
GROUPS = ("inhouse", "distributor", "shown")


def policy_rows(policy: engine.Policy, language: str) -> list[dict[str, Any]]:
    """Each editable parameter of `policy` as a person reads it, with the rules it belongs to."""
    return [
        {
            "name": parameter.name,
            "label": parameter.label(language),
            "value": parameter.shown(getattr(policy, parameter.name), language),
            "rules": parameter.rules,
            "group": parameter.group,
        }
        for parameter in engine.PARAMETERS
        if parameter.editable
    ]


def policy_title(policy: engine.Policy, language: str) -> str:
    """The preset, and how many parameters the project set otherwise."""
    changed = len(engine.policy_stored(policy)) - 1
    name = engine.preset_name(policy.preset, language)
    if not changed:
        return name
    return f"{name}，另调整 {changed} 项" if language == "zh" else f"{name}, with {changed} changed"


def with_unit(label: str, unit: str, language: str) -> str:
    if not unit:
        return label
    return f"{label}（{unit}）" if language == "zh" else f"{label} ({unit})"


def _fields(policy: engine.Policy, texts: dict[str, str] | None, errors: dict[str, str]) -> list[dict[str, Any]]:
    language = lang()
    fields = []
    for parameter in engine.PARAMETERS:
        if not parameter.editable:
            continue
        name = parameter.name
        fields.append(
            {
                "name": name,
                "label": with_unit(parameter.label(language), parameter.unit_in(language), language),
                "rules": parameter.rules,
                "kind": parameter.kind,
                "group": parameter.group,
                "low": parameter.low,
                "high": parameter.high,
                "blank": (parameter.blank[0] if language == "zh" else parameter.blank[1]) if parameter.blank else "",
                "choices": [(key, zh if language == "zh" else en) for key, zh, en in parameter.choices],
                "value": texts[name] if texts is not None and name in texts else parameter.typed(getattr(policy, name)),
                "error": errors.get(name, ""),
            }
        )
    return fields


def _presets() -> dict[str, dict[str, str]]:
    """Each preset's values as the editor's fields hold them (the page fills the fields when one is chosen)."""
    return {
        key: {p.name: p.typed(getattr(engine.policy_from({"preset": key}), p.name)) for p in engine.PARAMETERS}
        for key in engine.PRESETS
    }


def job_view(job: models.PolicyJob, current: str) -> dict[str, Any]:
    """A policy job as the page shows it: which policy (in force, proposed, or from when), how far, what changes."""
    language = lang()
    if job.kind == Job.Kind.WHAT_IF:
        which = pick("提议的政策", "the proposed policy")
    elif job.policy_version == current:
        which = pick("当前政策", "the policy in force")
    else:
        which = pick(
            f"{timezone.localtime(job.created_at):%m-%d %H:%M} 启用的政策",
            f"the policy adopted {timezone.localtime(job.created_at):%m-%d %H:%M}",
        )
    summary = job.summary or {}
    moves = []
    for move, count in (summary.get("moves") or {}).items():
        old, _, new = str(move).partition(" → ")
        moves.append({"old": status_name(old, language), "new": status_name(new, language), "count": count})
    first = summary.get("first") or []
    ids = [int(item["customer"]) for item in first]
    named = dict(models.Customer.objects.filter(project_id=job.project_id, pk__in=ids).values_list("pk", "name"))
    lines = [
        {
            "customer": item["customer"],
            "name": named.get(int(item["customer"])) or f"#{item['customer']}",
            "current": item["current"][language],
            "proposed": item["proposed"][language],
        }
        for item in first
    ]
    return {"job": job, "which": which, "moves": moves, "lines": lines, "kinds": summary.get("kinds") or {}}


def _editor(
    request: access.ProjectRequest,
    *,
    texts: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    current = convert.policy_of(request.project)
    language = lang()
    preview = None
    shown = current
    if (asked := whole_id(request.GET.get("preview"))) is not None:  # "²" passes isdigit() and crashes int()
        found = Job.objects.filter(pk=asked, project=request.project, kind=Job.Kind.WHAT_IF).first()
        if found is not None:
            preview = job_view(found, current.version)
            if texts is None:
                shown = engine.policy_from({**found.policy, "time_zone": request.project.time_zone})
    errors = errors or {}
    preset = texts.get("preset", current.preset) if texts is not None else shown.preset
    fields = _fields(shown, texts, errors)
    rejudges = Job.objects.filter(project=request.project, kind=Job.Kind.REJUDGE).order_by("-pk")[:3]
    history = request.project.policy_changes.select_related("user").order_by("-at")[:20]
    context = {
        "title": policy_title(current, language),
        "rows": policy_rows(current, language),
        "groups": [(group, [f for f in fields if f["group"] == group]) for group in GROUPS],
        "presets": [(key, engine.preset_name(key, language)) for key in engine.PRESETS],
        "preset": preset,
        "preset_values": _presets(),
        "errors": errors,
        "preview": preview,
        "rejudges": [job_view(job, current.version) for job in rejudges],
        "history": [
            {
                "change": change,
                "title": policy_title(engine.policy_from({**change.policy, "time_zone": current.time_zone}), language),
                "current": index == 0,
            }
            for index, change in enumerate(history)
        ],
    }
    return render(request, "desk/policy.html", context, status=status)


@policy_page
def policy_editor(request: access.ProjectRequest) -> HttpResponse:
    return _editor(request)


@require_POST
@policy_page
def policy_preview(request: access.ProjectRequest) -> HttpResponse:
    """Read the form with the engine; if it accepts it, judge the whole project under it (nothing stored)."""
    texts = {key: str(request.POST.get(key, ""))[:200] for key in ("preset", *engine.PARAMETER) if key in request.POST}
    stored, refused = engine.proposal_read(texts.get("preset", "default"), texts)
    if refused:
        return _editor(request, texts=texts, errors={name: said(error) for name, error in refused.items()})
    try:
        job = services_ledger.policy_what_if_start(project=request.project, proposed=stored, user=request.user)
    except DomainError as error:
        return _editor(request, texts=texts, errors={"preset": said(error)})
    editor = reverse("policy_editor", kwargs={"project": request.project.code})
    return redirect(f"{editor}?preview={job.pk}#preview")  # the preview is below the form


@require_POST
@policy_page
def policy_apply(request: access.ProjectRequest) -> HttpResponse:
    """Adopt the previewed policy; every verdict is then re-judged in the background, its progress shown."""
    preview = access.posted_id(request, "preview")
    assert preview is not None
    try:
        services_ledger.policy_apply(project=request.project, preview=preview, user=request.user)
    except DomainError as error:
        messages.error(request, said(error))
        return redirect("policy_editor", project=request.project.code)
    messages.success(
        request,
        pick(
            "新政策已生效，正在按新政策重新判定全部客户，完成后各页面即按新政策显示",
            "The new policy is in force. Every customer is being judged again; "
            "each page shows the new verdicts once done",
        ),
    )
    return redirect("policy_editor", project=request.project.code)


@policy_page
def policy_job(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """One policy job's progress, polled by the editor while it runs."""
    job = get_object_or_404(Job, pk=pk, project=request.project)
    current = convert.policy_of(request.project).version
    return render(request, "desk/policy_job.html", {"item": job_view(job, current)})
