"""Benchmark the desk on the ledger benchmark's database: the ask-first search and the desk page.

Run after benchmarks/bench_ledger.py, on the same database:
    .venv/bin/python benchmarks/bench_desk.py --database sqlite:////tmp/bench.sqlite3 [--queries 300]

It measures, over random customers of the benchmark project (1,000,000 of them at full size):
- `desk.selectors.search` in the database, for a full phone, a masked phone, a name and a pinyin
  prefix: median and p95 (goal: p95 under 30 ms);
- the desk page and one search through Django's whole stack (middleware, session, template) with
  the test client, signed in as a receptionist: median and p95 (goal: p95 under 150 ms).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from typing import Any


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    # The lookup limits pace a person (ledger/lookups.py); this measures the search's speed, 300 of each kind.
    os.environ.setdefault("LEADLEDGER_LOOKUPS_PER_MINUTE", "1000000")
    os.environ.setdefault("LEADLEDGER_LOOKUPS_PER_HOUR", "1000000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


CPU: list[float] = []  # this process's CPU ms per call of the last `_timed`: less moved by a busy machine


def _timed(calls: list[Callable[[], Any]]) -> tuple[float, float]:
    times = []
    cpu = time.process_time()
    for call in calls:
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    CPU[:] = [(time.process_time() - cpu) / len(calls) * 1000]
    return statistics.median(times) * 1000, statistics.quantiles(times, n=100)[94] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    _setup(args.database)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from leadledger.desk import selectors
    from leadledger.ledger import models

    project = models.Project.objects.get(code="bench")
    rng = random.Random(args.seed)
    top = models.Customer.objects.filter(project=project).order_by("-pk").values_list("pk", flat=True).first()
    low = models.Customer.objects.filter(project=project).order_by("pk").values_list("pk", flat=True).first()
    sample = []
    while len(sample) < args.queries:
        found = models.Customer.objects.filter(pk=rng.randint(low, top), project=project).first()
        if found and found.phone and found.name:
            sample.append(found)
    count = models.Customer.objects.filter(project=project).count()
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    print(f"# database: {args.database}; {count:,} customers; {args.queries} queries of each kind")
    kinds = {
        "full phone": lambda c: c.phone.removeprefix("+86"),
        "masked phone": lambda c: f"{c.phone[3:6]}****{c.phone[-4:]}",
        "name": lambda c: c.name,
        "pinyin": lambda c: c.pinyin[:6],
    }
    for label, make in kinds.items():
        queries = [make(c) for c in sample]
        median, p95 = _timed([lambda q=q: selectors.search(project, q) for q in queries])
        print(f"search by {label}: median {median:.2f} ms, p95 {p95:.2f} ms (goal: p95 < 30 ms)", flush=True)
    site = models.Site.objects.filter(project=project).first() or models.Site.objects.create(
        project=project, name="展厅"
    )
    user = get_user_model().objects.filter(username="bench-reception").first()
    if user is None:
        user = get_user_model().objects.create_user(username="bench-reception", password="bench")
        models.Staff.objects.create(project=project, user=user, name="前台", role=models.Staff.Role.RECEPTIONIST)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)

    def page(url: str, **query: str) -> None:
        response = client.get(url, query)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    page(f"/p/bench/desk/{site.pk}/")  # the first request builds caches; the desk opens once a day
    median, p95 = _timed([lambda: page(f"/p/bench/desk/{site.pk}/") for _ in range(args.queries)])
    print(f"desk page: median {median:.1f} ms, p95 {p95:.1f} ms, CPU {CPU[0]:.1f} ms (goal: p95 < 150 ms)", flush=True)
    queries = [kinds["masked phone"](c) for c in sample]
    median, p95 = _timed(
        [lambda q=q: page(f"/p/bench/desk/{site.pk}/search/", q=q) for q in queries]  # type: ignore[misc]
    )
    print(
        f"desk search fragment (masked phone): median {median:.1f} ms, p95 {p95:.1f} ms, CPU {CPU[0]:.1f} ms"
        f" (goal: p95 < 150 ms); load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
