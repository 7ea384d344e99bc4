"""The rules engine: pure Python, no Django, no I/O. Facts in, verdicts out.

Every rule of ../shared/RULES.md lives here once and cites its ID where it is applied.
"""

from .errors import DomainError, EngineError, PolicyError
from .identity import Directory, Identity, Query, mask_phone, normalise_phone, parse_mask, search_query
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
from .phone import Phone, mainland_mobile
from .policy import PARAMETER, PARAMETERS, PRESETS, Policy, policy_from, policy_stored, preset_name, proposal_read
from .rotation import Assignment, Desk, Receiving
from .splits import arbitrate, commission_lines
from .timeline import Timeline, collector_paused
from .verdict import DealVerdict, RegistrationStatus, RegistrationVerdict, RiskSignal, Standing, Verdict

__all__ = [
    "PARAMETER",
    "PARAMETERS",
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
    "Phone",
    "Policy",
    "PolicyError",
    "Query",
    "Receiving",
    "ReferralLogged",
    "Registration",
    "RegistrationStatus",
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
    "mainland_mobile",
    "mask_phone",
    "normalise_phone",
    "parse_mask",
    "policy_from",
    "policy_stored",
    "preset_name",
    "proposal_read",
    "search_query",
]
