"""Answer a scenario's questions with the engine and compare with what the file expects."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from .errors import EngineError
from .identity import Directory, search_query
from .model import Deal
from .policy import Policy, policy_from
from .rotation import Desk
from .scenario import (
    ROTATION_KEYS,
    Question,
    Scenario,
    as_bool,
    as_list,
    as_obj,
    as_str,
    check_keys,
    fail,
    read_people,
    read_scenario,
)
from .split import Split, read_share
from .timeline import Timeline, collector_paused
from .verdict import DealVerdict

TOLERANCE = Fraction(1, 10**6)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    answers: list[dict[str, Any]]
    mismatches: list[str]  # one line per answer that disagrees

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _shares(value: Any) -> dict[str, Fraction] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {value: Fraction(1)}
    if isinstance(value, Mapping):
        return {str(k): Fraction(str(v)) for k, v in value.items() if v}
    raise TypeError(value)


def same_shares(expected: Any, actual: Any) -> bool:
    """Compare owners/channels/commissions given as an id, a share map, null or "house"."""
    try:
        left, right = _shares(expected), _shares(actual)
    except (TypeError, ValueError, ArithmeticError):
        return False
    if left is None or right is None:
        return left is None and right is None
    if left.keys() != right.keys():
        return False
    return all(abs(left[k] - right[k]) <= TOLERANCE for k in left)


def _check(question: Mapping[str, Any], answer: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    wrong: list[str] = []
    for key in fields:
        if key not in question:
            continue
        expected, actual = question[key], answer.get(key)
        # A commission given as anything but a share map (an id, true) is compared as it is, like the
        # other shares: a disagreement, not a crash (found by the replay reader's fuzzing).
        if key == "commission" and (expected is None or isinstance(expected, Mapping)):
            expected = dict(expected or {})
            pool_expected = expected.pop("pool", None)
            pool_actual = answer.get("pool")
            if pool_expected is not None and not same_shares(
                {"pool": pool_expected}, {"pool": pool_actual} if pool_actual else None
            ):
                wrong.append(f"pool: expected {pool_expected!r}, got {pool_actual or 0!r}")
        if key in ("status", "accepted", "reason"):
            equal = expected == actual
        elif key == "until":
            equal = _same_moment(expected, actual)
        else:
            equal = same_shares(expected, actual)
        if not equal:
            wrong.append(f"{key}: expected {question[key]!r}, got {actual!r}")
    missing = [c for c in question.get("cites", []) if c not in answer["cites"]]
    if missing:
        wrong.append(f"cites: expected {missing} among {answer['cites']}")
    return wrong


def _same_moment(expected: Any, actual: Any) -> bool:
    """Two moments given as ISO strings (or null) are the same instant, whatever their offsets."""
    if expected is None or actual is None:
        return expected is None and actual is None
    try:
        return bool(datetime.fromisoformat(str(expected)) == datetime.fromisoformat(str(actual)))
    except ValueError:
        return False


# Answers some of a scenario's questions (a slice of them, in order) against one timeline.
Answerer = Callable[[Sequence[Question]], Outcome]
# Given every question and the answerer, returns the outcome of all of them, in the questions' order
# (the replay's runner may share them between processes; the engine itself judges in one).
Runner = Callable[[Sequence[Question], Answerer], Outcome]


def answer_attribution(scenario: Scenario, lang: str = "zh", *, runner: Runner | None = None) -> Outcome:
    timeline = Timeline(scenario.cast, scenario.policy, scenario.events)

    def answer_some(questions: Sequence[Question]) -> Outcome:
        # Judging question by question allocates like a bulk rebuild, which pauses the collector too:
        # with it running, it spent 0.9 s of 1.4 s judging 20,000 customers collecting nothing.
        with collector_paused():
            return _answer_each(timeline, questions, lang)

    return answer_some(scenario.questions) if runner is None else runner(scenario.questions, answer_some)


def answer_share(
    data: Mapping[str, Any], split: Split, index: int, lang: str = "zh", *, keep: list[Any] | None = None
) -> tuple[Outcome, list[int]]:
    """Share `index` of a split scenario answered: its outcome, and the index in the file of each answer.

    The shares' answers, put in the order of those indexes, are the whole scenario's answers. `keep`:
    a list the caller holds until its process ends (os._exit), given the scenario and timeline rather
    than freeing them object by object.
    """
    scenario = read_share(data, split, index)
    with collector_paused():
        # No id repeats in the file (`read_share`'s first share makes sure, or the replay reads it whole).
        timeline = Timeline(scenario.cast, scenario.policy, scenario.events, identity=split.identity, ids_unique=True)
        outcome = _answer_each(timeline, scenario.questions, lang)
    if keep is not None:
        keep.append((scenario, timeline))
    return outcome, [question.index for question in scenario.questions]


def _answer_each(timeline: Timeline, questions: Sequence[Question], lang: str) -> Outcome:
    answers: list[dict[str, Any]] = []
    mismatches: list[str] = []
    for question in questions:
        raw = question.raw
        if question.registration is not None:
            data = timeline.registration(question.registration).as_dict(lang)
            fields: tuple[str, ...] = ("accepted", "reason", "until")
        elif question.deal is not None:
            verdict = timeline.deal(question.deal)
            data = verdict.as_dict(lang)
            fields = ("performance", "commission", "channel", "pool")
        else:
            assert question.customer is not None and question.at is not None
            found = timeline.verdict(question.customer, question.at)
            data = found.as_dict(lang)
            data.pop("customer")
            fields = ("consultant", "channel", "status")
        answer: dict[str, Any] = dict(raw)
        answer.pop("cites", None)
        answer.update(data)
        wrong = _check(raw, answer, fields)
        answer["ok"] = not wrong
        answers.append(answer)
        if wrong:
            if question.registration:
                subject = f"registration {question.registration}"
            elif question.deal:
                subject = f"deal {question.deal}"
            else:
                subject = f"customer {question.customer} at {raw['at']}"
            mismatches.append(f"expect[{question.index}] ({subject}): " + "; ".join(wrong))
    return Outcome(answers=answers, mismatches=mismatches)


STEP_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "walk_in": ({"visitor"}, {"asks_for", "owner", "signed", "peer", "expect"}),
    "done": ({"staff"}, set()),
    "away": ({"staff"}, set()),
    "back": ({"staff"}, set()),
    "suspend": ({"staff"}, set()),
    "reinstate": ({"staff"}, set()),
    "lunch_start": ({"duty"}, set()),
    "lunch_end": (set(), set()),
    "free_start": (set(), set()),
    "free_end": (set(), set()),
}


def answer_rotation(data: Mapping[str, Any], lang: str = "zh") -> Outcome:
    """Run a rotation scenario's steps through the desk state machine (Q-1..Q-10)."""
    check_keys(data, "$", set(), ROTATION_KEYS)
    roster = as_list(data.get("roster"), "$.roster")
    for i, staff in enumerate(roster):
        as_str(staff, f"$.roster[{i}]")
    desk = Desk(roster=tuple(roster))
    steps = as_list(data.get("steps", []), "$.steps")
    answers: list[dict[str, Any]] = []
    mismatches: list[str] = []
    for i, raw in enumerate(steps):
        path = f"$.steps[{i}]"
        step = as_obj(raw, path)
        kind = step.get("do")
        if not isinstance(kind, str) or kind not in STEP_FIELDS:  # a list or an object is not a step
            raise fail(
                f"{path}.do",
                f"未知步骤 {kind!r}，可选：{'、'.join(STEP_FIELDS)}",
                f"unknown step {kind!r}; one of {', '.join(STEP_FIELDS)}",
            )
        required, optional = STEP_FIELDS[kind]
        check_keys(step, path, required | {"do"}, optional)
        if kind == "walk_in":
            visitor = as_str(step["visitor"], f"{path}.visitor")
            options = {
                key: as_str(step[key], f"{path}.{key}") for key in ("asks_for", "owner") if step.get(key) is not None
            }
            desk, assignment = desk.walk_in(
                visitor,
                signed=as_bool(step.get("signed", False), f"{path}.signed"),
                peer=as_bool(step.get("peer", False), f"{path}.peer"),
                **options,
            )
            answer = {
                "visitor": visitor,
                "staff": assignment.staff,
                "cites": list(assignment.cites),
                "explain": assignment.explain(lang),
            }
            if "expect" in step:
                answer["expect"] = step["expect"]
                ok = step["expect"] == assignment.staff
            else:
                ok = True
            answer["ok"] = ok
            answers.append(answer)
            if not ok:
                mismatches.append(
                    f"steps[{i}] (walk-in {visitor}): expected {step['expect']!r}, got {assignment.staff!r}"
                )
            continue
        if kind in ("lunch_end", "free_start", "free_end"):
            desk = getattr(desk, kind)()
            continue
        who = as_str(
            step["duty" if kind == "lunch_start" else "staff"],
            f"{path}.{'duty' if kind == 'lunch_start' else 'staff'}",
        )
        method = {
            "done": desk.finish,
            "away": desk.go_away,
            "back": desk.come_back,
            "suspend": desk.suspend,
            "reinstate": desk.reinstate,
            "lunch_start": desk.lunch_start,
        }[kind]
        desk = method(who)
    return Outcome(answers=answers, mismatches=mismatches)


