"""Benchmark the manager's dashboard on the ledger benchmark's database.

Run after benchmarks/bench_ledger.py, on the same database:
    .venv/bin/python benchmarks/bench_dashboard.py --database sqlite:////tmp/bench.sqlite3 [--views 50]

It measures, on the benchmark project (1,000,000 customers at full size):
- the first look at the dashboard, when no finished day is stored yet (`desk.dashboard.dashboard`
  counts the 30 days from the ledger and stores them), for the 30-day and the 90-day window;
- every later look (the finished days read back, today counted live): median and p95;
- the management page through Django's whole stack (middleware, session, template, the charts),
  signed in as the manager: median and p95 (goal: under 300 ms);
- the queue page, and the claims expiring this week written to Excel (every row), for reference.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrate (the dashboard's indexes, once): {time.perf_counter() - began:.1f} s", flush=True)


def _timed(call: Callable[[], Any], times: int) -> tuple[float, float]:
    spent = []
    for _ in range(times):
        began = time.perf_counter()
        call()
        spent.append(time.perf_counter() - began)
    return statistics.median(spent) * 1000, statistics.quantiles(spent, n=100)[94] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--views", type=int, default=50)
    args = parser.parse_args()
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    print(f"# database: {args.database}")
    _setup(args.database)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from leadledger.desk import dashboard
    from leadledger.desk.models import DayFigures
    from leadledger.ledger import models

    project = models.Project.objects.get(code="bench")
    customers = models.Customer.objects.filter(project=project).count()
    events = models.Event.objects.filter(project=project).count()
    print(f"size: {customers:,} customers, {events:,} events", flush=True)

    for window in (30, 90):
        DayFigures.objects.filter(project=project).delete()
        began = time.perf_counter()
        board = dashboard.dashboard(project, timezone.now(), window)
        print(
            f"first look, {window} days (counted from the ledger and stored): "
            f"{(time.perf_counter() - began) * 1000:.0f} ms; {board.visits:,} visits, "
            f"{board.expiring_count:,} claims expiring this week",
            flush=True,
        )
    median, p95 = _timed(lambda: dashboard.dashboard(project, timezone.now(), 30), args.views)
    print(f"dashboard selector, later looks (30 days): median {median:.1f} ms, p95 {p95:.1f} ms", flush=True)
    today = dashboard.day_count
    zone_now = timezone.now()
    from zoneinfo import ZoneInfo

    day = zone_now.astimezone(ZoneInfo(project.time_zone)).date()
    median, p95 = _timed(lambda: today(project, day), args.views)
    print(f"  of which today counted live: median {median:.1f} ms, p95 {p95:.1f} ms", flush=True)

    manager = models.Staff.objects.filter(project=project, role=models.Staff.Role.MANAGER).first()
    assert manager is not None
    if manager.user is None:
        manager.user = get_user_model().objects.create_user(username="bench-manager", password="bench")
        manager.save(update_fields=["user"])
    client = Client(HTTP_HOST="localhost")
    client.force_login(manager.user)
    assert client.get("/p/bench/manage/").status_code == 200
    median, p95 = _timed(lambda: client.get("/p/bench/manage/"), args.views)
    print(
        f"management page through Django (dashboard, charts, tables): median {median:.1f} ms, p95 {p95:.1f} ms "
        "(goal: under 300 ms)",
        flush=True,
    )
    median, p95 = _timed(lambda: client.get("/p/bench/manage/queue/"), max(10, args.views // 5))
    print(f"queue page: median {median:.1f} ms, p95 {p95:.1f} ms", flush=True)
    began = time.perf_counter()
    response = client.get("/p/bench/manage/export/expiring.xlsx")
    print(
        f"claims expiring this week to Excel: {(time.perf_counter() - began) * 1000:.0f} ms, "
        f"{len(response.content):,} bytes",
        flush=True,
    )
    print(f"# {connection.vendor}")


if __name__ == "__main__":
    main()
