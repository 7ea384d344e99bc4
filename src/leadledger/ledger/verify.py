"""Re-check the chain and rebuild every verdict: any edit, deletion, insertion or reordering shows.

At company size (ten million events) verify is one pass over the event table, split between worker
processes by ranges of event numbers: each reads its range once, checks the links and hashes in it,
and builds engine events for its share of the customers: whole households (engine.Identity decides
them), kept together with the customers they refer or buy for, so that no worker needs another's
events. Rows of another worker's customers are sent to it as they are read. The links between
ranges are checked at the end. Then each worker judges its customers at the moments their stored
verdicts were judged at (time alone moves a status) and compares. Workers are forked after the
customers are read and cast once, so they share them.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import os
import pickle
import sys
import threading
import traceback
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
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
    bounds: tuple[int, ...] = (0, 0)  # worker i reads the events numbered in (bounds[i], bounds[i + 1]]
    hold: list[Any] | None = None  # in a forked worker: what it built, kept until it exits


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
        found = _run(plan, progress)
    if progress is not None:  # every worker has judged its share
        progress("judge", plan.verdicts, plan.verdicts)
    # A departure is built by every worker: an unreadable one is found by each, and reported once.
    unique = dict(sorted(found, key=lambda item: item[0]))
    for problem in unique.values():
        report(problem)
    return len(unique)


def chain_problems(project: models.Project) -> Iterator[Problem]:
    """The chain alone, in one process (the benchmark compares it with plain hashing)."""
    plan = _Plan(project=project, events=0, workers=1)
    with engine.collector_paused():
        found, edge = _scan(plan, 0, rebuild=False, progress=None)
    for _key, problem in sorted(found + _stitch([edge]), key=lambda item: item[0]):
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
        return f"({column} AT TIME ZONE 'UTC')::text"  # cheaper than to_char; chain.moment_from_text pads it
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
    plan.bounds = tuple(events * index // plan.workers for index in range(plan.workers + 1))
    if plan.workers == 1:
        _cast(plan)
        plan.verdicts = models.Verdict.objects.filter(project=project).count()
        return plan
    # The linking events and the verdicts' count are the server's work (a pass over the events, one
    # over the verdicts): a thread waits for them on a connection of its own while this one casts
    # the customers, on the machine's other core.
    with ThreadPoolExecutor(max_workers=1) as aside:
        server_side = aside.submit(_server_side, project)
        _cast(plan)
        links, plan.verdicts = server_side.result()
    plan.share = _shares(plan.identity, links, plan.workers, plan.top)
    return plan


def _server_side(project: models.Project) -> tuple[list[tuple[str, str]], int]:
    """The linking pairs and the stored verdicts' count, read by a thread beside the cast."""
    try:
        return list(_links(project)), models.Verdict.objects.filter(project=project).count()
    finally:
        connections.close_all()  # this thread's own connection only


def _cast(plan: _Plan) -> None:
    project = plan.project
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


def _stored(plan: _Plan, index: int) -> Stored:
    """This worker's share of the stored verdicts (each worker reads its own, in parallel)."""
    stored: Stored = {}
    workers, share, top = plan.workers, plan.share, plan.top
    # As text: PostgreSQL's driver would decode the JSON of every row, the other workers' too.
    as_text = "::text" if connection.vendor == "postgresql" else ""
    for cid, owners, status, channel, channel_status, judged_at in _rows(
        f"SELECT customer_id, owners{as_text}, status, channel{as_text}, channel_status, {_utc_text('judged_at')} "
        f"FROM {models.Verdict._meta.db_table} WHERE project_id = %s",
        [plan.project.pk],
    ):
        # A customer newer than the plan falls to worker 0, as its events do (_scan).
        if workers == 1 or (share[cid] if cid <= top else 0) == index:
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


def _shares(identity: engine.Identity, links: Iterable[tuple[str, str]], workers: int, top: int) -> bytearray:
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


# seq, the moment as stored (None once spelled) and as the chain spells it, kind, body, customer pk
Row = tuple[int, Any, str | None, str, str, int | None]
Edges = tuple[int, str, int, str]  # a range's first event and previous hash, its last event and hash


def _range(plan: _Plan, index: int) -> tuple[str, list[Any]]:
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
        f"SELECT seq, {_utc_text('at')}, kind, body, prev_hash, hash, customer_id "
        f"FROM {models.Event._meta.db_table} WHERE {' AND '.join(where)} ORDER BY seq"
    )
    return sql, params


def _stitch(edges: list[Edges | None]) -> list[_Found]:
    """The links between the workers' ranges, and the first event's to the start of the chain."""
    found: list[_Found] = []
    expected, prev_hash = 1, GENESIS
    for edge in edges:
        if edge is None:  # a range with no events at all: the next one must follow the last seen
            continue
        first_seq, first_prev, last_seq, last_hash = edge
        if first_seq != expected or first_prev != prev_hash:
            found.extend(_links_broken(first_seq, expected, first_prev, prev_hash))
        expected, prev_hash = last_seq + 1, last_hash
    return found