SEARCH_KEYS = {"kind", "title", "description", "rules", "customers", "queries"}


def answer_search(data: Mapping[str, Any], lang: str = "zh") -> Outcome:
    """Ask-first searches (IH-18) by phone, masked phone or name (ID-1, ID-2)."""
    check_keys(data, "$", set(), SEARCH_KEYS)
    cast = read_people({"customers": data.get("customers", [])})
    directory = Directory(cast.customers.values())
    answers: list[dict[str, Any]] = []
    mismatches: list[str] = []
    for i, raw in enumerate(as_list(data.get("queries", []), "$.queries")):
        path = f"$.queries[{i}]"
        item = as_obj(raw, path)
        check_keys(item, path, {"query"}, {"surname", "expect"})
        query = as_str(item["query"], f"{path}.query")
        surname = as_str(item["surname"], f"{path}.surname") if item.get("surname") is not None else None
        found = [c.id for c in directory.search(query, surname=surname)]
        masked = search_query(query).kind == "mask" or any("*" in (cast.customers[c].phone or "") for c in found)
        cites = ["IH-18", "ID-1"] + (["ID-2"] if masked else [])
        names = "、".join(cast.customers[c].name for c in found) or "—"
        explain = (
            f"查到 {len(found)} 位客户：{names}" + ("；隐号只列为候选，需人工判断" if masked else "")
            if lang == "zh"
            else f"{len(found)} found: {names}"
            + ("; masked numbers are candidates for a person to judge" if masked else "")
        )
        answer: dict[str, Any] = {"query": query, "found": found, "cites": cites, "explain": explain}
        if surname:
            answer["surname"] = surname
        ok = True
        if "expect" in item:
            expected = as_list(item["expect"], f"{path}.expect")
            answer["expect"] = expected
            ok = expected == found
            if not ok:
                mismatches.append(f"queries[{i}] ({query}): expected {expected}, got {found}")
        answer["ok"] = ok
        answers.append(answer)
    return Outcome(answers=answers, mismatches=mismatches)


