"""One Distributor row per distinct distributor name of a project's agents, and each agent linked to it."""

from django.db import migrations


def fill(apps, schema_editor):
    Agent = apps.get_model("ledger", "Agent")
    Distributor = apps.get_model("ledger", "Distributor")
    made: dict[tuple[int, str], int] = {}
    for agent in Agent.objects.filter(distributor_ref__isnull=True).order_by("pk").iterator(chunk_size=2000):
        key = (agent.project_id, agent.distributor.strip() or "?")
        if key not in made:
            made[key] = Distributor.objects.get_or_create(project_id=key[0], name=key[1])[0].pk
        agent.distributor_ref_id = made[key]
        agent.save(update_fields=["distributor_ref"])


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_events_distributor")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
