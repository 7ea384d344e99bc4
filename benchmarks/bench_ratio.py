"""Each page's requests/s as a share of a bare Django view's, in the same run (issue 14's speed section).

Run on bench_ledger.py's database (1,000,000 customers at full size):
    .venv/bin/python benchmarks/bench_ratio.py --database sqlite:////tmp/bench.sqlite3 [--seconds 20]

One client, one request after another, through Django's whole stack in this process (test client:
middleware, session, sign-in, template), signed in as the page's role. The bare view `/healthz` and
each page are timed in alternating slices of a second, so that a machine whose load changes during the
run moves both alike; requests/s is requests ÷ the wall time they took, and the share is the page's
rate ÷ the bare view's. The CPU time per request (this process's) is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from collections.abc import Callable
from typing import Any


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    # The lookup limits pace a person (ledger/lookups.py); this measures the pages' speed.
    os.environ.setdefault("LEADLEDGER_LOOKUPS_PER_MINUTE", "1000000")
    os.environ.setdefault("LEADLEDGER_LOOKUPS_PER_HOUR", "1000000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _rate(calls: Callable[[], Any], seconds: float) -> tuple[int, float, float]:
    """Requests made, wall seconds and CPU seconds within a slice of about `seconds`."""
    count, began, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - began < seconds:
        calls()
        count += 1
    return count, time.perf_counter() - began, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--seconds", type=float, default=20.0, help="per page, bare view as much again")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--only", default="", help="measure only the pages whose label holds this text")
    args = parser.parse_args()
    _setup(args.database)
    import re

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from leadledger.ledger import models

    project = models.Project.objects.get(code="bench")
    count = models.Customer.objects.filter(project=project).count()
    site = models.Site.objects.filter(project=project).first() or models.Site.objects.create(
        project=project, name="展厅"
    )
    users = get_user_model().objects

    def signed_in(username: str, role: str) -> Client:
        user = users.filter(username=username).first()
        if user is None:
            user = users.create_user(username=username, password="bench")
            models.Staff.objects.create(project=project, user=user, name=username, role=role)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client

    desk = signed_in("bench-reception", models.Staff.Role.RECEPTIONIST)
    manager = signed_in("bench-ratio-manager", models.Staff.Role.MANAGER)
    rng = random.Random(args.seed)
    top = models.Customer.objects.filter(project=project).order_by("-pk").values_list("pk", flat=True).first() or 0
    masks: list[str] = []
    while len(masks) < 200:
        found = models.Customer.objects.filter(pk=rng.randint(1, top), project=project).first()
        if found and found.phone:
            masks.append(f"{found.phone[3:6]}****{found.phone[-4:]}")
    board = f"/p/bench/desk/{site.pk}/board/"
    shown = re.search(r'name="v" value="([0-9a-f]+)"', desk.get(board).content.decode())
    assert shown, "no version on the board"

    def get(client: Client, url: str, status: int = 200, **query: str) -> Callable[[], Any]:
        def call() -> None:
            response = client.get(url, query)
            if response.status_code != status:
                raise SystemExit(f"{url} answered {response.status_code}")

        return call

    def fragment() -> None:
        get(desk, f"/p/bench/desk/{site.pk}/search/", q=rng.choice(masks))()

    bare = get(desk, "/healthz")
    pages: list[tuple[str, Callable[[], Any]]] = [
        ("desk page (receptionist)", get(desk, f"/p/bench/desk/{site.pk}/")),
        ("desk search fragment, masked phone", fragment),
        ("board poll, unchanged (204)", get(desk, board, 204, v=shown.group(1))),
        ("board poll, changed (200)", get(desk, board, v="stale")),
        ("management page with the dashboard", get(manager, "/p/bench/manage/")),
        ("the manager's queue", get(manager, "/p/bench/manage/queue/")),
    ]
    version = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"# {version}, {os.cpu_count()} cores, {connection.vendor}")
    print(f"# database: {args.database}; {count:,} customers; {args.seconds:.0f} s per page")
    print("| page | requests/s | bare view's requests/s, same slices | share of the bare view | CPU ms per request |")
    print("|---|---|---|---|---|")
    for label, call in pages:
        if args.only not in label:
            continue
        call()  # caches built once, as on a page opened before
        done = {"page": [0, 0.0, 0.0], "bare": [0, 0.0, 0.0]}
        slices = max(1, round(args.seconds))
        for _ in range(slices):
            for name, what in (("bare", bare), ("page", call)):
                made, wall, cpu = _rate(what, args.seconds / slices)
                done[name][0] += made
                done[name][1] += wall
                done[name][2] += cpu
        page_rate = done["page"][0] / done["page"][1]
        bare_rate = done["bare"][0] / done["bare"][1]
        cpu_ms = done["page"][2] / done["page"][0] * 1000
        print(
            f"| {label} | {page_rate:.1f} | {bare_rate:.0f} | {page_rate / bare_rate:.1%} | {cpu_ms:.1f} |", flush=True
        )
    print(f"# load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
