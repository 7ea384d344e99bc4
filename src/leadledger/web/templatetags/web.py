from collections.abc import Callable
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from leadledger import capabilities
from leadledger.engine import model

register = template.Library()

EVENT_LABELS = {
    model.VISIT: _("Visit"),
    model.CALL: _("Call"),
    model.FOLLOW_UP: _("Follow-up"),
    model.RENEWAL: _("Renewal"),
    model.REFERRAL_LOGGED: _("Referral logged"),
    model.STAFF_LEFT: _("Staff left"),
    model.RULING: _("Ruling"),
    model.ESCORTED_VISIT: _("Escorted visit"),
    model.DEAL: _("Deal"),
    model.CORRECTION: _("Registration corrected"),
}


@register.filter
def unbroken(text: Any) -> SafeString:
    """A sentence escaped, its dates and rule IDs each kept on one line (web.chips.unbroken)."""
    from leadledger.web.chips import unbroken as kept_whole

    return kept_whole(text)


@register.filter
def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


RELATION_LABELS = {
    "spouse": _("spouse"),
    "parent_child": _("parent or child"),
    "grandparent_grandchild": _("grandparent or grandchild"),
    "sibling": _("sibling"),
    "partner": _("partner"),
    "friend": _("friend"),
    "same_person": _("same person"),
}


def relation_choices() -> list[tuple[str, str]]:
    from leadledger.engine.model import RELATION_KINDS

    return [(kind, str(RELATION_LABELS.get(kind, kind))) for kind in RELATION_KINDS]


@register.filter
def relation_label(kind: str) -> str:
    return str(RELATION_LABELS.get(kind, kind))


@register.filter
def at(mapping: dict[Any, Any], key: Any) -> Any:
    """`mapping[key]`, or None: a view's lookup table read by a row's key."""
    return mapping.get(key)


@register.filter
def status_tone(status: str) -> str:
    """A status's chip colour, where a page shows the status alone (the consultant's own list)."""
    from leadledger.web.chips import TONES

    return TONES.get(status, "grey")


@register.simple_tag(takes_context=True)
def verdict_chip(context: template.Context, verdict: Any, opened: bool = False) -> SafeString:
    """A verdict's status chip, with its sentence one click away for whoever may read it (web.chips)."""
    return request_chip(context["request"], verdict, opened=opened)


def request_chip(
    request: Any, verdict: Any, *, opened: bool = False, agents: dict[str, str] | None = None
) -> SafeString:
    """`verdict_chip` for a page's request: rows drawn in Python (desk.rows) show the same chip.

    `agents`: the names of the agents the page's verdicts name (else every agent of the project, read once)."""
    return request_chips(request, agents=agents)(verdict, opened=opened)


def request_chips(request: Any, *, agents: dict[str, str] | None = None) -> Callable[..., SafeString]:
    """`request_chip` for many verdicts of one page (desk.rows: twenty a search): what every chip of the page
    reads (the names, the policy, the moment, the language, what the reader may read) read once."""
    from leadledger.ledger import models
    from leadledger.ledger.convert import policy_of
    from leadledger.web import access, chips, selectors
    from leadledger.web.speech import lang

    project = request.project
    names = selectors.request_staff_names(request)
    policy = selectors.once(request, "policy", lambda: policy_of(project))
    now = selectors.once(request, "now", timezone.now)
    language = lang()
    rules = capabilities.RULE in request.capabilities
    reader = access.story_reader(request.staff, departed=selectors.request_departed(request)) if request.staff else None

    def chip(verdict: Any, *, opened: bool = False) -> SafeString:
        verdict = verdict or None  # a template's missing verdict ("") is no verdict
        named = agents
        if named is None and verdict is not None and verdict.channel:
            named = selectors.once(
                request,
                "agents",
                lambda: {
                    str(pk): name for pk, name in models.Agent.objects.filter(project=project).values_list("pk", "name")
                },
            )
        face = chips.chip_of(
            verdict,
            names=names,
            agents=named or {},
            policy=policy,
            now=now,
            lang=language,
            readable=reader(verdict) if reader is not None else access.may_read_story(request.staff, verdict),
        )
        return chips.chip_html(face, rules=rules, opened=opened)

    return chip


@register.filter
def period_words(name: str, cadence: str) -> str:
    """A period's key (2026-W49, 2026-12, 2026-Q4) as the reader's language says it (engine.duties)."""
    from leadledger.engine.duties import period_words as words
    from leadledger.web.speech import pick

    return words(cadence, str(name), pick("zh", "en"))
