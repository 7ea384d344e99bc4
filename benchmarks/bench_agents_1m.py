"""Issue 15's launch weekend: agents registering against a project of 1,000,000 customers, over HTTP.

Run:  .venv/bin/python benchmarks/bench_agents_1m.py --database sqlite:////tmp/c15b/1m.sqlite3 \
          --project bench --agents 500 --rate 4 --registrations 1200 --port 8172

The database must hold the project already (a copy of the 1,000,000-customer database of "The desk at
1,000,000 customers", migrated: `leadledger migrate` or `django-admin migrate`). It adds --agents agents
in 10 distributor companies (one shared password hash; an API token each, made once and kept in
<database>.agents.json), starts `leadledger serve` on --port (gunicorn as shipped) and sends
--registrations registrations at --rate a second (open loop: a request's moment does not wait for the
one before), alternately through the API (`POST /api/v1/registrations`, the agent's token) and through
the agent's page (`POST /p/CODE/agent/register/` with the agent's session; its answer read from the page
it redirects to, untimed). Of the numbers, most are new, some are an earlier attempt's number sent by
another agent (已被报备), some a customer the house has (案场已有接触), some masked. Every request's
time (the socket to the last byte) is recorded; the API's and the page's p50/p95/p99 are printed.

Then each answer is checked against the engine: the registration event the ledger recorded for it is
judged again by `Timeline.registration` over the customer's whole timeline (ledger.selectors.timeline_for),
a path that shares none of the request's shortcuts (`registration_timeline`'s placeholder and its two
days of the agent's registrations); an answer with no event (a refusal about nobody) must be a refusal.
The load averages before, during and after are printed: the machine may be shared.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PASSWORD = "launch-weekend-2026"
FIRMS = 10

SETUP = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from leadledger.api import tokens
from leadledger.ledger import models
code, count, keep, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
project = models.Project.objects.get(code=code)
try:
    kept = json.load(open(keep))
except FileNotFoundError:
    kept = {}
hashed = make_password(password)
firms = [models.Distributor.objects.get_or_create(project=project, name=f"开盘分销{i}")[0] for i in range(FIRMS)]
User = get_user_model()
for i in range(count):
    username = f"launch-agent-{i:03d}"
    if username in kept:
        continue
    user = User.objects.filter(username=username).first() or User.objects.create(username=username, password=hashed)
    agent = models.Agent.objects.filter(project=project, user=user).first() or models.Agent.objects.create(
        project=project, name=f"经纪人{i}号", distributor=firms[i % FIRMS], user=user
    )
    kept[username] = {"agent": agent.pk, "token": tokens.token_create(agent=agent)[1]}
json.dump(kept, open(keep, "w"))
# Numbers the house holds: customers of the project, spread over the table.
last = models.Customer.objects.filter(project=project).order_by("-pk").values_list("pk", flat=True).first()
first = models.Customer.objects.filter(project=project).order_by("pk").values_list("pk", flat=True).first()
import random
rng = random.Random(15)
picks = sorted({rng.randint(first, last) for _ in range(400)})
phones = list(models.Customer.objects.filter(pk__in=picks, phone__startswith="+861").values_list("phone", flat=True))
print(json.dumps({"house": [p[3:] for p in phones][:200], "customers": last - first + 1}))
""".replace("FIRMS", str(FIRMS))

IN_PROCESS = """
import json, os, sys, time
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
settings.ALLOWED_HOSTS = ["*"]
from leadledger.ledger import models
code, keep, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
agents = json.load(open(keep))
names = sorted(agents)[-50:]
api, page = Client(), Client()
user = models.Agent.objects.get(pk=agents[names[0]]["agent"]).user
page.force_login(user)
found = {"api": [], "page": []}
for i in range(count + 4):
    phone = f"166{os.getpid() % 1000:03d}{i:05d}"
    wall, cpu = time.perf_counter(), time.process_time()
    if i % 2:
        status = page.post(f"/p/{code}/agent/register/", {"name": "测客", "phone": phone}).status_code
        via = "page"
    else:
        token = agents[names[i % len(names)]]["token"]
        status = api.post("/api/v1/registrations", json.dumps({"name": "测客", "phone": phone}),
                          content_type="application/json", headers={"Authorization": f"Bearer {token}"}).status_code
        via = "api"
    if i >= 4:  # the first few warm this process
        found[via].append((time.perf_counter() - wall, time.process_time() - cpu, status))
print(json.dumps(found))
"""

