"""Looking a person up (ledger/lookups.py): every place goes through one gate that logs and limits it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

import leadledger
from leadledger.ledger import logchain, lookups, models, services
from leadledger.ledger.lookups import LookupRefused, Place
from office import Office

SOURCE = Path(leadledger.__file__).parent


class Clock:
    """The lookups' clock, moved by hand: a minute or an hour passes without the test waiting."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now

    def wait(self, **span: float) -> None:
        self.now += timedelta(**span)


@pytest.fixture
def lookup_limits(settings: Any) -> None:
    """The shipped limits (the suite lifts them: tests/conftest.py)."""
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = 30
    settings.LEADLEDGER_LOOKUPS_PER_HOUR = 300
    settings.LEADLEDGER_LOOKUP_MISSES = 20
    settings.LEADLEDGER_LOOKUP_MISS_MINUTES = 10


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    clock = Clock()
    monkeypatch.setattr(lookups, "_now", clock)
    yield clock


def _look(office: Office, query: str = "13800000001", calls: list[str] | None = None) -> list[Any]:
    def find() -> list[str]:
        if calls is not None:
            calls.append(query)
        return []

    return lookups.lookup(project=office.project, user=office.alice.user, place=Place.CUSTOMERS, query=query, find=find)


def test_the_shipped_limits_are_a_human_pace_with_room_for_a_launch_day() -> None:
    from leadledger import settings as shipped

    assert (shipped.LEADLEDGER_LOOKUPS_PER_MINUTE, shipped.LEADLEDGER_LOOKUPS_PER_HOUR) == (30, 300)


def test_the_lookup_over_the_minutes_limit_is_refused_before_anything_is_looked_up(
    office: Office, lookup_limits: None, clock: Clock
) -> None:
    calls: list[str] = []
    first = clock.now
    for _ in range(30):
        _look(office, calls=calls)
        clock.wait(seconds=1)
    with pytest.raises(LookupRefused) as refused:
        _look(office, calls=calls)
    assert len(calls) == 30  # the 31st never reached the search
    assert refused.value.retry_at == first + timedelta(minutes=1)
    assert "每分钟最多查询 30 次" in refused.value.zh and "You may search again after" in refused.value.en
    rows = models.Lookup.objects.filter(user=office.alice.user)
    assert rows.count() == 31 and rows.filter(refused=True).count() == 1
    clock.wait(seconds=30)  # the first lookups have aged out of the minute
    _look(office, calls=calls)
    assert len(calls) == 31


def test_the_hourly_limit_holds_for_someone_who_keeps_to_the_minutes_pace(
    office: Office, lookup_limits: None, clock: Clock
) -> None:
    done = 0
    for _minute in range(12):
        for _ in range(30):
            try:
                _look(office)
            except LookupRefused:
                break
            done += 1
        clock.wait(minutes=1)
    assert done == 300


def test_the_limit_is_counted_from_the_log_so_every_app_process_shares_it(office: Office, lookup_limits: None) -> None:
    # Thirty lookups logged by other workers (another gunicorn process wrote these rows).
    now = timezone.now()
    for _ in range(30):
        logchain.chained_append(
            logchain.LOOKUPS,
            project=office.project,
            user=office.alice.user,
            place=Place.DESK,
            asked="",
            digest="",
            at=now,
        )
    with pytest.raises(LookupRefused):
        _look(office)


def test_the_limit_is_per_person(office: Office, lookup_limits: None, settings: Any) -> None:
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = 0
    with pytest.raises(LookupRefused):
        _look(office)
    found = lookups.lookup(project=office.project, user=None, place=Place.IMPORT, query="x", find=lambda: [1])
    assert found == [1]  # the command line (no user) is logged, not limited
    assert models.Lookup.objects.filter(user=None, matched=1).count() == 1


def test_the_log_keeps_a_mask_and_a_digest_never_the_phone_typed(office: Office) -> None:
    for typed in ("180 1234 0932", "+86 18012340932", "18012340932"):
        _look(office, typed)
    rows = list(models.Lookup.objects.values_list("asked", "digest"))
    assert {asked for asked, _ in rows} == {"180****0932"}
    assert len({digest for _, digest in rows}) == 1  # one number, however typed: "who looked it up?" answers
    stored = " ".join(str(value) for row in models.Lookup.objects.values_list() for value in row)
    assert "1234" not in stored
    _look(office, "张伟")
    assert models.Lookup.objects.order_by("-pk").values_list("asked", flat=True)[0] == "张*"


