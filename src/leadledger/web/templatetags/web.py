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
