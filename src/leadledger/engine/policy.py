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
    # D-11: an agent is reminded this many days before a registration's protection ends (0: never).
    agent_reminder_days: int = 2
    time_zone: str = "Asia/Shanghai"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def expiring(self, status: str, until: datetime | None, now: datetime) -> bool:
        """Whether an active claim ends within the warning window (IH-5): the consultant's page lists it apart."""
        return status == "active" and until is not None and until <= self.expiring_by(now)

    def expiring_by(self, now: datetime) -> datetime:
        """The warning window's end (IH-5): an active claim ending at or before it is expiring. A page that
        counts its claims in the database asks for this moment rather than counting days itself."""
        return now + timedelta(days=self.expiry_warning_days)

    def agent_reminded(self, protected: bool, until: datetime | None, now: datetime) -> bool:
        """Whether an agent's protected registration ends within the reminder window (D-11, docs/decisions.md
        512): their page lists it first and they are told once, in the app and through their company's webhook."""
        window = timedelta(days=self.agent_reminder_days)
        return protected and self.agent_reminder_days > 0 and until is not None and now <= until <= now + window

    def reminders_since(self, now: datetime) -> datetime:
        """The oldest registration still looked at for a reminder: D-11's visit window, then D-2's protection
        and one renewal of it (D-3); an older one is history."""
        return now - timedelta(days=self.report_visit_days + 2 * self.distributor_valid_days)

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
SHOWN_ONLY = frozenset({"expiry_warning_days", "agent_reminder_days"})

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """What a page needs to show and edit one policy parameter; `_check` validates by it.

    `kind` is "whole" (a whole number of `unit`), "yuan" (an amount), "switch" (yes or no), "choice"
    (one of `choices`) or "zone" (a time zone, set with the project, not in the policy editor).
    """

    name: str
    zh: str
    en: str
    rules: tuple[str, ...]
    kind: str
    unit: tuple[str, str, str] = ("", "", "")  # Chinese, English singular, English plural
    low: int = 0
    high: int | None = None
    blank: tuple[str, str] | None = None  # what leaving it empty means, where it may be left empty
    choices: tuple[tuple[str, str, str], ...] = ()  # (value, Chinese, English)
    group: str = "inhouse"  # "inhouse", "distributor" or "shown" (changes what pages show, no verdict)
    editable: bool = True

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def unit_in(self, lang: str = "zh", count: Any = 2) -> str:
        if lang == "zh":
            return self.unit[0]
        return self.unit[1] if count == 1 else self.unit[2]

    def shown(self, value: Any, lang: str = "zh") -> str:
        """The value as a person reads it: 15 天, 是, 按轮序分配, 不设追访期限."""
        zh = lang == "zh"
        if value is None and self.blank is not None:
            return self.blank[0] if zh else self.blank[1]
        if self.kind == "switch":
            return ("是" if value else "否") if zh else ("Yes" if value else "No")
        if self.kind == "choice":
            for key, in_zh, in_en in self.choices:
                if key == value:
                    return in_zh if zh else in_en
            return str(value)
        if self.kind == "zone":
            names = ZONE_NAMES.get(str(value))
            return (names[0] if zh else names[1]) if names else str(value)
        amount = _plain(value)
        unit = self.unit_in(lang, value)
        return f"{amount} {unit}" if unit else amount

    def typed(self, value: Any) -> str:
        """The value as the editor's field holds it ("" for an empty one)."""
        if value is None:
            return ""
        if self.kind == "switch":
            return "true" if value else "false"
        return _plain(value)

    def read(self, text: str) -> Any:
        """What a person typed into the editor's field, as the value `_check` judges (it refuses the rest)."""
        text = text.strip()
        if self.kind == "whole":
            if not text:
                return None if self.blank is not None else text
            try:
                return int(text)
            except ValueError:
                return text
        if self.kind == "switch":
            return {"true": True, "false": False}.get(text, text)
        return text


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return str(value)


