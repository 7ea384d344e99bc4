"""Writes for agents: a registration (报备), judged by the engine, recorded, answered in neutral words.

Where a registration is filed, and what of a refusal is kept (docs/decisions.md 181, 182):

- a full number is the customer with that number, created if there is none (as the desk does for a
  walk-in); a mask (138****5678, in the project's `report_phone_mode`) is the first record that may be
  that person by its visible digits and the surname (ID-2, the engine's `may_be_registered`), records
  with a full number before masked ones, or else a new record holding the mask and the typed name;
- the engine judges the registration at the server's moment, inside the project's lock, on a timeline
  holding the person and the agent's registrations of the day (D-12's cap counts refused ones too);
- the event holds no full number, and the typed name only where it is not the record's (decision 181);
- an attempt the engine judged on a stored customer is an event, accepted or refused: the refusal stays
  in the customer's story (an appeal is against it, D-13) and counts towards the cap; an attempt about
  nobody stored (号码无效, a new number over the cap) or over the cap at all writes no customer and no
  event (over the cap nobody is looked at, so known and unknown numbers cost the same);
- every attempt, whatever its answer, is a lookup (ledger.lookups: rate-limited, logged with the answer).

The agent is told only "报备成功，保护至 …" or D-12's word: never who holds the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from leadledger.engine import distributor
from leadledger.engine.identity import normalise_name
from leadledger.engine.model import ESCORTED_VISIT, REGISTRATION, Registration, body_for
from leadledger.engine.model import Customer as EngineCustomer
from leadledger.engine.phone import Phone
from leadledger.engine.text import name_checked
from leadledger.ledger import convert, lookups, models, selectors, services
from leadledger.ledger.services import LedgerError

PLACEHOLDER = 0  # the id of a person a registration would create: no stored customer has it


@dataclass(frozen=True)
class Answer:
    """What an agent is told of one registration attempt (D-12), and what was written."""

    accepted: bool
    word: str  # 报备成功, or D-12's refusal
    until: datetime | None  # the end of its protection, when the scheme gives one (D-11)
    event: models.Event | None
    matched: int  # stored customers it was judged on (0 or 1), for the lookup log only

    def text(self, lang: str, zone: Any) -> str:
        """The answer in the agent's language: the same shape whoever holds the customer."""
        if not self.accepted:
            return (
                f"报备未通过：{self.word}" if lang == "zh" else f"Not registered: {distributor.REFUSALS_EN[self.word]}"
            )
        if self.until is None:  # D-11 visit: protection starts at the escorted visit
            return (
                "报备成功，带看到访后开始保护"
                if lang == "zh"
                else "Registered; protection starts at the escorted visit"
            )
        shown = self.until.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        return f"报备成功，保护至 {shown}" if lang == "zh" else f"Registered, protected until {shown}"


def _registration_record(
    project: models.Project, typed: distributor.TypedPhone | None, name: str
) -> models.Customer | None:
    """The stored customer a registration is of, if any (decision 181)."""
    if typed is None:
        return None
    if typed.e164 is not None:
        return models.Customer.objects.filter(project=project, phone=typed.e164, erased_at__isnull=True).first()
    mask = f"{typed.prefix}****{typed.suffix}"
    found = selectors.customer_search(project, mask, limit=200)
    candidates = [
        c
        for c in found
        if distributor.may_be_registered(typed, name, EngineCustomer(id=str(c.pk), name=c.name, phone=c.phone))
    ]
    candidates.sort(key=lambda c: ("*" in (c.phone or ""), c.pk))  # a full number before a mask (ID-2)
    return candidates[0] if candidates else None


