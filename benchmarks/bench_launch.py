"""A launch day against `leadledger serve` as shipped: a real HTTP load, latency per request type.

Run:  .venv/bin/python benchmarks/bench_launch.py                                  # SQLite, a fresh file
      .venv/bin/python benchmarks/bench_launch.py --database postgresql:///bench?host=/var/run/postgresql \
          --workers 4
      .venv/bin/python benchmarks/bench_launch.py --minutes 3 --port 8190 --keep /tmp/launch.sqlite3

It prepares a project (one site, 30 receptionists, 100 consultants with 30 customers each, registered
through the ledger's services as the desk registers them), starts `leadledger serve` on 127.0.0.1
(its worker count from --workers, through LEADLEDGER_WORKERS), and plays, for --minutes:
- 130 people signing in within the first minute (each at a random moment of it);
- 30 receptionists: the board every 2 s (with the version it shows, as the page's poll: 204 when
  unchanged), a burst of 4 searches every 20 s, a registration a minute
  (a search for a new phone, then the registration form);
- 100 consultants: "my customers" every 30 s;
- with --agents N (issue 13's launch: 500), N distributors' agents signing in within the first minute,
  opening their page and registering a new customer at random moments, one every --agent-every
  seconds on average (through /p/<code>/agent/register/, as the page's form posts it).
Every request opens its own connection (as gunicorn's sync workers close them). It records each
request's type, time and status, and counts as errors any status >= 400 and any failed connection.

Then, with the same server and signed-in sessions, it measures each page's requests/s for
--wrk-seconds with `wrk` (4 connections) against a bare Django view (`/healthz`: the middleware, no
database, no template), so that each page is given as a share of what the framework alone serves in
the same run. It prints one JSON document (p50/p95/p99 per type, errors, requests/s and ratios).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

PASSWORD = "launch-day-2026"
PROJECT = "launch"
SETUP = f"""
import django, sys
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
call_command("migrate", verbosity=0)
from leadledger.ledger import models, services
def agents(project, count):
    # Agents of one distributor (channel/), all with the same password hashed once: hashing 500 takes minutes.
    from django.contrib.auth.hashers import make_password
    hashed = make_password("{PASSWORD}")
    firm, _ = models.Distributor.objects.get_or_create(project=project, name="开盘渠道")
    for i in range(models.Agent.objects.filter(project=project).count(), count):
        user = get_user_model().objects.create(username=f"a{{i:03d}}", password=hashed)
        models.Agent.objects.create(project=project, name=f"经纪人{{i}}号", distributor=firm, user=user)
if models.Project.objects.filter(code="{PROJECT}").exists():
    agents(models.Project.objects.get(code="{PROJECT}"), int(sys.argv[1]))
    print(models.Site.objects.get(project__code="{PROJECT}").pk); sys.exit(0)
project = models.Project.objects.create(code="{PROJECT}", name="开盘日")
site = models.Site.objects.create(project=project, name="售楼处")
User = get_user_model()
Role = models.Staff.Role
def person(username, name, role):
    user = User.objects.create_user(username=username, password="{PASSWORD}", first_name=name)
    return models.Staff.objects.create(project=project, user=user, name=name, role=role)
for i in range(30):
    person(f"r{{i:02d}}", f"前台{{i}}号", Role.RECEPTIONIST)
consultants = [person(f"c{{i:03d}}", f"顾问{{i}}号", Role.CONSULTANT) for i in range(100)]
n = 0
for staff in consultants:
    for _ in range(30):
        customer, _ = services.customer_find_or_create(project=project, name="客户", phone=f"1380000{{n:04d}}")
        services.visit_register(project=project, customer=customer, staff=staff)
        n += 1
