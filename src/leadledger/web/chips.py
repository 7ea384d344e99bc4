"""A verdict as a status chip: owner · status · until first, the sentence one click away.

Every page that shows a verdict (a stored `ledger.Verdict` row or an engine `Verdict` judged for the
page) shows it through `chip_of`, by way of the `verdict_chip` template tag: one place decides what
the chip says, in which colour, and who may open the sentence behind it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leadledger.engine.policy import Policy
from leadledger.engine.verdict import status_name

# The colour of each status (the chip also says it in words: never colour alone).
TONES = {
    "pending": "amber",
    "active": "green",
    "lapsed": "grey",
    "void": "grey",
    "pool": "grey",
    "free": "grey",
}

# A moment as sentences write it (2026-12-06 10:00) and a rule ID (D-11): a phone broke both at the hyphen.
_UNBROKEN = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?|\b[A-Z]{1,2}-\d+\b")


def unbroken(text: Any) -> SafeString:
    """A sentence escaped, its dates and rule IDs each kept on one line (every page that shows one)."""
    escaped = _escaped(text)  # an entity (&#x27;) holds neither shape
    return mark_safe(_UNBROKEN.sub(lambda found: f'<span class="nowrap">{found.group(0)}</span>', escaped))


# The rule IDs a sentence ends with, "（IH-1, IH-4）" or " (IH-1, IH-4).": the chip shows them apart.
_CITES_TAIL = re.compile(r"\s*[（(](?:[A-Z]{1,2}-\d+(?:, )?)+[）)]\.?$")


@dataclass(frozen=True, slots=True)
class Chip:
    """What a page shows of one verdict."""

    status: str  # the engine's status, or "none" before any contact
    tone: str  # amber, green, grey, red: the chip's colour
    owner: str  # the owners' names, "" when nobody owns the customer
    label: str  # the status as an office says it
    when: str  # until when, or the time left, "" when nothing ends
    channel: str  # a distributor's protection, "" for the house
    sentence: str  # the engine's sentence without its rule IDs; "" for a reader who may not read it
    cites: tuple[str, ...]

    @property
    def text(self) -> str:
        return " · ".join(part for part in (self.owner, self.label, self.when) if part)


def day(moment: datetime, zone: ZoneInfo, now: datetime, lang: str) -> str:
    """A date as the office writes it: 12月14日 (2027年2月5日 in another year); 14 Dec (5 Feb 2027)."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    if lang == "zh":
        return (
            f"{local.month}月{local.day}日"
            if local.year == today.year
            else f"{local.year}年{local.month}月{local.day}日"
        )
    shown = f"{local.day} {local.strftime('%b')}"
    return shown if local.year == today.year else f"{shown} {local.year}"