def _judge(
    *,
    project: models.Project,
    agent: models.Agent,
    record: models.Customer | None,
    body: dict[str, Any],
    placeholder: tuple[int, str, str | None, None, bool] | None,
    now: datetime,
) -> tuple[bool, str | None, datetime | None]:
    """The engine's judgement of the registration made now (D-11, D-12), nothing written."""
    # Two days back covers the agent's day in any time zone; the engine counts which are that day.
    rows = selectors.agent_registrations(project, [agent.pk], since=now - timedelta(days=2))
    timeline = selectors.registration_timeline(
        project, [record.pk] if record is not None else [], rows, placeholder=placeholder
    )
    last = models.Event.objects.filter(project=project).order_by("-seq").values_list("seq", flat=True).first()
    event = convert.engine_event(REGISTRATION, (last or 0) + 1, now, convert.completed(REGISTRATION, body))
    timeline.add(event)
    judged = timeline.registration(event.id)
    return judged.accepted, judged.refusal, judged.until


def registration_make(*, project: models.Project, agent: models.Agent, user: Any, name: str, phone: str) -> Answer:
    """Register a customer for `agent` (D-11, D-12): judged by the engine, logged, answered neutrally.

    Raises LedgerError for a form to fix (no name, no number), lookups.LookupRefused over the rate limit and
    distributors.Paused while the agent's company is switched off (decision 480: nothing is looked up).
    """
    from .distributors import require_active

    require_active(agent)
    name = name_checked(name)
    if not name:
        raise LedgerError("请填写客户姓名", "give the customer's name", field="name")
    phone = phone.strip()
    if not phone:
        raise LedgerError("请填写客户手机号", "give the customer's mobile number", field="phone")

    return lookups.lookup(
        project=project,
        user=user,
        place=lookups.Place.REGISTRATION,
        query=phone,
        find=lambda: _registration_judged(project=project, agent=agent, user=user, name=name, phone=phone),
        matched=lambda answer: answer.matched,
        answered=lambda answer: answer.word,
    )


def _registration_judged(*, project: models.Project, agent: models.Agent, user: Any, name: str, phone: str) -> Answer:
    mode = convert.policy_of(project).report_phone_mode
    typed = distributor.read_typed_phone(phone, mode)
    # The body holds no full number and no name: the customer record does (PIPL, DESIGN principle 5).
    # A mask is kept, as the engine matches a masked registration by it at the visit (ID-2).
    mask = f"{typed.prefix}****{typed.suffix}" if typed is not None and typed.masked else None
    with transaction.atomic():
        services._lock_project(project)  # one judgement at a time per project: two agents, one customer
        now = timezone.now()
        record = _registration_record(project, typed, name)
        placeholder = None
        if record is None:
            stored_phone = None if typed is None else (typed.e164 or mask)
            placeholder = (PLACEHOLDER, name, stored_phone, None, False)
        typed_phone = mask if typed is not None else phone  # an unreadable number: the engine says 号码无效
        # The name typed is kept only where it is not the record's (a mask matched by the surname, a number
        # typed with another name): the agent's page shows it, never the record's (D-12), and D-14 sees it.
        typed_name = name if record is not None and normalise_name(name) != normalise_name(record.name) else None
        body = body_for(
            REGISTRATION,
            customer=str(record.pk if record is not None else PLACEHOLDER),
            agent=str(agent.pk),
            phone=typed_phone,
            name=typed_name,
        )
        accepted, refusal, until = _judge(
            project=project, agent=agent, record=record, body=body, placeholder=placeholder, now=now
        )
        word = distributor.REGISTERED if accepted else (refusal or distributor.INVALID)
        # About nobody stored, or stopped by the cap before anybody was looked at: no event (decision 182).
        # Over the cap, the answer and the work are the same whether the number is known or not.
        if not accepted and (record is None or refusal == distributor.CAP):
            return Answer(False, word, None, None, 0)
        matched = 0 if record is None else 1
        if record is None:
            if typed is None:  # pragma: no cover - an unreadable number is never accepted (D-12)
                raise AssertionError("accepted an unreadable number")
            record, _ = services.customer_find_or_create(project=project, name=name, phone=typed.e164 or mask)
        stored = body_for(REGISTRATION, customer=str(record.pk), agent=str(agent.pk), phone=mask, name=typed_name)
        event = services.event_append(project=project, kind=REGISTRATION, body=stored, actor=user, at=now)
    return Answer(accepted, word, until, event, matched)


