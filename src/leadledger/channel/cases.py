"""Writes for the channel team's cases: appeals (申诉, D-13) and special cases (客户情况说明表, D-10).

What decides is an event or a relation, never the case row (docs/decisions.md 360-363):

- an appeal upheld by the channel manager is a `channel_ruling` with `appeal` set, giving the customer to
  the appealing agent; the engine hears it only within `appeal_days` (D-13) and the verdict follows it;
- an appeal rejected writes no event: the verdict stays as the rules made it, and the decision, its
  reason and the evidence stay with the case (a ruling "to the house" would take the customer from a
  distributor who holds it rightly);
- a special case upheld verifies its relation (ID-4, D-5, D-6): only after a situation form, at least
  one piece of evidence and one verification note (D-10), and the customers are judged again at once.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import EngineError
from leadledger.engine.model import CHANNEL_RULING, RELATION_KINDS, Registration, body_for
from leadledger.engine.phone import Phone
from leadledger.engine.text import plain_text, reason_checked
from leadledger.ledger import convert, lookups, relations
from leadledger.ledger import models as ledger
from leadledger.ledger import services as ledger_services
from leadledger.ledger.selectors import customer_search
from leadledger.ledger.services import LedgerError

from . import evidence, selectors
from .models import Case, Evidence, Note

STATEMENT_MAX = 1000
NOTE_MAX = 500


def _statement(text: str) -> str:
    text = plain_text(text, limit=STATEMENT_MAX, what=("情况说明", "the statement"), field="statement", lines=True)
    if not text:
        raise LedgerError("请说明情况", "say what happened", field="statement")
    return text


def _evidence_kind(kind: str) -> str:
    if kind not in Evidence.Kind.values:
        raise LedgerError("请选择材料类型", "choose what the file is", field="kind")
    return kind


def _attach(case: Case, *, kind: str, upload: Any, user: Any) -> Evidence:
    stored = evidence.store(upload)
    return Evidence.objects.create(
        case=case,
        kind=kind,
        name=stored.name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=user,
    )


def appeal_file(
    *, agent: ledger.Agent, user: Any, seq: int, statement: str, kind: str = "", upload: Any = None
) -> Case:
    """A distributor's appeal (D-13) against one of their registrations' answers, with a file if given.

    Only the agent's own registrations (their company's for its admin); one open appeal per registration.
    """
    registration = selectors.registration_in_view(agent.project, seq, agent)
    if registration is None:
        raise LedgerError("没有这条报备", "there is no such registration")
    statement = _statement(statement)
    if upload is not None:
        kind = _evidence_kind(kind)
    registered = convert.stored(registration, Registration)
    with transaction.atomic():
        ledger_services._lock_project(agent.project)  # two clicks make one appeal
        if Case.objects.filter(project=agent.project, registration_seq=seq, decision="").exists():
            raise LedgerError("这条报备的申诉正在处理中", "an appeal about this registration is already waiting")
        case = Case.objects.create(
            project=agent.project,
            kind=Case.Kind.APPEAL,
            customer_id=int(registered.customer),
            agent_id=int(registered.agent),
            registration_seq=seq,
            statement=statement,
            filed_by=user,
        )
        if upload is not None:
            _attach(case, kind=kind, upload=upload, user=user)
    return case


def situation_open(
    *, staff: ledger.Staff, agent: ledger.Agent, phone: str, other_phone: str, kind: str, statement: str
) -> Case:
    """A special case (D-5, D-6, D-10): the confirmed customer, the one who buys or came along, and how
    they are related, as the situation form tells it. The relation is recorded pending (ID-4)."""
    capabilities.require(staff, capabilities.MANAGE_CHANNEL)
    if agent.project_id != staff.project_id:
        raise LedgerError("没有这位经纪人", "there is no such agent", field="agent")
    if kind not in RELATION_KINDS:
        raise LedgerError("请选择关系", "choose the relation", field="relation")
    statement = _statement(statement)
    project = staff.project
    found = []
    for field, typed in (("phone", phone), ("other_phone", other_phone)):
        try:
            key = Phone.parse(typed, masks=False).value
        except EngineError as error:
            raise LedgerError(error.zh, error.en, field=field) from None
        people = lookups.lookup(
            project=project,
            user=staff.user,
            place=lookups.Place.RELATION,
            query=key,
            find=lambda key=key: [c for c in customer_search(project, key) if c.phone == key],
        )
        if not people:
            raise LedgerError(
                "没有这个电话的客户：请先登记该客户", "no customer has this phone: register them first", field=field
            )
        found.append(people[0])
    customer, other = found
    if customer.pk == other.pk:
        raise LedgerError("不能与自己建立关系", "a customer cannot be related to themselves", field="other_phone")
    with transaction.atomic():
        relation = (
            ledger.Relation.objects.filter(project=project, a=customer, b=other, kind=kind).first()
            or ledger.Relation.objects.filter(project=project, a=other, b=customer, kind=kind).first()
            or relations.relation_create(
                project=project, a=customer, b=other, kind=kind, verified=False, user=staff.user
            )
        )
        return Case.objects.create(
            project=project,
            kind=Case.Kind.SITUATION,
            customer=customer,
            agent=agent,
            relation=relation,
            statement=statement,
            filed_by=staff.user,
        )


def evidence_add(*, case: Case, user: Any, kind: str, upload: Any) -> Evidence:
    """A file for an open case, from the channel team or the agent who filed it."""
    if case.decision:
        raise LedgerError("此事项已有决定", "this case has been decided", field="file")
    if upload is None:
        raise LedgerError("请选择文件", "choose a file", field="file")
    return _attach(case, kind=_evidence_kind(kind), upload=upload, user=user)


def note_add(*, staff: ledger.Staff, case: Case, method: str, text: str) -> Note:
    """A verification by the channel team (D-10): an interview or a callback, and what it found."""
    capabilities.require(staff, capabilities.MANAGE_CHANNEL)
    if case.decision:
        raise LedgerError("此事项已有决定", "this case has been decided", field="text")
    if method not in Note.Method.values:
        raise LedgerError("请选择核实方式", "choose how it was verified", field="method")
    text = plain_text(text, limit=NOTE_MAX, what=("核实记录", "the note"), field="text", lines=True)
    if not text:
        raise LedgerError("请写下核实结果", "write what the verification found", field="text")
    return Note.objects.create(case=case, by=staff, method=method, text=text)


def case_decide(*, manager: ledger.Staff, case: Case, decision: str, reason: str) -> Case:
    """The channel manager's decision (D-10, D-13): an upheld appeal is a ruling, an upheld special case a
    verified relation; a rejection changes no verdict. Decided once."""
    capabilities.require(manager, capabilities.MANAGE_CHANNEL)
    capabilities.require(manager, capabilities.RULE)
    if decision not in Case.Decision.values:
        raise LedgerError("请选择支持或驳回", "choose to uphold or reject", field="decision")
    reason = reason_checked(reason)
    if not reason:
        raise LedgerError("决定必须说明理由", "a decision needs a reason", field="reason")
    upheld = decision == Case.Decision.UPHELD
    with transaction.atomic():
        ledger_services._lock_project(manager.project)
        case = Case.objects.select_related("relation").get(pk=case.pk)
        if case.decision:
            raise LedgerError("此事项已有决定", "this case has been decided", field="decision")
        if upheld and case.kind == Case.Kind.SITUATION:
            # D-10: the form, evidence and the team's verification before a relation counts.
            if not case.evidence.exists():
                raise LedgerError("核实前需上传证明材料", "upload the evidence before upholding", field="decision")
            if not case.notes.exists():
                raise LedgerError("需先记录面谈或回访核实", "record an interview or a callback first", field="decision")
        case.decision, case.decided_by, case.reason = decision, manager, reason
        case.decided_at = timezone.now()
        if upheld and case.kind == Case.Kind.APPEAL:
            body = body_for(
                CHANNEL_RULING,
                customer=str(case.customer_id),
                agent=str(case.agent_id),
                by=str(manager.pk),
                reason=reason,
                appeal=True,
            )
            event = ledger_services.event_append(
                project=manager.project, kind=CHANNEL_RULING, body=body, actor=manager.user
            )
            case.ruling_seq = event.seq
        if upheld and case.kind == Case.Kind.SITUATION and case.relation is not None and not case.relation.verified:
            relations.relation_verified(relation=case.relation, user=manager.user)
            last = ledger.Event.objects.filter(project=manager.project).order_by("-seq").values_list("seq", flat=True)
            ledger_services.verdicts_refresh(
                project=manager.project,
                customer_ids=[case.relation.a_id, case.relation.b_id],
                through_seq=last.first() or 0,
                now=case.decided_at,
            )
        case.save()
    return case
