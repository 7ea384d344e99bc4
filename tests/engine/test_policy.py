"""Policy: defaults of RULES.md, presets, overrides, validation, fingerprint."""

from decimal import Decimal

import pytest

from leadledger.engine import PRESETS, Policy, PolicyError, policy_from


def test_the_defaults_are_those_of_the_rule_catalogue() -> None:
    policy = Policy()
    assert (policy.phone_contact_claims, policy.follow_up_days, policy.valid_days, policy.grace_days) == (
        False,
        7,
        60,
        7,
    )
    assert (policy.employee_referrals, policy.poaching_fine) == ("named", Decimal("300"))
    assert (policy.lookback_days, policy.distributor_valid_days, policy.renew_window_days) == (90, 90, 7)
    assert policy.time_zone == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("制度", {"phone_contact_claims": True, "follow_up_days": 7, "valid_days": 60, "grace_days": 7, "fine": 100}),
        (
            "方法",
            {"phone_contact_claims": False, "follow_up_days": None, "valid_days": 15, "grace_days": 0, "fine": 100},
        ),
        ("界定5", {"phone_contact_claims": True, "follow_up_days": 7, "valid_days": 60, "grace_days": 7, "fine": 300}),
    ],
)
def test_each_preset_matches_section_7(preset: str, expected: dict[str, object]) -> None:
    policy = policy_from({"preset": preset})
    assert policy.preset == preset
    assert policy.phone_contact_claims == expected["phone_contact_claims"]
    assert policy.follow_up_days == expected["follow_up_days"]
    assert policy.valid_days == expected["valid_days"]
    assert policy.grace_days == expected["grace_days"]
    assert policy.poaching_fine == Decimal(str(expected["fine"]))
    assert policy.lookback_days == 90  # distributor parameters apply to every preset


def test_employee_referrals_follow_the_preset() -> None:
    assert policy_from({"preset": "方法"}).employee_referrals == "rotation"
    assert policy_from({"preset": "制度"}).employee_referrals == "named"


def test_an_override_starts_from_the_named_preset() -> None:
    policy = policy_from({"preset": "方法", "valid_days": 20})
    assert (policy.valid_days, policy.follow_up_days, policy.grace_days) == (20, None, 0)


def test_ascii_aliases_name_the_presets() -> None:
    assert policy_from({"preset": "fangfa"}) == policy_from({"preset": "方法"})


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({"valid_dayz": 10}, "$.policy.valid_dayz", "unknown policy parameter"),
        ({"valid_days": "60"}, "$.policy.valid_days", "whole number"),
        ({"valid_days": 1.5}, "$.policy.valid_days", "whole number"),
        ({"grace_days": -1}, "$.policy.grace_days", "at least 0"),
        ({"valid_days": 0}, "$.policy.valid_days", "at least 1"),
        ({"follow_up_days": True}, "$.policy.follow_up_days", "whole number"),
        ({"phone_contact_claims": "yes"}, "$.policy.phone_contact_claims", "true or false"),
        ({"employee_referrals": "random"}, "$.policy.employee_referrals", "named"),
        ({"poaching_fine": -5}, "$.policy.poaching_fine", "negative"),
        ({"poaching_fine": "lots"}, "$.policy.poaching_fine", "amount"),
        ({"time_zone": "Mars/Olympus"}, "$.policy.time_zone", "time zone"),
        ({"preset": "宽松"}, "$.policy.preset", "unknown preset"),
    ],
)
def test_bad_parameters_are_refused_with_a_clear_message(data: dict[str, object], path: str, words: str) -> None:
    with pytest.raises(PolicyError) as caught:
        policy_from(data)
    assert caught.value.path == path
    assert words in caught.value.en
    assert caught.value.zh  # the same message in Chinese


def test_follow_up_days_may_be_switched_off() -> None:
    assert policy_from({"follow_up_days": None}).follow_up_days is None


def test_the_fingerprint_changes_with_any_parameter_and_only_then() -> None:
    base = policy_from({})
    assert base.fingerprint == policy_from({}).fingerprint
    assert base.fingerprint != policy_from({"valid_days": 61}).fingerprint
    assert base.version.startswith("default@")
    assert policy_from({"preset": "制度"}).version.startswith("制度@")


def test_every_preset_is_valid_data() -> None:
    for name in PRESETS:
        assert policy_from({"preset": name}).preset == name


def test_the_expiry_warning_window_is_a_validated_parameter_that_judges_nothing() -> None:
    from datetime import UTC, datetime, timedelta

    from leadledger.engine.errors import PolicyError

    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert policy_from({}).expiry_warning_days == 7
    narrow = policy_from({"expiry_warning_days": 3})
    assert narrow.expiring("active", now + timedelta(days=3), now)
    assert not narrow.expiring("active", now + timedelta(days=4), now)
    assert policy_from({}).expiring("active", now + timedelta(days=4), now)
    assert not narrow.expiring("pending", now + timedelta(days=1), now)  # a follow-up is due, not an expiry
    assert narrow.expiring_by(now) == now + timedelta(days=3)  # the boundary a page's database count uses
    assert narrow.expiring("active", narrow.expiring_by(now), now)
    assert not narrow.expiring("active", narrow.expiring_by(now) + timedelta(microseconds=1), now)
    assert narrow.fingerprint == policy_from({}).fingerprint  # shown only: no verdict is judged again
    for bad in (-1, "7", 1.5, True):
        with pytest.raises(PolicyError):
            policy_from({"expiry_warning_days": bad})


# -- the declarations a page is built from ------------------------------------------------------------

from dataclasses import fields as dataclass_fields  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from leadledger.engine import PARAMETER, PARAMETERS, policy_stored, preset_name, proposal_read  # noqa: E402
from leadledger.engine.policy import EMPLOYEE_REFERRALS, PROTECTION_SCHEMES, REPORT_PHONE_MODES  # noqa: E402