_DAYS = ("天", "day", "days")
PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        name="phone_contact_claims",
        zh="来电、去电也确立归属",
        en="A phone call claims the customer",
        rules=("IH-3",),
        kind="switch",
    ),
    Parameter(
        name="follow_up_days",
        zh="首次来访后的追访期限",
        en="Follow-up due after the first visit",
        rules=("IH-4",),
        kind="whole",
        unit=_DAYS,
        high=MAX_DAYS,
        blank=("不设追访期限", "no follow-up rule"),
    ),
    Parameter(
        name="valid_days",
        zh="归属有效期",
        en="Claim lasts",
        rules=("IH-5",),
        kind="whole",
        unit=_DAYS,
        low=1,
        high=MAX_DAYS,
    ),
    Parameter(
        name="grace_days",
        zh="到期后追访仍可保留的天数",
        en="Grace for a follow-up before a contest",
        rules=("IH-7",),
        kind="whole",
        unit=_DAYS,
        high=MAX_DAYS,
    ),
    Parameter(
        name="employee_referrals",
        zh="员工介绍的客户归属",
        en="A customer referred by an employee goes to",
        rules=("IH-14",),
        kind="choice",
        choices=(
            ("named", "员工指定的置业顾问", "the consultant the employee names"),
            ("rotation", "按轮序分配", "the rotation"),
        ),
    ),
    Parameter(
        name="poaching_fine",
        zh="抢单罚款",
        en="Fine for poaching",
        rules=("C-5",),
        kind="yuan",
        unit=("元", "yuan", "yuan"),
    ),
    Parameter(
        name="poaching_suspension_days",
        zh="抢单停止接待",
        en="Poacher suspended from the rotation for",
        rules=("C-5", "Q-7"),
        kind="whole",
        unit=_DAYS,
        high=MAX_DAYS,
    ),
    Parameter(
        name="lookback_days",
        zh="案场接触的回溯期",
        en="In-house contact looked back over",
        rules=("D-1",),
        kind="whole",
        unit=_DAYS,
        high=MAX_DAYS,
        group="distributor",
    ),
    Parameter(
        name="distributor_valid_days",
        zh="分销客户保护期",
        en="A distributor's claim lasts",
        rules=("D-2",),
        kind="whole",
        unit=_DAYS,
        low=1,
        high=MAX_DAYS,
        group="distributor",
    ),
    Parameter(
        name="renew_window_days",
        zh="到期前可续期的天数",
        en="Renewal window before expiry",
        rules=("D-3",),
        kind="whole",
        unit=_DAYS,
        high=MAX_DAYS,
        group="distributor",
    ),
    Parameter(
        name="protection_scheme",
        zh="分销保护方式",
        en="Distributor protection",
        rules=("D-11",),
        kind="choice",
        choices=(
            ("visit", "到访→成交（带看时确立）", "visit → deal (claimed at the escorted visit)"),
            ("report_visit", "报备→到访→成交", "registration → visit → deal"),
            ("report", "报备→成交（报备即确立）", "registration → deal (the registration claims)"),
        ),
        group="distributor",
    ),
    Parameter(
        name="report_lead_minutes",
        zh="报备须早于到访",
        en="Registration needed before the visit by",
        rules=("D-11",),
        kind="whole",
        unit=("分钟", "minute", "minutes"),
        group="distributor",
    ),
    Parameter(
        name="report_visit_days",
        zh="报备后须到访的期限",
        en="Visit due after the registration within",
        rules=("D-11",),
        kind="whole",
        unit=_DAYS,
        low=1,
        high=MAX_DAYS,
        group="distributor",
    ),
    Parameter(
        name="report_phone_mode",
        zh="报备号码的隐号方式",
        en="Masked numbers in registrations",
        rules=("D-12", "ID-2"),
        kind="choice",
        choices=(
            ("前三后四", "前三后四（138****5678）", "first 3, last 4 (138****5678)"),
            ("前四后三", "前四后三（1380****678）", "first 4, last 3 (1380****678)"),
            ("full", "完整号码", "the full number"),
        ),
        group="distributor",
    ),
    Parameter(
        name="report_daily_cap",
        zh="每位经纪人每日报备上限",
        en="Registrations per agent per day, at most",
        rules=("D-12",),
        kind="whole",
        unit=("次", "registration", "registrations"),
        low=1,
        group="distributor",
    ),
    Parameter(
        name="appeal_days",
        zh="申诉期限",
        en="Appeals accepted within",
        rules=("D-13",),
        kind="whole",
        unit=_DAYS,
        low=1,
        high=MAX_DAYS,
        group="distributor",
    ),
    Parameter(
        name="risk_window_hours",
        zh="风控提示的时间窗",
        en="Risk signals look back over",
        rules=("D-14",),
        kind="whole",
        unit=("小时", "hour", "hours"),
        low=1,
        group="distributor",
    ),
    Parameter(
        name="expiry_warning_days",
        zh="到期前提醒置业顾问",
        en="Consultants warned before a claim ends",
        rules=("IH-5",),
        kind="whole",
        unit=_DAYS,
        high=MAX_DAYS,
        group="shown",
    ),
    Parameter(
        name="agent_reminder_days",
        zh="保护到期前提醒经纪人",
        en="Agents reminded before protection ends",
        rules=("D-11",),
        kind="whole",
        unit=_DAYS,
        high=MAX_DAYS,
        group="shown",
    ),
    Parameter(name="time_zone", zh="时区", en="Time zone", rules=(), kind="zone", editable=False),
)
PARAMETER = {parameter.name: parameter for parameter in PARAMETERS}
EDITABLE = tuple(parameter for parameter in PARAMETERS if parameter.editable)
ZONE_NAMES = {"Asia/Shanghai": ("北京时间", "China Standard Time")}
PRESET_NAMES = {
    "default": ("标准（规则目录默认值）", "Standard (the rule catalogue's defaults)"),
    "制度": ("制度（销售部客户界定制度）", "制度 (the sales department's attribution rules)"),
    "方法": ("方法（销售客户归属界定方法）", "方法 (the method for attributing sales customers)"),
    "界定5": ("界定5（房地产销售客户界定）", "界定5 (attributing property sales customers)"),
}


