"""The menu bar's count of unread notices (desk.Notice), for the signed-in member of the project."""

from __future__ import annotations

from typing import Any

from django import template

from leadledger.desk import selectors

register = template.Library()


@register.simple_tag
def unread_notices(request: Any) -> int:
    staff = getattr(request, "staff", None)
    return selectors.notices_unread(staff) if staff is not None else 0
