"""What verify reads before the pass, once: the plan every worker shares.

The customers and relations (cast once, before the workers are forked, so they share them), the
policies verdicts may have been judged under, the workers' ranges of event numbers, and which worker
judges which customer: whole households, kept together with the customers their events link to
(each event type's `link_fields`), so that no worker needs another's events. Also the plain-SQL
reading helpers the pass uses (verify reads millions of rows without the ORM's per-value work).
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, connections

from leadledger import engine
from leadledger.engine.identity import UnionFind
from leadledger.engine.model import EVENT_TYPES, customers_of, kinds_linking, linked_customers_of

from .. import convert, models

BATCH = 10_000
PARALLEL_FROM = 200_000  # events; below this, forking costs more than it saves
MAX_WORKERS = 4


@dataclass(slots=True)
class Plan:
    """What every worker needs, read once before the workers are forked."""

    project: models.Project
    events: int
    workers: int
    cast: engine.Cast | None = None
    identity: engine.Identity | None = None
    policy: engine.Policy | None = None  # the project's current policy
    policies: dict[str, engine.Policy] = field(default_factory=dict)  # every known one, by version
    share: bytearray = field(default_factory=bytearray)  # worker by customer pk (empty: one worker)
    top: int = 0  # the largest customer pk
    verdicts: int = 0  # stored, all workers together (for progress)
    bounds: tuple[int, ...] = (0, 0)  # worker i reads the events numbered in (bounds[i], bounds[i + 1]]
    hold: list[Any] | None = None  # in a forked worker: what it built, kept until it exits


# customer pk -> owners, status, channel, its status, when judged, the policy version judged under
Stored = dict[int, tuple[Any, str, Any, str, datetime, str]]


def default_workers(events: int) -> int:
    """Worker processes for a project of this many events on this machine, and this connection."""
    if events < PARALLEL_FROM or not may_fork():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def may_fork() -> bool:
    # Forked workers open their own connections: they would not see an in-memory database, nor
    # what the caller's open transaction has not committed.
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    return not (in_memory or connection.in_atomic_block)


def utc_text(column: str) -> str:
    """SQL for a timestamp column as UTC text `YYYY-MM-DD HH:MM:SS[.ffffff]`, with no datetime built per row."""
    if connection.vendor == "postgresql":
        return f"({column} AT TIME ZONE 'UTC')::text"  # cheaper than to_char; chain.moment_from_text pads it
    return f"CAST({column} AS TEXT)"  # SQLite keeps naive UTC text already


def parse_utc(text: str | datetime) -> datetime:
    if isinstance(text, str) and len(text) in (19, 26):
        return datetime.fromisoformat(text + "+00:00")  # naive UTC text; far cheaper than .replace(tzinfo=)
    moment = text if isinstance(text, datetime) else datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rows(sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    # A raw cursor, without the ORM's per-value converters: verify reads millions of rows.
    with connection.chunked_cursor() as cursor:  # server-side on PostgreSQL: rows stream, not all at once
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            yield from batch


def make_plan(project: models.Project, workers: int | None) -> Plan:
    # The last number given out: as many events as a sound chain has, read by index, not by counting.
    events = project.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    count = (workers if may_fork() else 1) if workers else default_workers(events)
    plan = Plan(project=project, events=events, workers=max(1, count))
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


def _cast(plan: Plan) -> None:
    project = plan.project
    customers = list(
        rows(
            f"SELECT {', '.join(convert.CUSTOMER_COLUMNS)} FROM {models.Customer._meta.db_table} WHERE project_id = %s",
            [project.pk],
        )
    )
    relations = list(
        rows(
            f"SELECT a_id, b_id, kind, verified FROM {models.Relation._meta.db_table} WHERE project_id = %s",
            [project.pk],
        )
    )
    plan.top = max((row[0] for row in customers), default=0)
    plan.cast = convert.cast_from_values(project, customers, relations)
    plan.identity = engine.Identity(plan.cast.customers, plan.cast.relations)
    plan.policy = convert.policy_of(project)
    plan.policies = policies_known(project, plan.policy)


def policies_known(project: models.Project, current: engine.Policy) -> dict[str, engine.Policy]:
    """Every policy a stored verdict may have been judged under, by the version it records.

    The current one, each the project has had (PolicyChange), and the presets as they stand (the
    policy before the first recorded change is one of them). A version is a hash of every parameter,
    so a verdict naming one of these was judged under exactly that policy.
    """
    zone = {"time_zone": project.time_zone}
    found = {current.version: current}
    for preset in engine.PRESETS:
        policy = engine.policy_from({"preset": preset, **zone})
        found.setdefault(policy.version, policy)
    for stored, version in project.policy_changes.values_list("policy", "version"):
        try:
            policy = engine.policy_from({**stored, **zone})
        except engine.EngineError:
            continue  # a policy no longer valid judges nothing: its verdicts are reported as unknown
        found.setdefault(policy.version, policy)
        found.setdefault(version, policy)
    return found


def stored_verdicts(plan: Plan, index: int) -> Stored:
    """This worker's share of the stored verdicts (each worker reads its own, in parallel)."""
    stored: Stored = {}
    workers, share, top = plan.workers, plan.share, plan.top
    # As text: PostgreSQL's driver would decode the JSON of every row, the other workers' too.
    as_text = "::text" if connection.vendor == "postgresql" else ""
    for cid, owners, status, channel, channel_status, judged_at, version in rows(
        f"SELECT customer_id, owners{as_text}, status, channel{as_text}, channel_status, {utc_text('judged_at')}, "
        f"policy_version FROM {models.Verdict._meta.db_table} WHERE project_id = %s",
        [plan.project.pk],
    ):
        # A customer newer than the plan falls to worker 0, as its events do (_scan).
        if workers == 1 or (share[cid] if cid <= top else 0) == index:
            stored[cid] = (_json(owners), status, _json(channel), channel_status, parse_utc(judged_at), version)
    return stored


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value  # SQLite gives text, psycopg objects


def _links(project: models.Project) -> Iterator[tuple[str, str]]:
    """Pairs of customers that one event joins across households (its type's `link_fields`)."""
    # Only bodies that have a link field at all: a visit names whoever introduced it only now and then.
    where, params = [], []
    for kind in kinds_linking():
        for name in EVENT_TYPES[kind].link_fields:
            where.append("(kind = %s AND body LIKE %s)")
            params += [kind, f'%"{name}":%']
    if not where:
        return
    for kind, body in rows(
        f"SELECT kind, body FROM {models.Event._meta.db_table} WHERE project_id = %s AND ({' OR '.join(where)})",
        [project.pk, *params],
    ):
        try:
            fields = json.loads(body)
            filed = customers_of(kind, fields)
            linked = linked_customers_of(kind, fields)
        except (ValueError, TypeError, AttributeError):
            continue  # the chain check reports the event
        for other in linked:
            if filed and other != filed[0]:
                yield filed[0], other


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
