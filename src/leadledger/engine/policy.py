"""Per-project policy: the parameters of RULES.md, its presets, validation and a fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import PolicyError
from .phone import DEFAULT_MODE, MODES

EMPLOYEE_REFERRALS = ("named", "rotation")
PROTECTION_SCHEMES = ("visit", "report_visit", "report")  # D-11
REPORT_PHONE_MODES = MODES  # D-12, ID-2: the ways a number is masked (engine/phone.py)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The parameters of RULES.md with their defaults (section 7)."""

    preset: str = "default"
    phone_contact_claims: bool = False  # IH-3
    follow_up_days: int | None = 7  # IH-4; None: no follow-up rule (方法)
    valid_days: int = 60  # IH-5
    grace_days: int = 7  # IH-7
    employee_referrals: str = "named"  # IH-14
    poaching_fine: Decimal = Decimal("300")  # C-5
    poaching_suspension_days: int = 0  # C-5 / Q-7: 制度 三.1 suspends the poacher a week
    lookback_days: int = 90  # D-1
    distributor_valid_days: int = 90  # D-2
    renew_window_days: int = 7  # D-3
    protection_scheme: str = "visit"  # D-11
    report_lead_minutes: int = 30  # D-11
    report_visit_days: int = 7  # D-11
    report_phone_mode: str = DEFAULT_MODE  # ID-2, D-12: how a masked number is written and shown
    report_daily_cap: int = 20  # D-12
    appeal_days: int = 7  # D-13
    risk_window_hours: int = 24  # D-14
    expiry_warning_days: int = 7  # IH-5: a consultant is warned this many days before a claim expires
    time_zone: str = "Asia/Shanghai"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def expiring(self, status: str, until: datetime | None, now: datetime) -> bool:
        """Whether an active claim ends within the warning window (IH-5): the consultant's page lists it apart."""
        return status == "active" and until is not None and until - now <= timedelta(days=self.expiry_warning_days)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["poaching_fine"] = str(self.poaching_fine)
        return data

    @property
    def fingerprint(self) -> str:
        """Short hash of every parameter: a verdict records it as the policy version it used."""
        data = {k: v for k, v in self.as_dict().items() if k not in SHOWN_ONLY}
        for name, default in _LATER_DEFAULTS.items():
            # Parameters added after verdicts were first stored count only when changed, so that a
            # project that never touched them keeps the policy version its stored verdicts record.
            if data[name] == default:
                del data[name]
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    @property
    def version(self) -> str:
        return f"{self.preset}@{self.fingerprint}"


# Parameters that change what pages show, never a verdict: left out of the fingerprint, so changing
# them re-judges nothing.
SHOWN_ONLY = frozenset({"expiry_warning_days"})

# RULES.md section 7; the distributor parameters apply to every preset.
PRESETS: dict[str, dict[str, Any]] = {
    "default": {},
    "制度": {
        "phone_contact_claims": True,
        "follow_up_days": 7,
        "valid_days": 60,
        "grace_days": 7,
        "employee_referrals": "named",
        "poaching_fine": Decimal("100"),
        "poaching_suspension_days": 7,
    },
    "方法": {
        "phone_contact_claims": False,
        "follow_up_days": None,
        "valid_days": 15,
        "grace_days": 0,
        "employee_referrals": "rotation",
        "poaching_fine": Decimal("100"),
    },
    "界定5": {
        "phone_contact_claims": True,
        "follow_up_days": 7,
        "valid_days": 60,
        "grace_days": 7,
        "employee_referrals": "named",
        "poaching_fine": Decimal("300"),
    },
}
PRESET_ALIASES = {"zhidu": "制度", "fangfa": "方法", "jieding5": "界定5"}

_DAY_FIELDS = {
    "follow_up_days",
    "valid_days",
    "grace_days",
    "poaching_suspension_days",
    "lookback_days",
    "distributor_valid_days",
    "renew_window_days",
    "report_visit_days",
    "appeal_days",
    "expiry_warning_days",
}
_POSITIVE_FIELDS = {"valid_days", "distributor_valid_days", "report_visit_days", "appeal_days"}
_COUNT_FIELDS = {"report_lead_minutes": 0, "report_daily_cap": 1, "risk_window_hours": 1}  # name -> lowest
_CHOICES = {
    "employee_referrals": EMPLOYEE_REFERRALS,
    "protection_scheme": PROTECTION_SCHEMES,
    "report_phone_mode": REPORT_PHONE_MODES,
}
# Ten years: longer than any office's rule, and far inside what a date can be moved by.
MAX_DAYS = 3650
_FIELD_NAMES = [f.name for f in fields(Policy)]
_LATER_DEFAULTS = {
    name: getattr(Policy(), name)
    for name in (
        "protection_scheme",
        "report_lead_minutes",
        "report_visit_days",
        "report_phone_mode",
        "report_daily_cap",
        "appeal_days",
        "risk_window_hours",
    )
}


