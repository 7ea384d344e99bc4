"""The dispute page: each event with the verdict around it, and the what-if that never fails."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in


def _quiet(client: Client) -> Client:
    client.raise_request_exception = False  # a 500 is asserted on, not raised
    return client


def _client(username: str = "zhao", language: str = "en") -> Client:
    client = _quiet(client_in(language))
    assert client.login(username=username, password=PASSWORD)
    return client


def _visit(office: Office, staff: models.Staff, days_ago: float) -> None:
    services.event_append(
        project=office.project,
        kind="visit",
        body={"customer": str(office.zhang.pk), "staff": str(staff.pk)},
        at=timezone.now() - timedelta(days=days_ago),
    )


def _what_if(office: Office, proposal: str, language: str = "en") -> tuple[int, str]:
    response = _client(language=language).get(f"/p/hz-1/customers/{office.zhang.pk}/dispute/", {"what_if": proposal})
    return response.status_code, response.content.decode()


def _error(page: str) -> str:
    return page.split('id="what-if-error">')[1].split("</p>")[0] if 'id="what-if-error"' in page else ""


def test_events_at_one_moment_show_the_verdict_between_them_in_the_engines_order(office: Office) -> None:
    moment = timezone.now() - timedelta(hours=1)
    services.event_append(
        project=office.project,
        kind="visit",
        body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)},
        at=moment,
    )
    services.event_append(
        project=office.project,
        kind="ruling",
        body={"customer": str(office.zhang.pk), "staff": str(office.bob.pk), "by": str(office.zhao.pk), "reason": "x"},
        at=moment,
    )
    page = _client().get(f"/p/hz-1/customers/{office.zhang.pk}/dispute/").content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    visit_row, ruling_row = rows
    before_ruling = ruling_row.split("<td>")[-2]
    assert office.alice.name in before_ruling  # the visit, recorded first, had made Alice the owner
    assert office.alice.name not in visit_row.split("<td>")[-2]


@pytest.mark.parametrize("proposal", ['{"valid_days": 15}', '{"preset": "方法"}', '{"preset": "fangfa"}'])
def test_a_what_if_that_changes_verdicts_lists_them(office: Office, proposal: str) -> None:
    _visit(office, office.alice, days_ago=40)  # valid for 60 days; for 15 under the proposal (IH-5)
    services.event_append(
        project=office.project,
        kind="follow_up",
        body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)},
        at=timezone.now() - timedelta(days=39),
    )
    status, page = _what_if(office, proposal)
    assert status == 200 and "verdicts would change" in page and " 0 of " not in page
    assert _error(page) == ""


@pytest.mark.parametrize(
    ("proposal", "english", "chinese"),
    [
        ("[1, 2]", "must be an object", "应为参数对象"),
        ('"valid_days"', "must be an object", "应为参数对象"),
        ("17", "must be an object", "应为参数对象"),
        ("{" * 5000 + "}" * 5000, "too long", "过长"),
        ('{"a": ' + "[" * 990 + "]" * 990 + "}", "", ""),  # too deep to read, or an unknown parameter
        ('{"valid_days": 1' + "0" * 1900 + "}", "cannot be more than 3650", "不能超过 3650"),
        ('{"valid_days": 100000000000}', "cannot be more than 3650", "不能超过 3650"),
        ('{"valid_days": 0}', "at least 1", "不能小于 1"),
        ('{"valid_dayz": 15}', "unknown policy parameter", "未知的策略参数"),
        ('{"preset": [1]}', "unknown preset", "未知的预设"),
        ('{"preset": "方法", "grace_days": "7"}', "whole number of days", "整数天数"),
        ("{valid_days: 15}", "not valid JSON", "不是有效的 JSON"),
    ],
)
def test_a_bad_what_if_is_said_next_to_the_field_in_the_users_language(
    office: Office, proposal: str, english: str, chinese: str
) -> None:
    _visit(office, office.alice, days_ago=2)
    status, page = _what_if(office, proposal)
    assert status == 200 and _error(page) and english in _error(page)
    status, page = _what_if(office, proposal, language="zh-hans")
    assert status == 200 and _error(page) and chinese in _error(page)


def _json() -> st.SearchStrategy[object]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    keys = st.sampled_from(["valid_days", "preset", "follow_up_days", "grace_days", "poaching_fine", "time_zone"])
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys | st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(proposal=_json() | st.dictionaries(st.just("valid_days"), st.integers()) | st.text(max_size=40))
def test_no_what_if_anyone_can_type_gives_a_server_error(office: Office, proposal: object) -> None:
    if not models.Event.objects.exists():
        _visit(office, office.alice, days_ago=2)
    text = proposal if isinstance(proposal, str) else json.dumps(proposal, ensure_ascii=False)
    status, page = _what_if(office, text)
    if "\x00" in text:  # refused before any view, with a sentence (tests/web/test_nul.py)
        assert status == 400
        return
    assert status == 200
    assert _error(page) or "verdicts would change" in page or not text.strip()
