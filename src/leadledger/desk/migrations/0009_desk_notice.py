import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0008_dash_disputes_day_figures"),
        ("ledger", "0017_sign_ins"),
    ]

    operations = [
        migrations.CreateModel(
            name="Notice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("new", "new"), ("arrived", "arrived"), ("assisted", "assisted")], max_length=16
                    ),
                ),
                ("seq", models.BigIntegerField()),
                ("at", models.DateTimeField(auto_now_add=True)),
                ("read_at", models.DateTimeField(null=True)),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.customer"
                    ),
                ),
                ("project", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="ledger.project")),
                (
                    "receiver",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.staff"),
                ),
                (
                    "site",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.site"),
                ),
                (
                    "staff",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.staff"),
                ),
            ],
            options={
                "indexes": [
                    models.Index(condition=models.Q(("read_at__isnull", True)), fields=["staff"], name="notice_unread"),
                    models.Index(fields=["staff", "at"], name="notice_staff_at"),
                ],
            },
        ),
    ]
