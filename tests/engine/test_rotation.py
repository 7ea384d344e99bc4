"""The rotation state machine (Q-1..Q-10) beyond the scenario files."""

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- who receives a returning visitor (Q-4, IH-17) -------------------------------------------------


def test_a_returning_visitor_goes_to_the_owner_of_a_pending_or_active_claim_only() -> None:
    from leadledger.engine.rotation import returning_owner

    assert returning_owner({"s1": "1"}, "active") == "s1"
    assert returning_owner({"s1": "1"}, "pending") == "s1"
    for status in ("lapsed", "void", "pool", "free"):
        assert returning_owner({"s1": "1"}, status) is None
    assert returning_owner(None, "active") is None


def test_a_claim_split_between_two_sites_goes_to_the_owner_present_and_free() -> None:
    from leadledger.engine.rotation import returning_owner

    split = {"s1": "1/2", "s3": "1/2"}  # IH-17, as the ledger stores it
    desk = Desk(roster=("s1", "s2", "s3"))
    assert returning_owner(split, "active", desk) == "s1"  # both free: the first the rotation reaches
    assert returning_owner(split, "active", desk.go_away("s1")) == "s3"
    desk, _ = desk.walk_in("v1", owner="s1")  # s1 busy now
    assert returning_owner(split, "active", desk) == "s3"
    assert returning_owner(split, "active", desk.go_away("s3")) == "s1"  # busy but here beats away
    assert returning_owner(split, "active") == "s1"  # no board to look at: the first on the roster


def test_a_larger_share_wins_outright_and_the_shares_may_be_written_as_decimals() -> None:
    from leadledger.engine.rotation import returning_owner

    desk = Desk(roster=("s1", "s2")).go_away("s2")
    assert returning_owner({"s1": "0.25", "s2": "3/4"}, "active", desk) == "s2"


# -- a consultant's place in the queue (Q-1, Q-5, Q-7) --------------------------------------------


def test_a_place_in_the_rotation_counts_from_whose_turn_it_is() -> None:
    desk = Desk(roster=("s1", "s2", "s3"))
    assert [desk.place_of(s) for s in ("s1", "s2", "s3")] == [1, 2, 3]
    desk, _ = desk.walk_in("v1")  # s1 takes it: s2 is next, s1 last
    assert [desk.place_of(s) for s in ("s1", "s2", "s3")] == [3, 1, 2]


def test_away_and_suspended_consultants_have_no_place_and_are_not_counted() -> None:
    desk = Desk(roster=("s1", "s2", "s3")).go_away("s1").suspend("s2")
    assert desk.place_of("s1") is None and desk.place_of("s2") is None and desk.place_of("s3") == 1
    assert desk.place_of("s9") is None  # not on the roster
    assert desk.free_start().place_of("s3") is None  # no queue on a free-reception day


def test_a_turn_taken_early_moves_the_consultant_back_in_the_queue() -> None:
    desk = Desk(roster=("s1", "s2", "s3"))
    desk, _ = desk.walk_in("v1", asks_for="s3")  # s3 took a turn early and owes it
    desk = desk.finish("s3")
    assert desk.place_of("s3") == 5  # s1, s2, then passed over once (s1, s2 again), then s3
    assert [desk.place_of(s) for s in ("s1", "s2")] == [1, 2]


def test_a_busy_consultant_is_passed_over_and_does_not_block_anyone_behind() -> None:
    desk = Desk(roster=("s1", "s2", "s3"))
    desk, _ = desk.walk_in("v1", owner="s2")  # a returning customer keeps s2 busy, using no turn
    assert desk.place_of("s3") == 2 and desk.place_of("s1") == 1
    assert desk.place_of("s2") == 2  # counted as if free: their place once done


def test_place_of_agrees_with_whom_the_rotation_gives_the_walk_ins() -> None:
    desk = Desk(roster=("s1", "s2", "s3", "s4")).go_away("s2")
    desk, _ = desk.walk_in("v0", asks_for="s4")
    desk = desk.finish("s4")
    places = {s: desk.place_of(s) for s in desk.roster}
    given = []
    for n in range(6):
        desk, assignment = desk.walk_in(f"v{n + 1}")
        given.append(assignment.staff)
        desk = desk.finish(assignment.staff or "")
    assert places == {"s1": 1, "s2": None, "s3": 2, "s4": 5}
    for staff, place in places.items():  # the place is the walk-in that first goes to them
        assert (place is None and staff not in given) or (place is not None and given.index(staff) == place - 1)


# -- the roster of the day (IH-13) ---------------------------------------------------------------


def test_a_consultant_who_left_is_gone_from_the_rotation_and_the_turn_stays_put() -> None:
    desk = Desk(roster=("s1", "s2", "s3"))
    desk, _ = desk.walk_in("v1")  # s2 is next
    desk = desk.lunch_start("s2").go_away("s3")
    left = desk.staffed(("s1", "s3"))  # s2 left
    assert left.roster == ("s1", "s3") and left.lunch_duty is None and left.away == {"s3"}
    assert left.go_away("s1").come_back("s3").next_up == "s3"  # the turn passes to the one after s2
    assert left.staffed(("s1", "s3", "s4")).roster == ("s1", "s3", "s4")  # a new consultant joins at the end
    assert desk.staffed(desk.roster) is desk


