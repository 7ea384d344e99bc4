"""Agents' distributor is the required link; the old name column goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0012_events_distributor_fill")]

    operations = [
        migrations.RemoveField(model_name="agent", name="distributor"),
        migrations.RenameField(model_name="agent", old_name="distributor_ref", new_name="distributor"),
        migrations.AlterField(
            model_name="agent",
            name="distributor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="agents",
                to="ledger.distributor",
                verbose_name="distributor",
            ),
        ),
    ]