def answer(
    data: Any, *, policy_override: Mapping[str, Any] | None = None, lang: str = "zh", runner: Runner | None = None
) -> Outcome:
    """Answer any scenario (attribution, rotation, search or duties) given as parsed JSON.

    `runner`, for an attribution scenario, is handed the questions and a function answering any slice
    of them against the scenario's timeline (see `Runner`); without one, they are answered in turn.
    """
    data = as_obj(data, "$")
    kind = data.get("kind", "attribution")
    if kind == "rotation":
        return answer_rotation(data, lang)
    if kind == "search":
        return answer_search(data, lang)
    if kind == "duties":
        from .duties import answer_duties  # imported for duty files only: a sixth of a replay's start-up

        answers, mismatches = answer_duties(data, lang, policy_override=policy_override)
        return Outcome(answers=answers, mismatches=mismatches)
    if kind != "attribution":
        raise fail(
            "$.kind",
            f"未知场景类型 {kind!r}，可选：attribution、rotation、search、duties",
            f"unknown scenario kind {kind!r}; one of attribution, rotation, search, duties",
        )
    return answer_attribution(read_scenario(data, policy_override=policy_override), lang, runner=runner)


PROPOSAL_LIMIT = 2000  # characters: a policy has a dozen parameters; anything longer is not a proposal


