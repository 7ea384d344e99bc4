from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0010_mine_holdings"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notice",
            name="kind",
            field=models.CharField(
                choices=[
                    ("new", "new"),
                    ("arrived", "arrived"),
                    ("assisted", "assisted"),
                    ("corrected_to", "corrected_to"),
                    ("corrected_away", "corrected_away"),
                ],
                max_length=16,
            ),
        ),
    ]