def _check(name: str, value: Any) -> Any:
    path = f"$.policy.{name}"
    if name == "follow_up_days" and value is None:
        return None
    if name in _DAY_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyError(
                f"参数 {name} 应为整数天数，收到 {value!r}",
                f"{name} must be a whole number of days, got {value!r}",
                path=path,
            )
        low = 1 if name in _POSITIVE_FIELDS else 0
        if value < low:
            raise PolicyError(
                f"参数 {name} 不能小于 {low}，收到 {value}",
                f"{name} must be at least {low}, got {value}",
                path=path,
            )
        if value > MAX_DAYS:
            raise PolicyError(
                f"参数 {name} 不能超过 {MAX_DAYS} 天",
                f"{name} cannot be more than {MAX_DAYS} days",
                path=path,
            )
        return value
    if name == "phone_contact_claims":
        if not isinstance(value, bool):
            raise PolicyError(
                f"参数 {name} 应为 true 或 false，收到 {value!r}",
                f"{name} must be true or false, got {value!r}",
                path=path,
            )
        return value
    if name in _COUNT_FIELDS:
        low = _COUNT_FIELDS[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise PolicyError(
                f"参数 {name} 应为不小于 {low} 的整数，收到 {value!r}",
                f"{name} must be a whole number of at least {low}, got {value!r}",
                path=path,
            )
        return value
    if name in _CHOICES:
        choices = _CHOICES[name]
        if not isinstance(value, str) or value not in choices:
            raise PolicyError(
                f"参数 {name} 只能是 {'、'.join(choices)}，收到 {value!r}",
                f"{name} must be one of {', '.join(choices)}, got {value!r}",
                path=path,
            )
        return value
    if name == "poaching_fine":
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
                raise InvalidOperation
            amount = Decimal(str(value))
        except InvalidOperation:
            raise PolicyError(
                f"参数 {name} 应为金额（元），收到 {value!r}",
                f"{name} must be an amount in yuan, got {value!r}",
                path=path,
            ) from None
        if not amount.is_finite() or amount < 0:
            raise PolicyError(
                f"参数 {name} 不能为负数，收到 {value!r}",
                f"{name} cannot be negative, got {value!r}",
                path=path,
            )
        return amount
    if name == "time_zone":
        try:
            if not isinstance(value, str) or not value:
                raise ZoneInfoNotFoundError
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PolicyError(
                f"参数 {name} 不是有效的时区名称：{value!r}",
                f"{name} is not a known time zone: {value!r}",
                path=path,
            ) from None
        return value
    raise AssertionError(name)  # pragma: no cover - guarded by the caller


def policy_from(data: Mapping[str, Any] | None = None, *, base: Policy | None = None) -> Policy:
    """Build a validated policy: a preset (if named), then the overrides, on top of `base`."""
    data = dict(data or {})
    policy = base or Policy()
    preset_name = data.pop("preset", None)
    if preset_name is not None:
        key = PRESET_ALIASES.get(preset_name, preset_name) if isinstance(preset_name, str) else None
        if key not in PRESETS:
            names = "、".join(PRESETS)
            raise PolicyError(
                f"未知的预设 {preset_name!r}，可选：{names}",
                f"unknown preset {preset_name!r}; choose one of: {', '.join(PRESETS)}",
                path="$.policy.preset",
            )
        policy = replace(Policy(), preset=key, **PRESETS[key])
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name not in _FIELD_NAMES or name == "preset":
            raise PolicyError(
                f"未知的策略参数 {name!r}",
                f"unknown policy parameter {name!r}; known: {', '.join(_FIELD_NAMES)}",
                path=f"$.policy.{name}",
            )
        changes[name] = _check(name, value)
    return replace(policy, **changes) if changes else policy
