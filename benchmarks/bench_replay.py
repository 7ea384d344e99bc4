"""Benchmark `leadledger replay` end to end, as a user runs it, against a bare `json.load`.

Run:  .venv/bin/python benchmarks/bench_replay.py [--customers 20000] [--events 200000] [--repeats 5] [--workers 1|2]
      .venv/bin/python benchmarks/bench_replay.py --write FILE.json   # only write the scenario file
      .venv/bin/python benchmarks/bench_replay.py --before /tmp/old/src  # time an older checkout instead

It writes one attribution scenario file (seeded: every run writes the same bytes) with a realistic
mix: visits (some unregistered, some at another site, some by other consultants: contests and
assists), calls, follow-ups, renewals with and without approval, referrals logged in advance,
distributors' escorted visits and their renewals, rulings, deals (some with a decisive helper),
verified and unverified relations, and one departure. Phones are written as people type them
(`139 0000 0001`, `+86-139…`, `139…`), so the replay normalises each.

Questions: one per customer, at a moment inside or just after that customer's history, plus one per
deal. That is about 1.1 answers per customer (about 15 MB of answers for 20,000 customers): a
manager's "who owns each customer now, and each deal's split", not ten moments per customer (which
would make the answer ten times the size of the file and measure `json.dump` rather than the replay).
The questions state no expected owner, so the replay exits 0.

It then measures, alternating, `repeats` times each:
- **json.load**: a bare `json.load` of the file in this process (as Python starts it: collector on);
- **replay**: `leadledger replay FILE --lang zh > answers.json` in a new process, from its start
  to its exit (interpreter start-up and teardown included), standard output redirected to a file;
  its CPU time is its own and, with two workers, the second process's (each waited for);
and prints the fastest of each (a shared machine only ever adds time), events/s and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 1, 1, 9, tzinfo=ZONE)
DAYS = 540
PREFIXES = ("139", "138", "137", "136", "135", "150", "151", "186", "188", "189", "133", "177", "199")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _phone(i: int, rng: random.Random) -> str:
    digits = f"{PREFIXES[i % len(PREFIXES)]}{i:08d}"
    style = rng.random()
    if style < 0.6:
        return digits
    if style < 0.8:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return f"+86-{digits}"


def generate(customers: int = 20_000, target_events: int = 200_000, seed: int = 12) -> dict[str, Any]:
    """An attribution scenario (FORMAT.md) of about `target_events` events over `customers` customers."""
    rng = random.Random(seed)
    consultants = [f"s{i}" for i in range(30)]
    managers = ["m1", "m2"]
    agents = [f"a{i}" for i in range(40)]
    people = [
        {
            "id": f"c{i}",
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else ""),
            "phone": _phone(i, rng),
        }
        for i in range(customers)
    ]
    relations = []
    for i in range(0, customers - 1, 12):  # about one customer in six has a relative or friend on file
        kind = rng.choice(["spouse", "parent_child", "sibling", "partner", "friend"])
        relations.append({"a": f"c{i}", "b": f"c{i + 1}", "kind": kind, "verified": rng.random() < 0.8})
    events: list[tuple[datetime, dict[str, Any]]] = []
    expect: list[dict[str, Any]] = []

    def emit(kind: str, moment: datetime, **fields: Any) -> None:
        events.append((moment, {"id": "", "at": moment, "type": kind, **fields}))

    per_customer = target_events / customers
    for i in range(customers):
        cid = f"c{i}"
        t = START + timedelta(minutes=rng.randrange((DAYS - 150) * 24 * 60))
        first = t
        owner = rng.choice(consultants)
        budget = round(per_customer + 1 + rng.uniform(-3, 3))  # the last unit of budget is never spent
        if rng.random() < 0.15:  # a distributor's customer
            agent = rng.choice(agents)
            emit("escorted_visit", t - timedelta(days=rng.randint(0, 3), hours=1), customer=cid, agent=agent)
            budget -= 1
            if rng.random() < 0.3:
                emit("escorted_visit", t + timedelta(days=85), customer=cid, agent=agent)
                budget -= 1
        if rng.random() < 0.05:
            emit("call", t - timedelta(days=2), customer=cid, staff=rng.choice(consultants))
            budget -= 1
        visit: dict[str, Any] = {"customer": cid, "staff": owner}
        if rng.random() < 0.05:
            visit["registered"] = False
        emit("visit", t, **visit)
        budget -= 1
        while budget > 1:
            t += timedelta(hours=rng.randint(6, 24 * 10))
            roll = rng.random()
            if roll < 0.50:
                emit("follow_up", t, customer=cid, staff=owner)
            elif roll < 0.70:
                emit("call", t, customer=cid, staff=owner)
            elif roll < 0.80:
                emit("visit", t, customer=cid, staff=rng.choice(consultants))
            elif roll < 0.88:
                emit("renewal", t, customer=cid, staff=owner, approved_by=rng.choice([*managers, None]))
            elif roll < 0.90:
                emit("ruling", t, customer=cid, staff=rng.choice(consultants), by="m1", reason="经理裁定")
            elif roll < 0.94:
                emit("referral_logged", t, staff=owner, customer=f"c{rng.randrange(customers)}", referrer=cid)
            else:
                emit("visit", t, customer=cid, staff=owner, site=rng.choice(["市区", "工地"]))
            budget -= 1
        if rng.random() < 0.08:
            deal: dict[str, Any] = {"customer": cid, "staff": owner}
            if rng.random() < 0.2:
                deal |= {"helper": rng.choice(consultants), "help": "decisive"}
            emit("deal", t + timedelta(days=1), **deal)
            expect.append({"deal": ""})  # named once the deal's id is known
            events[-1][1]["_question"] = len(expect) - 1
        asked = first + (t - first) * rng.random() + timedelta(days=rng.choice([0, 0, 3, 30]))
        expect.append({"at": asked.isoformat(), "customer": cid})
    emit("staff_left", START + timedelta(days=300), staff="s29", reason="resigned")
    events.sort(key=lambda pair: pair[0])  # as the app exports a timeline (scenario_data): in time order
    rows = []
    for n, (moment, row) in enumerate(events, 1):
        row["id"], row["at"] = f"e{n}", moment.isoformat()
        if "_question" in row:
            expect[row.pop("_question")]["deal"] = row["id"]
        rows.append(row)
    return {
        "kind": "attribution",
        "title": f"bench_replay: {len(rows)} events over {customers} customers (seed {seed})",
        "policy": {"preset": "制度"},
        "customers": people,
        "staff": [{"id": s, "name": f"顾问{s[1:]}号", "role": "consultant"} for s in consultants]
        + [{"id": m, "name": f"经理{m[1:]}号", "role": "manager"} for m in managers],
        "agents": [{"id": a, "name": f"经纪人{a[1:]}号", "distributor": f"d{int(a[1:]) % 8}"} for a in agents],
        "relations": relations,
        "events": rows,
        "expect": expect,
    }


def write(path: Path, customers: int, events: int, seed: int) -> dict[str, Any]:
    data = generate(customers, events, seed)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return data


def replay_command(path: Path, before: str | None = None, workers: int | None = None) -> list[str]:
    chosen = ["--workers", str(workers)] if workers else []  # else the program's default
    if before:  # an older checkout's program, as its console script ran it: sys.exit(main())
        code = f"import sys; sys.path.insert(0, {before!r}); from leadledger.cli import main; sys.exit(main())"
        return [sys.executable, "-c", code, "replay", str(path), "--lang", "zh", *chosen]
    # The installed console script, as a user runs it (next to this interpreter in the venv).
    return [str(Path(sys.executable).parent / "leadledger"), "replay", str(path), "--lang", "zh", *chosen]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=5, help="timings of each; the fastest counts")
    parser.add_argument("--write", metavar="FILE.json", help="only write the scenario file there")
    parser.add_argument(
        "--before",
        metavar="SRC",
        help="time the program of another checkout's src folder instead (e.g. `git archive` of an older commit)",
    )
    parser.add_argument(
        "--workers", type=int, choices=(1, 2), help="pass --workers to the replay (default: the program's own)"
    )
    args = parser.parse_args()
    if args.write:
        write(Path(args.write), args.customers, args.events, args.seed)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        scenario, answers = Path(folder) / "bench.json", Path(folder) / "answers.json"
        data = write(scenario, args.customers, args.events, args.seed)
        n = len(data["events"])
        loads: list[float] = []
        replays: list[float] = []
        load_cpu: list[float] = []
        replay_cpu: list[float] = []
        load_start = os.getloadavg()[0]
        for _ in range(args.repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            with scenario.open(encoding="utf-8") as handle:
                json.load(handle)
            loads.append(time.perf_counter() - t0)
            load_cpu.append(time.process_time() - c0)
            with answers.open("w", encoding="utf-8") as out:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                command = replay_command(scenario, args.before, args.workers)
                code = subprocess.run(command, stdout=out, check=False).returncode
                replays.append(time.perf_counter() - t0)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                replay_cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if code != 0:
                print(f"replay exited {code}", file=sys.stderr)
                return 1
        answered = len(json.loads(answers.read_text(encoding="utf-8"))["results"])
        load, replay = min(loads), min(replays)
        report = {
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.python_implementation()} {platform.python_version()}",
            "events": n,
            "customers": args.customers,
            "answers": answered,
            "file_mb": round(scenario.stat().st_size / 1e6, 1),
            "answers_mb": round(answers.stat().st_size / 1e6, 1),
            "json_load_s": round(load, 3),
            "json_load_s_all": [round(x, 3) for x in loads],
            "replay_s": round(replay, 3),
            "replay_s_all": [round(x, 3) for x in replays],
            "replay_events_per_s": round(n / replay),
            "replay_to_json_load": round(replay / load, 2),
            # CPU seconds (user + system) of the same runs: what other load on a shared machine does
            # not inflate as much as it does the elapsed time.
            "json_load_cpu_s": round(min(load_cpu), 3),
            "replay_cpu_s": round(min(replay_cpu), 3),
            "replay_cpu_events_per_s": round(n / min(replay_cpu)),
            "replay_to_json_load_cpu": round(min(replay_cpu) / min(load_cpu), 2),
            # The machine is shared: the median of the runs beside the best, and the load they ran under.
            "json_load_cpu_s_all": [round(x, 3) for x in load_cpu],
            "replay_cpu_s_all": [round(x, 3) for x in replay_cpu],
            "replay_cpu_median_s": round(statistics.median(replay_cpu), 3),
            "replay_cpu_median_events_per_s": round(n / statistics.median(replay_cpu)),
            "replay_to_json_load_cpu_median": round(statistics.median(replay_cpu) / statistics.median(load_cpu), 2),
            "load_average_1min": {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)},
        }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
