"""The lines of "my customers" drawn in Python: 25 lines through the template's loop were two thirds of
the page's time (some 300 `{% translate %}` a view; docs/benchmarks.md, "My customers at a tenth of a bare
view"). What a line says is decided by `mine_selectors` (its tab, time left, plan); this only words it
in the page's language, escapes and joins. Each label is translated once a page, each URL reversed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape  # Django's, without its check for lazy text on every call: the same escaping

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from leadledger.web import access
from leadledger.web.templatetags.web import status_tone

from .mine_selectors import MyCustomers, Row

_PK = 987_654_321  # reversed in each URL's place of the customer, then replaced by each line's


def _url(name: str, code: str) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[code, _PK]).rpartition(str(_PK))
    return escape(head), escape(tail)


@dataclass(frozen=True)
class _Page:
    """What every line of one page shares: its words in the page's language, its URLs, the CSRF token."""

    status: dict[str, str]
    follow_up: str
    note: str
    placeholder: str
    next_contact: str
    optional: str
    log: str
    more: str
    open_page: str
    today: str
    customer: tuple[str, str]
    contact: tuple[str, str]
    more_url: tuple[str, str]
    csrf: str
    day: date


def _page(request: access.ProjectRequest, board: MyCustomers) -> _Page:
    code = request.project.code
    return _Page(
        status={"pending": _("Awaiting follow-up"), "active": _("Active"), "lapsed": _("Lapsed")},
        follow_up=_("Follow up"),
        note=_("Note"),
        placeholder=_("What was said, what comes next"),
        next_contact=_("Next contact"),
        optional=_("(optional)"),
        log=_("Log the follow-up"),
        more=_("More"),
        open_page=_("Open the customer's page"),
        today=_("Contact today"),
        customer=_url("customer", code),
        contact=_url("mine_contact", code),
        more_url=_url("mine_more", code),
        csrf=escape(get_token(request)),
        day=board.day,
    )


def _day(moment: datetime | date) -> str:
    """As the template's `date:"m-d"`: a moment in the page's time zone, a calendar day as it is."""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment)
    return f"{moment.month:02d}-{moment.day:02d}"


def _left(row: Row) -> str:
    if row.status == "pending" and row.hours_left is not None:
        if row.left_days:
            return _("%(days)s d %(hours)s h left") % {"days": row.left_days, "hours": row.left_hours}
        return _("%(hours)s h left") % {"hours": row.left_hours}
    if row.status == "active" and row.until:
        return _("until %(day)s") % {"day": _day(row.until)}
    if row.until:
        return _("ended %(day)s") % {"day": _day(row.until)}
    return ""


def _plan(row: Row, page: _Page) -> str:
    if not (row.next_contact or row.note):
        return ""
    said = ""
    if row.next_contact:
        if row.overdue:
            tone, words = "overdue", _("Overdue: contact planned %(day)s") % {"day": _day(row.next_contact)}
        elif row.next_contact == page.day:
            tone, words = "due", page.today
        else:
            tone, words = "", _("Next contact %(day)s") % {"day": _day(row.next_contact)}
        said = f'<span class="{tone}">{escape(words)}</span>'
    if row.note:
        said += f' <span class="muted note">{escape(row.note)}</span>'
    return f'<p class="plan">{said}</p>'


def _line(row: Row, page: _Page) -> str:
    pk = row.customer
    customer = f"{page.customer[0]}{pk}{page.customer[1]}"
    status = escape(row.status)
    label = page.status.get(row.status, page.status["lapsed"])
    return (
        f'\n  <li class="mine-row" id="customer-{pk}">\n    <div class="line">\n'
        f'      <span class="person"><a class="name" href="{customer}">{escape(row.name)}</a>'
        f'<span class="mono muted phone">{escape(row.phone)}</span></span>\n'
        f'      <span class="chip chip-{escape(status_tone(row.status))}" data-status="{status}">'
        f'<span class="chip-label">{escape(label)}</span></span>\n'
        f'      <span class="left">{escape(_left(row))}</span>\n    </div>\n'
        f"    {_plan(row, page)}\n"
        f'    <div class="acts">\n      <details class="do">\n'
        f'        <summary class="button primary">{escape(page.follow_up)}</summary>\n'
        f'        <form method="post" action="{page.contact[0]}{pk}{page.contact[1]}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{page.csrf}">\n'
        f'          <label for="note-{pk}">{escape(page.note)}</label>\n'
        f'          <input id="note-{pk}" name="note" maxlength="200" placeholder="{escape(page.placeholder)}">\n'
        f'          <label for="next-{pk}">{escape(page.next_contact)} '
        f'<span class="muted">{escape(page.optional)}</span></label>\n'
        f'          <input id="next-{pk}" name="next_contact" type="date" min="{page.day.isoformat()}">\n'
        f'          <button class="primary" name="kind" value="follow_up">{escape(page.log)}</button>\n'
        f"        </form>\n      </details>\n"
        f'      <details class="more" hx-get="{page.more_url[0]}{pk}{page.more_url[1]}" hx-trigger="toggle once"'
        f' hx-target="find .more-body">\n'
        f'        <summary class="button" title="{escape(page.more)}"><span aria-hidden="true">⋯</span>'
        f'<span class="sr">{escape(page.more)}</span></summary>\n'
        f'        <div class="more-body"><p><a href="{customer}">{escape(page.open_page)}</a></p></div>\n'
        f"      </details>\n    </div>\n  </li>"
    )


def mine_lines(request: access.ProjectRequest, board: MyCustomers) -> SafeString:
    """Every line of the page, in order, as `<li>`s of the page's `<ul class="mine-rows">`."""
    page = _page(request, board)
    return mark_safe("".join(_line(row, page) for row in board.rows))
