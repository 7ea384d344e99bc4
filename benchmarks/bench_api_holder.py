"""Does the API's answer take longer when somebody holds the customer? (issue 15: no timing tells who holds).

    .venv/bin/python benchmarks/bench_api_holder.py --database sqlite:////tmp/bench-api.sqlite3 [--rounds 100]

On a fresh database: one project (报备→到访→成交), agents 李明 and 周涛 of two companies, a consultant.
李明 registers `--rounds` numbers; the consultant receives `--rounds` other customers at the desk. Then,
round by round and interleaved, 周涛's token POSTs /api/v1/registrations (through Django's test client,
the whole stack but the socket) for a number nobody holds, one 李明 holds and one the house holds, and
the time of each answer is kept. It prints the median and p95 of each case: the two refusals ("已被报备",
"案场已有接触") should cost the same; a free number is accepted and creates a customer, which the
agent is told anyway ("报备成功").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    _setup(args.database)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from leadledger.api.tokens import token_create
    from leadledger.channel import services as channel
    from leadledger.ledger import models
    from leadledger.ledger import services as ledger

    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = settings.LEADLEDGER_LOOKUPS_PER_HOUR = 10**9
    settings.ALLOWED_HOSTS = ["*"]
    users = get_user_model().objects
    project = models.Project.objects.create(
        code="bench-api", name="基准", policy={"protection_scheme": "report_visit", "report_daily_cap": 1000}
    )
    consultant = models.Staff.objects.create(
        project=project, user=users.create_user("bench-c"), name="王芳", role=models.Staff.Role.CONSULTANT
    )
    agents = []
    for name, firm in (("李明", "安居分销"), ("周涛", "好房分销")):
        distributor = models.Distributor.objects.create(project=project, name=firm)
        user = users.create_user(f"bench-{firm}")
        agents.append(models.Agent.objects.create(project=project, name=name, distributor=distributor, user=user))
    liming, zhoutao = agents
    rounds = args.rounds
    for i in range(rounds):
        channel.registration_make(
            project=project, agent=liming, user=liming.user, name=f"甲{i}", phone=f"1390000{i:04d}"
        )
        customer, _ = ledger.customer_find_or_create(project=project, name=f"乙{i}", phone=f"1370000{i:04d}")
        ledger.visit_register(project=project, customer=customer, staff=consultant)
    key = token_create(agent=zhoutao)[1]
    client = Client(headers={"Authorization": f"Bearer {key}"})
    times: dict[str, list[float]] = {"free": [], "agent": [], "house": []}
    words: dict[str, set[str]] = {case: set() for case in times}
    for i in range(rounds):
        for case, name, phone in (
            ("free", f"丙{i}", f"1350000{i:04d}"),
            ("agent", f"甲{i}", f"1390000{i:04d}"),
            ("house", f"乙{i}", f"1370000{i:04d}"),
        ):
            body = json.dumps({"name": name, "phone": phone})
            started = time.perf_counter()
            response = client.post("/api/v1/registrations", body, content_type="application/json")
            times[case].append((time.perf_counter() - started) * 1000)
            words[case].add(response.json()["word"])
    print(f"{rounds} rounds on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    for case, spent in times.items():
        spent.sort()
        p95 = spent[int(len(spent) * 0.95) - 1]
        print(f"{case:6} median {statistics.median(spent):6.1f} ms  p95 {p95:6.1f} ms  answered {sorted(words[case])}")


if __name__ == "__main__":
    main()
