"""Registrations one after another, as a busy desk makes them: `setup`, then `stream STOPFILE`.

Prints each phone once its registration is committed (acknowledged), and stops when STOPFILE exists.
The database comes from DATABASE_URL, as for the app itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

import django


def main() -> int:
    django.setup()
    from leadledger.ledger import models, services

    if sys.argv[1] == "setup":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for migrated
        from migrated import migrate

        migrate()
        project = models.Project.objects.create(code="stream", name="备份测试")
        models.Staff.objects.create(project=project, name="王芳")
        return 0
    project = models.Project.objects.get(code="stream")
    staff = models.Staff.objects.get(project=project)
    stop = Path(sys.argv[2])
    n = 0
    while not stop.exists() and n < 20_000:
        phone = f"1390001{n:04d}"
        customer, _ = services.customer_find_or_create(project=project, name="客户", phone=phone)
        services.visit_register(project=project, customer=customer, staff=staff)
        print(phone, flush=True)  # acknowledged: the registration's transaction has committed
        n += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
