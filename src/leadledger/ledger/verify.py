"""Re-check the chain and rebuild every verdict: any edit, deletion, insertion or reordering shows.

At company size (ten million events) verify is one pass over the event table per worker process.
Each worker reads every row in order: the first checks every link (numbering and previous hash),
each hashes its share of the rows, and each builds engine events only for its share of the
customers: whole households (engine.Identity decides them), kept together with the customers they
refer or buy for, so that no worker needs another's events. Then each judges its customers at the
moments their stored verdicts were judged at (time alone moves a status) and compares. Workers are
forked after the customers and stored verdicts are read once, so they share them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import traceback
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, connections

from leadledger import engine
from leadledger.engine.identity import UnionFind

from . import convert, models
from .chain import GENESIS, chain_hash, hash_of, moment_from_text

BATCH = 10_000
PARALLEL_FROM = 200_000  # events; below this, forking costs more than it saves
MAX_WORKERS = 4
# Events whose engine rules reach into another household (IH-8's referrer, a deal's buyer):
# the two stay with one worker.
LINKING_KINDS = ("referral_logged", "deal")
LINKING_FIELDS = ("referrer", "buyer")

EDITED_ZH = "内容与哈希不符：事件被篡改"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class Problem:
    where: str  # "event 17", "customer 42"
    en: str
    zh: str


@dataclass(slots=True)
class _Plan:
    """What every worker needs, read once before the workers are forked."""

    project: models.Project
    events: int
    workers: int
    cast: engine.Cast | None = None
    identity: engine.Identity | None = None
    policy: engine.Policy | None = None
    share: bytearray = field(default_factory=bytearray)  # worker by customer pk (empty: one worker)
    top: int = 0  # the largest customer pk
    verdicts: int = 0  # stored, all workers together (for progress)


Stored = dict[int, tuple[Any, str, Any, str, datetime]]  # customer pk -> owners, status, channel, its status, when


# Problems carry a sort key so that the workers' reports merge into one ordered report.
_Found = tuple[tuple[int, int, int], Problem]


def verify(
    project: models.Project,
    report: Callable[[Problem], None],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Check the chain, rebuild every verdict and compare; report every problem and return how many."""
    # Millions of small objects and no cycles: the collector would rescan them all, again and again.
    with engine.collector_paused():
        plan = _plan(project, workers)
        found = _run(plan, rebuild=True, progress=progress)
    if progress is not None:  # every worker has judged its share
        progress("judge", plan.verdicts, plan.verdicts)
    for _key, problem in sorted(found, key=lambda item: item[0]):
        report(problem)
    return len(found)


def chain_problems(project: models.Project) -> Iterator[Problem]:
    """The chain alone, in one process (the benchmark compares it with plain hashing)."""
    plan = _Plan(project=project, events=0, workers=1)
    with engine.collector_paused():
        found = _scan(plan, 0, rebuild=False, progress=None)
    for _key, problem in sorted(found, key=lambda item: item[0]):
        yield problem


def default_workers(events: int) -> int:
    """Worker processes for a project of this many events on this machine, and this connection."""
    if events < PARALLEL_FROM or not _may_fork():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _may_fork() -> bool:
    # Forked workers open their own connections: they would not see an in-memory database, nor
    # what the caller's open transaction has not committed.
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    return not (in_memory or connection.in_atomic_block)


# -- reading ---------------------------------------------------------------------------------------


def _utc_text(column: str) -> str:
    """SQL for a timestamp column as UTC text `YYYY-MM-DD HH:MM:SS[.ffffff]`, with no datetime built per row."""
    if connection.vendor == "postgresql":
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    return f"CAST({column} AS TEXT)"  # SQLite keeps naive UTC text already


