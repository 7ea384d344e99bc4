"""The customer archive (客户小档案, W-4): a customer's class (target or not, with a reason) and a flag
(重点单 / 问题单 / 难点单) that puts them on the owner's today page. The contact history is the customer
page's (every event filed under them)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.ledger import models as ledger

from . import selectors
from .models import CustomerFile


def may_keep(staff: ledger.Staff, customer: ledger.Customer) -> bool:
    """The archive is kept by the customer's owner, or by a manager of the workbench."""
    if capabilities.can(staff, capabilities.LEAD_TEAM):
        return True
    verdict = ledger.Verdict.objects.filter(customer=customer).first()
    return capabilities.can(staff, capabilities.WORKBENCH) and verdict is not None and str(staff.pk) in verdict.owners


def file_save(*, by: ledger.Staff, customer: ledger.Customer, fields: dict[str, Any]) -> CustomerFile:
    """W-4: class the customer (a reason is required) and flag them for daily attention, or clear it."""
    if customer.project_id != by.project_id or not may_keep(by, customer):
        raise DomainError(
            "只有客户的归属顾问或经理可以填写客户小档案", "only the customer's owner or a manager keeps it"
        )
    target = str(fields.get("target", ""))
    if target not in CustomerFile.Target.values:
        raise DomainError("请选择是否目标客户", "choose whether they are a target customer", field="target")
    flag = str(fields.get("flag", ""))
    if flag not in CustomerFile.Flag.values:
        raise DomainError("请选择标记", "choose a flag", field="flag")
    reason = str(fields.get("reason", "")).strip()[:200]
    if target and not reason:
        raise DomainError("请写明界定的理由", "give the reason for the class", field="reason")
    found, _ = CustomerFile.objects.update_or_create(
        customer=customer,
        defaults={
            "project": by.project,
            "target": target,
            "reason": reason,
            "flag": flag,
            "by": by,
            "at": timezone.now(),
        },
    )
    return found


def flagged(staff: ledger.Staff) -> list[CustomerFile]:
    """The person's own customers flagged for daily attention (W-4), for the today page."""
    return list(
        CustomerFile.objects.filter(project=staff.project, customer_id__in=selectors.owned_ids(staff))
        .exclude(flag="")
        .select_related("customer")
        .order_by("flag", "customer__name")
    )
