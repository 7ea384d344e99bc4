"""Events carry the staff member they are by, in an indexed column (filled from the body by 0010)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_policy_change")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="staff",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.staff",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["project", "staff", "at"], name="event_staff"),
        ),
    ]
