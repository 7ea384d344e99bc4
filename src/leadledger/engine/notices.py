"""One-to-many notices to existing customers (RULES.md S-3), only by the channels each agreed to.

Pure. A customer's agreement to a channel is the last change recorded for it (agreeing, or taking the
agreement back); a customer who never agreed gets nothing by that channel. A notice goes to existing
customers (decision 461: those who bought), never to one whose personal data was erased, and by phone
or SMS only where a number is known. Who got it is logged, and so are how many were left out and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .errors import DomainError

SMS, WECHAT, PHONE = "sms", "wechat", "phone"
CHANNELS = (SMS, WECHAT, PHONE)  # S-3: the channels a customer may agree to
NEEDS_NUMBER = frozenset({SMS, PHONE})
# S-3 (客户服务专员 4): what a notice is about.
PROGRESS, CONSTRUCTION, HANDOVER, EVENT, REFERRAL = "progress", "construction", "handover", "event", "referral"
TOPICS = (PROGRESS, CONSTRUCTION, HANDOVER, EVENT, REFERRAL)
NO_CONSENT, ERASED, NO_NUMBER = "no_consent", "erased", "no_number"
TITLE_LENGTH, TEXT_LENGTH = 60, 500  # a text message's worth, and a WeChat message's


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentChange:
    """A customer agreed to a channel, or took the agreement back, at a moment."""

    customer: str
    channel: str
    agreed: bool
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    """An existing customer as a notice sees them: erased or not, and whether a number is known."""

    customer: str
    erased: bool = False
    has_number: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Audience:
    """Who a notice goes to, and how many were left out for each reason (S-3)."""

    to: list[str]
    left_out: dict[str, int] = field(default_factory=dict)


def agreed(changes: Iterable[ConsentChange]) -> dict[tuple[str, str], bool]:
    """S-3: each (customer, channel)'s standing agreement, the latest change deciding (ties: the later given)."""
    standing: dict[tuple[str, str], tuple[datetime, bool]] = {}
    for change in changes:
        key = (change.customer, change.channel)
        if key not in standing or change.at >= standing[key][0]:
            standing[key] = (change.at, change.agreed)
    return {key: value for key, (_, value) in standing.items()}


def audience(recipients: Iterable[Recipient], agreements: Mapping[tuple[str, str], bool], channel: str) -> Audience:
    """S-3: the existing customers a notice by `channel` may reach, each once, and why the rest are left out."""
    if channel not in CHANNELS:
        raise DomainError("请选择发送渠道", "choose a channel", field="channel")
    to: list[str] = []
    left_out = {NO_CONSENT: 0, ERASED: 0, NO_NUMBER: 0}
    seen: set[str] = set()
    for person in recipients:
        if person.customer in seen:
            continue
        seen.add(person.customer)
        if person.erased:  # personal data erased: not contacted again, whatever was agreed before
            left_out[ERASED] += 1
        elif not agreements.get((person.customer, channel), False):
            left_out[NO_CONSENT] += 1
        elif channel in NEEDS_NUMBER and not person.has_number:
            left_out[NO_NUMBER] += 1
        else:
            to.append(person.customer)
    return Audience(to=to, left_out=left_out)


def notice_refusal(*, topic: str, channel: str, title: str, text: str) -> DomainError | None:
    """What is wrong with a notice before it is sent, beside its field; None when it may go."""
    if topic not in TOPICS:
        return DomainError("请选择通知类别", "choose what the notice is about", field="topic")
    if channel not in CHANNELS:
        return DomainError("请选择发送渠道", "choose a channel", field="channel")
    if not title.strip():
        return DomainError("请填写通知标题", "give the notice a title", field="title")
    if len(title.strip()) > TITLE_LENGTH:
        return DomainError(
            f"标题请勿超过{TITLE_LENGTH}字", f"keep the title to {TITLE_LENGTH} characters", field="title"
        )
    if not text.strip():
        return DomainError("请填写通知内容", "write what the notice says", field="text")
    if len(text.strip()) > TEXT_LENGTH:
        return DomainError(f"内容请勿超过{TEXT_LENGTH}字", f"keep the text to {TEXT_LENGTH} characters", field="text")
    return None
