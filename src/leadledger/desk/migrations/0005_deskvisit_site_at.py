from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0004_suspension"),
        ("ledger", "0014_policy_job"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deskvisit",
            index=models.Index(fields=["site", "at"], name="deskvisit_site_at"),
        ),
    ]
