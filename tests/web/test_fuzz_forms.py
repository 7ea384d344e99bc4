"""Fuzzing every form a person fills in (Hypothesis): 0 answers of 5xx, 0 tracebacks (issue 13).

Each target is posted (or fetched) with generated values in every field it reads. A refusal is fine
(a message next to the field, 400, 403, 404); a 5xx is a defect. The inputs counted are the fields
filled, split over examples × fields: LEADLEDGER_FUZZ_INPUTS per target. Every input is a request
through Django's whole stack (about 20–100 ms each on a busy two-core machine), so the suite's own
run fills 200 per target; the figures of record (1,000 per target and more, on SQLite and
PostgreSQL) are run with the variable set, as docs/operations.md shows.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadledger.desk.models import DeskSearch
from leadledger.ledger import models, services
from office import PASSWORD, Office

pytestmark = pytest.mark.long  # not on the Python 3.13 run (pyproject.toml, docs/operations.md)

INPUTS = int(os.environ.get("LEADLEDGER_FUZZ_INPUTS", "100"))  # CI; the figures of record at 1,000: docs/operations.md

# What people type, and what a hostile form sends: any text (no lone surrogates: a browser cannot send
# them), numbers that str.isdigit() accepts, phones, masks, JSON fragments, long runs.
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_values = st.one_of(
    _text,
    st.text(st.characters(exclude_categories=("Cs",)), min_size=95, max_size=260),
    st.sampled_from(["", " ", "²", "١٢", "0", "-1", "1e400", "9" * 30, "null", "[]", "{}", "\x00", "\x1b", "张" * 101]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.from_regex(r"1[3-9][0-9]\*{4}[0-9]{4}", fullmatch=True),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | _text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
        max_leaves=6,
    ).map(lambda v: __import__("json").dumps(v, ensure_ascii=False)),
)


def _fuzz(fields: tuple[str, ...]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Run the test with a dict of generated values for `fields`, INPUTS field values in all."""
    examples = max(1, math.ceil(INPUTS / len(fields)))
    forms = st.fixed_dictionaries({field: _values for field in fields})

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        return settings(
            max_examples=examples,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            database=None,
        )(given(form=forms)(test))

    return decorate


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _signed_in(username: str) -> Client:
    client = Client(raise_request_exception=False)
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def sun(office: Office) -> Client:
    return _signed_in("sun")


@pytest.fixture
def zhao(office: Office) -> Client:
    return _signed_in("zhao")


@pytest.fixture
def alice(office: Office) -> Client:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    return _signed_in("alice")


def _ok(response: Any, what: str, form: dict[str, Any]) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code} to {form!r}"


@_fuzz(("q",))
def test_fuzz_desk_search(sun: Client, site: models.Site, form: dict[str, str]) -> None:
    _ok(sun.get(f"/p/hz-1/desk/{site.pk}/search/", form), "search", form)


@_fuzz(("search", "name", "phone", "customer", "asks_for", "chosen"))
def test_fuzz_desk_registration(sun: Client, site: models.Site, office: Office, form: dict[str, str]) -> None:
    search = DeskSearch.objects.create(project=office.project, site=site, user=office.sun.user, query="x", found=[])
    real = {**form, "search": str(search.pk)} if form["search"] == "" else form  # a real search half the time
    _ok(sun.post(f"/p/hz-1/desk/{site.pk}/register/", real), "registration", real)


@_fuzz(("customer", "phone", "kind"))
def test_fuzz_desk_relation(sun: Client, site: models.Site, office: Office, form: dict[str, str]) -> None:
    _ok(sun.post(f"/p/hz-1/desk/{site.pk}/relation/", form), "relation", form)
    real = {**form, "customer": str(office.zhang.pk)}
    _ok(sun.post(f"/p/hz-1/desk/{site.pk}/relation/", real), "relation", real)


@_fuzz(("name", "phone", "referrer"))
def test_fuzz_referral(alice: Client, form: dict[str, str]) -> None:
    _ok(alice.post("/p/hz-1/me/referral/", form), "referral", form)


@_fuzz(("preset", "overrides"))
def test_fuzz_policy_form(zhao: Client, form: dict[str, str]) -> None:
    _ok(zhao.post("/p/hz-1/manage/policy/", form), "policy", form)


