"""The pass: each worker reads its range of events once, checks links and hashes, and judges.

`scan_range` is the loop that runs millions of times (it reads the cursor's batches itself and hands
rows for other workers' customers to the post); `judge` replays the worker's customers at the
moments their stored verdicts were judged at, each under the policy that verdict records, and
compares.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection

from leadledger import engine
from leadledger.engine.model import EVENT_TYPES
from leadledger.engine.text import whole_id

from .. import convert, models
from ..chain import hash_of, hash_v2, moment, moment_from_text
from .plan import BATCH, Plan, parse_utc, stored_verdicts, utc_text
from .report import EDITED_ZH, Edges, Found, Problem, Progress, links_broken

if TYPE_CHECKING:
    from .workers import Post

# seq, the moment as stored (None once spelled) and as the chain spells it, kind, body, customer pk, staff pk
Row = tuple[int, Any, str | None, str, str, int | None, int | None]


def _range(plan: Plan, index: int) -> tuple[str, list[Any]]:
    """Worker `index` reads the events numbered in (bounds[index], bounds[index + 1]].

    The first range is open below and the last open above, so that an event numbered outside the
    chain (tampering) is still read, and reported, by somebody.
    """
    where, params = ["project_id = %s"], [plan.project.pk]
    if index > 0:
        where.append("seq > %s")
        params.append(plan.bounds[index])
    if index < plan.workers - 1:
        where.append("seq <= %s")
        params.append(plan.bounds[index + 1])
    sql = (
        f"SELECT seq, {utc_text('at')}, kind, body, prev_hash, hash, customer_id, staff_id, actor_id "
        f"FROM {models.Event._meta.db_table} WHERE {' AND '.join(where)} ORDER BY seq"
    )
    return sql, params


def scan_range(
    plan: Plan, index: int, *, rebuild: bool, progress: Progress | None, post: Post | None = None
) -> tuple[list[Found], Edges | None]:
    """One worker's pass over its range: links, hashes, and engine events for its customers.

    The loop runs millions of times: it reads the cursor's batches itself, looks shares up in a
    bytearray by customer id, and hands rows for other workers' customers to `post`. Returns the
    problems found and the range's edges, which `stitch` joins to the neighbours'.
    """
    found: list[Found] = []
    workers, share, top = plan.workers, plan.share, plan.top
    own: list[engine.Event] = []
    seen = bytearray(top + 1)  # customers with an event in this worker's share
    first: tuple[int, str] | None = None
    expected: int | None = None
    prev_hash = ""
    done = 0
    pending = post.pending if post is not None else {}
    others = list(pending.values())
    build = _builder(plan, found)
    kinds = {kind: kind for kind in convert.EVENT_TYPES}
    # Events from here on hash every meaningful column (chain version 2); those before, version 1.
    v2_from, project_pk = plan.project.chain_v2_from, plan.project.pk
    sql, params = _range(plan, index)
    if connection.vendor == "postgresql":
        with connection.cursor() as setting:  # the moment's text in the one shape utc_text expects
            setting.execute("SET datestyle TO ISO")
    with connection.chunked_cursor() as cursor:  # server-side on PostgreSQL: rows stream, not all at once
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            for seq, at_text, kind, body, stored_prev, stored_hash, customer, staff, actor in batch:
                if seq != expected or stored_prev != prev_hash:
                    if first is None:  # the range's first event: stitch checks its link
                        first = (seq, stored_prev)
                    else:
                        found.extend(links_broken(seq, expected, stored_prev, prev_hash))  # type: ignore[arg-type]
                expected, prev_hash = seq + 1, stored_hash
                spelled = moment_from_text(at_text) if isinstance(at_text, str) else None
                text = spelled if spelled is not None else moment(parse_utc(at_text))
                if seq >= v2_from:
                    digest = hash_v2(stored_prev, seq, text, kind, body, project_pk, customer, staff, actor)
                else:
                    digest = hash_of(stored_prev, seq, text, kind, body)
                if digest != stored_hash:
                    found.append(((0, seq, 2), _edited(seq, seq >= v2_from)))
                if not rebuild:
                    continue
                # The moment once (its text only where it could not be spelled) and the kind as one
                # shared string: rows for other workers are pickled, and pickle writes a string
                # it has seen as a reference.
                stored_at = None if spelled is not None else at_text
                row = (seq, stored_at, spelled, kinds.get(kind, kind), body, customer, staff)
                if customer is None:  # a departure: every worker's households fold it
                    for rows in others:
                        rows.append(row)
                # A customer newer than the plan (verify ran beside the desk) falls to worker 0.
                elif workers > 1 and (target := share[customer] if customer <= top else 0) != index:
                    pending[target].append(row)
                    continue
                event = build(row)
                if event is not None:
                    own.append(event)
                    if customer is not None and customer <= top:
                        seen[customer] = 1
            done += len(batch)
            if post is not None:
                post.flush()
            if progress is not None and index == 0 and done % 100_000 < BATCH and done * workers < plan.events:
                # worker 0 speaks for all: the ranges are of one size and read side by side
                progress("chain", done * workers, plan.events)
    if progress is not None and index == 0:
        progress("chain", plan.events, plan.events)
    edge = None if first is None else (first[0], first[1], expected - 1, prev_hash)  # type: ignore[operator]
    if not rebuild:
        return found, edge
    received = post.finish() if post is not None else {}
    events: list[engine.Event] = []
    for source in range(workers):  # in the order of the ranges: the events stay in recording order
        if source == index:
            events.extend(own)
            continue
        for row in received.get(source, ()):
            event = build(row)
            if event is not None:
                events.append(event)
                customer = row[5]
                if customer is not None and customer <= top:
                    seen[customer] = 1
    found.extend(judge(plan, index, events, {cid for cid, mark in enumerate(seen) if mark}, progress))
    if plan.hold is not None:
        plan.hold.extend((events, own, received))
    return found, edge


def _edited(seq: int, v2: bool) -> Problem:
    if v2:
        return Problem(
            f"event {seq}",
            "its content (time, kind, body, project, customer, staff or actor) does not match its hash: edited",
            EDITED_ZH + "（时间、类型、内容、项目、客户、员工或操作人）",
        )
    return Problem(f"event {seq}", "its content (time, kind or body) does not match its hash: edited", EDITED_ZH)


def _columns_disagree(seq: int, column: str, stored: int | None, said: int | None) -> Problem:
    """A column that the body decides, changed behind the chain's back (a customer's events moved, IH-1)."""
    return Problem(
        f"event {seq}",
        f"its {column}_id column is {stored} but its body says {said}: the column was changed",
        f"{column}_id 列为 {stored}，而事件内容为 {said}：该列被篡改",
    )


def _builder(plan: Plan, found: list[Found]) -> Callable[[Row], engine.Event | None]:
    """An engine event from a stored row, or None with the problem noted in `found`.

    Each row's customer and staff columns are checked against its body as the event's type declares
    them (the first customer field; `by_field`), in both chain versions: the events of chain version
    1 are not hashed with those columns, and a moved customer_id would hand a customer to someone else.

    Bodies are stored canonical, so the checks `json.loads` adds are made here once, around the
    JSON scanner itself: the whole text, and an object. An event's customer is given the very
    string the cast knows them by: the engine looks each event's customer up several times, and
    an equal string it has never hashed costs a hash and a comparison every time.
    """
    make = convert.engine_event
    fromiso = datetime.fromisoformat
    scan_once = json.JSONDecoder().scan_once
    top = plan.top
    names: list[str | None] = [None] * (top + 1)
    for key in plan.cast.customers if plan.cast is not None else ():
        names[int(key)] = key
    # The field naming the customer an event is filed under, by kind (its type's first customer field).
    filed_field = {kind: cls.customer_fields[0] for kind, cls in EVENT_TYPES.items() if cls.customer_fields}
    customer_fields = {kind: cls.customer_fields for kind, cls in EVENT_TYPES.items()}
    by_field = {kind: cls.by_field for kind, cls in EVENT_TYPES.items()}

    def build(row: Row) -> engine.Event | None:
        seq, at_text, spelled, kind, body, customer, staff = row
        try:
            # The chain's spelling ends in "Z": fromisoformat gives UTC itself, far cheaper than .replace().
            at = fromiso(spelled) if spelled is not None else parse_utc(at_text)
            try:
                fields, end = scan_once(body, 0)
            except StopIteration:
                raise ValueError("not JSON") from None
            if end != len(body) or not isinstance(fields, dict):
                raise ValueError("not one JSON object")
            # As the services file it: the first customer its type declares, the staff it is by.
            said = fields.get(filed_field[kind]) if kind in filed_field else None
            if said is None:  # its first customer field left out: the next one declared files it
                said = next((fields[name] for name in customer_fields[kind] if fields.get(name) is not None), None)
            if (None if said is None else int(said)) != customer:
                found.append(((0, seq, 4), _columns_disagree(seq, "customer", customer, said)))
            by = fields.get(by_field[kind]) if by_field[kind] is not None else None
            by_id = whole_id(by)  # a tampered actor such as "²" is a finding, never a crash
            if by_id != staff:
                found.append(((0, seq, 5), _columns_disagree(seq, "staff", staff, by_id)))
            if customer is not None and customer <= top:
                known = names[customer]
                name = filed_field.get(kind)
                if known is not None and name is not None and fields.get(name) == known:
                    fields[name] = known
            return make(kind, seq, at, fields)
        except (ValueError, TypeError, KeyError) as error:
            problem = Problem(f"event {seq}", f"cannot be read as an event: {error}", f"无法读取为事件：{error}")
            found.append(((0, seq, 3), problem))
            return None

    return build


def judge(
    plan: Plan, index: int, events: list[engine.Event], touched: set[int], progress: Progress | None
) -> list[Found]:
    assert plan.cast is not None and plan.policy is not None
    found: list[Found] = []
    mine = stored_verdicts(plan, index)
    for cid in sorted(touched - mine.keys()):
        found.append(
            ((1, cid, 0), Problem(f"customer {cid}", "has events but no stored verdict", "有事件但没有归属结论"))
        )
    if progress is not None:  # worker 0 speaks for all: the others judge their shares meanwhile
        progress("judge", 0, plan.verdicts)
    # Each verdict under the policy it records (after a change, those not yet re-judged keep the old).
    by_version: dict[str, dict[str, datetime]] = {}
    for cid, row in mine.items():
        if str(cid) not in plan.cast.customers:
            continue
        if row[5] not in plan.policies:
            found.append(
                (
                    (1, cid, 3),
                    Problem(
                        f"customer {cid}",
                        f"its verdict was judged under policy {row[5]!r}, which this project never had",
                        f"归属结论记录的规则版本 {row[5]!r} 不是本项目用过的规则",
                    ),
                )
            )
            continue
        by_version.setdefault(row[5], {})[str(cid)] = row[4]
    fresh: dict[str, engine.Standing] = {}
    try:
        for version, moments in by_version.items():
            # Ids are "e" and the event's number: a number read twice is reported by the chain check.
            timeline = engine.Timeline(
                plan.cast, plan.policies[version], events, identity=plan.identity, ids_unique=True
            )
            fresh.update(timeline.standings_at(moments))
            if plan.hold is not None:
                plan.hold.append(timeline)
        if plan.hold is not None:
            plan.hold.extend((fresh, mine))
    except (ValueError, KeyError) as error:  # events the engine cannot take: a damaged ledger
        return [
            *found,
            ((1, 0, 1), Problem("ledger", f"the events cannot be replayed: {error}", f"事件无法重放：{error}")),
        ]
    for cid, (owners_stored, status, channel_stored, channel_status, _judged, _version) in mine.items():
        standing = fresh.get(str(cid))
        if standing is None:
            continue
        owners = {k: str(v) for k, v in standing.owners.items()} if standing.owners else None
        channel = {k: str(v) for k, v in standing.channel.items()} if standing.channel else None
        if (owners, standing.status, channel, standing.channel_status) != (
            owners_stored,
            status,
            channel_stored,
            channel_status,
        ):
            found.append(
                (
                    (1, cid, 2),
                    Problem(
                        f"customer {cid}",
                        f"stored verdict {owners_stored}/{status} differs from the replay's {owners}/{standing.status}",
                        f"存储的归属 {owners_stored}/{status} 与重放结果 {owners}/{standing.status} 不一致",
                    ),
                )
            )
    return found