def time_left(left: timedelta) -> str:
    """What remains, as a person says it: 还剩 2 天 3 小时 / 2 days 3 hours left; minutes only under an hour."""
    minutes = max(int(left.total_seconds() // 60), 0)
    if not minutes:
        return _("less than a minute left")
    days, hours = divmod(minutes // 60, 24)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes % 60) % {"n": minutes % 60})
    return _("%(left)s left") % {"left": " ".join(parts)}


def _names(shares: Mapping[str, Any] | None, names: Mapping[str, str]) -> str:
    return "、".join(names.get(str(person), str(person)) for person in shares or {})


def bare(sentence: str) -> str:
    """The sentence without the rule IDs it ends with (shown apart, small, for the manager)."""
    stripped = _CITES_TAIL.sub("", sentence)
    return stripped + "." if stripped != sentence and sentence.endswith(".") else stripped


def _cites(verdict: Any) -> tuple[str, ...]:
    cites = verdict.cites
    return tuple(part for part in cites.split(",") if part) if isinstance(cites, str) else tuple(cites)


def _sentence(verdict: Any, lang: str) -> str:
    if hasattr(verdict, "explain_zh"):  # a stored row carries both languages
        return str(verdict.explain_zh if lang == "zh" else verdict.explain_en)
    return str(verdict.explain(lang))


def chip_of(
    verdict: Any,
    *,
    names: Mapping[str, str],
    agents: Mapping[str, str],
    policy: Policy,
    now: datetime,
    lang: str,
    readable: bool,
) -> Chip:
    """The chip of a stored or engine verdict (None: no contact yet), as of `now`.

    `readable`: whether this reader may read the verdict's sentence (web.access.may_read_story);
    otherwise the chip alone, which says no more than "owned by X, until …".
    """
    if not verdict:
        return Chip("none", "grey", "", _("No contact yet"), "", "", "", ())
    status, until, zone = verdict.status, verdict.until, policy.zone
    # A verdict judged for a past moment (a dispute's history, a what-if) is read as of that moment,
    # by its dates: a countdown or "overdue" belongs to a verdict judged now or stored.
    moment = getattr(verdict, "at", None)
    past = moment is not None and abs(moment - now) > timedelta(minutes=1)
    owner = _names(verdict.owners, names)
    tone = TONES.get(status, "grey")
    when = ""
    label = status_name(status, lang) if lang == "zh" else status_name(status, lang).capitalize()
    if status == "pending" and until is not None and past:
        when = _("follow up by %(day)s") % {"day": day(until, zone, now, lang)}
    elif status == "pending" and until is not None:
        if until > now:  # IH-4: the follow-up window, counted down
            when = time_left(until - now)
        else:  # judged before the window closed and not since: the follow-up is overdue
            tone, when = "red", _("follow-up overdue since %(day)s") % {"day": day(until, zone, now, lang)}
    elif status == "active" and until is not None:  # the status and its end in one: 有效至12月14日
        label = _("valid until %(day)s") % {"day": day(until, zone, now, lang)}
        if not past and policy.expiring(status, until, now):  # IH-5: within the warning window, say how long is left
            when = time_left(until - now)
    elif status == "lapsed" and until is not None:
        when = _("expired %(day)s") % {"day": day(until, zone, now, lang)}
    channel = ""
    if verdict.channel_status == "protected" and verdict.channel:
        who = _names(verdict.channel, agents)
        channel = (
            _("protected by %(agent)s until %(day)s")
            % {"agent": who, "day": day(verdict.channel_until, zone, now, lang)}
            if verdict.channel_until
            else who
        )
    elif verdict.channel_status == "public":  # D-3: protection ended without renewal
        channel = _("distributor protection ended")
    return Chip(
        status=status,
        tone=tone,
        owner=owner,
        label=label if lang == "zh" else label[:1].upper() + label[1:],
        when=when,
        channel=channel,
        sentence=bare(_sentence(verdict, lang)) if readable else "",
        cites=_cites(verdict) if readable else (),
    )


def _escaped(value: Any) -> str:
    """`conditional_escape` without its lazy-string wrapper: twenty chips a search call it some 150 times."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def chip_html(chip: Chip, *, rules: bool, opened: bool = False) -> SafeString:
    """The chip as the pages show it: its face, and the sentence behind a "Why" for whoever may read it.

    Built here rather than through a template: a desk search shows twenty chips, and an included
    template per chip cost the search fragment a sixth of its time (docs/benchmarks.md); joined as
    strings, each part escaped, rather than through nested `format_html` (a third of what was left).
    `rules`: whether the reader sees the rule IDs (the managers who rule).
    """
    e = _escaped
    owner = (
        f'<strong class="chip-owner">{e(chip.owner)}</strong><span class="chip-dot"> · </span>' if chip.owner else ""
    )
    when = f'<span class="chip-dot"> · </span><span class="chip-when">{e(chip.when)}</span>' if chip.when else ""
    channel = f' <span class="chip chip-channel">{e(chip.channel)}</span>' if chip.channel else ""
    face = (
        f'<span class="chip chip-{e(chip.tone)}" data-status="{e(chip.status)}">{owner}'
        f'<span class="chip-label">{e(chip.label)}</span>{when}</span>{channel}'
    )
    if not chip.sentence:
        return mark_safe(f'<div class="chip-box">{face}</div>')
    cites = (
        f' <span class="cites" title="{e(_("Rules applied"))}">{e(" · ".join(chip.cites))}</span>'
        if rules and chip.cites
        else ""
    )
    return mark_safe(
        f'<details class="chip-box"{" open" if opened else ""}>\n  <summary>{face} <span class="chip-why">'
        f'{e(_("Why"))}</span></summary>\n  <p class="chip-sentence">{unbroken(chip.sentence)}{cites}</p>\n</details>'
    )


@dataclass(frozen=True, slots=True)
class Answered:
    """A verdict as the engine's answers give it (`Verdict.as_dict`, e.g. in a what-if), read as a verdict."""

    owners: Mapping[str, Any] | None
    status: str
    until: datetime | None
    channel: Mapping[str, Any] | None
    channel_status: str
    channel_until: datetime | None
    cites: tuple[str, ...]
    text: str
    at: datetime | None = None

    def explain(self, lang: str = "zh") -> str:
        return self.text  # said in the language the answer was asked in

    @classmethod
    def of(cls, answer: Mapping[str, Any], at: datetime | None = None) -> Answered:
        def shares(value: Any) -> Mapping[str, Any] | None:
            if value is None or value == "house":
                return None
            return {str(value): 1} if isinstance(value, str) else dict(value)

        def moment(value: Any) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            owners=shares(answer.get("consultant")),
            status=str(answer.get("status", "")),
            until=moment(answer.get("until")),
            channel=shares(answer.get("channel")),
            channel_status=str(answer.get("channel_status", "none")),
            channel_until=moment(answer.get("channel_until")),
            cites=tuple(answer.get("cites") or ()),
            text=str(answer.get("explain", "")),
            at=at,
        )
