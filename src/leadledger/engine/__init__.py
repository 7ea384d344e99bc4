"""The rules engine: pure Python, no Django, no I/O. Facts in, verdicts out.

Every rule of ../shared/RULES.md lives here once and cites its ID where it is applied.
"""

from .errors import DomainError, EngineError, PolicyError
from .identity import Directory, Identity, mask_phone, normalise_phone, parse_mask
from .model import (
    Agent,
    Call,
    Cast,
    ChannelRuling,
    Customer,
    Deal,
    EscortedVisit,
    Event,
    FollowUp,
    ReferralLogged,
    Registration,
    Relation,
    Renewal,
    Ruling,
    Staff,
    StaffLeft,
    Visit,
)
from .policy import PRESETS, Policy, policy_from
from .rotation import Assignment, Desk
from .splits import arbitrate, commission_lines
from .timeline import Timeline, collector_paused
from .verdict import DealVerdict, RegistrationVerdict, RiskSignal, Standing, Verdict

__all__ = [
    "PRESETS",
    "Agent",
    "Assignment",
    "Call",
    "Cast",
    "ChannelRuling",
    "Customer",
    "Deal",
    "DealVerdict",
    "Desk",
    "Directory",
    "DomainError",
    "EngineError",
    "EscortedVisit",
    "Event",
    "FollowUp",
    "Identity",
    "Policy",
    "PolicyError",
    "ReferralLogged",
    "Registration",
    "RegistrationVerdict",
    "Relation",
    "Renewal",
    "RiskSignal",
    "Ruling",
    "Staff",
    "StaffLeft",
    "Standing",
    "Timeline",
    "Verdict",
    "Visit",
    "arbitrate",
    "collector_paused",
    "commission_lines",
    "mask_phone",
    "normalise_phone",
    "parse_mask",
    "policy_from",
]
