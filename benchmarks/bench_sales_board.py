"""Benchmark the sales-control board (销控表) of a 3,000-unit project: the page, a changed and an unchanged refresh.

    .venv/bin/python benchmarks/bench_sales_board.py --database sqlite:////tmp/bench-sales.sqlite3 [--units 3000]

On a fresh database: one project, 10 buildings of 30 floors of 10 units (`--units` in all), a third of
them taken (deposit or signed, by 8 consultants), and a few real deposits through the service (so the
sales log has rows). Then, through Django's whole stack (test client, signed in as a consultant), it
times `--polls` of each: the whole page, a refresh carrying a stale version (200, the board) and one
carrying the current version (204, no body).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from decimal import Decimal


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _build(count: int) -> None:
    from django.contrib.auth import get_user_model

    from leadledger.ledger import models
    from leadledger.sales import services
    from leadledger.sales.models import Building, Unit

    project = models.Project.objects.create(code="bench", name="基准项目")
    user_model = get_user_model()
    staff = [
        models.Staff.objects.create(
            project=project,
            user=user_model.objects.create_user(username=f"c{i}", password="bench-bench"),
            name=f"顾问{i}",
            role=models.Staff.Role.CONSULTANT,
        )
        for i in range(8)
    ]
    manager = models.Staff.objects.create(
        project=project,
        user=user_model.objects.create_user(username="m", password="bench-bench"),
        name="经理",
        role=models.Staff.Role.MANAGER,
    )
    customer = models.Customer.objects.create(project=project, name="客户", phone="13800000001")
    per_building = 300
    units = []
    for b in range((count + per_building - 1) // per_building):
        building = Building.objects.create(project=project, name=f"{b + 1}栋")
        for i in range(min(per_building, count - b * per_building)):
            floor, room = 1 + i // 10, 1 + i % 10
            status = ("available", "available", "deposit", "signed")[(i * 7) % 4] if i % 3 else "available"
            units.append(
                Unit(
                    project=project,
                    building=building,
                    floor=floor,
                    number=f"{floor}{room:02d}",
                    area=Decimal("89.50"),
                    list_price=Decimal(1_000_000 + i * 1000),
                    status=status,
                    staff=staff[i % 8] if status != "available" else None,
                )
            )
    Unit.objects.bulk_create(units, batch_size=1000)
    for unit in Unit.objects.filter(project=project, status="available")[:5]:
        services.unit_deposit(by=manager, unit_id=unit.pk, buyers=[customer.pk], price=1, staff=staff[0].pk, user=None)


def _time(client: object, url: str, polls: int, params: dict[str, str] | None = None) -> tuple[list[float], int, int]:
    from django.db import connection, reset_queries

    samples, size, status = [], 0, 0
    for _ in range(polls):
        reset_queries()
        started = time.perf_counter()
        answer = client.get(url, params or {})  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - started) * 1000)
        size, status = len(answer.content), answer.status_code
    assert connection is not None
    return samples, size, status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--polls", type=int, default=100)
    args = parser.parse_args()
    _setup(args.database)
    _build(args.units)
    from django.test import Client

    from leadledger.ledger import models
    from leadledger.sales import selectors

    client = Client(HTTP_HOST="localhost")
    assert client.login(username="c0", password="bench-bench")
    project = models.Project.objects.get(code="bench")
    version = f"zh-hans-{selectors.board_version(project)}"
    for label, url, params in (
        ("page", "/p/bench/sales/", None),
        ("refresh, changed", "/p/bench/sales/board/", {"v": "stale"}),
        ("refresh, unchanged", "/p/bench/sales/board/", {"v": version}),
    ):
        _time(client, url, 3, params)  # warm up
        samples, size, status = _time(client, url, args.polls, params)
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(f"{label}: {status}, median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, {size:,} bytes")


if __name__ == "__main__":
    main()
