"""Imports started from the web page run here, in the background (Django tasks, database backend)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.utils import timezone

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2: the backport
    from django_tasks import task

from leadledger.engine import EngineError
from leadledger.ledger.services import LedgerError

from .models import ImportJob
from .register import RegisterError
from .services import register_import


@task()
def import_job_run(job_id: int, lang: str = "zh") -> None:
    job = ImportJob.objects.get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.READING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(checked=done, total=total)

    def saving() -> None:
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.SAVING)

    suffix = Path(job.file_name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"register{suffix}"
        path.write_bytes(bytes(job.content))
        try:
            result = register_import(
                project=job.project, path=path, actor=job.user, progress=progress, saving=saving, source=job.file_name
            )
        except (RegisterError, LedgerError, EngineError) as error:
            message = error.zh if lang == "zh" else error.en
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJob.Status.FAILED, error=message, finished_at=timezone.now()
            )
            return
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.DONE,
        imported=result.imported,
        skipped=result.skipped,
        rejected=len(result.rejected),
        report=result.report_csv(lang) if result.rejected else "",
        finished_at=timezone.now(),
    )