# -- a property: the place a consultant is told is the walk-in that first goes to them --------------

_ROSTER = ("s1", "s2", "s3", "s4", "s5")
_MOVES = st.lists(
    st.tuples(st.sampled_from(("walk_in", "ask", "away", "back", "suspend", "busy_owner")), st.sampled_from(_ROSTER)),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(_MOVES)
def test_the_place_of_each_consultant_is_the_walk_in_that_first_reaches_them(moves: list[tuple[str, str]]) -> None:
    desk = Desk(roster=_ROSTER)
    for move, staff in moves:
        if move == "walk_in":
            desk, given_to = desk.walk_in("v")
            desk = desk.finish(given_to.staff or "")
        elif move == "ask":
            desk, given_to = desk.walk_in("v", asks_for=staff)
            desk = desk.finish(staff)
        elif move == "away":
            desk = desk.go_away(staff)
        elif move == "back":
            desk = desk.come_back(staff)
        elif move == "suspend":
            desk = desk.suspend(staff)
        else:
            desk, _ = desk.walk_in("v", owner=staff)  # a returning customer keeps them busy
    free = [s for s in _ROSTER if s not in desk.busy]
    places = {s: desk.place_of(s) for s in free}
    queue = desk
    given_order: list[str | None] = []
    for _ in range(len(_ROSTER) * 8):
        queue, assignment = queue.walk_in("v")
        given_order.append(assignment.staff)
        queue = queue.finish(assignment.staff or "")
        for busy in desk.busy:  # those busy now stay busy while the queue is counted
            queue = replace(queue, busy=queue.busy | {busy})
    for staff, place in places.items():
        if place is None:
            assert staff not in given_order or not desk.eligible(staff)
        else:
            assert given_order.index(staff) == place - 1, (staff, place, given_order)


# -- what the board says: one truth at a time (Q-1, Q-3, Q-6, Q-10) --------------------------------


def test_during_lunch_the_duty_receives_and_nobody_else_is_next() -> None:
    desk = Desk(roster=("s1", "s2", "s3")).lunch_start("s2")
    said = desk.receiving()
    assert (said.mode, said.staff, said.cites) == ("lunch", "s2", ("Q-6",))
    assert desk.lunch_end().receiving() == replace(said, mode="rotation", staff="s1", cites=("Q-1", "Q-2"))


def test_in_free_reception_nobody_is_next() -> None:
    said = Desk(roster=("s1", "s2")).free_start().receiving()
    assert (said.mode, said.staff, said.cites) == ("free", None, ("Q-10",))


def test_when_everyone_present_is_busy_the_board_names_who_takes_the_walk_in_anyway() -> None:
    desk = Desk(roster=("s1", "s2")).go_busy("s1").go_busy("s2")
    said = desk.receiving()
    assert (said.mode, said.staff, said.cites[0]) == ("all_busy", "s1", "Q-3")
    assert desk.next_up is None


def test_when_nobody_is_here_the_board_names_nobody() -> None:
    said = Desk(roster=("s1",)).go_away("s1").receiving()
    assert (said.mode, said.staff) == ("nobody", None)


def test_a_consultant_marked_busy_loses_the_turn_and_no_turn_is_counted() -> None:
    desk = Desk(roster=("s1", "s2")).go_busy("s1")
    assert desk.receiving().staff == "s2" and dict(desk.served) == {}
    desk, assignment = desk.walk_in("v1")
    assert assignment.staff == "s2"  # passed over, no make-up
    desk = desk.finish("s1").finish("s2")
    assert desk.walk_in("v2")[1].staff == "s1"


def test_a_consultant_marked_away_then_busy_is_here_and_busy() -> None:
    desk = Desk(roster=("s1", "s2")).go_away("s1").go_busy("s1")
    assert desk.present("s1") and "s1" in desk.busy
    desk, assignment = desk.walk_in("v1", owner="s1")  # on site but busy, a colleague assists
    assert assignment.staff == "s2" and "IH-11" in assignment.cites and not assignment.turn_used


board_steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["walk_in", "lunch_end", "free_start", "free_end"]), st.just("")),
        st.tuples(
            st.sampled_from(["finish", "go_away", "come_back", "go_busy", "suspend", "reinstate", "lunch_start"]),
            st.sampled_from(["s1", "s2", "s3"]),
        ),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(board_steps)
def test_the_board_names_whoever_the_next_new_walk_in_goes_to(plan: list[tuple[str, str]]) -> None:
    desk = Desk(roster=("s1", "s2", "s3"))
    for action, staff in plan:
        said = desk.receiving()
        _, given_to = desk.walk_in("v")
        assert said.staff == given_to.staff and said.cites == given_to.cites
        assert (said.mode == "lunch") == (desk.lunch_duty is not None and not desk.free_reception)
        if said.mode in ("rotation", "all_busy"):  # the pointer's answer, or Q-3's when nobody is free
            assert desk.next_up == (said.staff if said.mode == "rotation" else None)
        if action == "walk_in":
            desk, _ = desk.walk_in("v")
        else:
            desk = getattr(desk, action)(staff) if staff else getattr(desk, action)()
