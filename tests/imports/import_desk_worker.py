"""A process of tests/imports/test_import_beside_the_desk.py: set up, import a large register, or work the desk."""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
from django.contrib.auth import get_user_model  # noqa: E402

from leadledger.desk import services  # noqa: E402
from leadledger.ledger import models  # noqa: E402
from migrated import migrate  # noqa: E402

command = sys.argv[1]
if command == "setup":
    migrate()
    from office import office_create

    office = office_create()
    site = models.Site.objects.create(project=office.project, name="展厅")
    rows, path = int(sys.argv[2]), Path(sys.argv[3])
    start = datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=30)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["日期", "客户姓名", "电话", "置业顾问"])
        for n in range(rows):
            at = start + timedelta(seconds=10 * n)
            writer.writerow([at.strftime("%Y-%m-%d %H:%M:%S"), f"客户{n}", f"137{n:08d}", "王芳" if n % 2 else "刘洋"])
    print(json.dumps({"site": site.pk}))
elif command == "import":
    from leadledger.imports.services import register_import

    project = models.Project.objects.get(code="hz-1")
    began = time.monotonic()
    result = register_import(project=project, path=Path(sys.argv[2]))
    print(json.dumps({"imported": result.imported, "rejected": len(result.rejected), "s": time.monotonic() - began}))
elif command == "desk":
    # Search and register at the desk until the importer's flag file appears; every request must succeed.
    site = models.Site.objects.get(pk=int(sys.argv[2]))
    done_flag, started_flag = Path(sys.argv[3]), Path(sys.argv[4])
    user = get_user_model().objects.get(username="sun")
    desk_staff = models.Staff.objects.get(user=user, project=site.project)
    failures, worked, slowest, i = 0, 0, 0.0, 0
    while not done_flag.exists() or worked < 3:
        i += 1
        began = time.monotonic()
        try:
            search, _ = services.search_log(site=site, user=user, query=f"1390000{i:04d}")
            done = services.visit_at_desk(site=site, user=user, search=search, name="客户", phone=f"1390000{i:04d}")
            services.board_move(site=site, by=desk_staff, action="finish", staff=done.visit.staff)
            worked += 1
            started_flag.touch()
        except Exception as error:  # every failure is counted and shown; none may happen
            failures += 1
            print(repr(error), file=sys.stderr)
        slowest = max(slowest, time.monotonic() - began)
    print(json.dumps({"failures": failures, "worked": worked, "slowest": slowest}))
