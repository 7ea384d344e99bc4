"""The lookup log, its risk signals and the relations' changes on hash chains (issue 13, import helper).

- Lookups and their signals are numbered and hash-chained per project; the rows already there are
  chained as they stand, in the order they were written (their ids).
- Relations get a log of their changes (`RelationChange`), insert-only and chained; each relation
  already there is logged once, as it stands, with no user: its origin before this migration is
  not known, and saying nothing is better than saying something false.
- Lookups and relation changes are insert-only (UPDATE, DELETE, REPLACE and TRUNCATE refused); a
  signal may only have its `last_at` and `count` moved on, and is never deleted.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from leadledger.ledger.chain import GENESIS, moment, row_hash

CHUNK = 2000
LOGS = {
    # model: the hash's columns in order, as ledger/logchain.py declares them
    "Lookup": ("project_id", "user_id", "place", "asked", "digest", "matched", "answer", "refused", "at"),
    "LookupSignal": ("project_id", "user_id", "kind", "first_at"),
}
REFUSED = "'rows of this table are insert-only'"
INSERT_ONLY = ("ledger_lookup", "ledger_relationchange")
SIGNAL_FIXED = "project_id, user_id, kind, first_at, seq, prev_hash, hash"


def _spelled(value):
    return moment(value) if hasattr(value, "tzinfo") else value


def chain_logs(apps, schema_editor):
    for name, columns in LOGS.items():
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


def log_relations(apps, schema_editor):
    Relation, RelationChange = apps.get_model("ledger", "Relation"), apps.get_model("ledger", "RelationChange")
    columns = ("project_id", "relation", "a_id", "b_id", "kind", "verified", "user_id", "at")
    heads = {}
    now = django.utils.timezone.now()
    for relation in Relation.objects.order_by("pk").iterator(chunk_size=CHUNK):
        seq, prev_hash = heads.get(relation.project_id, (0, GENESIS))
        seq += 1
        row = {
            "project_id": relation.project_id,
            "relation": relation.pk,
            "a_id": relation.a_id,
            "b_id": relation.b_id,
            "kind": relation.kind,
            "verified": relation.verified,
            "user_id": None,
            "at": now,
        }
        digest = row_hash(prev_hash, [seq, *(_spelled(row[column]) for column in columns)])
        RelationChange.objects.create(seq=seq, prev_hash=prev_hash, hash=digest, **row)
        heads[relation.project_id] = (seq, digest)


def _sqlite_no_replace(table):
    return (
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id OR (project_id = NEW.project_id AND seq = NEW.seq)) "
        f"BEGIN SELECT RAISE(ABORT, {REFUSED}); END;"
    )


SQLITE_FORWARD = [
    *(_sqlite_no_replace(table) for table in (*INSERT_ONLY, "ledger_lookupsignal")),
    *(
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN SELECT RAISE(ABORT, {REFUSED}); END;"
        for table in INSERT_ONLY
        for verb in ("UPDATE", "DELETE")
    ),
    "CREATE TRIGGER ledger_lookupsignal_no_delete BEFORE DELETE ON ledger_lookupsignal "
    "BEGIN SELECT RAISE(ABORT, 'a lookup signal is never deleted'); END;",
    f"CREATE TRIGGER ledger_lookupsignal_no_update BEFORE UPDATE OF {SIGNAL_FIXED} ON ledger_lookupsignal "
    "BEGIN SELECT RAISE(ABORT, 'a lookup signal only moves its last_at and count on'); END;",
]
SQLITE_REVERSE = [
    *(f"DROP TRIGGER {table}_no_replace;" for table in (*INSERT_ONLY, "ledger_lookupsignal")),
    *(f"DROP TRIGGER {table}_no_{verb};" for table in INSERT_ONLY for verb in ("update", "delete")),
    "DROP TRIGGER ledger_lookupsignal_no_delete;",
    "DROP TRIGGER ledger_lookupsignal_no_update;",
]
_FIXED_CHANGED = " OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in SIGNAL_FIXED.split(", "))
POSTGRESQL_FORWARD = [
    "CREATE FUNCTION ledger_chained_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION {REFUSED}; END $$;",
    *(
        statement
        for table in INSERT_ONLY
        for statement in (
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_chained_log_refuse();",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_chained_log_refuse();",
        )
    ),
    "CREATE FUNCTION ledger_lookupsignal_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP <> 'UPDATE' OR {_FIXED_CHANGED} THEN "
    "RAISE EXCEPTION 'a lookup signal only moves its last_at and count on'; END IF; RETURN NEW; END $$;",
    "CREATE TRIGGER ledger_lookupsignal_no_change BEFORE UPDATE OR DELETE ON ledger_lookupsignal "
    "FOR EACH ROW EXECUTE FUNCTION ledger_lookupsignal_refuse();",
    "CREATE TRIGGER ledger_lookupsignal_no_truncate BEFORE TRUNCATE ON ledger_lookupsignal "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_chained_log_refuse();",
]
POSTGRESQL_REVERSE = [
    *(
        statement
        for table in (*INSERT_ONLY, "ledger_lookupsignal")
        for statement in (
            f"DROP TRIGGER {table}_no_truncate ON {table};",
            f"DROP TRIGGER {table}_no_change ON {table};",
        )
    ),
    "DROP FUNCTION ledger_lookupsignal_refuse();",
    "DROP FUNCTION ledger_chained_log_refuse();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0018_chip_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RelationChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("relation", models.BigIntegerField()),
                ("kind", models.CharField(max_length=32)),
                ("verified", models.BooleanField()),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("seq", models.BigIntegerField(default=0)),
                ("prev_hash", models.CharField(default="", max_length=64)),
                ("hash", models.CharField(default="", max_length=64)),
                (
                    "a",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.customer"
                    ),
                ),
                (
                    "b",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.customer"
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.project"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("project", "seq"), name="relation_change_unique_seq")],
            },
        ),
        # What the asker was told (an agent's registration: its answer) carries meaning, so it is in the hash:
        # added here, before the rows are chained and the table made insert-only (a later AddField with a
        # default remakes the table on SQLite, and its triggers with it).
        migrations.AddField(
            model_name="lookup",
            name="answer",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        *(
            migrations.AddField(model_name=model, name=name, field=field)
            for model in ("lookup", "lookupsignal")
            for name, field in (
                ("seq", models.BigIntegerField(default=0)),
                ("prev_hash", models.CharField(default="", max_length=64)),
                ("hash", models.CharField(default="", max_length=64)),
            )
        ),
        migrations.RunPython(chain_logs, migrations.RunPython.noop),
        migrations.RunPython(log_relations, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="lookup",
            constraint=models.UniqueConstraint(fields=("project", "seq"), name="lookup_unique_seq"),
        ),
        migrations.AddConstraint(
            model_name="lookupsignal",
            constraint=models.UniqueConstraint(fields=("project", "seq"), name="lookup_signal_unique_seq"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
