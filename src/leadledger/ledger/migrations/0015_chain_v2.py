"""Chain version 2, the disclosure and policy-change chains, and no rewriting through INSERT OR REPLACE.

- Projects record from which event on their chain hashes every meaningful column (version 2): the
  next event's number for a project that has events, so that no stored hash is rewritten (docs/decisions.md).
- Disclosures and policy changes are numbered and hash-chained per project; the rows already there
  are chained as they stand, in the order they were written (their ids).
- Policy changes become insert-only like events and disclosures (their model always said so).
- SQLite: `INSERT OR REPLACE`/`REPLACE INTO` deletes the old row without firing the DELETE trigger
  (unless recursive_triggers is on, which a connection of an attacker's own will not set): a BEFORE
  INSERT trigger refuses any insert whose key is already there, on every insert-only table.
  PostgreSQL: `INSERT … ON CONFLICT DO UPDATE` fires the UPDATE triggers, which refuse it.
"""

import django.utils.timezone
from django.db import migrations, models

from leadledger.ledger.chain import GENESIS, canonical, moment, row_hash

CHUNK = 2000
LOGS = {
    # model: (table, the hash's columns in order, as ledger/logchain.py declares them)
    "Disclosure": ("ledger_disclosure", ("project_id", "customer_id", "user_id", "kind", "reason", "at")),
    "PolicyChange": ("ledger_policychange", ("project_id", "policy", "version", "user_id", "at")),
}
REFUSED = "'rows of this table are insert-only'"


def _keys(table):
    # The keys a REPLACE would collide on: the row id, and (project, seq) for the chained tables.
    return "id = NEW.id OR (project_id = NEW.project_id AND seq = NEW.seq)"


def _sqlite_no_replace(table):
    return (
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {_keys(table)}) "
        f"BEGIN SELECT RAISE(ABORT, {REFUSED}); END;"
    )


SQLITE_FORWARD = [
    # Adding a column with a default, or a constraint, remakes a table on SQLite, which drops its
    # triggers: the disclosure log's refusals (0004) are made again here, after the last remake.
    *(
        f"CREATE TRIGGER IF NOT EXISTS ledger_disclosure_no_{verb.lower()} BEFORE {verb} ON ledger_disclosure "
        "BEGIN SELECT RAISE(ABORT, 'the disclosure log is insert-only'); END;"
        for verb in ("UPDATE", "DELETE")
    ),
    *(_sqlite_no_replace(table) for table in ("ledger_event", "ledger_disclosure", "ledger_policychange")),
    *(
        f"CREATE TRIGGER ledger_policychange_no_{verb.lower()} BEFORE {verb} ON ledger_policychange "
        f"BEGIN SELECT RAISE(ABORT, {REFUSED}); END;"
        for verb in ("UPDATE", "DELETE")
    ),
]
SQLITE_REVERSE = [
    *(f"DROP TRIGGER {table}_no_replace;" for table in ("ledger_event", "ledger_disclosure", "ledger_policychange")),
    "DROP TRIGGER ledger_policychange_no_update;",
    "DROP TRIGGER ledger_policychange_no_delete;",
]
POSTGRESQL_FORWARD = [
    "CREATE FUNCTION ledger_policychange_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION {REFUSED}; END $$;",
    "CREATE TRIGGER ledger_policychange_no_change BEFORE UPDATE OR DELETE ON ledger_policychange "
    "FOR EACH ROW EXECUTE FUNCTION ledger_policychange_refuse();",
    "CREATE TRIGGER ledger_policychange_no_truncate BEFORE TRUNCATE ON ledger_policychange "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_policychange_refuse();",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER ledger_policychange_no_truncate ON ledger_policychange;",
    "DROP TRIGGER ledger_policychange_no_change ON ledger_policychange;",
    "DROP FUNCTION ledger_policychange_refuse();",
]
# The disclosure log refuses UPDATE (0004): lifted for the chaining of its rows only, and put back
# (on SQLite, at the end: see SQLITE_FORWARD).
LIFT = {
    "sqlite": (["DROP TRIGGER IF EXISTS ledger_disclosure_no_update;"], []),
    "postgresql": (
        [
            "SET CONSTRAINTS ALL IMMEDIATE;",
            "ALTER TABLE ledger_disclosure DISABLE TRIGGER ledger_disclosure_no_change;",
        ],
        ["SET CONSTRAINTS ALL IMMEDIATE;", "ALTER TABLE ledger_disclosure ENABLE TRIGGER ledger_disclosure_no_change;"],
    ),
}


def _spelled(value):
    if hasattr(value, "tzinfo"):
        return moment(value)
    if isinstance(value, dict | list):
        return canonical(value)
    return value


def chain_v2_from(apps, schema_editor):
    Project, Event = apps.get_model("ledger", "Project"), apps.get_model("ledger", "Event")
    for project in Project.objects.all():
        last = Event.objects.filter(project=project).order_by("-seq").values_list("seq", flat=True).first()
        Project.objects.filter(pk=project.pk).update(chain_v2_from=(last or 0) + 1)


def chain_logs(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    lift, restore = LIFT.get(vendor, ([], []))
    for statement in lift:
        schema_editor.execute(statement)
    for name, (_table, columns) in LOGS.items():
        Model = apps.get_model("ledger", name)
        heads = {}  # project -> (seq, hash) of its last chained row
        last = 0
        while True:
            rows = list(Model.objects.filter(pk__gt=last).order_by("pk").values("pk", *columns)[:CHUNK])
            if not rows:
                break
            last = rows[-1]["pk"]
            for row in rows:
                seq, prev_hash = heads.get(row["project_id"], (0, GENESIS))
                seq += 1
                digest = row_hash(prev_hash, [seq, *(_spelled(row[column]) for column in columns)])
                Model.objects.filter(pk=row["pk"]).update(seq=seq, prev_hash=prev_hash, hash=digest)
                heads[row["project_id"]] = (seq, digest)
    for statement in restore:
        schema_editor.execute(statement)


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0014_policy_job")]

    operations = [
        migrations.AddField(
            model_name="project", name="chain_v2_from", field=models.BigIntegerField(default=1, editable=False)
        ),
        migrations.RunPython(chain_v2_from, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="disclosure", name="at", field=models.DateTimeField(default=django.utils.timezone.now)
        ),
        migrations.AlterField(
            model_name="policychange", name="at", field=models.DateTimeField(default=django.utils.timezone.now)
        ),
        *(
            migrations.AddField(model_name=model, name=name, field=field)
            for model in ("disclosure", "policychange")
            for name, field in (
                ("seq", models.BigIntegerField(default=0)),
                ("prev_hash", models.CharField(default="", max_length=64)),
                ("hash", models.CharField(default="", max_length=64)),
            )
        ),
        migrations.RunPython(chain_logs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="disclosure",
            constraint=models.UniqueConstraint(fields=("project", "seq"), name="disclosure_unique_seq"),
        ),
        migrations.AddConstraint(
            model_name="policychange",
            constraint=models.UniqueConstraint(fields=("project", "seq"), name="policy_change_unique_seq"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
