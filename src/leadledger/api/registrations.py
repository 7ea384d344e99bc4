"""Registrations (报备) for distributors' systems: the same services and selectors as the agent's pages.

Nothing here judges: `channel.services.registration_make` (the engine's D-11, D-12, the cap, the lookup
log and its rate limit) answers a registration, `channel.selectors` says what an agent may see, masked.
An answer has the same status and shape whoever holds the customer: "registered until …" or D-12's word.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from leadledger.channel import codes, selectors, services
from leadledger.engine.errors import DomainError
from leadledger.engine.model import REGISTRATION, EscortedVisit, Registration
from leadledger.ledger import convert
from leadledger.ledger import models as ledger

from .auth import agents_of, channel_token
from .errors import Error
from .models import Token
from .speech import lang_of, word_code

router = Router(tags=["registrations"])

Seq = Annotated[int, Path(ge=1, le=2**62, description="the registration's number (as in its escort code)")]
_NO_NUL = r"^[^\x00]*$"  # PostgreSQL stores no NUL: refused as invalid input on both databases


class RegisterIn(Schema):
    name: str = Field(..., max_length=100, pattern=_NO_NUL, description="the customer's name as the agent has it")
    phone: str = Field(
        ..., max_length=40, pattern=_NO_NUL, description="full (13812345678) or masked in the project's mode"
    )
    agent: int | None = Field(
        None, ge=1, le=2**62, description="for an integration's token: which of the company's agents registers"
    )


class Answer(Schema):
    accepted: bool
    code: str = Field(..., description="registered, or refused_*: D-12's reason (refused_taken, refused_known…)")
    word: str = Field(..., description="the trade's word in the caller's language (报备成功, 已被报备…)")
    message: str = Field(..., description="the sentence the agent's page shows")
    until: datetime | None = Field(None, description="end of the protection, when the scheme starts it now")
    registration: int | None = Field(None, description="the accepted registration's number")
    escort_code: str | None = Field(None, description="the code the agent shows on the escorted visit")


class RegistrationOut(Schema):
    registration: int
    customer: str = Field(..., description="the name as registered")
    phone: str = Field(..., description="masked")
    agent: str
    registered_at: datetime
    code: str
    word: str
    until: datetime | None
    sentence: str
    reminder: bool = Field(..., description="protection ends soon")
    visited: bool
    escort_code: str | None = Field(None, description="while the customer may be brought on it")


class Page(Schema):
    items: list[RegistrationOut]
    page: int
    size: int
    total: int


class Visit(Schema):
    visit: int = Field(..., description="the escorted visit's number (its slip)")
    arrived_at: datetime
    credited: bool = Field(..., description="the visit is credited to the registering agent")
    until: datetime | None
    sentence: str


class EscortStatus(Schema):
    registration: int
    escort_code: str | None
    confirmed: bool
    visits: list[Visit]


def _viewer(token: Token) -> ledger.Agent:
    """Whose view the selectors take: the agent's, or for an integration the company admin's (decision 180)."""
    if token.agent is not None:
        return token.agent
    return ledger.Agent(project=token.project, distributor=token.distributor, admin=True, name="")


def _registering(token: Token, agent_id: int | None) -> ledger.Agent:
    """The agent a registration is filed for: the token's own, or one of the integration's company."""
    if token.agent is not None and agent_id in (None, token.agent.pk):
        return token.agent
    if token.agent is None and agent_id is not None:
        found = ledger.Agent.objects.filter(project=token.project, distributor=token.distributor, pk=agent_id).first()
        if found is not None:
            return found
    # Another company's agent, or nobody: one answer, so an id reveals nothing.
    raise DomainError(
        "请填写本公司经纪人的编号（agent）", "give the id of one of your company's agents (agent)", field="agent"
    )


def _shown(request: HttpRequest, token: Token) -> list[RegistrationOut]:
    lang = lang_of(request)
    rows = selectors.registrations_shown(_viewer(token), timezone.now(), lang)
    return [
        RegistrationOut(
            registration=row.seq,
            customer=row.customer,
            phone=row.phone,
            agent=row.agent,
            registered_at=row.at,
            code=word_code(row.word),
            word=row.word,
            until=row.until,
            sentence=row.sentence,
            reminder=row.reminder,
            visited=row.visited,
            escort_code=codes.escort_code(token.project, row.seq) if row.escortable else None,
        )
        for row in rows
    ]


@router.post(
    "/registrations",
    response={200: Answer, 400: Error, 401: Error, 403: Error, 422: Error, 429: Error},
    summary="Register a customer",
)
def register(request: HttpRequest, payload: RegisterIn) -> Answer:
    """Register a customer (报备, D-11, D-12), judged as the agent's page judges it; every attempt is logged."""
    token = channel_token(request)
    agent = _registering(token, payload.agent)
    answer = services.registration_make(
        project=token.project, agent=agent, user=token.user, name=payload.name, phone=payload.phone
    )
    if answer.accepted:
        _tell_webhooks(token.project)
    lang = lang_of(request)
    seq = answer.event.seq if answer.accepted and answer.event is not None else None
    word = answer.word if lang == "zh" else _english(answer.word)
    return Answer(
        accepted=answer.accepted,
        code=word_code(answer.word),
        word=word,
        message=answer.text(lang, ZoneInfo(token.project.time_zone)),
        until=answer.until if answer.accepted else None,
        registration=seq,
        escort_code=codes.escort_code(token.project, seq) if seq is not None else None,
    )