@_fuzz(("what_if",))
def test_fuzz_what_if(zhao: Client, office: Office, form: dict[str, str]) -> None:
    _ok(zhao.get(f"/p/hz-1/customers/{office.zhang.pk}/dispute/", form), "dispute what-if", form)
    _ok(zhao.post("/p/hz-1/manage/what-if/", form), "project what-if", form)


@_fuzz(("preset", "param", "value"))
def test_fuzz_what_if_by_labels(zhao: Client, office: Office, form: dict[str, str]) -> None:
    _ok(zhao.get(f"/p/hz-1/customers/{office.zhang.pk}/dispute/", form), "dispute what-if", form)
    real = {**form, "param": "valid_days"}  # a real parameter, any value
    _ok(zhao.get(f"/p/hz-1/customers/{office.zhang.pk}/dispute/", real), "dispute what-if", real)


@_fuzz(("name", "content"))
def test_fuzz_import_upload(zhao: Client, settings: Any, form: dict[str, str]) -> None:
    settings.TASKS = {"default": {"BACKEND": f"{settings.TASKS_PACKAGE}.backends.immediate.ImmediateBackend"}}
    header = "日期,客户姓名,电话,置业顾问,类型,备注\n"
    body = f"2026-03-01 10:00,{form['content']},13900000002,王芳,来访,{form['name']}\n"
    name = (form["name"][:20] or "r") + ".csv"
    upload = SimpleUploadedFile(name, (header + body).encode("utf-8"), content_type="text/csv")
    response = zhao.post("/p/hz-1/import/", {"register": upload}, follow=True)
    _ok(response, "import upload", form)
    assert "import stopped unexpectedly" not in response.content.decode(), form


# -- the forms added after the first fuzzing (issue 13's "every form": channel, correction, sales, money,
# -- workbench, sign-in). Each also runs with a real id where the form needs one, so the fields behind
# -- the id are reached, not only the "not found".


@_fuzz(("username", "password"))
def test_fuzz_sign_in(office: Office, form: dict[str, str]) -> None:
    _ok(Client(raise_request_exception=False).post("/login/", form), "sign-in", form)


@pytest.fixture
def agent(office: Office, settings: Any) -> Client:
    from django.contrib.auth import get_user_model

    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = settings.LEADLEDGER_LOOKUPS_PER_HOUR = 10**6  # reach the form
    user = get_user_model().objects.create_user(username="liming", password=PASSWORD, first_name="李明")
    firm = models.Distributor.objects.create(project=office.project, name="安居分销")
    models.Agent.objects.create(project=office.project, name="李明", distributor=firm, user=user)
    return _signed_in("liming")


@_fuzz(("name", "phone"))
def test_fuzz_agent_registration(agent: Client, form: dict[str, str]) -> None:
    _ok(agent.post("/p/hz-1/agent/register/", form), "agent registration", form)


@_fuzz(("code", "phone"))
def test_fuzz_escort_confirmation(sun: Client, settings: Any, form: dict[str, str]) -> None:
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = settings.LEADLEDGER_LOOKUPS_PER_HOUR = 10**6
    _ok(sun.get("/p/hz-1/channel/escort/", {"code": form["code"]}), "escort code", form)
    _ok(sun.post("/p/hz-1/channel/escort/", form), "escort confirmation", form)


@pytest.fixture
def registered(sun: Client, site: models.Site, office: Office) -> str:
    """A walk-in registered at the desk today: the correction form's address."""
    from leadledger.desk.models import DeskVisit

    sun.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "张伟"})
    search = DeskSearch.objects.order_by("-pk").first()
    assert search is not None
    sun.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "customer": office.zhang.pk})
    visit = DeskVisit.objects.get(search=search)
    return f"/p/hz-1/desk/{site.pk}/correct/{visit.seq}/"


@_fuzz(("customer", "staff", "reason", "party", "source", "intent", "confirm"))
def test_fuzz_desk_correction(sun: Client, registered: str, form: dict[str, str]) -> None:
    _ok(sun.post(registered, form), "correction", form)


@pytest.fixture
def unit(office: Office) -> int:
    from decimal import Decimal

    from leadledger.sales import services as sales

    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    return sales.unit_list(
        by=office.zhao,
        building="3栋",
        floor=12,
        number="1201",
        area=Decimal("89.5"),
        list_price=Decimal(1280000),
        user=None,
    ).pk


