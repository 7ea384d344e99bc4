"""Data migrations fill what they add for the customers already there (on a fresh database of each kind)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

before = [("ledger", "0005_event_kind_index")]
executor = MigrationExecutor(connection)
executor.migrate(before)
apps = executor.loader.project_state(before).apps
project = apps.get_model("ledger", "Project").objects.create(code="old", name="老项目")
apps.get_model("ledger", "Customer").objects.create(project=project, name="张伟", phone="+8613800005678")
executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
from leadledger.ledger.models import Customer
customer = Customer.objects.get(project__code="old")
print(customer.pinyin, customer.initials, customer.phone_tail)
"""


@pytest.mark.own_database
def test_migrations_fill_spellings_and_phone_tails(race_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": race_database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["zhangwei", "zw", "5678"]


DISTRIBUTORS = """
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

before = [("ledger", "0010_events_event_staff_fill")]
executor = MigrationExecutor(connection)
executor.migrate(before)
apps = executor.loader.project_state(before).apps
Project, Agent = apps.get_model("ledger", "Project"), apps.get_model("ledger", "Agent")
for code in ("a", "b"):
    project = Project.objects.create(code=code, name=code)
    for name, distributor in (("小马", "链家"), ("小牛", "链家"), ("小羊", "我爱我家")):
        Agent.objects.create(project=project, name=name, distributor=distributor)
executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
from leadledger.ledger.models import Agent, Distributor
print(Distributor.objects.count(), Distributor.objects.filter(project__code="a").count())
agents = Agent.objects.filter(project__code="b").order_by("pk")
print(" ".join(f"{a.name}:{a.distributor.name}:{a.distributor.project.code}" for a in agents))
"""


@pytest.mark.own_database
def test_migrations_turn_agents_distributor_names_into_distributors(race_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": race_database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    result = subprocess.run([sys.executable, "-c", DISTRIBUTORS], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["4", "2", "小马:链家:b", "小牛:链家:b", "小羊:我爱我家:b"]


CHAIN_V2 = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from leadledger.ledger.chain import GENESIS, canonical, chain_hash

before = [("ledger", "0014_policy_job")]
executor = MigrationExecutor(connection)
executor.migrate(before)
apps = executor.loader.project_state(before).apps
get = apps.get_model
user = get("auth", "User").objects.create(username="zhao")
project = get("ledger", "Project").objects.create(code="old", name="老项目")
alice = get("ledger", "Staff").objects.create(project=project, name="王芳")
zhang = get("ledger", "Customer").objects.create(project=project, name="张伟", phone="+8613800000001")
li = get("ledger", "Customer").objects.create(project=project, name="李娜", phone="+8613800000002")
prev, now = GENESIS, timezone.now()
for seq, customer in enumerate((zhang, li), 1):
    text = canonical({"customer": str(customer.pk), "staff": str(alice.pk)})
    digest = chain_hash(prev, seq, now, "visit", text)
    get("ledger", "Event").objects.create(
        project=project, seq=seq, kind="visit", at=now, customer=customer, staff=alice, body=text,
        prev_hash=prev, hash=digest,
    )
    prev = digest
for reason in ("回访", "核对"):
    get("ledger", "Disclosure").objects.create(project=project, customer=zhang, user=user, kind="phone", reason=reason)
hashes = list(get("ledger", "Event").objects.order_by("seq").values_list("hash", flat=True))
executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())

from leadledger.ledger import models, services
from leadledger.ledger.verify import verify

def problems():
    found = []
    verify(project, found.append)
    return [f"{p.where}: {p.en}" for p in found]

project = models.Project.objects.get(code="old")
assert list(models.Event.objects.order_by("seq").values_list("hash", flat=True)) == hashes, "hashes rewritten"
print("v2 from", project.chain_v2_from)
print("disclosures", list(models.Disclosure.objects.order_by("seq").values_list("seq", flat=True)))
services.verdicts_rebuild(project=project, now=timezone.now())
customer, staff = models.Customer.objects.get(pk=zhang.pk), models.Staff.objects.get(pk=alice.pk)
services.visit_register(project=project, customer=customer, staff=staff)
looker = get_user_model().objects.get(pk=user.pk)
services.personal_data_show(project=project, customer=customer, user=looker, field="phone", reason="再次回访")
print("problems", len(problems()))
with connection.cursor() as cursor:
    if connection.vendor == "sqlite":
        cursor.execute("DROP TRIGGER ledger_event_no_update")
    else:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE ledger_event DISABLE TRIGGER USER")
    cursor.execute("UPDATE ledger_event SET customer_id = %s WHERE seq = 1", [li.pk])
print(problems()[0].replace(f"is {li.pk} ", "is LI ").replace(f"says {zhang.pk}:", "says ZHANG:"))
"""


@pytest.mark.own_database
def test_an_existing_chain_moves_to_version_2_without_rewriting_its_history(race_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": race_database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    result = subprocess.run([sys.executable, "-c", CHAIN_V2], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "v2 from 3",
        "disclosures [1, 2]",
        "problems 0",
        "event 1: its customer_id column is LI but its body says ZHANG: the column was changed",
    ]


CHAINED = """
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

before = [("ledger", "0017_sign_ins")]
executor = MigrationExecutor(connection)
executor.migrate(before)
apps = executor.loader.project_state(before).apps
Project, Customer = apps.get_model("ledger", "Project"), apps.get_model("ledger", "Customer")
Lookup, Signal = apps.get_model("ledger", "Lookup"), apps.get_model("ledger", "LookupSignal")
User = apps.get_model("auth", "User")
user = User.objects.create(username="wang")
for code in ("a", "b"):
    project = Project.objects.create(code=code, name=code)
    zhang = Customer.objects.create(project=project, name="张伟", phone="+8613800005678")
    wife = Customer.objects.create(project=project, name="林静", phone="+8613800005679")
    apps.get_model("ledger", "Relation").objects.create(project=project, a=zhang, b=wife, kind="spouse", verified=True)
    now = timezone.now()
    for n in range(3):
        Lookup.objects.create(project=project, user=user, place="desk", asked="1*", digest="d", matched=n, at=now)
    Signal.objects.create(project=project, user=user, kind="misses", first_at=now, last_at=now, count=3)
executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
from leadledger.ledger import models
from leadledger.ledger.verify import verify

for project in models.Project.objects.order_by("code"):
    problems = []
    verify(project, lambda p: problems.append(p.en))
    seqs = list(models.Lookup.objects.filter(project=project).order_by("seq").values_list("seq", flat=True))
    changes = models.RelationChange.objects.filter(project=project).count()
    print(project.code, len(problems), seqs, changes, models.LookupSignal.objects.get(project=project).seq)
"""


@pytest.mark.own_database
def test_lookups_signals_and_relations_already_there_are_chained_and_verify(race_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": race_database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    result = subprocess.run([sys.executable, "-c", CHAINED], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == ["a 0 [1, 2, 3] 1 1", "b 0 [1, 2, 3] 1 1"]


def test_every_trigger_survives_the_last_migration(db: None) -> None:
    # On SQLite, a migration that adds a column with a default (or alters one) remakes the table and
    # drops its triggers without a word: the lookup log lost its insert-only guard that way once.
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the remade-table hazard is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        found = {name for (name,) in cursor.fetchall()}
    guarded = ("disclosure", "event", "lookup", "policychange", "relationchange")
    expected = {f"ledger_{table}_no_{verb}" for table in guarded for verb in ("delete", "replace", "update")}
    expected |= {"ledger_lookupsignal_no_delete", "ledger_lookupsignal_no_replace", "ledger_lookupsignal_no_update"}
    expected |= {f"desk_holding_on_{verb}" for verb in ("delete", "insert", "update", "rejudge")}
    expected |= {f"money_moneyline_no_{verb}" for verb in ("delete", "replace", "update")}
    assert found == expected


HOLDINGS = """
import django
django.setup()
from datetime import timedelta
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

before = [("desk", "0011_correct_notice_kinds")]
executor = MigrationExecutor(connection)
executor.migrate(before)
apps = executor.loader.project_state(before).apps
Project, Customer = apps.get_model("ledger", "Project"), apps.get_model("ledger", "Customer")
Verdict, Holding = apps.get_model("ledger", "Verdict"), apps.get_model("desk", "Holding")
project = Project.objects.create(code="old", name="老项目")
now = timezone.now()
held = Customer.objects.create(project=project, name="张伟", phone="+8613800005678")
Verdict.objects.create(
    customer=held, project=project, owners={"7": "1"}, status="active", until=now + timedelta(days=9),
    channel_status="none", cites="IH-5", explain_zh="", explain_en="", policy_version="v", through_seq=1,
    judged_at=now,
)
orphan = Customer.objects.create(project=project, name="李娜", phone="+8613800005679")
Holding.objects.create(project=project, staff="8", customer=orphan)  # drifted before: no verdict at all
executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
from leadledger.desk.holdings import holding_problems
from leadledger.desk.models import Holding
from leadledger.ledger import models

for h in Holding.objects.order_by("customer__name"):
    print(h.customer.name, h.staff, repr(h.status), h.until == models.Verdict.objects.get(customer_id=held.pk).until)
print([p.en.split(":")[0] for p in holding_problems(models.Project.objects.get(code="old"))])
"""


@pytest.mark.own_database
def test_the_holdings_take_their_verdicts_columns_and_a_drifted_one_is_left_for_verify(race_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": race_database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    result = subprocess.run([sys.executable, "-c", HOLDINGS], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "张伟 7 'active' True",
        "李娜 8 '' False",
        "['a holding names an owner the verdict does not']",
    ]