agents(project, int(sys.argv[1]))
print(site.pk)
"""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Person:
    """One browser: its own cookies; every request timed and recorded under a type."""

    def __init__(self, base: str, username: str, log: list[tuple[str, float, int]]) -> None:
        self.base, self.username, self.log = base, username, log
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def request(self, kind: str, path: str, data: dict[str, object] | None = None) -> tuple[int, str]:
        body, headers = None, {}
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers = {"X-CSRFToken": self.cookie("csrftoken"), "Referer": self.base + path}
        started = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, body, headers), timeout=60) as answer:
                status, text = answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except OSError:
            status, text = 0, ""
        self.log.append((kind, time.perf_counter() - started, status))
        return status, text

    def sign_in(self) -> bool:
        self.request("sign-in page", "/login/")
        status, _ = self.request("sign-in", "/login/", {"username": self.username, "password": PASSWORD})
        return status == 302


def receptionist(person: Person, site: int, start: float, end: float, rng: random.Random, phones: iter) -> None:
    time.sleep(max(0.0, start - time.monotonic()))
    if not person.sign_in():
        return
    _, page = person.request("first desk page", f"/p/{PROJECT}/desk/{site}/")
    version = _board_version(page)
    next_burst, next_registration = time.monotonic() + rng.uniform(0, 20), time.monotonic() + rng.uniform(0, 60)
    while time.monotonic() < end:
        # As the page's htmx poll does (hx-include="#board-version"): the version it shows; 204 when unchanged.
        polled = f"/p/{PROJECT}/desk/{site}/board/?" + urllib.parse.urlencode({"v": version})
        status, board = person.request("board", polled)
        if status == 200:
            version = _board_version(board) or version
        if time.monotonic() >= next_burst:
            for _ in range(4):
                query = rng.choice([f"1380000{rng.randrange(3000):04d}", f"138****{rng.randrange(3000):04d}", "客户"])
                person.request("search", f"/p/{PROJECT}/desk/{site}/search/?" + urllib.parse.urlencode({"q": query}))
            next_burst += 20
        if time.monotonic() >= next_registration:
            phone = next(phones)
            _, page = person.request("search", f"/p/{PROJECT}/desk/{site}/search/?q={phone}")
            found = re.search(r'name="search" value="(\d+)"', page)
            if found:
                person.request(
                    "registration",
                    f"/p/{PROJECT}/desk/{site}/register/",
                    {"search": found.group(1), "name": "新客户", "phone": phone},
                )
            next_registration += 60
        time.sleep(2)


def _board_version(html: str) -> str:
    found = re.search(r'id="board-version" name="v" value="([^"]*)"', html)
    return found.group(1) if found else ""


def agent(person: Person, start: float, end: float, every: float, rng: random.Random, phones: iter) -> None:
    """An agent on launch day (issue 13): signs in, opens the page, registers a new customer now and then."""
    time.sleep(max(0.0, start - time.monotonic()))
    if not person.sign_in():
        return
    person.request("agent page", f"/p/{PROJECT}/agent/")
    while (now := time.monotonic()) < end:
        person.request("agent registration", f"/p/{PROJECT}/agent/register/", {"name": "新客户", "phone": next(phones)})
        time.sleep(max(0.0, min(end - now, rng.expovariate(1 / every))))


def consultant(person: Person, start: float, end: float) -> None:
    time.sleep(max(0.0, start - time.monotonic()))
    if not person.sign_in():
        return
    while time.monotonic() < end:
        person.request("my customers", f"/p/{PROJECT}/me/")
        time.sleep(30)


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _wrk(url: str, cookies: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c4", f"-d{seconds}s", "-H", f"Cookie: {cookies}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk: {errors.group(1)} error responses from {url}")
    return float(found.group(1)) if found else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="DATABASE_URL (default: a fresh SQLite file)")
    parser.add_argument("--keep", help="the SQLite file to use and keep (prepared once, reused)")
    parser.add_argument("--workers", type=int, default=0, help="LEADLEDGER_WORKERS for serve (0: its default)")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--agents", type=int, default=0, help="agents registering customers (issue 13: 500)")
    parser.add_argument("--agent-every", type=float, default=60.0, help="seconds between an agent's registrations")
    parser.add_argument("--no-wrk", action="store_true", help="the launch alone, without the wrk rates")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="launch-"))
    url = args.database or f"sqlite:///{args.keep or folder / 'launch.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        "LEADLEDGER_KEY_FILE": str(folder / "checkpoint.key"),
        "LEADLEDGER_CHECKPOINT_LOG": str(folder / "checkpoints.jsonl"),
    }
    if args.workers:
        env["LEADLEDGER_WORKERS"] = str(args.workers)
    print("preparing the project …", file=sys.stderr)
    prepared = subprocess.run(
        [sys.executable, "-c", SETUP, str(args.agents)], env=env, capture_output=True, text=True, check=False
    )
    if prepared.returncode != 0:
        raise SystemExit(prepared.stderr)
    site = int(prepared.stdout.split()[-1])
    if not _free(args.port):
        raise SystemExit(f"port {args.port} is taken: --port")
    server = subprocess.Popen(
        [sys.executable, "-m", "leadledger.cli", "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while _free(args.port):
            time.sleep(0.2)
        return _run(args, site, server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def _cpu(group: int) -> tuple[float, float]:
    """CPU seconds used so far by the server's process group (the server and its workers), and by the
    PostgreSQL server's processes (its ended backends through the postmaster's count of its children)."""
    ticks = os.sysconf("SC_CLK_TCK")
    server = postgres = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, _, rest = stat.read_text().partition(" (")[2].rpartition(") ")
            fields = rest.split()  # from the state on: state, ppid, pgrp, …, utime (11), stime (12), cutime, cstime
        except OSError:  # the process ended meanwhile
            continue
        own = int(fields[11]) + int(fields[12])
        if int(fields[2]) == group:
            server += own
        elif name == "postgres":
            postgres += own + (int(fields[13]) + int(fields[14]) if int(fields[1]) == 1 else 0)
    return server / ticks, postgres / ticks


def _run(args: argparse.Namespace, site: int, server: int) -> int:
    (server_cpu, postgres_cpu), own_cpu = _cpu(server), time.process_time()
    base = f"http://127.0.0.1:{args.port}"
    rng = random.Random(2026)
    log: list[tuple[str, float, int]] = []
    now = time.monotonic()
    end = now + args.minutes * 60
    fresh = iter(f"139{rng.randrange(10**8):08d}" for _ in range(10**9))  # new people (reused DBs too)
    lock = threading.Lock()

    def phones() -> object:
        while True:
            with lock:
                yield next(fresh)

    shared = phones()
    threads = [
        threading.Thread(
            target=receptionist,
            args=(Person(base, f"r{i:02d}", log), site, now + rng.uniform(0, 60), end, random.Random(i), shared),
        )
        for i in range(30)
    ] + [
        threading.Thread(target=consultant, args=(Person(base, f"c{i:03d}", log), now + rng.uniform(0, 60), end))
        for i in range(100)
    ]
    threads += [
        threading.Thread(
            target=agent,
            args=(
                Person(base, f"a{i:03d}", log),
                now + rng.uniform(0, 60),
                end,
                args.agent_every,
                random.Random(i),
                shared,
            ),
        )
        for i in range(args.agents)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Where the two cores went: the server's processes, and this load generator beside them.
    server_after, postgres_after = _cpu(server)
    cpu = {
        "server_s": round(server_after - server_cpu, 1),
        "postgres_s": round(postgres_after - postgres_cpu, 1),
        "load_generator_s": round(time.process_time() - own_cpu, 1),
    }

    by_kind: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for kind, seconds, status in log:
        by_kind[kind].append(seconds * 1000)
        if kind == "board":  # the two answers a desk gets, apart: nothing changed (204), or the whole board
            by_kind["board, unchanged (204)" if status == 204 else "board, changed (200)"].append(seconds * 1000)
        if status == 0 or status >= 400:
            errors[kind] += 1

    def quantile(values: list[float], q: float) -> float:
        return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1) if len(values) > 1 else 0.0

    latency = {
        kind: {
            "requests": len(values),
            "p50_ms": quantile(values, 50),
            "p95_ms": quantile(values, 95),
            "p99_ms": quantile(values, 99),
            "errors": errors[kind],
        }
        for kind, values in sorted(by_kind.items())
    }
    summary = {
        "database": "sqlite" if not args.database else args.database.split(":")[0],
        "workers": args.workers or "default",
        "minutes": args.minutes,
        "agents": args.agents,
        "load_average": os.getloadavg(),
        "cpu": cpu,
        "latency": latency,
        "errors": sum(errors.values()),
    }
    if args.no_wrk:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return 0
    # Each page against the bare view, with a receptionist's and a consultant's signed-in sessions.
    desk, mine = Person(base, "r00", []), Person(base, "c000", [])
    desk.sign_in()
    mine.sign_in()
    cookie = "; ".join(f"{c.name}={c.value}" for c in desk.jar)
    rates = {"bare view (/healthz)": _wrk(f"{base}/healthz", cookie, args.wrk_seconds)}
    rates["board"] = _wrk(f"{base}/p/{PROJECT}/desk/{site}/board/", cookie, args.wrk_seconds)
    rates["desk page"] = _wrk(f"{base}/p/{PROJECT}/desk/{site}/", cookie, args.wrk_seconds)
    mine_cookie = "; ".join(f"{c.name}={c.value}" for c in mine.jar)
    rates["my customers"] = _wrk(f"{base}/p/{PROJECT}/me/", mine_cookie, args.wrk_seconds)
    bare = rates["bare view (/healthz)"] or 1.0
    print(
        json.dumps(
            {
                **summary,
                "requests_per_s": {k: round(v, 1) for k, v in rates.items()},
                "share_of_bare_view": {k: round(v / bare, 3) for k, v in rates.items()},
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