def _run(plan: _Plan, progress: Progress | None) -> list[_Found]:
    if plan.workers == 1:
        found, edge = _scan(plan, 0, rebuild=True, progress=progress)
        return found + _stitch([edge])
    connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")
    # One pipe for each ordered pair of workers: rows read by one and judged by the other.
    pipes = {
        (source, target): context.Pipe(duplex=False)
        for source in range(plan.workers)
        for target in range(plan.workers)
        if source != target
    }
    # Every worker is a child, and this process waits: a child leaves without freeing the millions of
    # objects it built (seconds of work), where this process would have to free its own.
    children: dict[int, tuple[Any, Any]] = {}
    try:
        for index in range(plan.workers):
            receiver, sender = context.Pipe(duplex=False)
            outboxes = {target: pipes[(index, target)][1] for target in range(plan.workers) if target != index}
            inboxes = {source: pipes[(source, index)][0] for source in range(plan.workers) if source != index}
            child = context.Process(
                target=_child, args=(plan, index, sender, outboxes, inboxes, progress is not None), daemon=True
            )
            child.start()
            sender.close()
            children[index] = (child, receiver)
        reports = _gather(children, progress)
    finally:
        for child, _receiver in children.values():
            if child.is_alive():  # a worker failed: the others would wait for its rows for ever
                child.terminate()
    found = [problem for index in range(plan.workers) for problem in reports[index][0]]
    return found + _stitch([reports[index][1] for index in range(plan.workers)])


def _gather(children: dict[int, tuple[Any, Any]], progress: Progress | None) -> dict[int, Any]:
    """Each worker's report, passing worker 0's progress on; a worker that fails or dies stops verify."""
    reports: dict[int, Any] = {}
    waiting = dict(children)
    while waiting:
        ready = multiprocessing.connection.wait(
            [receiver for _child, receiver in waiting.values()] + [child.sentinel for child, _r in waiting.values()]
        )
        for index, (child, receiver) in list(waiting.items()):
            if receiver.poll():
                try:
                    outcome, *payload = receiver.recv()
                except EOFError:  # it died without a word (killed, out of memory)
                    raise _ended(index, child) from None
                if outcome == "progress":
                    if progress is not None:
                        progress(*payload)
                    continue
                if outcome != "ok":
                    raise RuntimeError(f"verify: a worker failed:\n{payload[0]}")
                reports[index] = payload[0]
                del waiting[index]
                child.join()
            elif child.sentinel in ready:
                raise _ended(index, child)
    return reports


def _ended(index: int, child: Any) -> RuntimeError:
    # Its pipes close as it exits, a moment before it can be reaped: wait for that, for its exit code.
    child.join(5)
    return RuntimeError(f"verify: worker {index} ended without a report (exit code {child.exitcode})")


def _child(
    plan: _Plan,
    index: int,
    sender: Any,
    outboxes: dict[int, Any],
    inboxes: dict[int, Any],
    reports_progress: bool,
) -> None:
    code = 0
    try:
        plan.hold = []  # what this worker builds is kept until it exits, never freed one by one
        speak = reports_progress and index == 0  # worker 0 speaks for all
        said: Progress = lambda stage, done, total: sender.send(("progress", stage, done, total))  # noqa: E731
        post = _Post(outboxes=outboxes, inboxes=inboxes)  # made here: its threads must not exist before the fork
        sender.send(("ok", _scan(plan, index, rebuild=True, progress=said if speak else None, post=post)))
    except BaseException:  # reported to the parent, which raises it
        sender.send(("error", traceback.format_exc()))
        code = 1
    finally:
        connections.close_all()
        sender.close()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _parent_alive() -> bool:
    # A worker that dies is noticed by the parent, which stops the others; a worker only needs to
    # notice that the parent itself has gone.
    parent = multiprocessing.parent_process()
    return parent is None or parent.is_alive()


