from django import template
from django.utils.translation import gettext_lazy as _

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
