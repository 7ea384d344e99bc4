"""The rotation state machine (Q-1..Q-10) beyond the scenario files."""

import json

import pytest

from leadledger.engine import Desk, EngineError


def test_the_state_round_trips_through_json_so_the_desk_can_persist_it() -> None:
    desk = Desk(roster=("s1", "s2", "s3"))
    desk, _ = desk.walk_in("v1", asks_for="s3")
    desk = desk.go_away("s2").suspend("s1").lunch_start("s3").come_back("s9")
    assert Desk.from_json(json.loads(json.dumps(desk.to_json()))) == desk


def test_an_empty_roster_is_refused() -> None:
    with pytest.raises(EngineError) as caught:
        Desk(roster=())
    assert "roster" in caught.value.en and caught.value.zh


def test_a_roster_naming_someone_twice_is_refused() -> None:
    with pytest.raises(EngineError):
        Desk(roster=("s1", "s1"))


def test_nobody_on_duty_means_nobody_is_named() -> None:
    desk = Desk(roster=("s1",)).go_away("s1")
    desk, assignment = desk.walk_in("v1")
    assert assignment.staff is None and assignment.explain("en") == "nobody on duty can receive"


def test_next_up_shows_whose_turn_it_is_without_taking_it() -> None:
    desk = Desk(roster=("s1", "s2")).go_away("s1")
    assert desk.next_up == "s2"
    assert desk.next_up == "s2"


def test_a_named_consultant_whose_turn_it_is_owes_nothing() -> None:
    desk, assignment = Desk(roster=("s1", "s2")).walk_in("v1", asks_for="s1")
    assert assignment.staff == "s1" and dict(desk.skips) == {}
    desk = desk.finish("s1")
    desk, assignment = desk.walk_in("v2")
    assert assignment.staff == "s2"


def test_a_suspended_owner_is_treated_as_away_and_a_colleague_assists() -> None:
    desk = Desk(roster=("s1", "s2")).suspend("s1")
    desk, assignment = desk.walk_in("v1", owner="s1")
    assert assignment.staff == "s2" and assignment.turn_used


def test_turns_served_are_counted_for_the_board() -> None:
    desk = Desk(roster=("s1", "s2"))
    desk, _ = desk.walk_in("v1")
    desk, _ = desk.walk_in("v2", owner="s1")  # s1 busy: s2 assists, no turn
    assert dict(desk.served) == {"s1": 1}
