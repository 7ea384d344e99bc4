"""One receptionist in its own process, for tests/desk/test_desk_race.py: set up, or click all day."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
from django.contrib.auth import get_user_model  # noqa: E402

from leadledger.desk import services  # noqa: E402
from leadledger.ledger import models  # noqa: E402
from migrated import migrate  # noqa: E402

if sys.argv[1] == "setup":
    migrate()
    from office import office_create

    office = office_create()
    site = models.Site.objects.create(project=office.project, name="展厅")
    print(json.dumps({"site": site.pk}))
    sys.exit(0)

site = models.Site.objects.get(pk=int(sys.argv[2]))
worker, count = int(sys.argv[3]), int(sys.argv[4])
user = get_user_model().objects.get(username="sun")
desk_staff = models.Staff.objects.get(user=user, project=site.project)
failures = 0
for i in range(count):
    try:
        search, _ = services.search_log(site=site, user=user, query=f"1390{worker:03d}{i:04d}")
        done = services.visit_at_desk(
            site=site, user=user, search=search, name="客户", phone=f"1390{worker:03d}{i:04d}"
        )
        services.board_move(site=site, by=desk_staff, action="finish", staff=done.visit.staff)
    except Exception as error:  # every failure is counted and shown; none may happen
        failures += 1
        print(repr(error), file=sys.stderr)
print(json.dumps({"failures": failures}))
