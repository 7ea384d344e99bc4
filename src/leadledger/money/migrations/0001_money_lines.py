"""The money of deals (issue 16, h-money): commission plans, deals' money, payments, penalties and the
money lines, insert-only (UPDATE, DELETE, REPLACE and TRUNCATE refused) and hash-chained per project."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLE = "money_moneyline"
REFUSED = "'rows of this table are insert-only'"
SQLITE_FORWARD = [
    f"CREATE TRIGGER {TABLE}_no_replace BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id OR (project_id = NEW.project_id AND seq = NEW.seq)) "
    f"BEGIN SELECT RAISE(ABORT, {REFUSED}); END;",
    *(
        f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} BEGIN SELECT RAISE(ABORT, {REFUSED}); END;"
        for verb in ("UPDATE", "DELETE")
    ),
]
SQLITE_REVERSE = [f"DROP TRIGGER {TABLE}_no_{verb};" for verb in ("replace", "update", "delete")]
# ledger_chained_log_refuse() is ledger 0018's.
POSTGRESQL_FORWARD = [
    f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_chained_log_refuse();",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_chained_log_refuse();",
]
POSTGRESQL_REVERSE = [f"DROP TRIGGER {TABLE}_no_truncate ON {TABLE};", f"DROP TRIGGER {TABLE}_no_change ON {TABLE};"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ledger", "0020_agent_admin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CommissionPlan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("plan", models.JSONField(default=dict, verbose_name="commission plan")),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="changed")),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
                (
                    "project",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.project",
                        verbose_name="project",
                    ),
                ),
            ],
            options={
                "verbose_name": "commission plan",
                "verbose_name_plural": "commission plans",
            },
        ),
        migrations.CreateModel(
            name="DealMoney",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("price", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="price")),
                ("commission", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="commission")),
                ("performance", models.JSONField(default=dict, verbose_name="performance")),
                ("returned", models.BooleanField(default=False, verbose_name="returned")),
                (
                    "deal",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.event",
                        verbose_name="Deal",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.project"
                    ),
                ),
            ],
            options={
                "verbose_name": "deal's money",
                "verbose_name_plural": "deals' money",
            },
        ),
        migrations.CreateModel(
            name="Payment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="amount",
                    ),
                ),
                ("received_on", models.DateField(verbose_name="received on")),
                (
                    "stage",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Instalment"),
                            ("down_payment", "Down payment"),
                            ("loan", "Mortgage loan"),
                            ("handover", "Handover"),
                        ],
                        default="",
                        max_length=16,
                        verbose_name="stage",
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "deal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.event",
                        verbose_name="Deal",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.project"
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "payment received",
                "verbose_name_plural": "payments received",
            },
        ),
        migrations.CreateModel(
            name="Penalty",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("rule", models.CharField(max_length=32, verbose_name="rule")),
                (
                    "fine",
                    models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="fine"),
                ),
                (
                    "reward",
                    models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="reward"),
                ),
                ("points", models.IntegerField(default=0, verbose_name="evaluation points")),
                ("days", models.PositiveSmallIntegerField(default=0, verbose_name="days suspended")),
                ("evidence", models.TextField(verbose_name="evidence")),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "deal",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.event",
                    ),
                ),
                (
                    "manager",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.staff",
                        verbose_name="decided by",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.project"
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.staff",
                        verbose_name="consultant",
                    ),
                ),
            ],
            options={
                "verbose_name": "penalty or reward",
                "verbose_name_plural": "penalties and rewards",
            },
        ),
        migrations.CreateModel(
            name="MoneyLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(max_length=40)),
                ("account", models.CharField(max_length=40)),
                ("kind", models.CharField(max_length=16)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                ("note", models.CharField(blank=True, default="", max_length=200)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("seq", models.BigIntegerField(default=0)),
                ("prev_hash", models.CharField(default="", max_length=64)),
                ("hash", models.CharField(default="", max_length=64)),
                (
                    "event",
                    models.ForeignKey(
                        null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.event"
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.project"
                    ),
                ),
            ],
            options={
                "verbose_name": "money line",
                "verbose_name_plural": "money lines",
                "indexes": [
                    models.Index(fields=["project", "account", "at"], name="money_line_account"),
                    models.Index(fields=["project", "event"], name="money_line_event"),
                ],
                "constraints": [models.UniqueConstraint(fields=("project", "seq"), name="money_line_unique_seq")],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
