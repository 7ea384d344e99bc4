"""Distributors as rows; agents gain a nullable link to one (filled by 0012), a login and a phone."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0010_events_event_staff_fill"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Distributor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="distributors", to="ledger.project"
                    ),
                ),
            ],
            options={"verbose_name": "distributor", "verbose_name_plural": "distributors"},
        ),
        migrations.AddConstraint(
            model_name="distributor",
            constraint=models.UniqueConstraint(fields=("project", "name"), name="distributor_unique_name"),
        ),
        migrations.AddField(
            model_name="agent",
            name="distributor_ref",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="agents",
                to="ledger.distributor",
                verbose_name="distributor",
            ),
        ),
        migrations.AddField(
            model_name="agent",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AddField(
            model_name="agent",
            name="phone",
            field=models.CharField(blank=True, default="", max_length=20, verbose_name="phone"),
        ),
        migrations.AlterModelOptions(name="agent", options={"verbose_name": "agent", "verbose_name_plural": "agents"}),
        migrations.AlterField(
            model_name="agent", name="name", field=models.CharField(max_length=100, verbose_name="name")
        ),
        migrations.AddConstraint(
            model_name="agent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("user__isnull", False)),
                fields=("project", "user"),
                name="agent_one_per_user_per_project",
            ),
        ),
    ]