RULE_ID = r"^(IH|ID|D|C|Q|W|S)-\d+$"


def test_every_parameter_is_declared_once_with_what_a_page_needs() -> None:
    import re

    names = [parameter.name for parameter in PARAMETERS]
    assert len(names) == len(set(names))
    assert set(names) == {f.name for f in dataclass_fields(Policy)} - {"preset"}
    for parameter in PARAMETERS:
        assert parameter.zh and parameter.en and parameter.zh != parameter.name
        assert all(re.match(RULE_ID, rule) for rule in parameter.rules)
        assert parameter.rules or not parameter.editable
        if parameter.kind == "whole":
            assert all(parameter.unit), parameter.name


def test_the_choices_a_page_offers_are_the_ones_the_engine_accepts() -> None:
    def keys(name: str) -> tuple[str, ...]:
        return tuple(key for key, _, _ in PARAMETER[name].choices)

    assert keys("employee_referrals") == EMPLOYEE_REFERRALS
    assert keys("protection_scheme") == PROTECTION_SCHEMES
    assert keys("report_phone_mode") == REPORT_PHONE_MODES


@pytest.mark.parametrize(
    ("name", "value", "zh", "en"),
    [
        ("valid_days", 15, "15 天", "15 days"),
        ("valid_days", 1, "1 天", "1 day"),
        ("phone_contact_claims", False, "否", "No"),
        ("phone_contact_claims", True, "是", "Yes"),
        ("follow_up_days", None, "不设追访期限", "no follow-up rule"),
        ("poaching_fine", Decimal("300"), "300 元", "300 yuan"),
        ("poaching_fine", Decimal("100.50"), "100.50 元", "100.50 yuan"),
        ("employee_referrals", "rotation", "按轮序分配", "the rotation"),
        ("report_lead_minutes", 30, "30 分钟", "30 minutes"),
        ("time_zone", "Asia/Shanghai", "北京时间", "China Standard Time"),
    ],
)
def test_a_value_is_shown_as_a_person_reads_it(name: str, value: object, zh: str, en: str) -> None:
    assert (PARAMETER[name].shown(value, "zh"), PARAMETER[name].shown(value, "en")) == (zh, en)


def test_a_preset_is_named_by_its_rulebook() -> None:
    assert preset_name("方法") == "方法（销售客户归属界定方法）"
    assert preset_name("default", "en").startswith("Standard")


@pytest.mark.parametrize(
    ("data", "zh"),
    [
        ({"valid_days": 0}, "归属有效期不能小于 1 天"),
        ({"grace_days": "long"}, "应为整数天数，收到 “long”"),
        ({"phone_contact_claims": "yes"}, "来电、去电也确立归属应为“是”或“否”"),
        ({"employee_referrals": "random"}, "按轮序分配"),
    ],
)
def test_a_refusal_names_the_parameter_as_the_page_does_and_quotes_no_python(data: dict[str, object], zh: str) -> None:
    with pytest.raises(PolicyError) as caught:
        policy_from(data)
    (name,) = data
    assert zh in caught.value.zh and caught.value.field == name
    assert PARAMETER[name].en in caught.value.en
    assert "'" not in caught.value.zh + caught.value.en


def test_the_bounds_a_page_shows_are_the_bounds_the_engine_keeps() -> None:
    for parameter in PARAMETERS:
        if parameter.kind != "whole":
            continue
        policy_from({parameter.name: parameter.low})
        with pytest.raises(PolicyError):
            policy_from({parameter.name: parameter.low - 1})
        if parameter.high is not None:
            policy_from({parameter.name: parameter.high})
            with pytest.raises(PolicyError):
                policy_from({parameter.name: parameter.high + 1})


def test_the_editor_stores_the_preset_and_only_what_differs_from_it() -> None:
    stored, errors = proposal_read("方法", {"valid_days": "20", "grace_days": "0", "follow_up_days": ""})
    assert not errors
    assert stored == {"preset": "方法", "valid_days": 20}


def test_the_editor_hears_every_refusal_at_once_each_on_its_field() -> None:
    _stored, errors = proposal_read("宽松", {"valid_days": "0", "poaching_fine": "-1", "grace_days": "3"})
    assert set(errors) == {"preset", "valid_days", "poaching_fine"}
    assert errors["valid_days"].field == "valid_days"


def _editable_values() -> st.SearchStrategy[dict[str, object]]:
    choices: dict[str, st.SearchStrategy[object]] = {}
    for parameter in PARAMETERS:
        if not parameter.editable:
            continue
        if parameter.kind == "whole":
            whole = st.integers(parameter.low, parameter.high if parameter.high is not None else 10_000)
            choices[parameter.name] = whole | st.none() if parameter.blank else whole
        elif parameter.kind == "switch":
            choices[parameter.name] = st.booleans()
        elif parameter.kind == "choice":
            choices[parameter.name] = st.sampled_from([key for key, _, _ in parameter.choices])
        elif parameter.kind == "yuan":
            choices[parameter.name] = st.decimals(0, 100_000, places=2).map(str)
    return st.fixed_dictionaries({}, optional=choices)


@given(preset=st.sampled_from(list(PRESETS)), changes=_editable_values())
def test_what_the_editor_shows_reads_back_as_the_same_policy(preset: str, changes: dict[str, object]) -> None:
    policy = policy_from({"preset": preset, **changes})
    texts = {parameter.name: parameter.typed(getattr(policy, parameter.name)) for parameter in PARAMETERS}
    stored, errors = proposal_read(preset, texts)
    assert not errors
    assert stored == policy_stored(policy)
    assert policy_from(stored) == policy
