"""Fill events' staff column from their bodies, as each event type declares it (its `by_field`).

The column lies outside the hash (the chain covers the body it is read from), so no hash changes.
Events refuse UPDATE (0002): the refusal is lifted for this fill only, inside the migration's
transaction, and put back before it ends.
"""

import json

from django.db import migrations

from leadledger.engine.model import EVENT_TYPES, staff_by

CHUNK = 5000

SQLITE_OFF = ["DROP TRIGGER ledger_event_no_update;"]
SQLITE_ON = [
    "CREATE TRIGGER ledger_event_no_update BEFORE UPDATE ON ledger_event "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;"
]
# Deferred foreign-key checks of the fill must run before the table is altered again (PostgreSQL refuses otherwise).
POSTGRESQL_OFF = ["SET CONSTRAINTS ALL IMMEDIATE;", "ALTER TABLE ledger_event DISABLE TRIGGER ledger_event_no_change;"]
POSTGRESQL_ON = ["SET CONSTRAINTS ALL IMMEDIATE;", "ALTER TABLE ledger_event ENABLE TRIGGER ledger_event_no_change;"]


def fill(apps, schema_editor):
    Event = apps.get_model("ledger", "Event")
    Staff = apps.get_model("ledger", "Staff")
    vendor = schema_editor.connection.vendor
    kinds = [kind for kind, cls in EVENT_TYPES.items() if cls.by_field]
    staff_of = dict(Staff.objects.values_list("pk", "project_id"))
    off, on = {"sqlite": (SQLITE_OFF, SQLITE_ON), "postgresql": (POSTGRESQL_OFF, POSTGRESQL_ON)}.get(vendor, ([], []))
    for statement in off:
        schema_editor.execute(statement)
    last = 0
    while True:
        rows = list(
            Event.objects.filter(pk__gt=last, kind__in=kinds, staff__isnull=True)
            .order_by("pk")
            .values_list("pk", "project_id", "kind", "body")[:CHUNK]
        )
        if not rows:
            break
        last = rows[-1][0]
        by_staff: dict[int, list[int]] = {}
        for pk, project_id, kind, body in rows:
            try:
                by = staff_by(kind, json.loads(body))
            except (ValueError, TypeError, AttributeError):
                continue  # an unreadable body: verify reports it; nothing to fill
            if by is not None and by.isdigit() and staff_of.get(int(by)) == project_id:
                by_staff.setdefault(int(by), []).append(pk)
        for staff_id, pks in by_staff.items():
            Event.objects.filter(pk__in=pks).update(staff_id=staff_id)
    for statement in on:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0009_events_event_staff")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