def preset_name(key: str, lang: str = "zh") -> str:
    """A preset as a manager reads it."""
    names = PRESET_NAMES.get(key)
    return (names[0] if lang == "zh" else names[1]) if names else key


def _got(value: Any) -> tuple[str, str]:
    """What was given, quoted as each language writes it (never Python's repr)."""
    if isinstance(value, str):
        return f"“{value}”", f'"{value}"'
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = str(value)
    if len(text) > 40:
        text = text[:40] + "…"
    return text, text


def _refuse(parameter: Parameter, zh: str, en: str) -> PolicyError:
    return PolicyError(
        f"{parameter.zh}{zh}", f"{parameter.en}: {en}", path=f"$.policy.{parameter.name}", field=parameter.name
    )


def _check(name: str, value: Any) -> Any:
    parameter = PARAMETER[name]
    got_zh, got_en = _got(value)
    if value is None and parameter.blank is not None:
        return None
    if parameter.kind == "whole":
        unit_zh, units = parameter.unit[0], parameter.unit[2]
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refuse(
                parameter,
                f"应为整数{unit_zh}数，收到 {got_zh}",
                f"must be a whole number of {units}, got {got_en}",
            )
        low, high = parameter.low, parameter.high
        if value < low:
            raise _refuse(
                parameter,
                f"不能小于 {low} {unit_zh}，收到 {value}",
                f"must be at least {low} {parameter.unit_in('en', low)}, got {value}",
            )
        if high is not None and value > high:
            raise _refuse(parameter, f"不能超过 {high} {unit_zh}", f"cannot be more than {high} {units}")
        return value
    if parameter.kind == "switch":
        if not isinstance(value, bool):
            raise _refuse(
                parameter, f"应为“是”或“否”（true 或 false），收到 {got_zh}", f"must be true or false, got {got_en}"
            )
        return value
    if parameter.kind == "choice":
        keys = [key for key, _, _ in parameter.choices]
        if not isinstance(value, str) or value not in keys:
            listed_zh = "、".join(f"{key}（{zh}）" if key != zh else key for key, zh, _ in parameter.choices)
            listed_en = ", ".join(f"{key} ({en})" for key, _, en in parameter.choices)
            raise _refuse(parameter, f"只能是 {listed_zh}，收到 {got_zh}", f"must be one of {listed_en}, got {got_en}")
        return value
    if parameter.kind == "yuan":
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
                raise InvalidOperation
            amount = Decimal(str(value))
        except InvalidOperation:
            raise _refuse(
                parameter, f"应为金额（元），收到 {got_zh}", f"must be an amount in yuan, got {got_en}"
            ) from None
        if not amount.is_finite() or amount < 0:
            raise _refuse(parameter, f"不能为负数，收到 {got_zh}", f"cannot be negative, got {got_en}")
        return amount
    if parameter.kind == "zone":
        try:
            if not isinstance(value, str) or not value:
                raise ZoneInfoNotFoundError
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise _refuse(parameter, f"不是有效的时区名称：{got_zh}", f"is not a known time zone: {got_en}") from None
        return value
    raise AssertionError(name)  # pragma: no cover - every kind is handled above


