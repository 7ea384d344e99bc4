"""Benchmark the customer manager's workbench (issue 17): today page, team dashboard, the month's reports.

    .venv/bin/python benchmarks/bench_workbench.py --database sqlite:////tmp/bench-workbench.sqlite3 \
        [--people 500] [--events-per-person 20000] [--customers-per-person 300] [--views 50] [--build-only]

Run again on the same database, it measures without building (build once, measure on a quiet machine).

It builds its own project (seeded): `--people` customer managers in teams of 10, each with a manager,
the key-account duties (篇1) assigned to every team, each person owning `--customers-per-person`
customers (with verdicts) and a year of logged work (`--events-per-person` calls, follow-ups and
visits, spread over the 365 days before now). Events are bulk-inserted with placeholder hashes: the
benchmark reads, it never verifies. Then it measures:
- a person's today page, counted by `bench.selectors.board` (median and p95 over `--views` people),
  and the same page through Django's whole stack for one signed-in person (goal: p95 under 150 ms);
- a team dashboard (`team_boards` of a manager of 10; goal: under 500 ms);
- the month's report figures for everyone (`selectors.figures` per person; goal: under a minute).
The issue's size is 500 people with a year each (10,000,000 events); per-person pages read one
person's rows by the (project, staff, at) index, so their cost follows the events per person.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any


def _timed(call: Callable[[], Any], times: int) -> tuple[float, float]:
    spent = []
    for _ in range(times):
        began = time.perf_counter()
        call()
        spent.append(time.perf_counter() - began)
    return statistics.median(spent) * 1000, statistics.quantiles(spent, n=100)[94] * 1000


ZEROS = "0" * 64  # placeholder hashes: the benchmark reads, it never verifies
INSERT = (
    "INSERT INTO ledger_event (project_id, seq, kind, at, customer_id, staff_id, body, prev_hash, hash)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _build(people: int, per_person: int, customers: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from leadledger.bench import services
    from leadledger.bench.models import DutyTemplate, Team
    from leadledger.ledger import models

    rng = random.Random(17)
    now = timezone.now()
    project = models.Project.objects.create(code="bench-wb", name="工作台基准")
    Role = models.Staff.Role
    user = get_user_model().objects.create_user(username="wb-manager", password="bench-workbench")
    first_manager = models.Staff.objects.create(project=project, user=user, name="经理0", role=Role.MANAGER)
    staff = models.Staff.objects.bulk_create(
        [models.Staff(project=project, name=f"客户经理{i}", role=Role.CONSULTANT) for i in range(people)]
    )
    person_user = get_user_model().objects.create_user(username="wb-person", password="bench-workbench")
    staff[0].user = person_user
    staff[0].save(update_fields=["user"])
    services.presets_load(project=project, kind="key_account")
    duties = list(DutyTemplate.objects.filter(project=project))
    for t in range(0, people, 10):
        manager = (
            first_manager
            if t == 0
            else models.Staff.objects.create(project=project, name=f"经理{t}", role=Role.MANAGER)
        )
        team = Team.objects.create(project=project, name=f"组{t // 10}", kind="key_account", manager=manager)
        team.members.set(staff[t : t + 10])
        for duty in duties:
            duty.teams.add(team)
    if connection.vendor == "sqlite":  # a build, not the app's writes: the benchmark's file is thrown away after
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-2000000")  # 2 GB: the event indexes of 10,000,000 rows stay in memory
    began = time.perf_counter()
    seq = 0
    for person in staff:
        with transaction.atomic():
            mine = models.Customer.objects.bulk_create(
                [models.Customer(project=project, name=f"客户{person.pk}-{i}") for i in range(customers)]
            )
            models.Verdict.objects.bulk_create(
                [
                    models.Verdict(
                        customer=c,
                        project=project,
                        owners={str(person.pk): "1"},
                        status="active",
                        channel=None,
                        channel_status="",
                        cites="IH-1",
                        explain_zh="",
                        explain_en="",
                        policy_version="bench",
                        through_seq=0,
                        judged_at=now,
                    )
                    for c in mine
                ]
            )
            rows = []
            for _ in range(per_person):
                seq += 1
                customer = rng.choice(mine)
                kind = rng.choices(("call", "follow_up", "visit"), weights=(6, 3, 1))[0]
                at = connection.ops.adapt_datetimefield_value(now - timedelta(seconds=rng.randrange(365 * 86400)))
                body = f'{{"customer":"{customer.pk}","staff":"{person.pk}"}}'
                rows.append((project.pk, seq, kind, at, customer.pk, person.pk, body, ZEROS, ZEROS))
            with connection.cursor() as cursor:  # rows as tuples: 10,000,000 ORM objects would take an hour
                cursor.executemany(INSERT, rows)
        if person.pk % 50 == 0:
            print(f"  {seq:,} events, {time.perf_counter() - began:.0f} s", flush=True)
    print(f"built {seq:,} events, {people * customers:,} customers in {time.perf_counter() - began:.0f} s", flush=True)
    return project, staff, first_manager


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--events-per-person", type=int, default=20000)
    parser.add_argument("--customers-per-person", type=int, default=300)
    parser.add_argument("--views", type=int, default=50)
    parser.add_argument("--build-only", action="store_true", help="build the database and stop (measure later, quiet)")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from leadledger.bench import selectors
    from leadledger.engine import duties as d

    print(
        f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {connection.vendor}"
    )
    from leadledger.ledger import models

    built = models.Project.objects.filter(code="bench-wb").first()
    if built is None:
        project, staff, manager = _build(args.people, args.events_per_person, args.customers_per_person)
    else:  # measured again on a database an earlier run built: the build of 10,000,000 events is not the measure
        project = built
        staff = list(models.Staff.objects.filter(project=project, role=models.Staff.Role.CONSULTANT).order_by("pk"))
        manager = models.Staff.objects.get(project=project, user__username="wb-manager")
        events = models.Event.objects.filter(project=project).count()
        print(f"reusing {events:,} events, {len(staff)} people", flush=True)
    if args.build_only:
        return
    rng = random.Random(3)
    now = timezone.now()
    median, p95 = _timed(lambda: selectors.board(rng.choice(staff), now), args.views)
    print(f"today (board, one person): median {median:.0f} ms, p95 {p95:.0f} ms")
    client = Client(HTTP_HOST="localhost")
    assert client.login(username="wb-person", password="bench-workbench")
    url = f"/p/{project.code}/bench/"
    assert client.get(url).status_code == 200
    median, p95 = _timed(lambda: client.get(url), args.views)
    print(f"today page through Django (one person): median {median:.0f} ms, p95 {p95:.0f} ms")
    median, p95 = _timed(lambda: selectors.team_boards(manager, now), max(args.views // 5, 3))
    print(f"team dashboard (10 people): median {median:.0f} ms, p95 {p95:.0f} ms")
    lead = Client(HTTP_HOST="localhost")  # 团队今日 as the manager opens it: boards, collection rate, charts
    assert lead.login(username="wb-manager", password="bench-workbench")
    team_url = f"/p/{project.code}/bench/team/"
    assert lead.get(team_url).status_code == 200
    median, p95 = _timed(lambda: lead.get(team_url), max(args.views // 5, 3))
    print(f"team dashboard page through Django (10 people): median {median:.0f} ms, p95 {p95:.0f} ms")
    month = d.period_of(d.MONTHLY, timezone.localdate(now))
    began = time.perf_counter()
    for person in staff:
        selectors.figures(person, month, now)
    print(f"the month's report figures for all {len(staff)} people: {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