def _parse_utc(text: str | datetime) -> datetime:
    if isinstance(text, str) and len(text) in (19, 26):
        return datetime.fromisoformat(text + "+00:00")  # naive UTC text; far cheaper than .replace(tzinfo=)
    moment = text if isinstance(text, datetime) else datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _rows(sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    # A raw cursor, without the ORM's per-value converters: verify reads millions of rows.
    with connection.chunked_cursor() as cursor:  # server-side on PostgreSQL: rows stream, not all at once
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            yield from batch


def _plan(project: models.Project, workers: int | None) -> _Plan:
    # The last number given out: as many events as a sound chain has, read by index, not by counting.
    events = project.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    count = (workers if _may_fork() else 1) if workers else default_workers(events)
    plan = _Plan(project=project, events=events, workers=max(1, count))
    customers = list(
        _rows(
            f"SELECT {', '.join(convert.CUSTOMER_COLUMNS)} FROM {models.Customer._meta.db_table} WHERE project_id = %s",
            [project.pk],
        )
    )
    relations = list(
        _rows(
            f"SELECT a_id, b_id, kind, verified FROM {models.Relation._meta.db_table} WHERE project_id = %s",
            [project.pk],
        )
    )
    plan.top = max((row[0] for row in customers), default=0)
    plan.cast = convert.cast_from_values(project, customers, relations)
    plan.identity = engine.Identity(plan.cast.customers, plan.cast.relations)
    plan.policy = convert.policy_of(project)
    plan.verdicts = models.Verdict.objects.filter(project=project).count()
    if plan.workers > 1:
        plan.share = _shares(plan.identity, _links(project), plan.workers, plan.top)
    return plan


def _stored(plan: _Plan, index: int) -> Stored:
    """This worker's share of the stored verdicts (each worker reads its own, in parallel)."""
    stored: Stored = {}
    workers, share = plan.workers, plan.share
    for cid, owners, status, channel, channel_status, judged_at in _rows(
        f"SELECT customer_id, owners, status, channel, channel_status, {_utc_text('judged_at')} "
        f"FROM {models.Verdict._meta.db_table} WHERE project_id = %s",
        [plan.project.pk],
    ):
        if workers == 1 or share[cid] == index:
            stored[cid] = (_json(owners), status, _json(channel), channel_status, _parse_utc(judged_at))
    return stored


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value  # SQLite gives text, psycopg objects


def _links(project: models.Project) -> Iterator[tuple[str, str]]:
    """Pairs of customers that one event's rules join across households (LINKING_KINDS)."""
    for (body,) in _rows(
        f"SELECT body FROM {models.Event._meta.db_table} WHERE project_id = %s "
        f"AND kind IN ({', '.join(['%s'] * len(LINKING_KINDS))})",
        [project.pk, *LINKING_KINDS],
    ):
        try:
            fields = json.loads(body)
        except ValueError:
            continue  # the chain check reports the event
        for name in LINKING_FIELDS:
            if isinstance(fields, dict) and fields.get(name) and fields.get("customer"):
                yield str(fields["customer"]), str(fields[name])


def _shares(identity: engine.Identity, links: Iterator[tuple[str, str]], workers: int, top: int) -> bytearray:
    household = identity.household
    groups = UnionFind()
    for a, b in links:
        if a in household and b in household:
            groups.union(household[a], household[b])
    joined, crc = groups.parent, zlib.crc32
    share = bytearray(top + 1)
    # By a digest of the group's name: ids alone are not spread evenly (households take the smallest).
    for cid, root in household.items():
        share[int(cid)] = crc((groups.find(root) if root in joined else root).encode()) % workers
    return share


# -- the pass --------------------------------------------------------------------------------------


def _run(plan: _Plan, *, rebuild: bool, progress: Progress | None) -> list[_Found]:
    if plan.workers == 1:
        return _scan(plan, 0, rebuild=rebuild, progress=progress)
    connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")
    children = []
    for index in range(1, plan.workers):
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(plan, index, rebuild, sender), daemon=True)
        child.start()
        sender.close()
        children.append((child, receiver))
    found = _scan(plan, 0, rebuild=rebuild, progress=progress)
    for child, receiver in children:
        try:
            outcome, payload = receiver.recv()
        except EOFError:
            outcome, payload = "error", f"worker {child.pid} ended without a report"
        child.join()
        if outcome != "ok":
            raise RuntimeError(f"verify: a worker failed:\n{payload}")
        found.extend(payload)
    return found


def _child(plan: _Plan, index: int, rebuild: bool, sender: Any) -> None:
    try:
        found = _scan(plan, index, rebuild=rebuild, progress=None)
        sender.send(("ok", found))
    except BaseException:  # reported to the parent, which raises it
        sender.send(("error", traceback.format_exc()))
    finally:
        connections.close_all()
        sender.close()


def _links_broken(seq: int, expected: int, stored_prev: str, prev_hash: str) -> list[_Found]:
    where = f"event {seq}"
    found: list[_Found] = []
    if seq != expected:
        found.append(
            (
                (0, seq, 0),
                Problem(
                    where,
                    f"expected event {expected} here: events deleted or inserted",
                    f"此处应为第 {expected} 条事件：有事件被删除或插入",
                ),
            )
        )
    if stored_prev != prev_hash:
        found.append(
            (
                (0, seq, 1),
                Problem(
                    where,
                    "does not follow the previous event's hash: deleted, inserted or reordered",
                    "与前一条事件的哈希不衔接：有事件被删除、插入或调换顺序",
                ),
            )
        )
    return found