def test_lookups_that_keep_matching_nobody_raise_one_signal_for_the_burst(
    office: Office, lookup_limits: None, clock: Clock
) -> None:
    for number in range(19):
        _look(office, f"1801234{number:04d}")
        clock.wait(seconds=5)
    assert not models.LookupSignal.objects.exists()
    for number in range(19, 25):
        _look(office, f"1801234{number:04d}")
        clock.wait(seconds=5)
    signal = models.LookupSignal.objects.get()
    assert (signal.kind, signal.user, signal.count) == ("misses", office.alice.user, 25)
    clock.wait(minutes=30)  # a later burst is a new signal
    for number in range(20):
        _look(office, f"1801235{number:04d}")
    assert models.LookupSignal.objects.count() == 2


def test_the_manager_reads_the_signals_in_chinese_status_first(office: Office, lookup_limits: None) -> None:
    from office import PASSWORD, client_in

    for number in range(20):
        _look(office, f"1801234{number:04d}")
    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    page = client.get("/p/hz-1/manage/").content.decode()
    assert "查询异常提示" in page and "大量查询无结果" in page and "王芳" in page and "共查询 20 次" in page


# Every place that looks a person up, reached the way a person reaches it: over the limit it says so in
# the user's language, and the refusal is logged under its place. A new place (Lookup.Place) must be added.
def _desk(office: Office) -> tuple[int, str]:
    site = models.Site.objects.create(project=office.project, name="展厅")
    client = _signed_in("sun")
    response = client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "13800000001"}, HTTP_HX_REQUEST="true")
    return response.status_code, response.content.decode()


def _customers(office: Office) -> tuple[int, str]:
    response = _signed_in("alice").get("/p/hz-1/", {"q": "13800000001"})
    return response.status_code, response.content.decode()


def _referral(office: Office) -> tuple[int, str]:
    response = _signed_in("alice").post("/p/hz-1/me/referral/", {"name": "钱七", "phone": "13900000003"}, follow=True)
    return response.status_code, response.content.decode()


def _relation(office: Office) -> tuple[int, str]:
    site = models.Site.objects.create(project=office.project, name="展厅")
    form = {"customer": office.zhang.pk, "phone": "13900000002", "kind": "spouse"}
    response = _signed_in("sun").post(f"/p/hz-1/desk/{site.pk}/relation/", form, follow=True)
    return response.status_code, response.content.decode()


def _import(office: Office) -> tuple[int, str]:
    from leadledger.imports.services import register_import

    path = Path(leadledger.__file__).parent / "nothing.csv"  # never read: the limit refuses first
    try:
        register_import(project=office.project, path=path, actor=office.zhao.user)
    except LookupRefused as refused:
        return 429, refused.zh
    except Exception as error:  # the file was read: the gate let it through
        return 500, repr(error)
    return 200, ""


def _agent_registration(office: Office) -> tuple[int, str]:
    from django.contrib.auth import get_user_model

    from office import PASSWORD

    user = get_user_model().objects.create_user(username="liming", password=PASSWORD, first_name="李明")
    firm = models.Distributor.objects.create(project=office.project, name="安居分销")
    models.Agent.objects.create(project=office.project, name="李明", distributor=firm, user=user)
    response = _signed_in("liming").post("/p/hz-1/agent/register/", {"name": "钱七", "phone": "13900000003"})
    return response.status_code, response.content.decode()


def _escort(office: Office) -> tuple[int, str]:
    """The desk confirms an agent's escorted visit by its code and the customer's number (a look-up)."""
    from django.contrib.auth import get_user_model

    from leadledger.channel import codes
    from leadledger.engine.model import REGISTRATION, body_for

    user = get_user_model().objects.create_user(username="liming", first_name="李明")
    firm = models.Distributor.objects.create(project=office.project, name="安居分销")
    agent = models.Agent.objects.create(project=office.project, name="李明", distributor=firm, user=user)
    body = body_for(REGISTRATION, customer=str(office.zhang.pk), agent=str(agent.pk), phone="138****0001", name=None)
    registration = services.event_append(project=office.project, kind=REGISTRATION, body=body, actor=user)
    form = {"code": codes.escort_code(office.project, registration.seq), "phone": "13800000001"}
    response = _signed_in("sun").post("/p/hz-1/channel/escort/", form)
    return response.status_code, response.content.decode()


