"""Stored bodies carry their schema version; an event type that gains a field still replays every old one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.utils import timezone

from leadledger.engine import model
from leadledger.ledger import convert, models, selectors, services
from leadledger.ledger.verify import Problem, verify
from office import Office


@model.quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class CallV2(model.Call):
    """A call that has gained a field with a default: how the customer was reached."""

    schema: ClassVar[int] = 2
    line: str = "phone"


@pytest.fixture
def calls_gain_a_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(model.EVENT_TYPES, model.CALL, CallV2)
    # Old calls were all made by phone from the sales office: said so when they are read.
    monkeypatch.setitem(model.UPCASTERS, (model.CALL, 1), lambda body: {**body, "line": "office"})


def _old_shape_history(office: Office) -> None:
    """Events written as they were before schema versions: no "v" in any body."""
    zhang, alice = str(office.zhang.pk), str(office.alice.pk)
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    services.event_append(project=office.project, kind=model.CALL, body={"customer": zhang, "staff": alice})
    services.event_append(project=office.project, kind=model.FOLLOW_UP, body={"customer": zhang, "staff": alice})


def _problems(office: Office) -> list[Problem]:
    found: list[Problem] = []
    verify(office.project, found.append)
    return found


def test_a_body_of_schema_one_is_stored_without_a_version(office: Office) -> None:
    _old_shape_history(office)
    assert all('"v"' not in body for body in models.Event.objects.values_list("body", flat=True))


def test_every_old_event_replays_after_its_type_gains_a_field(office: Office, request: pytest.FixtureRequest) -> None:
    _old_shape_history(office)
    hashes = list(models.Event.objects.order_by("seq").values_list("hash", "body"))
    request.getfixturevalue("calls_gain_a_field")  # the type changes after its events were stored

    timeline = selectors.whole_timeline(office.project)
    calls = [event for event in timeline.events if isinstance(event, CallV2)]
    assert [call.line for call in calls] == ["office"]  # the old body, brought to today's shape
    assert _problems(office) == []

    # A call recorded now is stored in the new shape, with its version; the old ones stay as they were.
    services.event_append(
        project=office.project,
        kind=model.CALL,
        body={"customer": str(office.zhang.pk), "staff": str(office.bob.pk), "line": "wechat"},
    )
    newest = models.Event.objects.order_by("-seq").first()
    assert newest is not None and json.loads(newest.body)["v"] == 2
    assert list(models.Event.objects.order_by("seq").values_list("hash", "body"))[: len(hashes)] == hashes
    assert services.verdicts_rebuild(project=office.project, now=timezone.now()) == 1
    assert _problems(office) == []


def test_upcast_leaves_a_current_body_alone_and_refuses_a_future_one() -> None:
    body: dict[str, Any] = {"customer": "1", "staff": "2"}
    assert model.upcast(model.CALL, body) is body
    assert model.upcast(model.CALL, {**body, "v": 1}) == body
    with pytest.raises(ValueError, match="newer"):
        model.upcast(model.CALL, {**body, "v": 2})


def test_convert_builds_engine_events_through_upcast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(model.EVENT_TYPES, model.CALL, CallV2)
    event = convert.engine_event(model.CALL, 3, timezone.now(), {"customer": "1", "staff": "2"})
    assert isinstance(event, CallV2) and event.line == "phone"  # the default, with no upcaster
