# Lookups of people and their risk signals (h13-look; numbered 0016 by agreement, after 0014_policy_job)

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0015_chain_v2"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Lookup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "place",
                    models.CharField(
                        choices=[
                            ("desk", "Reception desk search"),
                            ("customers", "Customer list search"),
                            ("referral", "Referral form"),
                            ("relation", "Relation form"),
                            ("import", "Visit register import"),
                        ],
                        max_length=16,
                    ),
                ),
                ("asked", models.CharField(max_length=40)),
                ("digest", models.CharField(max_length=64)),
                ("matched", models.IntegerField(default=0)),
                ("refused", models.BooleanField(default=False)),
                ("at", models.DateTimeField()),
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
                "indexes": [
                    models.Index(fields=["user", "at"], name="lookup_user_at"),
                    models.Index(fields=["project", "digest"], name="lookup_digest"),
                ],
            },
        ),
        migrations.CreateModel(
            name="LookupSignal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("limit", "Reached the lookup limit"), ("misses", "Many lookups with no match")],
                        max_length=16,
                    ),
                ),
                ("first_at", models.DateTimeField()),
                ("last_at", models.DateTimeField()),
                ("count", models.IntegerField(default=0)),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.project"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["project", "last_at"], name="lookup_signal_recent")],
            },
        ),
    ]
