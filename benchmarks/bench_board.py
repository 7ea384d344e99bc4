"""Benchmark the board's refresh (every 2 s from every open desk): an unchanged poll against a changed one.

    .venv/bin/python benchmarks/bench_board.py --database sqlite:////tmp/bench-board.sqlite3 [--history 300000]

On a fresh database it builds one project with 8 consultants on the roster, a receptionist, a site with
`--history` desk visits over the past year (so that "today" must be found by index, not by a scan) and
40 visits today (registered through the ledger, half of them return visits). Then, through Django's
whole stack (test client, signed in as the receptionist), it measures `--polls` refreshes that carry
the version the desk shows (answered 204, no body) and as many that carry a stale one (the whole board,
200), with the body's bytes and the number of queries of each, and a bare view (/healthz) for scale.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import timedelta


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _build(history: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from leadledger.desk.models import DeskSearch, DeskVisit
    from leadledger.ledger import models, services

    if models.Project.objects.filter(code="board").exists():
        return
    project = models.Project.objects.create(code="board", name="看板")
    people = [
        models.Staff.objects.create(project=project, name=f"顾问{i}", role=models.Staff.Role.CONSULTANT)
        for i in range(8)
    ]
    user = get_user_model().objects.create_user(username="board-reception", password="bench")
    models.Staff.objects.create(project=project, user=user, name="前台", role=models.Staff.Role.RECEPTIONIST)
    site = models.Site.objects.create(project=project, name="展厅")
    search = DeskSearch.objects.create(project=project, site=site, user=user, query="-", found=[])
    now = timezone.now()
    past = [
        DeskVisit(
            project=project,
            site=site,
            seq=-i,
            search=search,
            staff=str(people[i % 8].pk),
            cites="Q-1",
            explain_zh="",
            explain_en="",
        )
        for i in range(1, history + 1)
    ]
    DeskVisit.objects.bulk_create(past, batch_size=5000)
    step = max(1, history // 365)
    ids = list(DeskVisit.objects.filter(site=site).order_by("pk").values_list("pk", flat=True))
    for day in range(365):
        chunk = ids[day * step : (day + 1) * step]
        if chunk:
            DeskVisit.objects.filter(pk__in=chunk).update(at=now - timedelta(days=day + 1))
    for i in range(40):
        customer, _ = services.customer_find_or_create(
            project=project, name=f"客户{i % 20}", phone=f"1390000{i % 20:04d}"
        )
        event = services.visit_register(project=project, customer=customer, staff=people[i % 8])
        DeskVisit.objects.create(
            project=project,
            site=site,
            seq=event.seq,
            search=search,
            staff=str(people[i % 8].pk),
            cites="Q-1",
            explain_zh="",
            explain_en="",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--history", type=int, default=300_000)
    parser.add_argument("--polls", type=int, default=500)
    args = parser.parse_args()
    _setup(args.database)
    _build(args.history)
    import re

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from leadledger.desk.models import DeskVisit
    from leadledger.ledger import models

    site = models.Site.objects.get(project__code="board")
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username="board-reception"))
    url = f"/p/board/desk/{site.pk}/board/"
    first = client.get(url)
    version = re.search(r'name="v" value="([0-9a-f]+)"', first.content.decode())
    assert version, "no version on the board"

    def measure(v: str, status: int) -> tuple[float, float, int, int]:
        times, size = [], 0
        for _ in range(args.polls):
            began = time.perf_counter()
            response = client.get(url, {"v": v})
            times.append(time.perf_counter() - began)
            assert response.status_code == status, response.status_code
            size = len(response.content)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {"v": v})
        return statistics.median(times) * 1000, statistics.quantiles(times, n=100)[94] * 1000, size, len(queries)

    print(
        f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {connection.vendor}"
    )
    print(f"# {DeskVisit.objects.filter(site=site).count():,} desk visits at the site; {args.polls} polls of each kind")
    times = []
    for _ in range(args.polls):
        began = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        times.append(time.perf_counter() - began)
    bare = statistics.median(times) * 1000, statistics.quantiles(times, n=100)[94] * 1000
    print(f"bare view (/healthz), same client: median {bare[0]:.2f} ms, p95 {bare[1]:.2f} ms")
    for label, v, status in (("unchanged (204)", version.group(1), 204), ("changed (200)", "stale", 200)):
        median, p95, size, count = measure(v, status)
        print(f"board poll, {label}: median {median:.2f} ms, p95 {p95:.2f} ms, body {size:,} bytes, {count} queries")


if __name__ == "__main__":
    main()
