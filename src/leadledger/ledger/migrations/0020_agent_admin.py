# Agents sign in (issue 15): a distributor's admin, registrations in the lookup log, the daily cap by index.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0019_dash_dashboard"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="agent",
            name="admin",
            field=models.BooleanField(default=False, verbose_name="distributor's admin"),
        ),
        migrations.AlterField(
            model_name="lookup",
            name="place",
            field=models.CharField(
                choices=[
                    ("desk", "Reception desk search"),
                    ("customers", "Customer list search"),
                    ("referral", "Referral form"),
                    ("relation", "Relation form"),
                    ("import", "Visit register import"),
                    ("agent_report", "Agent's registration"),
                ],
                max_length=16,
            ),
        ),
    ]
