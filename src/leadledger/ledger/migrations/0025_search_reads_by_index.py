# Read from indexes alone, on every search (issue 14, the search's speed): every lookup counts the person's
# answered lookups of the last hour (ledger.lookups), `refused` now in the index; a mask's candidates are told
# apart by their phones, now in the index, which also takes the "not erased" condition.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0024_c15b_agent_active"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="lookup",
            index=models.Index(fields=["user", "at", "refused"], name="lookup_user_at_refused"),
        ),
        migrations.RemoveIndex(
            model_name="lookup",
            name="lookup_user_at",
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["project", "phone_tail", "erased_at", "phone"], name="customer_phone_tail_phone"
            ),
        ),
        migrations.RemoveIndex(
            model_name="customer",
            name="customer_phone_tail",
        ),
    ]
