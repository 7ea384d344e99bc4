# Every lookup counts the person's answered lookups of the last hour (ledger.lookups): with `refused` in the
# index, from the index alone instead of reading each row for it (issue 14, the search's speed).

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
    ]
