"""A registration corrected at the desk: the visit it makes, and when a correction may be made.

No rule of RULES.md speaks of corrections; docs/decisions.md 220-223 do. The register is the evidence
of first contact, so a receptionist's slip (the wrong consultant, the wrong match, the wrong
notes) is put right by a new event, never by editing the visit: the engine reads the visit as
registered before the correction and as corrected from it on, so the dispute page shows the verdict
before and after. A correction may not be a way to hand a customer to someone else: it is allowed
on the visit's own day only, once, before anything else happened to either customer, and never
after a manager's ruling; later mistakes go to the manager, who rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo

from .errors import EngineError
from .model import Correction, Event, Visit


def replacement(visit: Visit, correction: Correction) -> Visit:
    """The visit as the correction says it was: at the visit's own moment, under the correction's id."""
    return Visit(
        id=correction.id,
        at=visit.at,
        seq=visit.seq,
        customer=correction.customer,
        staff=correction.staff,
        registered=visit.registered,
        asks_for=visit.asks_for,
        introduced_by=visit.introduced_by,
        referred_by_employee=visit.referred_by_employee,
        company_referral=visit.company_referral,
        site=visit.site,
        party=visit.party if correction.party is None else correction.party,
        source=visit.source if correction.source is None else correction.source,
        intent=visit.intent if correction.intent is None else correction.intent,
    )


def _changes_nothing(visit: Visit, correction: Correction) -> bool:
    return (
        correction.customer == visit.customer
        and correction.staff == visit.staff
        and correction.party in (None, visit.party)
        and correction.source in (None, visit.source)
        and correction.intent in (None, visit.intent)
    )


def correction_refused(
    visit: Event | None,
    correction: Correction,
    *,
    corrected_before: bool,
    later: Iterable[Event],
    zone: tzinfo,
) -> EngineError | None:
    """Why this correction may not be recorded, or None (docs/decisions.md 221).

    `later` are the in-house facts of the visit's and the corrected customer's households recorded
    after the visit (a follow-up, a call, another visit, a renewal, a ruling, a deal, a correction).
    """
    if not isinstance(visit, Visit) or not visit.registered or visit.customer != correction.was_customer:
        return EngineError("只能更正已登记的来访", "only a registered visit can be corrected", field="visit")
    if corrected_before:
        return EngineError(
            "这次登记已经更正过一次；如仍有误，请经理裁定",
            "this registration was corrected once already; ask the manager to rule if it is still wrong",
            field="visit",
        )
    if correction.at.astimezone(zone).date() != visit.at.astimezone(zone).date():
        return EngineError(
            "只能在来访当天更正登记；之后请经理裁定",
            "a registration can be corrected on the day of the visit only; after that, ask the manager to rule",
            field="visit",
        )
    if _changes_nothing(visit, correction):
        return EngineError("更正的内容与原登记相同", "the correction changes nothing", field="staff")
    if any(True for _ in later):
        return EngineError(
            "这位客户在这次登记之后已有跟进、来访或经理裁定，不能再更正；请经理裁定",
            "the customer has a follow-up, a visit or a ruling after this registration: ask the manager to rule",
            field="visit",
        )
    if not correction.reason.strip():
        return EngineError("请填写更正原因", "the reason for the correction is required", field="reason")
    return None