@_fuzz(("buyers", "price", "staff", "helper", "help"))
def test_fuzz_sales_deposit(alice: Client, unit: int, office: Office, form: dict[str, str]) -> None:
    _ok(alice.post(f"/p/hz-1/sales/unit/{unit}/", form), "deposit", form)
    real = {**form, "buyers": str(office.zhang.pk)}
    _ok(alice.post(f"/p/hz-1/sales/unit/{unit}/", real), "deposit", real)


@_fuzz(("move", "price", "reason"))
def test_fuzz_sales_sign_or_return(alice: Client, unit: int, form: dict[str, str]) -> None:
    _ok(alice.post(f"/p/hz-1/sales/unit/{unit}/move/", form), "sign or return", form)
    for move in ("signing", "return"):
        real = {**form, "move": move}
        _ok(alice.post(f"/p/hz-1/sales/unit/{unit}/move/", real), "sign or return", real)


@_fuzz(("decision", "reason", "deal"))
def test_fuzz_deal_decision(zhao: Client, unit: int, office: Office, form: dict[str, str]) -> None:
    from leadledger.sales import services as sales
    from leadledger.sales.models import Unit

    if Unit.objects.get(pk=unit).status == "available":
        sales.unit_deposit(by=office.alice, unit_id=unit, buyers=[office.zhang.pk], price=1, user=None)
    deal = models.Event.objects.filter(project=office.project).order_by("-seq").values_list("seq", flat=True)[0]
    _ok(zhao.post(f"/p/hz-1/sales/deal/{deal}/decide/", form), "deal decision", form)
    _ok(zhao.get(f"/p/hz-1/sales/deal/{deal}/", form), "deal page", form)


def _plan_fields() -> tuple[str, ...]:
    from leadledger.engine import money as rules
    from leadledger.money.views import BAND_ROWS

    bands = tuple(f"{part}_{i}" for i in range(min(BAND_ROWS, 2)) for part in ("value", "up_to", "how"))
    return bands + tuple(f"stage_{stage}" for stage in rules.STAGES)


@_fuzz(_plan_fields())
def test_fuzz_commission_plan(zhao: Client, form: dict[str, str]) -> None:
    _ok(zhao.post("/p/hz-1/manage/commission/", form), "commission plan", form)


@_fuzz(("month", "staff"))
def test_fuzz_statement(alice: Client, zhao: Client, form: dict[str, str]) -> None:
    _ok(alice.get("/p/hz-1/me/statement/", form), "statement", form)
    _ok(zhao.get("/p/hz-1/me/statement.xlsx", form), "statement export", form)


@pytest.fixture
def bench_lead(office: Office) -> Client:
    from workbench import workbench_create

    workbench_create(office)
    return _signed_in("zhao")


@_fuzz(("text", "results", "problems", "plan", "suggestions", "action", "week"))
def test_fuzz_workbench_log_and_report(bench_lead: Client, alice: Client, form: dict[str, str]) -> None:
    _ok(alice.post("/p/hz-1/bench/log/", form), "work log", form)
    _ok(alice.post("/p/hz-1/bench/report/", form), "weekly report", form)
    _ok(alice.get("/p/hz-1/bench/report/", {"week": form["week"]}), "weekly report", form)


@_fuzz(
    (
        "action",
        "comment",
        "team_name",
        "team_kind",
        "members",
        "kind",
        "name",
        "cadence",
        "target",
        "n",
        "counts",
        "people",
        "teams",
    )
)
def test_fuzz_workbench_lead_forms(bench_lead: Client, office: Office, form: dict[str, str]) -> None:
    from leadledger.bench.models import DutyTemplate, Report

    _ok(bench_lead.post("/p/hz-1/bench/team/", form), "teams", form)
    _ok(bench_lead.post("/p/hz-1/bench/duties/", form), "duties", form)
    duty = DutyTemplate.objects.filter(project=office.project).values_list("pk", flat=True).first()
    _ok(bench_lead.post(f"/p/hz-1/bench/duties/{duty}/", form), "duty edit", form)
    report = Report.objects.filter(project=office.project).values_list("pk", flat=True).first() or 1
    _ok(bench_lead.post(f"/p/hz-1/bench/reports/{report}/", form), "report review", form)
