"""`leadledger demo` makes a believable office once, through the same services the app uses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadledger.cli import main
from leadledger.demo import demo_create, logins
from leadledger.ledger import checkpoints, models
from leadledger.ledger.verify import verify


@pytest.mark.django_db
def test_the_demo_creates_an_office_with_history_once_and_it_verifies() -> None:
    project, created = demo_create(customers=150, seed=7)
    assert created
    staff = models.Staff.objects.filter(project=project)
    assert staff.filter(role="consultant").count() == 6
    assert staff.filter(role="manager").count() == 1 and staff.filter(role="receptionist").count() == 1
    assert staff.filter(role="channel_specialist").count() == 1
    assert models.Agent.objects.filter(project=project).values("distributor").distinct().count() == 2
    assert models.Customer.objects.filter(project=project).count() == 150
    kinds = set(models.Event.objects.filter(project=project).values_list("kind", flat=True))
    assert {"visit", "follow_up", "escorted_visit"} <= kinds
    assert models.Verdict.objects.filter(project=project).count() == 150
    statuses = set(models.Verdict.objects.filter(project=project).values_list("status", flat=True))
    assert len(statuses) >= 3  # pending, active, lapsed or void: a believable spread
    _every_part_at_work(project)
    problems: list[object] = []
    assert verify(project, problems.append) == 0  # the sales and money chains too
    again, created_again = demo_create(customers=150, seed=7)
    assert again == project and not created_again


def _every_part_at_work(project: models.Project) -> None:
    """A newcomer finds the sales board, the money, the workbench and service at work, not empty pages."""
    from leadledger.bench.models import CollectionEntry, Complaint, Report, Team, WorkLogEntry
    from leadledger.engine.money import balance
    from leadledger.engine.splits import LedgerLine
    from leadledger.money.models import DealMoney, MoneyLine, Payment
    from leadledger.sales.models import Unit

    units = Unit.objects.filter(project=project)
    assert units.count() == 60
    assert {"available", "deposit", "signed"} <= set(units.values_list("status", flat=True))
    deals = DealMoney.objects.filter(project=project)
    assert deals.count() == units.exclude(status="available").count() > 0
    for deal in deals:  # C-7: each deal's lines balance to zero, its commission allocated in full
        lines = MoneyLine.objects.filter(event=deal.deal)
        assert balance(LedgerLine(account=r.account, kind=r.kind, amount=r.amount) for r in lines) == 0
        assert -sum(r.amount for r in lines if r.kind == "commission") == deal.commission > 0
    assert Payment.objects.filter(project=project).count() == units.filter(status="signed").count()
    team = Team.objects.get(project=project)
    assert team.members.count() == 6 and team.duties.count() == 3  # 篇5's duties, assigned to the team
    assert WorkLogEntry.objects.filter(project=project).count() == 3
    assert Report.objects.get(project=project).state == Report.State.SUBMITTED  # waiting for the manager
    assert Complaint.objects.filter(project=project, closed_at=None).count() == 1
    assert CollectionEntry.objects.filter(project=project).count() == 3


@pytest.mark.django_db
def test_the_demo_command_without_serving_prints_the_logins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--no-serve", "--customers", "40"]) == 0
    out = capsys.readouterr().out
    for username, password, _ in logins():
        assert username in out and password in out
    # Issue 13: the demo ends with a signed checkpoint of its chain, logged outside the database and printed.
    project = models.Project.objects.get()
    (taken,) = checkpoints.checkpoints_logged(project)
    assert taken.seq == project.events.count() and taken.printed() in out


@pytest.mark.django_db
def test_every_demo_phone_is_a_mainland_mobile_the_desk_finds_and_registers() -> None:
    from leadledger.desk import services as desk_services
    from leadledger.engine import Phone, mainland_mobile

    project, _ = demo_create(customers=300, seed=2026)  # Faker offers 149… numbers, which phonenumbers refuses
    site = models.Site.objects.filter(project=project).first()
    reception = models.Staff.objects.get(project=project, role="receptionist")
    for customer in models.Customer.objects.filter(project=project):
        assert customer.phone is not None and mainland_mobile(customer.phone) == customer.phone
        national = Phone.of(customer.phone).national
        _, found = desk_services.search_log(site=site, user=reception.user, query=national)  # type: ignore[arg-type]
        assert found[0] == customer


@given(st.integers(min_value=0, max_value=2**32))
@settings(max_examples=25, deadline=None)
def test_every_number_the_demo_makes_is_accepted_by_the_engine_and_the_desk(seed: int) -> None:
    from faker import Faker

    from leadledger.demo import demo_phone
    from leadledger.engine import Phone, search_query

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    for _ in range(200):
        phone = demo_phone(fake)
        if phone is None:
            continue
        assert Phone.parse(phone, masks=False).value == phone  # registrable: the desk asks for exactly this
        national = Phone.of(phone).national
        assert search_query(national).kind == "phone" and search_query(national).phone == Phone(phone)


@pytest.mark.django_db
def test_the_demo_writes_its_own_secret_key_beside_its_database_readable_by_its_owner_only(
    settings, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import stat

    monkeypatch.delenv("LEADLEDGER_SECRET_KEY", raising=False)
    key_file = tmp_path / "leadledger.sqlite3.secret-key"
    settings.LEADLEDGER_SECRET_KEY_FILE = str(key_file)
    assert main(["demo", "--no-serve", "--customers", "10"]) == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == settings.SECRET_KEY
    assert settings.SECRET_KEY not in settings.PUBLIC_SECRET_KEYS