# -- escorted visit (带看确认, D-1..D-11) ----------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """An escorted visit confirmed at the door: the event, and whether it was there already today."""

    event: models.Event
    again: bool  # the same agent's visit of this customer was confirmed earlier today: nothing new written


def _visit_record(project: models.Project, registered: models.Customer, e164: str) -> models.Customer:
    """The customer the visit is of, by the full number taken at the door (D-12, ID-2; decision 230).

    The record with that number; else the registration's own record when it holds a mask (or nothing)
    that the number agrees with, now completed with the number (the agent's masked registration was of
    somebody new); else a new record under the registration's name. The engine then judges whether the
    registration applies to that person (`agrees`); nothing here decides it.
    """
    found = models.Customer.objects.filter(project=project, phone=e164, erased_at__isnull=True).first()
    if found is not None:
        return found
    stored = registered.phone or ""
    agrees = not stored or ("*" in stored and Phone.of(stored).may_be(Phone.of(e164)))
    if registered.erased_at is None and agrees:
        registered.phone = e164
        registered.save(update_fields=["phone"])
        return registered
    customer, _ = services.customer_find_or_create(project=project, name=registered.name or "客户", phone=e164)
    return customer


def escort_confirm(
    *, project: models.Project, staff: models.Staff | None, user: Any, code: str, phone: str
) -> Confirmation:
    """Confirm an agent's escorted visit on arrival by the code they show and the customer's full number.

    The visit is an `escorted_visit` event at the server's moment; the engine judges it at once (D-1..D-11,
    防截客 included) as it re-judges the customer. Raises LedgerError for a field to fix, DomainError when
    `staff` may not confirm, and lookups.LookupRefused over the rate limit (the number is a look-up).
    """
    from leadledger import capabilities

    from . import codes

    capabilities.require(staff, capabilities.CONFIRM_ESCORT)
    seq = codes.escort_seq(project, code)
    registration = (
        models.Event.objects.filter(project=project, seq=seq, kind=REGISTRATION).first() if seq is not None else None
    )
    if registration is None:
        raise LedgerError(
            "带看码无效，请核对经纪人手机上的带看码",
            "this code is not valid: check it on the agent's phone",
            field="code",
        )
    typed = distributor.read_typed_phone(phone.strip(), "full")
    if typed is None or typed.e164 is None:
        raise LedgerError(
            "请填写到访客户完整的11位手机号", "give the visiting customer's full 11-digit mobile number", field="phone"
        )
    e164 = typed.e164
    made = convert.stored(registration, Registration)
    if models.Agent.objects.filter(project=project, pk=int(made.agent), active=False).exists():
        # Decision 511: an agent switched off does not bring customers in the project's name; what they
        # registered keeps its protection, but no escorted visit of theirs is recorded.
        raise LedgerError(
            "该经纪人账号已停用，不能确认其带看",
            "this agent's account is switched off: their escorted visit cannot be confirmed",
            field="code",
        )

    def confirmed() -> Confirmation:
        with transaction.atomic():
            services._lock_project(project)
            registered = models.Customer.objects.get(project=project, pk=int(made.customer))
            customer = _visit_record(project, registered, e164)
            zone = ZoneInfo(project.time_zone)
            today = timezone.now().astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
            earlier = (
                models.Event.objects.filter(project=project, kind=ESCORTED_VISIT, customer=customer, at__gte=today)
                .filter(body__contains=f'"agent":"{made.agent}"')
                .order_by("seq")
                .first()
            )
            if earlier is not None:  # scanned twice at the door: one visit, one slip
                return Confirmation(earlier, again=True)
            event_body = body_for(ESCORTED_VISIT, customer=str(customer.pk), agent=made.agent)
            event = services.event_append(project=project, kind=ESCORTED_VISIT, body=event_body, actor=user)
        return Confirmation(event, again=False)

    return lookups.lookup(
        project=project,
        user=user,
        place=lookups.Place.ESCORT,
        query=phone,
        find=confirmed,
        matched=lambda _found: 1,
        answered=lambda found: "again" if found.again else "confirmed",
    )
