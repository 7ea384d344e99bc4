"""Benchmark a month's statements for a company: 200 projects, 5,000 deals, 2,000 staff (issue 16).

    .venv/bin/python benchmarks/bench_statements.py --database sqlite:////tmp/bench-statements.sqlite3 [--pdfs 5]

On a fresh database: `--projects` projects of `--staff` consultants each (200 x 10 = 2,000), `--deals`
deals spread over them in one month, each with the money lines the services post for a deal whose
commission is shared 0.7 / 0.3 (C-4) and half of it fallen due by a payment (allocation, accrued, due),
plus a fine or a reward for one consultant in ten. The rows are written in bulk (the chain's hashes are
not computed: the statements do not read them). Then it times every consultant's statement of the month,
its figures (`money.selectors.statement`) and its Excel (`money.exports.statement_workbook`), and
`--pdfs` PDFs (weasyprint), whose time per statement is multiplied out for the company.

`--month-pdfs N` times the month's PDF of N projects (`money.documents.month_statements_pdf`: one
weasyprint document per project, a page per person), in `--processes` processes (projects shared out),
and multiplies the time per statement out for the company; `--month-pdfs 200` is the whole company, and
`--month-excel` has that run write every statement's Excel file too. `--skip-excel` leaves the first
part out.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _build(projects: int, staff_per: int, deals: int) -> None:
    from django.contrib.auth import get_user_model

    from leadledger.ledger import models
    from leadledger.money import models as money

    user_model = get_user_model()
    zone = ZoneInfo("Asia/Shanghai")
    start = datetime(2026, 11, 1, 9, tzinfo=zone)
    per_project = deals // projects
    for p in range(projects):
        project = models.Project.objects.create(code=f"p{p}", name=f"项目{p}")
        users = user_model.objects.bulk_create(
            [user_model(username=f"p{p}c{i}", password="!") for i in range(staff_per)]
        )
        staff = models.Staff.objects.bulk_create(
            [
                models.Staff(project=project, user=user, name=f"顾问{p}-{i}", role=models.Staff.Role.CONSULTANT)
                for i, user in enumerate(users)
            ]
        )
        customers = models.Customer.objects.bulk_create(
            [models.Customer(project=project, name=f"客户{d}", phone=f"138{p:04d}{d:04d}") for d in range(per_project)]
        )
        events = models.Event.objects.bulk_create(
            [
                models.Event(
                    project=project,
                    seq=d + 1,
                    kind="deal",
                    at=start + timedelta(hours=d * 11),
                    customer=customer,
                    staff=staff[d % staff_per],
                    body=json.dumps({"customer": str(customer.pk), "staff": str(staff[d % staff_per].pk)}),
                    prev_hash="",
                    hash="",
                )
                for d, customer in enumerate(customers)
            ]
        )
        deal_rows, lines = [], []
        for d, event in enumerate(events):
            owner, helper = str(staff[d % staff_per].pk), str(staff[(d + 1) % staff_per].pk)
            price = Decimal(1_000_000 + d * 1000)
            commission = (price * Decimal("0.003")).quantize(Decimal("0.01"))
            first, second = (commission * Decimal("0.7")).quantize(Decimal("0.01")), None
            second = commission - first
            deal_rows.append(
                money.DealMoney(
                    deal=event, project=project, price=price, commission=commission, performance={owner: "1"}
                )
            )
            at = event.at
            posting = [
                ("deal", "commission", -commission),
                (owner, "allocation", first),
                (helper, "allocation", second),
                (owner, "accrued", -(first / 2).quantize(Decimal("0.01"))),
                (owner, "due", (first / 2).quantize(Decimal("0.01"))),
                (helper, "accrued", -(second / 2).quantize(Decimal("0.01"))),
                (helper, "due", (second / 2).quantize(Decimal("0.01"))),
            ]
            if d % 10 == 0:
                posting += [(owner, "fine", Decimal("-100")), ("pool", "fine", Decimal("100"))]
            lines += [
                money.MoneyLine(
                    project=project, event=event, source=f"deal e{event.seq}", account=a, kind=k, amount=v, at=at
                )
                for a, k, v in posting
            ]
        money.DealMoney.objects.bulk_create(deal_rows, batch_size=1000)
        for i, line in enumerate(lines, start=1):
            line.seq = i
        money.MoneyLine.objects.bulk_create(lines, batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--deals", type=int, default=5000)
    parser.add_argument("--pdfs", type=int, default=5)
    parser.add_argument("--month-pdfs", type=int, default=0, help="projects whose month's PDF is timed")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--skip-excel", action="store_true")
    parser.add_argument("--month-excel", action="store_true", help="the month's run writes every Excel file too")
    args = parser.parse_args()
    _setup(args.database)
    from leadledger.ledger.models import Staff
    from leadledger.money import exports, selectors

    if not Staff.objects.exists():
        began = time.perf_counter()
        _build(args.projects, args.staff, args.deals)
        print(f"built in {time.perf_counter() - began:.1f} s")
    from django.utils import translation

    translation.activate("zh-hans")
    everyone = list(Staff.objects.select_related("project").order_by("pk"))
    if args.month_pdfs:
        _month_pdfs(args.database, args.month_pdfs, args.processes, len(everyone), args.month_excel)
    each: list[float] = []
    cpu0, began = time.process_time(), time.perf_counter()
    total = Decimal(0)
    for person in [] if args.skip_excel else everyone:
        t = time.perf_counter()
        figures = selectors.statement(person, 2026, 11)
        exports.statement_workbook(figures)
        total += figures.commission
        each.append(time.perf_counter() - t)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu0
    if each:
        each.sort()
        median, p95 = statistics.median(each) * 1000, each[int(len(each) * 0.95)] * 1000
        print(
            f"{len(everyone)} statements (figures + Excel): {wall:.1f} s wall, {cpu:.1f} s CPU; "
            f"per statement median {median:.1f} ms, p95 {p95:.1f} ms; "
            f"commission allocated in all {total}"
        )
    if args.pdfs:
        import weasyprint
        from django.template.loader import render_to_string
        from django.utils import timezone

        from leadledger.money import documents

        times, cpu_began = [], time.process_time()
        for person in everyone[: args.pdfs]:
            t = time.perf_counter()
            figures = selectors.statement(person, 2026, 11)
            context = {
                **documents.statement_parts(figures),  # as the statement's PDF view makes it
                "month": "2026-11",
                "project": person.project,
                "printed": timezone.localtime(),
            }
            weasyprint.HTML(string=render_to_string("money/statement_document.html", context)).write_pdf()
            times.append(time.perf_counter() - t)
        per, cpu_per = statistics.median(times), (time.process_time() - cpu_began) / len(times)
        print(
            f"PDF one at a time: median {per * 1000:.0f} ms wall, {cpu_per * 1000:.0f} ms CPU per statement; "
            f"x{len(everyone)} = {cpu_per * len(everyone):.0f} s CPU"
        )


def _project_pdfs(database: str, codes: list[str], excel: bool = False) -> tuple[int, int, float]:
    """In one process: each project's month PDF, and with `excel` every statement's Excel workbook too;
    (statements, bytes, CPU seconds)."""
    import django.db

    if not os.environ.get("DJANGO_SETTINGS_MODULE") or "DATABASE_URL" not in os.environ:
        _setup(database)
    django.db.connections.close_all()  # a forked worker opens its own connection
    from django.utils import timezone, translation
    from weasyprint.text.fonts import FontConfiguration

    from leadledger.ledger.models import Project
    from leadledger.money import documents, exports, selectors

    translation.activate("zh-hans")
    fonts = FontConfiguration()  # one per process, kept across projects
    cpu0, count, size = time.process_time(), 0, 0
    for project in Project.objects.filter(code__in=codes):
        people = selectors.month_people(project, 2026, 11)
        count += len(people)
        size += len(documents.month_statements_pdf(project, 2026, 11, timezone.localtime(), fonts=fonts))
        for person in people if excel else []:
            size += len(exports.statement_workbook(selectors.statement(person, 2026, 11)))
    return count, size, time.process_time() - cpu0


def _month_pdfs(database: str, projects: int, processes: int, company: int, excel: bool = False) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from leadledger.ledger.models import Project

    codes = list(Project.objects.order_by("pk").values_list("code", flat=True)[:projects])
    shares = [codes[i::processes] for i in range(processes)]
    load = os.getloadavg()
    import django.db

    # A forked worker must not inherit this connection: on PostgreSQL its closing there ended it here.
    django.db.connections.close_all()
    began = time.perf_counter()
    if processes == 1:
        results = [_project_pdfs(database, codes, excel)]
    else:
        with ProcessPoolExecutor(processes) as pool:
            results = list(pool.map(_project_pdfs, [database] * processes, shares, [excel] * processes))
    wall = time.perf_counter() - began
    count, size, cpu = (sum(r[i] for r in results) for i in range(3))
    and_excel = " and Excel files" if excel else ""
    print(
        f"month's PDFs{and_excel}: {len(codes)} projects, {count} statements, {size / 1e6:.1f} MB "
        f"in {processes} process(es): "
        f"{wall:.1f} s wall, {cpu:.1f} s CPU; {cpu / count * 1000:.0f} ms CPU a statement; "
        f"the company's {company}: {cpu / count * company:.0f} s CPU, "
        f"{cpu / count * company / processes:.0f} s on {processes} idle core(s); "
        f"load average before {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, after {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
