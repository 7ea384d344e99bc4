"""Writes: the only code that appends events and materialises verdicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from leadledger import engine
from leadledger.engine import model as engine_model
from leadledger.engine.errors import DomainError
from leadledger.engine.model import (
    CORRECTION,
    EVENT_TYPES,
    VISIT,
    body_for,
    customers_of,
    kinds_linking,
    kinds_without_customer,
    staff_by,
)
from leadledger.engine.text import name_checked, reason_checked, whole_id
from leadledger.engine.visits import VisitDetails

from . import convert, logchain, models, selectors
from .chain import GENESIS, canonical, chain_hash, event_hash


class LedgerError(DomainError):
    """A fact the ledger or a service refuses, with the reason in Chinese and in English."""


def _lock_project(project: models.Project) -> None:
    # One writer per project at a time keeps the hash chain a single line. On SQLite the IMMEDIATE
    # transaction already holds the database's write lock; on PostgreSQL a transaction-scoped
    # advisory lock does it without blocking other projects.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7031, project.pk])


def project_lock(project: models.Project) -> None:
    """Take the project's writer lock, inside the caller's transaction (an import re-reading its keys)."""
    _lock_project(project)


def _customers_of(kind: str, body: dict[str, Any]) -> list[int]:
    return [int(c) for c in customers_of(kind, body)]


def _staff_of(kind: str, body: dict[str, Any]) -> int | None:
    return whole_id(staff_by(kind, body))


def _event_row(
    project: models.Project, seq: int, prev_hash: str, kind: str, body: dict[str, Any], at: datetime, actor: Any
) -> models.Event:
    text = canonical(body)
    customers = _customers_of(kind, body)
    # Filed under the first customer its type declares (a deal: its buyer, whose household decides it, IH-10).
    customer = customers[0] if customers else None
    staff = _staff_of(kind, body)
    actor_id = actor.pk if actor is not None else None
    if seq >= project.chain_v2_from:  # every column that carries meaning (chain version 2)
        digest = event_hash(
            prev_hash, seq, at, kind, text, project=project.pk, customer=customer, staff=staff, actor=actor_id
        )
    else:  # a project migrated from version 1 before its first version 2 event: never, once written
        digest = chain_hash(prev_hash, seq, at, kind, text)
    return models.Event(
        project=project,
        seq=seq,
        kind=kind,
        at=at,
        actor_id=actor_id,
        customer_id=customer,
        staff_id=staff,
        body=text,
        prev_hash=prev_hash,
        hash=digest,
    )


def _customers_touched(project: models.Project, kind: str, body: dict[str, Any]) -> list[int]:
    """The customers an event may change the verdict of."""
    if not EVENT_TYPES[kind].customer_fields:  # a departure (IH-13) touches every customer its staff owned
        staff = [str(body[name]) for name in EVENT_TYPES[kind].staff_fields if body.get(name) is not None]
        return list(
            models.Verdict.objects.filter(project=project, owners__has_any_keys=staff).values_list(
                "customer_id", flat=True
            )
        )
    return _customers_of(kind, body)


def _refuse_self_introduction(kind: str, body: dict[str, Any]) -> None:
    # IH-8: the engine says a customer is never their own referrer; a new fact saying so is refused
    # (events stored before this check are replayed as they are).
    refused = engine_model.self_introduction(kind, body)
    if refused is not None:
        raise LedgerError(refused.zh, refused.en, field=refused.field)


def event_append(
    *, project: models.Project, kind: str, body: dict[str, Any], actor: Any = None, at: datetime | None = None
) -> models.Event:
    """Append one event at the server's time, chain it, and re-judge the customers it concerns.

    `at` is for imports of past records only; live events always take the server's clock.
    """
    if kind not in EVENT_TYPES:
        raise LedgerError(f"未知事件类型 {kind!r}", f"unknown event type {kind!r}")
    body = convert.completed(kind, body)
    _refuse_self_introduction(kind, body)
    with transaction.atomic():
        _lock_project(project)
        last = models.Event.objects.filter(project=project).order_by("-seq").values("seq", "hash").first()
        seq = last["seq"] + 1 if last else 1
        prev_hash = last["hash"] if last else GENESIS
        moment = at or timezone.now()
        convert.engine_event(kind, seq, moment, body)  # the engine refuses a malformed fact before it is stored
        row = _event_row(project, seq, prev_hash, kind, body, moment, actor)
        row.save(force_insert=True)
        customers = _customers_touched(project, kind, body)
        verdicts_refresh(project=project, customer_ids=customers, through_seq=seq, now=moment)
    return row


def verdicts_refresh(*, project: models.Project, customer_ids: list[int], through_seq: int, now: datetime) -> None:
    """Re-judge these customers (and their households) with the engine and store the verdicts."""
    if not customer_ids:
        return
    timeline = selectors.timeline_for(project, customer_ids)
    household = timeline.identity.household
    roots = {household[str(c)] for c in customer_ids}
    judged = [timeline.verdict(cid, now) for cid, root in household.items() if root in roots]
    _verdicts_store(project, judged, through_seq)


def verdicts_catch_up(*, project: models.Project, customer_ids: list[int]) -> None:
    """Judge again now, and store, verdicts that time alone has moved since they were judged.

    A pending claim voids at its deadline (IH-4) and an active one lapses at its end (IH-5) with no
    event to re-judge them; a reader that finds such a verdict calls this. Under the project's lock,
    so that no event appended meanwhile is judged without (its verdict would be overwritten by ours).
    """
    if not customer_ids:
        return
    with transaction.atomic():
        _lock_project(project)
        through = models.Event.objects.filter(project=project).order_by("-seq").values_list("seq", flat=True).first()
        verdicts_refresh(project=project, customer_ids=customer_ids, through_seq=through or 0, now=timezone.now())


def _shares(shares: dict[str, Any] | None) -> dict[str, str] | None:
    return {k: str(v) for k, v in shares.items()} if shares else None


_VERDICT_FIELDS = [
    "owners",
    "status",
    "until",
    "channel",
    "channel_status",
    "channel_until",
    "cites",
    "explain_zh",
    "explain_en",
    "policy_version",
    "judged_at",
]


def _verdict_fields(verdict: engine.Verdict) -> dict[str, Any]:
    return {
        "owners": _shares(verdict.owners),
        "status": verdict.status,
        "until": verdict.until,
        "channel": _shares(verdict.channel),
        "channel_status": verdict.channel_status,
        "channel_until": verdict.channel_until,
        "cites": ",".join(verdict.cites),
        "explain_zh": verdict.explain("zh"),
        "explain_en": verdict.explain("en"),
        "policy_version": verdict.policy_version,
        "judged_at": verdict.at,
    }


def _verdicts_store(project: models.Project, verdicts: list[engine.Verdict], through_seq: int) -> None:
    rows = [
        models.Verdict(customer_id=int(v.customer), project=project, through_seq=through_seq, **_verdict_fields(v))
        for v in verdicts
    ]
    models.Verdict.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["customer"],
        update_fields=[*_VERDICT_FIELDS, "through_seq"],
    )


def customer_find_or_create(*, project: models.Project, name: str, phone: str | None) -> tuple[models.Customer, bool]:
    """The customer with this exact phone, or a new one; two desks at once still make one (ID-1)."""
    name = name_checked(name)
    key = engine.Phone.parse(phone).value if phone else None
    if key and "*" not in key:
        with transaction.atomic():
            customer, created = models.Customer.objects.get_or_create(
                project=project, phone=key, defaults={"name": name}
            )
        return customer, created
    return models.Customer.objects.create(project=project, name=name, phone=key), True


def visit_register(
    *,
    project: models.Project,
    customer: models.Customer,
    staff: models.Staff,
    actor: Any = None,
    site: str | None = None,
    asks_for: models.Staff | None = None,
    details: VisitDetails | None = None,
) -> models.Event:
    """Register a visit received by `staff` (IH-1); the engine decides what it means.

    `asks_for` is the consultant the visitor asked for by name (Q-5; the engine reads it for IH-8);
    `details` are the desk's notes of the visit (party size, source, intent), which decide nothing.
    """
    body = body_for(
        VISIT,
        customer=str(customer.pk),
        staff=str(staff.pk),
        site=site or None,
        asks_for=str(asks_for.pk) if asks_for is not None else None,
        **(details.body() if details is not None else {}),
    )
    return event_append(project=project, kind=VISIT, body=body, actor=actor)


def visit_correct(
    *,
    project: models.Project,
    visit: models.Event,
    customer: models.Customer,
    staff: models.Staff,
    by: models.Staff,
    reason: str,
    actor: Any = None,
    details: VisitDetails | None = None,
) -> models.Event:
    """Correct a registered visit with a new event; the visit's own event is never changed.

    The engine says whether it may be corrected (docs/decisions.md 221: the same day, once, before
    anything else happened to either customer): judged under the project's lock at the moment the
    correction is appended, so nothing slips in between.
    """
    if visit.customer_id is None:
        raise LedgerError("只能更正已登记的来访", "only a registered visit can be corrected", field="visit")
    body = body_for(
        CORRECTION,
        visit=convert.event_id(visit.seq),
        customer=str(customer.pk),
        was_customer=str(visit.customer_id),
        staff=str(staff.pk),
        by=str(by.pk),
        reason=reason_checked(reason),
        **(details.body() if details is not None else {}),
    )
    with transaction.atomic():
        _lock_project(project)
        last = models.Event.objects.filter(project=project).order_by("-seq").values_list("seq", flat=True).first()
        correction = convert.engine_event(CORRECTION, (last or 0) + 1, timezone.now(), body)
        timeline = selectors.timeline_for(project, [visit.customer_id, customer.pk])
        refused = timeline.correction_refusal(correction)  # type: ignore[arg-type]
        if refused is not None:
            raise LedgerError(refused.zh, refused.en, field=refused.field)
        return event_append(project=project, kind=CORRECTION, body=body, actor=actor)


def events_import(
    *, project: models.Project, records: list[tuple[str, dict[str, Any], datetime]], actor: Any = None
) -> list[models.Event]:
    """Append many past events (an import, the demo) in one transaction, then rebuild every verdict.

    Each record is (kind, body, at). Records are recorded in time order (ties keep their order),
    chained like any other event, and validated by the engine before anything is stored; one bad
    record stores none. Returns the stored events in that order.
    """
    for kind, _body, _at in records:
        if kind not in EVENT_TYPES:
            raise LedgerError(f"未知事件类型 {kind!r}", f"unknown event type {kind!r}")
    ordered = sorted(((kind, convert.completed(kind, body), at) for kind, body, at in records), key=lambda r: r[2])
    for kind, body, at in ordered:
        _refuse_self_introduction(kind, body)
        convert.engine_event(kind, 0, at, body)
    with transaction.atomic():
        _lock_project(project)
        last = models.Event.objects.filter(project=project).order_by("-seq").values("seq", "hash").first()
        seq = last["seq"] if last else 0
        prev_hash = last["hash"] if last else GENESIS
        stored: list[models.Event] = []
        for kind, body, at in ordered:
            seq += 1
            row = _event_row(project, seq, prev_hash, kind, body, at, actor)
            stored.append(row)
            prev_hash = row.hash
        models.Event.objects.bulk_create(stored, batch_size=2000)
        if any(kind in kinds_without_customer() for kind, _, _ in ordered):  # IH-13: every customer of the leaver
            verdicts_rebuild(project=project, now=timezone.now())
        else:
            touched = {c for kind, body, _ in ordered for c in _customers_of(kind, body)}
            verdicts_refresh(project=project, customer_ids=sorted(touched), through_seq=seq, now=timezone.now())
    return stored


def verdicts_rebuild(*, project: models.Project, now: datetime) -> int:
    """Judge every customer of the project by replaying its whole history, and store the verdicts."""
    timeline = selectors.whole_timeline(project)
    through = models.Event.objects.filter(project=project).order_by("-seq").values_list("seq", flat=True).first() or 0
    verdicts = list(timeline.verdicts(now).values())
    _verdicts_store(project, verdicts, through)
    return len(verdicts)


def personal_data_show(
    *, project: models.Project, customer: models.Customer, user: Any, field: str, reason: str
) -> str:
    """The customer's phone or ID number in full, logged with who, when and why (PIPL).

    The caller decides who may ask (web.access); this refuses a look without a reason.
    """
    reason = reason_checked(reason)
    if not reason:
        raise LedgerError("请说明查看完整信息的原因", "say why you need to see it in full", field="reason")
    value = {"phone": customer.phone, "id_number": customer.id_number}[field]
    if not value or "*" in value:
        raise LedgerError("没有可显示的完整信息", "there is nothing more to show")
    logchain.chained_append(
        logchain.DISCLOSURES, project=project, customer=customer, user=user, kind=field, reason=reason[:200]
    )
    return value


def customer_erase(*, project: models.Project, customer: models.Customer, user: Any, reason: str) -> None:
    """Blank a customer's personal data on a lawful request, keeping every event and the chain intact.

    Events refer to the customer by id only, so the chain still verifies; the verdicts that name the
    customer (theirs, their household's, those they referred) are judged again without the name.
    """
    reason = reason_checked(reason)
    if not reason:
        raise LedgerError("请填写删除依据", "give the grounds for the erasure", field="reason")
    with transaction.atomic():
        _lock_project(project)
        customer.name, customer.phone, customer.id_number = "", None, None
        customer.erased_at = timezone.now()
        customer.save(update_fields=["name", "phone", "id_number", "erased_at"])
        logchain.chained_append(
            logchain.DISCLOSURES,
            project=project,
            customer=customer,
            user=user,
            kind=models.Disclosure.Kind.ERASURE,
            reason=reason[:200],
        )
        mention = f'"{customer.pk}"'
        referred = models.Event.objects.filter(
            project=project, kind__in=kinds_linking(), body__contains=mention
        ).values_list("customer_id", flat=True)
        through = models.Event.objects.filter(project=project).order_by("-seq").values_list("seq", flat=True).first()
        if through is not None:
            ids = {customer.pk, *(c for c in referred if c is not None)}
            verdicts_refresh(project=project, customer_ids=sorted(ids), through_seq=through, now=timezone.now())


def policy_set(*, project: models.Project, policy: dict[str, Any], user: Any) -> models.PolicyChange:
    """Adopt a new policy for the project (validated by the engine), keep it in the project's history,
    and queue the re-judging of every stored verdict under it (ledger.policy_jobs).

    A re-judge still queued or running for an earlier change is superseded: the new one re-judges
    every verdict not yet judged under the newest policy, so none of an older one is left behind.
    Events recorded meanwhile are judged under the new policy as they come.
    """
    if not isinstance(policy, dict):
        raise LedgerError("策略应为参数对象", "a policy is an object of parameters", field="policy")
    try:
        checked = engine.policy_from({**policy, "time_zone": project.time_zone})
    except engine.EngineError as error:
        raise LedgerError(error.zh, error.en, field=error.field or "policy") from None
    with transaction.atomic():
        _lock_project(project)
        project.policy = policy
        project.save(update_fields=["policy"])
        change: models.PolicyChange = logchain.chained_append(
            logchain.POLICY_CHANGES, project=project, policy=policy, version=checked.version, user=user
        )
        Job = models.PolicyJob
        Job.objects.filter(
            project=project, kind=Job.Kind.REJUDGE, state__in=(Job.State.QUEUED, Job.State.RUNNING)
        ).update(state=Job.State.SUPERSEDED, finished_at=timezone.now())
        job = Job.objects.create(
            project=project, kind=Job.Kind.REJUDGE, policy=policy, policy_version=checked.version, user=user
        )
        transaction.on_commit(lambda: _enqueue(job))
    return change


def policy_what_if_start(*, project: models.Project, proposed: Any, user: Any) -> models.PolicyJob:
    """Queue a what-if over the whole project: every customer judged under `proposed`, nothing stored."""
    from leadledger.engine.answers import proposed_policy

    try:
        proposal = proposed_policy(proposed, convert.policy_of(project))
    except engine.EngineError as error:
        raise LedgerError(error.zh, error.en, field="what_if") from None
    job = models.PolicyJob.objects.create(
        project=project,
        kind=models.PolicyJob.Kind.WHAT_IF,
        policy=proposal.as_dict(),
        policy_version=proposal.version,
        user=user,
    )
    transaction.on_commit(lambda: _enqueue(job))
    return job


def policy_apply(*, project: models.Project, preview: int, user: Any) -> models.PolicyChange:
    """Adopt exactly the policy a finished what-if of this project previewed (policy_set does the rest)."""
    Job = models.PolicyJob
    job = Job.objects.filter(pk=preview, project=project, kind=Job.Kind.WHAT_IF, state=Job.State.DONE).first()
    if job is None:
        raise LedgerError(
            "请先预览这项政策调整，预览完成后再启用",
            "preview the change first, and apply it once the preview is done",
            field="preview",
        )
    policy = engine.policy_from({**job.policy, "time_zone": project.time_zone})
    return policy_set(project=project, policy=engine.policy_stored(policy), user=user)


def _enqueue(job: models.PolicyJob) -> None:
    from . import tasks  # the tasks import this module

    tasks.policy_job_run.enqueue(job.pk)
