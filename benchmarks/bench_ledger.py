"""Benchmark the ledger at company size: registrations, verify and import on a large database.

Run:  .venv/bin/python benchmarks/bench_ledger.py --database sqlite:////tmp/bench.sqlite3
      .venv/bin/python benchmarks/bench_ledger.py --database 'postgresql:///bench?host=/var/run/postgresql'
      [--customers 1000000] [--events 10000000] [--registrations 1000] [--import-rows 100000] [--reuse]

It generates (once; `--reuse` keeps an existing database) a project whose customers have two years
of history: visits, follow-ups, calls, renewals, escorted visits and deals, chained exactly as the
services chain them (same canonical bodies, same hash), written in bulk because a benchmark cannot
wait for ten million live registrations; then every verdict is built by the service's own rebuild.
It measures, in one run:
- registering a visit through `services.visit_register` (event + chain + engine verdict +
  materialisation) for returning and new customers, one after another: p50/p95/p99 and the rate;
- `verify`: the chain check alone, the full verify (chain + rebuild + compare), and plain SHA-256
  over the same bytes in the same run, as events per second and as a ratio;
- importing a 100,000-row register (CSV) through `leadledger import`'s service.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅鹏飞燕辉"
CUSTOMER_COLUMNS = [
    "id",
    "project_id",
    "name",
    "phone",
    "id_number",
    "employee",
    "created_at",
    "erased_at",
    "pinyin",
    "initials",
    "phone_tail",
]


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def generate(customers: int, events: int, seed: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from leadledger.engine.identity import name_spellings
    from leadledger.engine.model import staff_by
    from leadledger.ledger import models
    from leadledger.ledger.chain import GENESIS, canonical, event_hash

    rng = random.Random(seed)
    now = timezone.now()
    project = models.Project.objects.create(code="bench", name="基准测试项目")
    users = get_user_model()
    consultants = [
        models.Staff.objects.create(
            project=project,
            user=users.objects.create_user(username=f"c{i}", password="bench"),
            name=f"顾问{i:02d}",
        )
        for i in range(30)
    ]
    manager = models.Staff.objects.create(project=project, name="经理", role=models.Staff.Role.MANAGER)
    agents = [
        models.Agent.objects.create(
            project=project,
            name=f"经纪人{i}",
            distributor=models.Distributor.objects.get_or_create(project=project, name=f"分销{i % 4}")[0],
        )
        for i in range(20)
    ]
    _say(f"customers: {customers:,}")
    first_id = 1 + (models.Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    stamp = connection.ops.adapt_datetimefield_value(now)
    spellings: dict[str, tuple[str, str]] = {}
    with transaction.atomic():
        batch: list[tuple[Any, ...]] = []
        for i in range(customers):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            pinyin, initials = spellings.get(name) or spellings.setdefault(name, name_spellings(name))
            batch.append(
                (
                    first_id + i,
                    project.pk,
                    name,
                    f"+86138{i:08d}",
                    None,
                    False,
                    stamp,
                    None,
                    pinyin,
                    initials,
                    f"{i:08d}"[-4:],
                )
            )
            if len(batch) == 50_000:
                _insert("ledger_customer", CUSTOMER_COLUMNS, batch)
                batch.clear()
        _insert("ledger_customer", CUSTOMER_COLUMNS, batch)
        relations = [
            (project.pk, first_id + i, first_id + i + 1, rng.choice(("spouse", "parent_child")), True)
            for i in range(0, customers - 1, 12)
        ]
        _insert("ledger_relation", ["project_id", "a_id", "b_id", "kind", "verified"], relations)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('ledger_customer', 'id'), %s)", [first_id + customers])
    _say(f"events: {events:,} (generating)")
    span = 730 * 24 * 3600
    start = now - timedelta(days=731)
    staff_ids = [str(s.pk) for s in consultants]
    per_customer = events / customers
    records: list[tuple[float, int, str, str]] = []  # (seconds from start, customer, kind, body)
    for i in range(customers):
        cid = first_id + i
        owner = rng.choice(staff_ids)
        moment = rng.uniform(0, span - 3600)
        count = max(1, round(rng.expovariate(1 / per_customer))) if len(records) < events else 0
        if rng.random() < 0.15:
            body = canonical({"customer": str(cid), "agent": str(rng.choice(agents).pk)})
            records.append((moment - 300, cid, "escorted_visit", body))
            count -= 1
        records.append((moment, cid, "visit", canonical({"customer": str(cid), "staff": owner})))
        for _ in range(count - 1):
            moment += rng.uniform(3600, 12 * 24 * 3600)
            if moment >= span:
                break
            roll = rng.random()
            if roll < 0.55:
                kind, body = "follow_up", {"customer": str(cid), "staff": owner}
            elif roll < 0.8:
                kind, body = "call", {"customer": str(cid), "staff": owner}
            elif roll < 0.93:
                kind, body = "visit", {"customer": str(cid), "staff": rng.choice(staff_ids)}
            elif roll < 0.99:
                kind, body = "renewal", {"customer": str(cid), "staff": owner, "approved_by": str(manager.pk)}
            else:
                kind, body = "deal", {"buyer": str(cid), "customer": str(cid), "staff": owner}
            records.append((moment, cid, kind, canonical(body)))
        if len(records) >= events:
            break
    del records[events:]
    records.sort(key=lambda r: r[0])
    _say(f"events: {len(records):,} (chaining and writing)")
    columns = ["project_id", "seq", "kind", "at", "actor_id", "customer_id", "staff_id", "body", "prev_hash", "hash"]
    prev = GENESIS
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic():
        batch = []
        for seq, (offset, cid, kind, body) in enumerate(records, start=1):
            at = (start + timedelta(seconds=offset)).replace(microsecond=0)
            by = staff_by(kind, json.loads(body))
            staff = int(by) if by is not None and by.isdigit() else None
            digest = event_hash(prev, seq, at, kind, body, project=project.pk, customer=cid, staff=staff, actor=None)
            batch.append((project.pk, seq, kind, adapt(at), None, cid, staff, body, prev, digest))
            prev = digest
            if len(batch) == 100_000:
                _insert("ledger_event", columns, batch)
                batch.clear()
                if seq % 1_000_000 == 0:
                    _say(f"  {seq:,} written")
        _insert("ledger_event", columns, batch)
    del records, batch
    _say("verdicts: rebuilding every one through services.verdicts_rebuild")
    from leadledger.ledger import services

    started = time.perf_counter()
    judged = services.verdicts_rebuild(project=project, now=timezone.now())
    _say(f"verdicts: {judged:,} in {time.perf_counter() - started:.0f} s")
    return project


def bench_registrations(project: Any, count: int, seed: int) -> dict[str, float]:
    from leadledger.ledger import models, services

    rng = random.Random(seed)
    consultants = list(models.Staff.objects.filter(project=project, role="consultant"))
    top = models.Customer.objects.filter(project=project).order_by("-pk").values_list("pk", flat=True).first()
    low = models.Customer.objects.filter(project=project).order_by("pk").values_list("pk", flat=True).first()
    times = []
    started = time.perf_counter()
    for i in range(count):
        began = time.perf_counter()
        if rng.random() < 0.7:  # a returning customer
            customer = models.Customer.objects.get(pk=rng.randint(low, top))
        else:
            customer, _ = services.customer_find_or_create(
                project=project, name="新客户", phone=f"+86139{rng.randrange(10**8):08d}"
            )
        services.visit_register(project=project, customer=customer, staff=rng.choice(consultants))
        times.append(time.perf_counter() - began)
        if i == 0:
            first = times[0]
    total = time.perf_counter() - started
    cuts = statistics.quantiles(times, n=100)
    return {
        "first_ms": first * 1000,
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
        "per_second": count / total,
    }


def bench_verify(project: Any, workers: int | None) -> dict[str, float]:
    from leadledger.ledger import models
    from leadledger.ledger.chain import hash_v2
    from leadledger.ledger.verify import chain_problems, default_workers, verify

    events = models.Event.objects.filter(project=project).count()
    rows = (
        models.Event.objects.filter(project=project)
        .order_by("seq")
        .values_list("prev_hash", "seq", "at", "kind", "body", "customer_id", "staff_id", "actor_id")
    )
    material = []
    for prev, seq, at, kind, body, customer, staff, actor in rows.iterator(chunk_size=10000):
        moment = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        columns = (str(project.pk), *("" if v is None else str(v) for v in (customer, staff, actor)))
        material.append("\x1f".join(("2", prev, str(seq), moment, kind, body, *columns)).encode())
    started = time.perf_counter()
    for item in material:
        hashlib.sha256(item).hexdigest()
    plain = time.perf_counter() - started
    del material
    assert hash_v2  # the chain's hash (version 2) is SHA-256 over exactly this material (ledger/chain.py)
    started = time.perf_counter()
    chain = sum(1 for _ in chain_problems(project))
    chain_seconds = time.perf_counter() - started
    workers = workers or default_workers(events)
    problems: list[Any] = []
    started = time.perf_counter()
    verify(project, problems.append, workers=workers)
    verify_seconds = time.perf_counter() - started
    if chain or problems:
        raise SystemExit(f"verify found {chain} chain problems and {len(problems)} problems: {problems[:5]}")
    return {
        "events": events,
        "workers": workers,
        "plain_hash_per_second": events / plain,
        "chain_per_second": events / chain_seconds,
        "chain_to_plain": chain_seconds / plain,
        "verify_per_second": events / verify_seconds,
        "verify_seconds": verify_seconds,
        "verify_to_plain": verify_seconds / plain,
    }


def bench_import(project: Any, rows: int, seed: int, folder: Path) -> dict[str, float]:
    from django.utils import timezone

    from leadledger.imports.models import ImportedRow
    from leadledger.imports.services import register_import
    from leadledger.ledger import models

    run = ImportedRow.objects.filter(project=project).count() // rows  # a rerun imports new rows, not the same
    rng = random.Random(seed + run)
    new_prefix = ("137", "136", "135", "134", "133", "132")[run % 6]
    names = list(models.Staff.objects.filter(project=project, role="consultant").values_list("name", flat=True))
    today = timezone.localtime()
    path = folder / "bench-register.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["来访日期", "时间", "客户姓名", "手机号码", "置业顾问", "类型", "备注"])
        for i in range(rows):
            day = today - timedelta(days=rng.randint(1, 60))
            phone = f"{new_prefix}{i:08d}" if rng.random() < 0.5 else f"138{rng.randrange(10**6):08d}"
            writer.writerow(
                [
                    f"{day:%Y-%m-%d}",
                    f"{rng.randint(9, 17):02d}:{rng.choice((0, 15, 30, 45)):02d}",
                    rng.choice(SURNAMES) + rng.choice(GIVEN),
                    phone,
                    rng.choice(names),
                    rng.choice(("来访", "来访", "来电", "回访")),
                    "",
                ]
            )
    started = time.perf_counter()
    result = register_import(project=project, path=path)
    seconds = time.perf_counter() - started
    return {"rows": rows, "imported": result.imported, "rejected": len(result.rejected), "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--reuse", action="store_true", help="use the benchmark project already in the database")
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument("--only-verify", action="store_true", help="measure verify alone (with --reuse)")
    parser.add_argument("--workers", type=int, help="verify's worker processes (default: as `leadledger verify`)")
    args = parser.parse_args()
    _setup(args.database)
    from leadledger.ledger import models

    print(
        f"# {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores"
    )
    print(f"# database: {args.database}")
    project = models.Project.objects.filter(code="bench").first()
    if project is None or not args.reuse:
        if project is not None:
            raise SystemExit("the database already has a benchmark project: use --reuse or a fresh database")
        started = time.perf_counter()
        project = generate(args.customers, args.events, args.seed)
        print(f"generated in {time.perf_counter() - started:.0f} s")
    customers = models.Customer.objects.filter(project=project).count()
    events = models.Event.objects.filter(project=project).count()
    print(f"size: {customers:,} customers, {events:,} events")
    if not args.only_verify and args.registrations > 1:  # 0: only build the database (e.g. for bench_agents_1m.py)
        _say("registrations")
        result = bench_registrations(project, args.registrations, args.seed)
        print(
            f"registration ({args.registrations} visits, 70% returning): first {result['first_ms']:.1f} ms, "
            f"p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
            f"{result['per_second']:.0f}/s sustained (goal: p95 < 80 ms, >= 50/s)",
            flush=True,
        )
    if not args.only_verify and args.import_rows > 0:
        _say("import")
        imported = bench_import(project, args.import_rows, args.seed, Path(os.environ.get("TMPDIR", "/tmp")))
        print(
            f"import of a {imported['rows']:,}-row register: {imported['seconds']:.1f} s "
            f"({imported['imported']:,} imported, {imported['rejected']} rejected) (goal: < 120 s)",
            flush=True,
        )
    if not args.skip_verify:
        _say("verify")
        checked = bench_verify(project, args.workers)
        print(
            f"verify of {checked['events']:,} events: chain alone (one process) {checked['chain_per_second']:,.0f} "
            f"ev/s, plain SHA-256 of the same bytes {checked['plain_hash_per_second']:,.0f} ev/s "
            f"(chain/plain time {checked['chain_to_plain']:.1f}x); full verify (chain + rebuild + compare, "
            f"{checked['workers']} workers) {checked['verify_per_second']:,.0f} ev/s "
            f"({checked['verify_seconds']:.0f} s, {checked['verify_to_plain']:.1f}x plain hashing) "
            f"(goal: >= 100,000 ev/s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