def policy_from(data: Mapping[str, Any] | None = None, *, base: Policy | None = None) -> Policy:
    """Build a validated policy: a preset (if named), then the overrides, on top of `base`."""
    data = dict(data or {})
    policy = base or Policy()
    preset_name = data.pop("preset", None)
    if preset_name is not None:
        key = PRESET_ALIASES.get(preset_name, preset_name) if isinstance(preset_name, str) else None
        if key not in PRESETS:
            names = "、".join(PRESETS)
            got_zh, got_en = _got(preset_name)
            raise PolicyError(
                f"未知的预设方案 {got_zh}，可选：{names}",
                f"unknown preset {got_en}; choose one of: {', '.join(PRESETS)}",
                path="$.policy.preset",
                field="preset",
            )
        policy = replace(Policy(), preset=key, **PRESETS[key])
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name not in _FIELD_NAMES or name == "preset":
            got_zh, got_en = _got(name)
            raise PolicyError(
                f"未知的策略参数 {got_zh}",
                f"unknown policy parameter {got_en}; known: {', '.join(_FIELD_NAMES)}",
                path=f"$.policy.{name}",
            )
        changes[name] = _check(name, value)
    return replace(policy, **changes) if changes else policy


def policy_stored(policy: Policy) -> dict[str, Any]:
    """What a project stores for `policy`: its preset and each editable parameter that differs from it."""
    base = policy_from({"preset": policy.preset})
    stored: dict[str, Any] = {"preset": policy.preset}
    for parameter in EDITABLE:
        value = getattr(policy, parameter.name)
        if value != getattr(base, parameter.name):
            stored[parameter.name] = _plain(value) if isinstance(value, Decimal) else value
    return stored


def proposal_read(preset: Any, texts: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, PolicyError]]:
    """Read the policy editor's form: the policy to store (the preset and each parameter that differs
    from it) and, by field, what the engine refuses. Parameters left out of `texts` keep the preset's."""
    errors: dict[str, PolicyError] = {}
    try:
        base = policy_from({"preset": preset})
    except PolicyError as error:
        errors["preset"] = error
        base = Policy()
    changes: dict[str, Any] = {}
    for parameter in EDITABLE:
        if parameter.name in texts:
            try:
                changes[parameter.name] = _check(parameter.name, parameter.read(texts[parameter.name]))
            except PolicyError as error:
                errors[parameter.name] = error
    return policy_stored(replace(base, **changes)), errors