PLACES = {
    Place.ESCORT: _escort,
    Place.REGISTRATION: _agent_registration,
    Place.DESK: _desk,
    Place.CUSTOMERS: _customers,
    Place.REFERRAL: _referral,
    Place.RELATION: _relation,
    Place.IMPORT: _import,
}


def _signed_in(username: str) -> Any:
    from office import PASSWORD, client_in

    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


def test_every_place_that_looks_a_person_up_is_tested_here() -> None:
    assert set(PLACES) == set(Place.values)


@pytest.mark.parametrize("place", sorted(PLACES))
def test_every_place_refuses_over_the_limit_and_logs_the_refusal(
    office: Office, lookup_limits: None, settings: Any, place: str
) -> None:
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = 0
    status, text = PLACES[place](office)
    assert "查询过于频繁" in text and "后再查询" in text
    if place in (Place.DESK, Place.CUSTOMERS, Place.IMPORT, Place.REGISTRATION, Place.ESCORT):
        assert status == 429
    assert models.Lookup.objects.filter(place=place, refused=True).count() == 1
    assert not models.Lookup.objects.filter(refused=False).exists()


# Calls that look people up: they are made only inside the `find` of a `lookup(...)`.
# An agent's registration (channel/services.py) looks the person up inside its judgement.
SEARCHES = {
    "customer_search",
    "search",
    "customers_matching",
    "_rows_import",
    "_registration_judged",
    "_registration_record",
}


def _unguarded(tree: ast.AST) -> list[int]:
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    offences = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SEARCHES:
            continue
        if name == "customers_matching" and isinstance(node.args[-1], ast.Constant) and not node.args[-1].value:
            continue  # the whole list, newest first: nobody is looked up
        guarded, at = False, node
        while at in parents:
            parent = parents[at]
            if isinstance(parent, ast.FunctionDef) and parent.name in SEARCHES:
                guarded = True  # a search built on another: its own callers are checked
                break
            if isinstance(parent, ast.keyword) and parent.arg == "find":
                call = parents[parent]
                assert isinstance(call, ast.Call)
                func = call.func
                guarded = (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) == "lookup"
                break
            at = parent
        if not guarded:
            offences.append(node.lineno)
    return offences


def test_no_module_looks_a_person_up_except_through_the_gate() -> None:
    offences = []
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts or path.relative_to(SOURCE).parts[0] == "engine":
            continue  # the engine holds no database: its searches are of a scenario file's cast
        tree = ast.parse(path.read_text("utf-8"))
        offences += [f"{path.relative_to(SOURCE)}:{line}" for line in _unguarded(tree)]
    assert offences == []


def test_the_scan_would_see_a_search_around_the_gate() -> None:
    assert _unguarded(ast.parse("found = customer_search(project, query)")) == [1]
    assert _unguarded(ast.parse("found = selectors.search(project, query)")) == [1]
    guarded = "found = lookups.lookup(project=p, user=u, place='desk', query=q, find=lambda: customer_search(p, q))"
    assert _unguarded(ast.parse(guarded)) == []


def test_the_limits_count_is_read_from_an_index_by_person_and_moment(office: Office) -> None:
    """Every lookup counts the person's answered lookups of the last hour. A receptionist's lookups of a year
    must not be walked for it, nor each row read to see whether it was refused (SQLite's plan; PostgreSQL
    plans by its own statistics)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan: PostgreSQL picks by its statistics")
    now = timezone.now()
    sql, params, places, _columns = lookups._COUNTED._compile("default")
    adapt = connection.ops.adapt_datetimefield_value
    values = [office.sun.user_id, adapt(now - lookups.HOUR), adapt(now - lookups.MINUTE)]
    bound = [param if place is None else values[place] for param, place in zip(params, places, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", bound)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX" in plan and "user_id=? AND at>?" in plan, plan
