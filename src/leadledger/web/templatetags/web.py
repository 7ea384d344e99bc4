from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

EVENT_LABELS = {
    "visit": _("Visit"),
    "call": _("Call"),
    "follow_up": _("Follow-up"),
    "renewal": _("Renewal"),
    "referral_logged": _("Referral logged"),
    "staff_left": _("Staff left"),
    "ruling": _("Ruling"),
    "escorted_visit": _("Escorted visit"),
    "deal": _("Deal"),
}


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
