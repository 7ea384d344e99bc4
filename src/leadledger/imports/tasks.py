"""Imports started from the web page run here, in the background (Django tasks, database backend)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.utils import timezone

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2: the backport
    from django_tasks import task

from leadledger.engine.errors import DomainError

from .models import ImportJob
from .services import register_import, visible_nul

logger = logging.getLogger(__name__)

# Said when the import failed for a reason of ours, not the file's: the traceback goes to the log.
_UNEXPECTED = (
    "导入意外中止，已记录错误供管理员排查；已保存的行不会重复导入，可以稍后重新导入同一文件",
    "the import stopped unexpectedly; the error is logged for the administrator. Rows already saved are"
    " not imported twice: the same file can be imported again later",
)


def _failed(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED, error=visible_nul(message), finished_at=timezone.now()
    )


@task()
def import_job_run(job_id: int, lang: str = "zh") -> None:
    job = ImportJob.objects.get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.READING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(checked=done, total=total)

    def saving() -> None:
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.SAVING)

    def saved(done: int, total: int) -> None:  # after each batch's own transaction
        ImportJob.objects.filter(pk=job_id).update(imported=done)

    suffix = Path(job.file_name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"register{suffix}"
        path.write_bytes(bytes(job.content))
        try:
            result = register_import(
                project=job.project,
                path=path,
                actor=job.user,
                progress=progress,
                saving=saving,
                saved=saved,
                source=job.file_name,
            )
        except DomainError as error:  # the file's fault, said in the user's language
            _failed(job_id, error.message(lang))
            return
        except Exception:  # never leave the page saying "checking rows" for ever
            logger.exception("import job %s failed", job_id)
            _failed(job_id, _UNEXPECTED[0] if lang == "zh" else _UNEXPECTED[1])
            return
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.DONE,
        imported=result.imported,
        skipped=result.skipped,
        rejected=len(result.rejected),
        report=result.report_csv(lang) if result.rejected else "",
        finished_at=timezone.now(),
    )