class _Post:
    """Rows one worker reads for another's customers: sent while reading, received meanwhile.

    Each worker reads only its own range of the table, once; the rows of customers another worker
    judges are sent to it in pickled batches (cheaper than reading them twice). Receiving runs in
    threads from the start, so a sender never waits on a full pipe for ever.
    """

    def __init__(self, *, outboxes: dict[int, Any], inboxes: dict[int, Any]) -> None:
        self.outboxes = outboxes
        self.pending: dict[int, list[Row]] = {target: [] for target in outboxes}
        self.received: dict[int, list[bytes]] = {source: [] for source in inboxes}
        self.failures: list[str] = []
        self.threads = [
            threading.Thread(target=self._receive, args=(source, inbox), daemon=True)
            for source, inbox in inboxes.items()
        ]
        for thread in self.threads:
            thread.start()

    def _receive(self, source: int, inbox: Any) -> None:
        chunks = self.received[source]
        while True:
            if not inbox.poll(1.0):
                if not _parent_alive():
                    self.failures.append(f"verify stopped before worker {source} sent all its rows")
                    return
                continue
            data = inbox.recv_bytes()
            if not data:  # the end of that worker's rows
                return
            chunks.append(data)

    def flush(self, *, all_rows: bool = False) -> None:
        for target, rows in self.pending.items():
            if rows and (all_rows or len(rows) >= BATCH):
                self.outboxes[target].send_bytes(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
                rows.clear()  # in place: the pass holds these lists

    def finish(self) -> dict[int, list[Row]]:
        """Send what is left and the end mark; wait for every other worker's rows and return them."""
        self.flush(all_rows=True)
        for outbox in self.outboxes.values():
            outbox.send_bytes(b"")
        for thread in self.threads:
            thread.join()
        if self.failures:
            raise RuntimeError("; ".join(self.failures))
        return {
            source: [row for chunk in chunks for row in pickle.loads(chunk)] for source, chunks in self.received.items()
        }


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


def _scan(
    plan: _Plan, index: int, *, rebuild: bool, progress: Progress | None, post: _Post | None = None
) -> tuple[list[_Found], Edges | None]:
    """One worker's pass over its range: links, hashes, and engine events for its customers.

    The loop runs millions of times: it reads the cursor's batches itself, looks shares up in a
    bytearray by customer id, and hands rows for other workers' customers to `post`. Returns the
    problems found and the range's edges, which `_stitch` joins to the neighbours'.
    """
    found: list[_Found] = []
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
    sql, params = _range(plan, index)
    if connection.vendor == "postgresql":
        with connection.cursor() as setting:  # the moment's text in the one shape _utc_text expects
            setting.execute("SET datestyle TO ISO")
    with connection.chunked_cursor() as cursor:  # server-side on PostgreSQL: rows stream, not all at once
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            for seq, at_text, kind, body, stored_prev, stored_hash, customer in batch:
                if seq != expected or stored_prev != prev_hash:
                    if first is None:  # the range's first event: _stitch checks its link
                        first = (seq, stored_prev)
                    else:
                        found.extend(_links_broken(seq, expected, stored_prev, prev_hash))  # type: ignore[arg-type]
                expected, prev_hash = seq + 1, stored_hash
                spelled = moment_from_text(at_text) if isinstance(at_text, str) else None
                digest = (
                    hash_of(stored_prev, seq, spelled, kind, body)
                    if spelled is not None
                    else chain_hash(stored_prev, seq, _parse_utc(at_text), kind, body)
                )
                if digest != stored_hash:
                    edited = Problem(f"event {seq}", "its content does not match its hash: edited", EDITED_ZH)
                    found.append(((0, seq, 2), edited))
                if not rebuild:
                    continue
                # The moment once (its text only where it could not be spelled) and the kind as one
                # shared string: rows for other workers are pickled, and pickle writes a string
                # it has seen as a reference.
                row = (seq, None if spelled is not None else at_text, spelled, kinds.get(kind, kind), body, customer)
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
    found.extend(_judge(plan, index, events, {cid for cid, mark in enumerate(seen) if mark}, progress))
    if plan.hold is not None:
        plan.hold.extend((events, own, received))
    return found, edge


def _builder(plan: _Plan, found: list[_Found]) -> Callable[[Row], engine.Event | None]:
    """An engine event from a stored row, or None with the problem noted in `found`.

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

    def build(row: Row) -> engine.Event | None:
        seq, at_text, spelled, kind, body, customer = row
        try:
            # The chain's spelling ends in "Z": fromisoformat gives UTC itself, far cheaper than .replace().
            at = fromiso(spelled) if spelled is not None else _parse_utc(at_text)
            try:
                fields, end = scan_once(body, 0)
            except StopIteration:
                raise ValueError("not JSON") from None
            if end != len(body) or not isinstance(fields, dict):
                raise ValueError("not one JSON object")
            if customer is not None and customer <= top:
                known = names[customer]
                if known is not None and fields.get("customer") == known:
                    fields["customer"] = known
            return make(kind, seq, at, fields)
        except (ValueError, TypeError, KeyError) as error:
            problem = Problem(f"event {seq}", f"cannot be read as an event: {error}", f"无法读取为事件：{error}")
            found.append(((0, seq, 3), problem))
            return None

    return build


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
        # Ids are "e" and the event's number: a number read twice is reported by the chain check.
        timeline = engine.Timeline(plan.cast, plan.policy, events, identity=plan.identity, ids_unique=True)
        fresh = timeline.standings_at(
            {str(cid): row[4] for cid, row in mine.items() if str(cid) in plan.cast.customers}
        )
        if plan.hold is not None:
            plan.hold.extend((timeline, fresh, mine))
    except (ValueError, KeyError) as error:  # events the engine cannot take: a damaged ledger
        return [
            *found,
            ((1, 0, 1), Problem("ledger", f"the events cannot be replayed: {error}", f"事件无法重放：{error}")),
        ]
    for cid, (owners_stored, status, channel_stored, channel_status, _judged) in mine.items():
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