def _scan(plan: _Plan, index: int, *, rebuild: bool, progress: Progress | None) -> list[_Found]:
    """One worker's pass: links (worker 0), its share of the hashes, its share of the events.

    The loop runs ten million times: it reads the cursor's batches itself, looks shares up in a
    bytearray by customer id, and decodes bodies with the JSON scanner directly (bodies are stored
    canonical, so the checks `json.loads` adds are made once here: whole text, an object).
    """
    found: list[_Found] = []
    workers, share = plan.workers, plan.share
    events: list[engine.Event] = []
    seen = bytearray(plan.top + 1)  # customers with an event in this worker's share
    expected, prev_hash = 1, GENESIS
    done = 0
    build = convert.engine_event
    fromiso = datetime.fromisoformat
    scan_once = json.JSONDecoder().scan_once
    sql = (
        f"SELECT seq, {_utc_text('at')}, kind, body, prev_hash, hash, customer_id "
        f"FROM {models.Event._meta.db_table} WHERE project_id = %s ORDER BY seq"
    )
    with connection.chunked_cursor() as cursor:  # server-side on PostgreSQL: rows stream, not all at once
        cursor.execute(sql, [plan.project.pk])
        while batch := cursor.fetchmany(BATCH):
            for seq, at_text, kind, body, stored_prev, stored_hash, customer in batch:
                if index == 0:
                    if seq != expected or stored_prev != prev_hash:
                        found.extend(_links_broken(seq, expected, stored_prev, prev_hash))
                    expected, prev_hash = seq + 1, stored_hash
                hashes = workers == 1 or seq % workers == index
                builds = rebuild and (workers == 1 or customer is None or share[customer] == index)
                if not (hashes or builds):
                    continue
                spelled = moment_from_text(at_text) if isinstance(at_text, str) else None
                if hashes:
                    digest = (
                        hash_of(stored_prev, seq, spelled, kind, body)
                        if spelled is not None
                        else chain_hash(stored_prev, seq, _parse_utc(at_text), kind, body)
                    )
                    if digest != stored_hash:
                        edited = Problem(f"event {seq}", "its content does not match its hash: edited", EDITED_ZH)
                        found.append(((0, seq, 2), edited))
                if not builds:
                    continue
                try:
                    # Naive UTC text: "+00:00" makes fromisoformat give UTC itself, far cheaper than .replace().
                    at = fromiso(at_text + "+00:00") if spelled is not None else _parse_utc(at_text)
                    try:
                        fields, end = scan_once(body, 0)
                    except StopIteration:
                        raise ValueError("not JSON") from None
                    if end != len(body) or not isinstance(fields, dict):
                        raise ValueError("not one JSON object")
                    events.append(build(kind, seq, at, fields))
                except (ValueError, TypeError, KeyError) as error:
                    found.append(
                        (
                            (0, seq, 3),
                            Problem(f"event {seq}", f"cannot be read as an event: {error}", f"无法读取为事件：{error}"),
                        )
                    )
                    continue
                if customer is not None:
                    seen[customer] = 1
            done += len(batch)
            if progress is not None and index == 0 and done % 100_000 < BATCH and done < plan.events:
                progress("chain", done, plan.events)
    if progress is not None and index == 0:
        progress("chain", plan.events, plan.events)
    if rebuild:
        found.extend(_judge(plan, index, events, {cid for cid, mark in enumerate(seen) if mark}, progress))
    return found


def _judge(
    plan: _Plan, index: int, events: list[engine.Event], touched: set[int], progress: Progress | None
) -> list[_Found]:
    assert plan.cast is not None and plan.policy is not None
    found: list[_Found] = []
    mine = _stored(plan, index)
    for cid in sorted(touched - mine.keys()):
        found.append(
            ((1, cid, 0), Problem(f"customer {cid}", "has events but no stored verdict", "有事件但没有归属结论"))
        )
    if progress is not None:  # worker 0 speaks for all: the others judge their shares meanwhile
        progress("judge", 0, plan.verdicts)
    try:
        timeline = engine.Timeline(plan.cast, plan.policy, events, identity=plan.identity)
        fresh = timeline.verdicts_at({str(cid): row[4] for cid, row in mine.items() if str(cid) in plan.cast.customers})
    except (ValueError, KeyError) as error:  # events the engine cannot take: a damaged ledger
        return [
            *found,
            ((1, 0, 1), Problem("ledger", f"the events cannot be replayed: {error}", f"事件无法重放：{error}")),
        ]
    for cid, (owners_stored, status, channel_stored, channel_status, _judged) in mine.items():
        verdict = fresh.get(str(cid))
        if verdict is None:
            continue
        owners = {k: str(v) for k, v in verdict.owners.items()} if verdict.owners else None
        channel = {k: str(v) for k, v in verdict.channel.items()} if verdict.channel else None
        if (owners, verdict.status, channel, verdict.channel_status) != (
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
                        f"stored verdict {owners_stored}/{status} differs from the replay's {owners}/{verdict.status}",
                        f"存储的归属 {owners_stored}/{status} 与重放结果 {owners}/{verdict.status} 不一致",
                    ),
                )
            )
    return found
