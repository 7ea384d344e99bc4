"""An import from the web page, step by step: uploaded and previewed, confirmed or cancelled, run, run again.

The uploaded file stays in the job's row (`ImportJob.content`) between the steps: in the database,
outside the web root, and seen by every app server and worker alike. It is emptied when the import
is done or cancelled, or a preview left unconfirmed for a day; a failed job keeps it for a week so
that it can be run again (decision 162).
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leadledger.ledger import models as ledger

from .models import ImportJob
from .preview import register_preview
from .services import import_batch, visible_nul

Status = ImportJob.Status
PREVIEW_KEPT = timedelta(days=1)
FAILED_KEPT = timedelta(days=7)


def stale_after() -> timedelta:
    """How long a running job may go without a heartbeat before it is lost (LEADLEDGER_IMPORT_STALE_SECONDS)."""
    return timedelta(seconds=getattr(settings, "LEADLEDGER_IMPORT_STALE_SECONDS", 300))


def import_job_upload(*, project: ledger.Project, user: Any, name: str, content: bytes) -> ImportJob:
    """Keep an upload with its preview, waiting for confirmation; nothing is imported yet.

    Raises `RegisterError` when the file as a whole cannot be read: nothing is kept then.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"register{Path(name).suffix.lower()}"
        path.write_bytes(content)
        preview = register_preview(project=project, path=path)
    return ImportJob.objects.create(
        project=project, user=user, file_name=visible_nul(name), content=content, status=Status.PREVIEW, preview=preview
    )


def import_job_confirm(*, job: ImportJob) -> bool:
    """Queue a previewed job (False: it was no longer waiting, e.g. confirmed twice); the caller enqueues it."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEW).update(
            status=Status.QUEUED, updated_at=timezone.now()
        )
    )


def import_job_cancel(*, job: ImportJob) -> bool:
    """Drop a previewed job and its file (False: it was no longer waiting)."""
    now = timezone.now()
    cancelled = ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEW).update(
        status=Status.CANCELLED, content=b"", finished_at=now, updated_at=now
    )
    return bool(cancelled)


def import_job_again(*, job: ImportJob, user: Any) -> ImportJob | None:
    """A new queued job for a failed job's file, which the failed job gives up (None: nothing to run again).

    Rows the first run stored are skipped by their keys (ImportedRow), so nothing is stored twice.
    """
    with transaction.atomic():
        content = ImportJob.objects.filter(pk=job.pk, status=Status.FAILED).values_list("content", flat=True).first()
        if not content:
            return None
        if not ImportJob.objects.filter(pk=job.pk, status=Status.FAILED).exclude(content=b"").update(content=b""):
            return None  # run again by someone else at the same moment
        return ImportJob.objects.create(
            project=job.project,
            user=user,
            file_name=job.file_name,
            content=bytes(content),
            status=Status.QUEUED,
            again_of=job,
            preview=job.preview,
        )


def stale_sentence(job: ImportJob, minutes: int, lang: str) -> str:
    """What a lost import stored and what it did not, and what to do."""
    batch = import_batch()
    if lang.startswith("zh"):
        saved = (
            f"已保存 {job.imported} 行（每 {batch} 行一批，已完成的批次都已保存），其余的行没有导入"
            if job.imported
            else "还没有保存任何行"
        )
        return (
            f"导入中断：{minutes} 分钟没有进展，处理导入的后台进程可能已停止。{saved}。"
            "点击“重新导入”继续：已保存的行不会重复导入。"
        )
    saved = (
        f"{job.imported} rows were saved (in batches of {batch}; every finished batch is kept) and the rest were not"
        if job.imported
        else "No row was saved yet"
    )
    return (
        f"The import stopped: no progress for {minutes} minutes; the background worker running it has probably"
        f" stopped. {saved}. Run it again to go on: rows already saved are not imported twice."
    )


def import_jobs_tidy(*, project: ledger.Project, lang: str, now: datetime | None = None) -> int:
    """Fail the project's running jobs whose heartbeat is too old, and empty the files no longer needed.

    Returns how many jobs were failed. A job marked failed here whose worker was only slow stops at
    its next heartbeat (tasks.py): the two never write the same rows.
    """
    now = now or timezone.now()
    limit = stale_after()
    minutes = max(1, round(limit.total_seconds() / 60))
    failed = 0
    running = (Status.READING, Status.SAVING)
    for job in ImportJob.objects.filter(project=project, status__in=running, updated_at__lt=now - limit).defer(
        "content", "report", "preview"
    ):
        failed += ImportJob.objects.filter(pk=job.pk, status=job.status, updated_at__lt=now - limit).update(
            status=Status.FAILED, error=stale_sentence(job, minutes, lang), finished_at=now
        )
    ImportJob.objects.filter(project=project, status=Status.PREVIEW, created_at__lt=now - PREVIEW_KEPT).update(
        status=Status.CANCELLED, content=b"", finished_at=now
    )
    ImportJob.objects.filter(project=project, status=Status.FAILED, finished_at__lt=now - FAILED_KEPT).exclude(
        content=b""
    ).update(content=b"")
    return failed