CHECK = """
import json, sys
import django
django.setup()
from leadledger.engine import distributor
from leadledger.ledger import models, selectors
code, path = sys.argv[1], sys.argv[2]
project = models.Project.objects.get(code=code)
attempts = json.load(open(path))
equal, differ, no_event, no_event_refused = 0, [], 0, 0
since = min(a["seq_after"] for a in attempts)
for a in attempts:
    events = models.Event.objects.filter(
        project=project, kind="registration", seq__gt=since, body__contains=f'"agent":"{a["agent"]}"'
    ).order_by("seq")
    found = None
    for event in events:
        body = json.loads(event.body)
        customer = models.Customer.objects.filter(pk=int(body["customer"])).first()
        digits = (customer.phone or "").replace("+86", "") if customer else ""
        if digits == a["phone"] or (a["phone"].count("*") and body.get("phone") == a["phone"]):
            found = (event, int(body["customer"]))
    if found is None:
        no_event += 1
        no_event_refused += not a["accepted"]
        if a["accepted"]:
            differ.append({**a, "why": "accepted but no event"})
        continue
    event, customer = found
    judged = selectors.timeline_for(project, {customer}).registration(f"e{event.seq}")
    word = distributor.REGISTERED if judged.accepted else (judged.refusal or distributor.INVALID)
    if (judged.accepted, word) == (a["accepted"], a["word"]):
        equal += 1
    else:
        differ.append({**a, "engine": [judged.accepted, word]})
print(json.dumps({"checked": len(attempts), "equal_to_the_engine": equal, "different": differ[:20],
                  "without_event": no_event, "without_event_refused": no_event_refused}))
"""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """One agent's browser: cookies, a sign-in, the page's form."""

    def __init__(self, base: str, username: str) -> None:
        self.base, self.username = base, username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.lock = threading.Lock()
        self.busy = threading.Lock()
        self.signed_in = False

    def _cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def open(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, float]:
        body, headers = None, {"Accept-Language": "zh-hans"}
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers |= {"X-CSRFToken": self._cookie("csrftoken"), "Referer": self.base + path}
        started = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, body, headers), timeout=60) as answer:
                status, text = answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except OSError:
            status, text = 0, ""
        return status, text, time.perf_counter() - started

    def sign_in(self) -> None:
        with self.lock:
            if not self.signed_in:
                self.open("/login/")
                status, _text, _t = self.open("/login/", {"username": self.username, "password": PASSWORD})
                self.signed_in = status == 302


MESSAGE = re.compile(r'<p class="message ([a-z ]+)" role="status">([^<]*)</p>')


