"""Benchmark "my customers" for a consultant with 2,000 customers in a project of a million.

    .venv/bin/python benchmarks/bench_mine.py --database sqlite:////tmp/bench-mine.sqlite3 [--customers 1000000]
    .venv/bin/python benchmarks/bench_mine.py --database 'postgresql:///leadledger_mine?host=/var/run/postgresql'

On a fresh database it builds one project with `--customers` customers (at a million: 2,000 held by
each of 50 consultants on the roster, the other 900,000 in the pool) and one stored verdict per
customer, written in bulk as the ledger stores them (the page reads verdict rows, never events,
unless time has moved one: see docs/decisions.md 130); the consultant measured has pending claims
(ten of them closing within a day), claims expiring within the warning window, active and lapsed
ones, and 300 follow-up plans, 20 of them due today. Then:

1. through Django's whole stack (test client, signed in): `--requests` views of each tab, a later page
   of a long tab as the htmx fragment, and the bare view `/healthz`, with median and p95, body bytes and
   queries;
2. end to end: `leadledger serve` on `--port` (gunicorn as shipped), one signed-in client over HTTP:
   p50/p95 of the page and of `/healthz` one request after another, then requests/s of each with
   `--connections` clients at once for `--seconds`, and the page's share of the bare view's rate.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

PROJECT = "mine"
PASSWORD = "bench-mine-2026"
CONSULTANTS = 50  # on the roster, each holding 2,000 customers at a million
SHARE = 500  # one customer in SHARE per consultant; the rest are the pool's (departures, void claims)


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _build(customers: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from leadledger.desk.models import FollowUpPlan
    from leadledger.ledger import models

    if models.Project.objects.filter(code=PROJECT).exists():
        return
    began = time.perf_counter()
    project = models.Project.objects.create(code=PROJECT, name="百万客户")
    models.Site.objects.create(project=project, name="售楼处")
    user = get_user_model().objects.create_user(username="mine-c000", password=PASSWORD)
    Role = models.Staff.Role
    staff = [models.Staff(project=project, name=f"顾问{i}号", role=Role.CONSULTANT) for i in range(CONSULTANTS)]
    staff[0].user = user
    models.Staff.objects.bulk_create(staff)
    ids = [str(s.pk) for s in models.Staff.objects.filter(project=project).order_by("pk")]
    me = ids[0]
    now = timezone.now()
    batch = 20_000
    for start in range(0, customers, batch):
        with transaction.atomic():
            rows = [
                models.Customer(
                    project=project,
                    name=f"客户{n}",
                    phone=f"+86138{n:08d}",
                    phone_tail=f"{n % 10000:04d}",
                )
                for n in range(start, min(start + batch, customers))
            ]
            made = models.Customer.objects.bulk_create(rows, batch_size=5000)
            verdicts = []
            for customer in made:
                n = int(customer.name[2:])
                owner = ids[n % SHARE] if n % SHARE < CONSULTANTS else None
                k = (n // SHARE) % 20  # each consultant's own mix of statuses, spread over the ids
                if owner is None:
                    status, until = "pool", None
                elif k == 0:  # pending: a follow-up due within the window; one in ten of them within a day
                    status, until = "pending", now + timedelta(hours=6 if (n // SHARE) % 200 == 0 else 100)
                elif k in (1, 2):
                    status, until = "active", now + timedelta(days=3)  # within the warning window
                elif k < 12:
                    status, until = "active", now + timedelta(days=30)
                else:
                    status, until = "lapsed", now - timedelta(days=10)
                verdicts.append(
                    models.Verdict(
                        customer=customer,
                        project=project,
                        owners={owner: "1"} if owner else None,
                        status=status,
                        until=until,
                        channel=None,
                        channel_status="none",
                        channel_until=None,
                        cites="IH-1,IH-4,IH-5,D-1",
                        explain_zh=f"{customer.name}由顾问首次登记来访；归属状态：{status}（IH-1、IH-4、IH-5、D-1）。",
                        explain_en=f"{customer.name}: first registered by a consultant; {status} (IH-1, IH-4).",
                        policy_version="bench",
                        through_seq=0,
                        judged_at=now,
                    )
                )
            models.Verdict.objects.bulk_create(verdicts, batch_size=5000)
        print(f"# built {min(start + batch, customers):,} customers", file=sys.stderr)
    mine = list(
        models.Verdict.objects.filter(project=project, owners__has_key=me).order_by("pk").values_list("pk", flat=True)
    )
    today = now.astimezone(project_zone(project)).date()
    FollowUpPlan.objects.bulk_create(
        FollowUpPlan(
            project=project,
            staff_id=int(me),
            customer_id=cid,
            seq=0,
            at=now,
            note="客户想要三房，周末带家人再来",
            next_contact=today if i < 20 else today + timedelta(days=1 + i % 30),
        )
        for i, cid in enumerate(mine[:300])
    )
    print(f"# built in {time.perf_counter() - began:.0f} s", file=sys.stderr)


def project_zone(project: object) -> object:
    from zoneinfo import ZoneInfo

    return ZoneInfo(project.time_zone)  # type: ignore[attr-defined]


def _in_process(requests: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from leadledger.desk.models import Holding
    from leadledger.ledger import models

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username="mine-c000"))
    me = models.Staff.objects.get(user__username="mine-c000")
    held = Holding.objects.filter(project=me.project, staff=str(me.pk)).count()
    everyone = models.Customer.objects.filter(project=me.project).count()
    print(
        f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores,"
        f" {connection.vendor}; {everyone:,} customers, {held:,} of them the consultant's"
    )
    cases = [
        ("bare view /healthz", "/healthz", {}),
        ("my customers (opens on today)", f"/p/{PROJECT}/me/", {}),
        ("tab: active, page 1", f"/p/{PROJECT}/me/?tab=active", {}),
        (
            "tab: lapsed, page 20 (htmx fragment)",
            f"/p/{PROJECT}/me/?tab=lapsed&page=20",
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "mine-list"},
        ),
    ]
    for label, url, headers in cases:
        client.get(url, **headers)
        times, size, cpu = [], 0, time.process_time()
        for _ in range(requests):
            began = time.perf_counter()
            response = client.get(url, **headers)
            times.append(time.perf_counter() - began)
            assert response.status_code == 200, (url, response.status_code)
            size = len(response.content)
        cpu = (time.process_time() - cpu) / requests * 1000  # this process's CPU: less moved by a busy machine
        with CaptureQueriesContext(connection) as queries:
            client.get(url, **headers)
        p95 = statistics.quantiles(times, n=100)[94] * 1000
        print(
            f"in process, {label}: median {statistics.median(times) * 1000:.1f} ms, p95 {p95:.1f} ms,"
            f" CPU {cpu:.1f} ms, {size:,} bytes, {len(queries)} queries"
        )


class Browser:
    """One signed-in client over keep-alive HTTP connections."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def _header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, path: str, connection: http.client.HTTPConnection, body: dict[str, str] | None = None) -> int:
        headers = {"Cookie": self._header()}
        if body is not None:
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            }
        connection.request("POST" if body else "GET", path, urllib.parse.urlencode(body or {}), headers)
        answer = connection.getresponse()
        answer.read()
        for value in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return answer.status

    def sign_in(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.request("/login/", connection)
        status = self.request("/login/", connection, {"username": "mine-c000", "password": PASSWORD})
        assert status == 302, f"sign-in answered {status}"


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _over_http(database: str, port: int, requests: int, connections: int, seconds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-mine-"))
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "LEADLEDGER_KEY_FILE": str(folder / "checkpoint.key"),
        "LEADLEDGER_CHECKPOINT_LOG": str(folder / "checkpoints.jsonl"),
    }
    if not _free(port):
        raise SystemExit(f"port {port} is taken: --port")
    server = subprocess.Popen(
        [sys.executable, "-m", "leadledger.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while _free(port):
            time.sleep(0.2)
        browser = Browser(port)
        browser.sign_in()
        page = f"/p/{PROJECT}/me/"
        for label, path in (("bare view /healthz", "/healthz"), ("my customers", page)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            browser.request(path, connection)
            times = []
            for _ in range(requests):
                began = time.perf_counter()
                assert browser.request(path, connection) == 200
                times.append(time.perf_counter() - began)
            p95 = statistics.quantiles(times, n=100)[94] * 1000
            print(f"over HTTP, one client, {label}: p50 {statistics.median(times) * 1000:.1f} ms, p95 {p95:.1f} ms")
        rates = {}
        for label, path in (("bare view /healthz", "/healthz"), ("my customers", page)):
            counts = [0] * connections
            end = time.monotonic() + seconds

            def run(i: int, path: str = path, end: float = end, counts: list[int] = counts) -> None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                while time.monotonic() < end:
                    assert browser.request(path, connection) == 200
                    counts[i] += 1

            threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rates[label] = sum(counts) / seconds
        bare = rates["bare view /healthz"]
        print(
            json.dumps(
                {
                    f"requests/s ({connections} connections, {seconds} s)": {k: round(v, 1) for k, v in rates.items()},
                    "my customers ÷ bare view": round(rates["my customers"] / bare, 3),
                }
            )
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--no-http", action="store_true", help="only the in-process measures")
    args = parser.parse_args()
    _setup(args.database)
    _build(args.customers)
    _in_process(args.requests)
    if not args.no_http:
        _over_http(args.database, args.port, args.requests, args.connections, args.seconds)


if __name__ == "__main__":
    main()
