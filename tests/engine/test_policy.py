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
    assert narrow.fingerprint == policy_from({}).fingerprint  # shown only: no verdict is judged again
    for bad in (-1, "7", 1.5, True):
        with pytest.raises(PolicyError):
            policy_from({"expiry_warning_days": bad})
