"""What changes a complaint (S-1): recorded, settled at once or answered on its clock, passed to a
department with that department's own deadline, and closed only with the customer's confirmation.

Every rule is the engine's (engine/complaints.py); this module stores what happened and when.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import complaints as engine
from leadledger.engine.errors import DomainError
from leadledger.ledger import models as ledger

from .models import Complaint, ServiceHours

MAX_DEPARTMENT_HOURS = 24 * 30  # a month: a longer deadline is a mistake in the form, not a promise


def _text(value: Any, field: str, zh: str, en: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise DomainError(zh, en, field=field)
    return text


def complaint_record(*, by: ledger.Staff, fields: dict[str, Any], now: datetime | None = None) -> Complaint:
    """A complaint as it arrives; with `settled` (what was done at once) it is settled and recorded (S-1)."""
    capabilities.require(by, capabilities.SERVE_COMPLAINTS)
    moment = now or timezone.now()
    name = _text(fields.get("name"), "name", "请填写客户姓名", "give the customer's name")
    channel = str(fields.get("channel", ""))
    if channel not in Complaint.Channel.values:
        raise DomainError("请选择投诉渠道", "choose how the complaint came", field="channel")
    kind = str(fields.get("kind", ""))
    if kind not in Complaint.Kind.values:
        raise DomainError("请选择投诉类型", "choose what the complaint is about", field="kind")
    text = _text(fields.get("text"), "text", "请写下客户投诉的内容", "write what the customer complains of")
    settled = str(fields.get("settled", "")).strip()
    complaint = Complaint(
        project=by.project,
        name=name,
        phone=str(fields.get("phone", "")).strip()[:40],
        channel=channel,
        kind=kind,
        text=text,
        received_at=moment,
        received_by=by,
    )
    if settled:  # S-1: settled at once, the customer there to accept it
        complaint.settled_at_once = True
        complaint.answer, complaint.answered_at = settled, moment
        complaint.confirmation, complaint.closed_at, complaint.closed_by = settled, moment, by
    complaint.save()
    return complaint


def _open(by: ledger.Staff, complaint: Complaint) -> None:
    capabilities.require(by, capabilities.SERVE_COMPLAINTS)
    if complaint.project_id != by.project_id:
        raise DomainError("没有这条投诉", "there is no such complaint")
    if complaint.closed_at is not None:
        raise DomainError("这条投诉已结案", "this complaint is closed")


def complaint_answer(*, by: ledger.Staff, complaint: Complaint, answer: str, now: datetime | None = None) -> Complaint:
    """The customer is answered: the 24-hour clock stops (S-1). A later answer adds to the first."""
    _open(by, complaint)
    text = _text(answer, "answer", "请写下给客户的答复", "write the answer given to the customer")
    moment = now or timezone.now()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.answered_at is None:
            complaint.answered_at = moment
            complaint.answer = text
        else:
            complaint.answer = f"{complaint.answer}\n{text}"
        complaint.save()
    return complaint


def complaint_pass(
    *, by: ledger.Staff, complaint: Complaint, department: str, hours: Any, now: datetime | None = None
) -> Complaint:
    """Passed to the department responsible, with that department's own deadline in hours (S-1)."""
    _open(by, complaint)
    name = _text(department, "department", "请填写转交的部门", "name the department")
    text = str(hours or "").strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_DEPARTMENT_HOURS:
        raise DomainError(
            f"请填写 1 到 {MAX_DEPARTMENT_HOURS} 之间的小时数",
            f"enter a number of hours from 1 to {MAX_DEPARTMENT_HOURS}",
            field="hours",
        )
    if complaint.passed_at is not None and complaint.department_done_at is None:
        raise DomainError(
            f"已转交{complaint.department}，请等待其处理结果",
            f"already passed to {complaint.department}: wait for its result",
            field="department",
        )
    complaint.department, complaint.department_hours = name, int(text)
    complaint.passed_at = now or timezone.now()
    complaint.department_result, complaint.department_done_at = "", None
    complaint.save()
    return complaint


def complaint_department_done(
    *, by: ledger.Staff, complaint: Complaint, result: str, now: datetime | None = None
) -> Complaint:
    """The department's result is in: its clock stops."""
    _open(by, complaint)
    if complaint.passed_at is None or complaint.department_done_at is not None:
        raise DomainError("这条投诉没有待处理的部门", "no department is working on this complaint", field="result")
    complaint.department_result = _text(result, "result", "请写下部门的处理结果", "write the department's result")
    complaint.department_done_at = now or timezone.now()
    complaint.save()
    return complaint


def complaint_close(
    *, by: ledger.Staff, complaint: Complaint, confirmation: str, now: datetime | None = None
) -> Complaint:
    """Closed only when answered, any department done, and the customer has confirmed the result (S-1)."""
    _open(by, complaint)
    refusal = engine.close_refusal(
        answered=complaint.answered_at is not None,
        confirmation=confirmation,
        department_open=complaint.passed_at is not None and complaint.department_done_at is None,
    )
    if refusal is not None:
        raise refusal
    complaint.confirmation = confirmation.strip()
    complaint.closed_at, complaint.closed_by = now or timezone.now(), by
    complaint.save()
    return complaint


def service_hours_save(*, by: ledger.Staff, fields: dict[str, Any]) -> ServiceHours:
    """A manager sets the project's complaint clock (S-1): hours to answer, calendar or business hours."""
    capabilities.require(by, capabilities.LEAD_TEAM)
    text = str(fields.get("response_hours", "")).strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 240):
        raise DomainError("答复时限请填1到240小时", "answer within 1 to 240 hours", field="response_hours")
    business = str(fields.get("business", "")) in ("1", "on", "true")
    try:
        opens = time.fromisoformat(str(fields.get("opens", "")).strip())
        closes = time.fromisoformat(str(fields.get("closes", "")).strip())
    except ValueError:
        raise DomainError("请填写时间，例如09:00", "enter a time such as 09:00", field="opens") from None
    days = sorted({int(d) for d in fields.get("weekdays", []) if str(d).isascii() and str(d).isdigit()})
    try:  # S-1: the engine decides what business hours may be (open before close, a working day)
        engine.BusinessHours(opens=opens, closes=closes, weekdays=frozenset(days))
    except DomainError as wrong:
        raise wrong.on("weekdays" if not days else "closes") from None
    found, _ = ServiceHours.objects.update_or_create(
        project=by.project,
        defaults={
            "response_hours": int(text),
            "business": business,
            "opens": opens,
            "closes": closes,
            "weekdays": ",".join(str(d) for d in days),
        },
    )
    return found