def _api(base: str, token: str, name: str, phone: str) -> tuple[int, dict[str, object], float]:
    body = json.dumps({"name": name, "phone": phone}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "zh-hans"}
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(
            urllib.request.Request(f"{base}/api/v1/registrations", body, headers), timeout=60
        ) as answer:
            status, text = answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    except OSError:
        status, text = 0, "{}"
    elapsed = time.perf_counter() - started
    try:
        return status, json.loads(text), elapsed
    except ValueError:
        return status, {}, elapsed


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {"n": len(ordered), "p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="DATABASE_URL of the 1,000,000-customer database")
    parser.add_argument("--project", default="bench")
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--registrations", type=int, default=1200)
    parser.add_argument("--rate", type=float, default=4.0, help="registrations a second (open loop)")
    parser.add_argument("--senders", type=int, default=16, help="threads sending (at most this many at once)")
    parser.add_argument("--page-agents", type=int, default=100, help="of the agents, those using the page")
    parser.add_argument("--warmup", type=int, default=64, help="untimed registrations first, to warm the server")
    parser.add_argument("--in-process", type=int, default=0, help="first, N registrations in this process, no HTTP")
    parser.add_argument("--port", type=int, default=8172)
    parser.add_argument("--workers", type=int, default=0, help="LEADLEDGER_WORKERS for serve (0: its default)")
    args = parser.parse_args()
    keep = Path(args.database.split("///", 1)[-1].split("?")[0] + ".agents.json")
    if args.database.startswith("postgres"):
        keep = Path(f"/tmp/bench-agents-{args.project}.agents.json")
    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        # An agent's own pace is a few a day; the run sends faster than a person, so the lookup limit
        # (a person's pace) is lifted for it; D-12's daily cap stays the project's.
        "LEADLEDGER_LOOKUPS_PER_MINUTE": "100000",
        "LEADLEDGER_LOOKUPS_PER_HOUR": "1000000",
        "LEADLEDGER_LOOKUP_MISSES": "1000000",
        "LEADLEDGER_WEBHOOK_SWEEP_SECONDS": "0",
        "LEADLEDGER_REMINDER_SWEEP_SECONDS": "0",
        "LEADLEDGER_CHECKPOINT_MINUTES": "0",
    }
    if args.workers:
        env["LEADLEDGER_WORKERS"] = str(args.workers)
    print("preparing the agents …", file=sys.stderr)
    prepared = subprocess.run(
        [sys.executable, "-c", SETUP, args.project, str(args.agents), str(keep), PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        raise SystemExit(prepared.stderr)
    facts = json.loads(prepared.stdout.splitlines()[-1])
    agents = json.loads(keep.read_text())
    names = sorted(agents)[: args.agents]
    if args.in_process:
        # The request's own cost without the socket or the other requests: wall and CPU time per registration.
        done = subprocess.run(
            [sys.executable, "-c", IN_PROCESS, args.project, str(keep), str(args.in_process)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        timed = json.loads(done.stdout.splitlines()[-1])
        summary = {
            via: {"wall": _quantiles([r[0] for r in rows]), "cpu": _quantiles([r[1] for r in rows])}
            for via, rows in timed.items()
        }
        print(json.dumps({"in_process": summary, "load": os.getloadavg()}, indent=1), flush=True)
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
        result = _run(args, facts, agents, names)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    attempts_file = keep.with_suffix(".attempts.json")
    attempts_file.write_text(json.dumps(result.pop("attempts"), ensure_ascii=False))
    print("checking each answer against the engine …", file=sys.stderr)
    checked = subprocess.run(
        [sys.executable, "-c", CHECK, args.project, str(attempts_file)], env=env, capture_output=True, text=True
    )
    result["engine"] = json.loads(checked.stdout.splitlines()[-1]) if checked.returncode == 0 else checked.stderr
    result["load_after"] = os.getloadavg()
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def _run(
    args: argparse.Namespace, facts: dict[str, object], agents: dict[str, dict[str, object]], names: list[str]
) -> dict[str, object]:
    base = f"http://127.0.0.1:{args.port}"
    rng = random.Random(2026)
    house = list(facts["house"])  # type: ignore[arg-type]
    browsers = {name: Browser(base, name) for name in names[: args.page_agents]}
    plan = []
    sent_numbers: list[str] = []
    for i in range(args.registrations):
        via = "page" if i % 2 else "api"
        name = rng.choice(list(browsers) if via == "page" else names)
        roll = rng.random()
        if roll < 0.10 and house:
            phone = rng.choice(house)
        elif roll < 0.20 and sent_numbers:
            phone = rng.choice(sent_numbers)  # another agent's, most likely: 已被报备
        else:
            phone = f"199{rng.randrange(10**8):08d}"
            sent_numbers.append(phone)
        if rng.random() < 0.15:
            phone = f"{phone[:3]}****{phone[-4:]}"  # masked, 前三后四 (the project's default mode)
        plan.append((i / args.rate, via, name, phone))
    log: list[dict[str, object]] = []
    lock = threading.Lock()
    loads: list[tuple[float, float, float]] = [os.getloadavg()]
    for browser in browsers.values():  # signed in before the clock starts: sign-ins are not registrations
        browser.sign_in()
    # Warm every server process and thread (imports, caches, first connections) before the clock: a
    # launch's server has been up for hours. Untimed, unchecked; numbers of their own.
    warm = [f"188{rng.randrange(10**8):08d}" for _ in range(args.warmup)]

    def warm_one(k: int) -> None:
        name = names[k % len(names)]
        if k % 2 and browsers:
            browser = browsers[list(browsers)[k % len(browsers)]]
            browser.open(f"/p/{args.project}/agent/register/", {"name": "预热", "phone": warm[k]})
        else:
            _api(base, str(agents[name]["token"]), "预热", warm[k])

    warmers = [
        threading.Thread(target=lambda j=j: [warm_one(k) for k in range(j, args.warmup, args.senders)])
        for j in range(args.senders)
    ]
    for thread in warmers:
        thread.start()
    for thread in warmers:
        thread.join()
    seq_after = _last_seq(args)
    started = time.monotonic() + 2.0
    jobs = iter(plan)

    def sender() -> None:
        while True:
            with lock:
                job = next(jobs, None)
            if job is None:
                return
            at, via, name, phone = job
            time.sleep(max(0.0, started + at - time.monotonic()))
            late = time.monotonic() - (started + at)
            if via == "api":
                status, answer, elapsed = _api(base, str(agents[name]["token"]), "开盘客户", phone)
                accepted, word = bool(answer.get("accepted")), str(answer.get("word", ""))
            else:
                browser = browsers[name]
                browser.busy.acquire()  # one form at a time per browser: its answer is the next page's message
                status, _text, elapsed = browser.open(
                    f"/p/{args.project}/agent/register/", {"name": "开盘客户", "phone": phone}
                )
                _s, page, _t = browser.open(f"/p/{args.project}/agent/")  # the answer, untimed
                browser.busy.release()
                # The last message is this registration's: an untimed one before it (the warm-up's) may still be
                # shown above it, and reading the first once took a refusal for 报备成功 (the lookup log had
                # told the agent 案场已有接触).
                said = MESSAGE.findall(page)
                text = said[-1][1] if said else ""
                accepted = text.startswith("报备成功")
                word = "报备成功" if accepted else text.split("：", 1)[-1]  # 报备未通过：<D-12's word>
            with lock:
                log.append(
                    {
                        "via": via,
                        "agent": agents[name]["agent"],
                        "phone": phone,
                        "status": status,
                        "accepted": accepted,
                        "word": word,
                        "seconds": elapsed,
                        "late": late,
                        "seq_after": seq_after,
                    }
                )

    def sampler() -> None:
        while any(t.is_alive() for t in threads):
            time.sleep(10)
            loads.append(os.getloadavg())

    threads = [threading.Thread(target=sender) for _ in range(args.senders)]
    for thread in threads:
        thread.start()
    watcher = threading.Thread(target=sampler)
    watcher.start()
    for thread in threads:
        thread.join()
    watcher.join()
    result: dict[str, object] = {
        "customers": facts["customers"],
        "agents": len(names),
        "rate_per_s": args.rate,
        "sent": len(log),
        "errors": sum(1 for row in log if row["status"] not in (200, 302)),
        "started_late_p95_s": _quantiles([float(row["late"]) for row in log]).get("p95_ms", 0) / 1000,
        "loads": loads,
    }
    for via in ("api", "page"):
        rows = [row for row in log if row["via"] == via]
        result[via] = _quantiles([float(row["seconds"]) for row in rows]) | {
            "accepted": sum(1 for row in rows if row["accepted"]),
            "words": sorted({str(row["word"]) for row in rows}),
        }
    result["attempts"] = [row for row in log if row["status"] in (200, 302)]
    return result


def _last_seq(args: argparse.Namespace) -> int:
    code = "import django; django.setup()\nfrom leadledger.ledger import models\n"
    code += f"print(models.Event.objects.filter(project__code={args.project!r}).order_by('-seq')"
    code += ".values_list('seq', flat=True).first() or 0)"
    env = {**os.environ, "DATABASE_URL": args.database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


if __name__ == "__main__":
    raise SystemExit(main())