def _tell_webhooks(project: ledger.Project) -> None:
    """Queue the search for status changes to send, when the project has a webhook at all."""
    from .models import Webhook
    from .tasks import changes_send

    if Webhook.objects.filter(project=project, active=True).exists():
        changes_send.enqueue(project.pk)


def _english(word: str) -> str:
    from leadledger.engine import distributor

    return distributor.STANDING_EN.get(word) or distributor.REFUSALS_EN.get(word, word)


@router.get(
    "/registrations", response={200: Page, 400: Error, 401: Error, 403: Error, 422: Error}, summary="My registrations"
)
def registrations(
    request: HttpRequest,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page:
    """The registrations the token may see, as the agent's page lists them: ending soon first, then newest."""
    shown = _shown(request, channel_token(request))
    start = (page - 1) * size
    return Page(items=shown[start : start + size], page=page, size=size, total=len(shown))


@router.get(
    "/registrations/{seq}",
    response={200: RegistrationOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="One registration",
)
def registration(request: HttpRequest, seq: Seq) -> RegistrationOut:
    for row in _shown(request, channel_token(request)):
        if row.registration == seq:
            return row
    raise HttpError(404, "not found")  # another agent's, another project's, or none: the same answer


@router.get(
    "/registrations/{seq}/escort",
    response={200: EscortStatus, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="Escorted-visit confirmation status",
)
def escort_status(request: HttpRequest, seq: Seq) -> EscortStatus:
    """Whether the customer of a registration was brought and confirmed at the door, and what it counted for."""
    token = channel_token(request)
    project = token.project
    event = ledger.Event.objects.filter(project=project, seq=seq, kind=REGISTRATION).first()
    mine = {a.pk: a for a in agents_of(token)}
    made = convert.stored(event, Registration) if event is not None else None
    if made is None or int(made.agent) not in mine:
        raise HttpError(404, "not found")
    assert event is not None
    lang = lang_of(request)
    visits = []
    for escorted in reversed(selectors.escorts_of(project, [mine[int(made.agent)]])):
        if convert.stored(escorted, EscortedVisit).customer != made.customer or escorted.at < event.at:
            continue
        slip = selectors.slip_of(project, escorted, lang)
        visits.append(
            Visit(
                visit=slip.seq,
                arrived_at=slip.arrived_at,
                credited=slip.credited,
                until=slip.until,
                sentence=slip.sentence,
            )
        )
    shown = {row.registration: row for row in _shown(request, token)}.get(seq)
    return EscortStatus(
        registration=seq,
        escort_code=shown.escort_code if shown is not None else None,
        confirmed=bool(visits),
        visits=visits,
    )