def proposal_from(text: str) -> dict[str, Any]:
    """Read a proposed policy typed by a person: a JSON object of parameters, or say what is wrong."""
    if len(text) > PROPOSAL_LIMIT:
        raise EngineError(
            f"提议的策略过长（最多 {PROPOSAL_LIMIT} 个字符）",
            f"the proposed policy is too long (at most {PROPOSAL_LIMIT} characters)",
            path="$.what_if",
            field="what_if",
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # malformed, nested too deep, or a number too long to read
        raise EngineError(
            '提议的策略不是有效的 JSON，例如：{"valid_days": 15}',
            'the proposed policy is not valid JSON; for example {"valid_days": 15}',
            path="$.what_if",
            field="what_if",
        ) from None
    if not isinstance(data, dict):
        raise EngineError(
            '提议的策略应为参数对象，例如：{"valid_days": 15} 或 {"preset": "方法"}',
            'the proposed policy must be an object of parameters, e.g. {"valid_days": 15} or {"preset": "方法"}',
            path="$.what_if",
            field="what_if",
        )
    return data


def proposed_policy(proposed: Any, current: Policy) -> Policy:
    """The policy a proposal makes of the current one: a preset starts afresh, overrides amend (errors at $.what_if)."""
    if not isinstance(proposed, Mapping):
        raise EngineError(
            "提议的策略应为参数对象",
            "the proposed policy must be an object of parameters",
            path="$.what_if",
            field="what_if",
        )
    try:
        return policy_from(proposed, base=current) if "preset" not in proposed else policy_from(proposed)
    except EngineError as error:
        raise type(error)(
            error.zh, error.en, path=error.path.replace("$.policy", "$.what_if"), field="what_if"
        ) from None


def what_if(
    data: Any,
    proposed: Mapping[str, Any],
    *,
    policy_override: Mapping[str, Any] | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """Replay one timeline under the current and a proposed policy; list every verdict that changes.

    The verdicts compared are each customer's right after each event that concerns them and at the
    end, every deal's split, and every question of the file.
    """
    current = read_scenario(data, policy_override=policy_override)
    proposal = proposed_policy(proposed, current.policy)
    before = Timeline(current.cast, current.policy, current.events)
    after = Timeline(current.cast, proposal, current.events)
    moments: dict[tuple[str, str], Any] = {}
    for event in sorted(current.events, key=lambda e: (e.at, e.seq)):
        for key in ("customer", "buyer"):
            who = getattr(event, key, None)
            if who is not None:
                for member in _household_members(before, who):
                    moments[(member, event.at.isoformat())] = event.at
    if before.last_at is not None:
        for cid in current.cast.customers:
            moments[(cid, before.last_at.isoformat())] = before.last_at
    for question in current.questions:
        if question.customer and question.at:
            moments[(question.customer, question.at.isoformat())] = question.at
    changes: list[dict[str, Any]] = []
    compared = 0
    for (cid, _), moment in sorted(moments.items(), key=lambda item: (item[1], item[0][0])):
        old, new = before.verdict(cid, moment), after.verdict(cid, moment)
        compared += 1
        if (old.owners, old.status, old.channel, old.until) != (
            new.owners,
            new.status,
            new.channel,
            new.until,
        ):
            changes.append(
                {
                    "customer": cid,
                    "at": moment.isoformat(),
                    "current": old.as_dict(lang),
                    "proposed": new.as_dict(lang),
                }
            )
    for event in current.events:
        if isinstance(event, Deal):
            compared += 1
            old_deal, new_deal = before.deal(event.id), after.deal(event.id)
            if _deal_outcome(old_deal) != _deal_outcome(new_deal):
                changes.append(
                    {"deal": event.id, "current": old_deal.as_dict(lang), "proposed": new_deal.as_dict(lang)}
                )
    return {
        "current_policy": current.policy.as_dict() | {"version": current.policy.version},
        "proposed_policy": proposal.as_dict() | {"version": proposal.version},
        "compared": compared,
        "changed": len(changes),
        "changes": changes,
    }


def _deal_outcome(deal: DealVerdict) -> tuple[object, ...]:
    return (deal.performance, deal.commission, deal.pool, deal.channel, deal.fines, deal.points, deal.suspensions)


def _household_members(timeline: Timeline, customer: str) -> list[str]:
    root = timeline.identity.household[customer]
    return [cid for cid, r in timeline.identity.household.items() if r == root]
