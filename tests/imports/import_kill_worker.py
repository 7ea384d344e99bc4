"""A process of tests/imports/test_import_killed.py: set up a confirmed import, run it (to be killed), look after."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
from django.utils import timezone  # noqa: E402

from leadledger.imports import jobs, tasks  # noqa: E402
from leadledger.imports.models import ImportedRow, ImportJob  # noqa: E402
from leadledger.ledger import models  # noqa: E402
from migrated import migrate  # noqa: E402

command = sys.argv[1]
if command == "setup":
    migrate()
    from office import office_create

    office = office_create()
    rows = int(sys.argv[2])
    lines = ["日期,客户姓名,电话,置业顾问"]
    lines += [
        f"2026-03-01 {8 + n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d},客户{n},137{n:08d},王芳" for n in range(rows)
    ]
    content = ("\n".join(lines) + "\n").encode()
    job = jobs.import_job_upload(project=office.project, user=office.zhao.user, name="来访.csv", content=content)
    assert jobs.import_job_confirm(job=job)
    print(json.dumps({"job": job.pk}))
elif command == "run":
    # Each batch's report also leaves the count in a file, for the test to kill this process mid-way.
    flag = Path(sys.argv[3])
    reported = tasks._report

    def report(job_id: int, **fields: object) -> None:
        reported(job_id, **fields)
        if "imported" in fields:
            flag.write_text(str(fields["imported"]))

    tasks._report = report  # type: ignore[assignment]
    tasks.import_job_run.call(int(sys.argv[2]), "zh")
elif command == "after":
    job = ImportJob.objects.get(pk=int(sys.argv[2]))
    before = {"status": job.status, "imported": job.imported, "stored": ImportedRow.objects.count()}
    project = job.project
    failed = jobs.import_jobs_tidy(project=project, lang="zh", now=timezone.now() + timedelta(minutes=6))
    job.refresh_from_db()
    again = jobs.import_job_again(job=job, user=job.user)
    assert again is not None
    tasks.import_job_run.call(again.pk, "zh")
    again.refresh_from_db()
    from leadledger.ledger.verify import verify

    problems: list[str] = []
    verify(project, lambda p: problems.append(f"{p.where}: {p.en}"))
    print(
        json.dumps(
            {
                "before": before,
                "failed": failed,
                "error": job.error,
                "again": [again.status, again.imported, again.skipped, again.rejected],
                "events": models.Event.objects.filter(project=project).count(),
                "stored": ImportedRow.objects.count(),
                "problems": problems,
            },
            ensure_ascii=False,
        )
    )
