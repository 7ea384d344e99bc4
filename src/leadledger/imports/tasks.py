"""Imports started from the web page run here, in the background (Django tasks, database backend).

Every step the worker reports is also its heartbeat (`ImportJob.updated_at`); each report is a
conditional update on the job still running, so a job taken as lost (jobs.import_jobs_tidy) stops
at its next report instead of racing the run that replaces it.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from django.utils import timezone

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2: the backport
    from django_tasks import task

from leadledger.engine.errors import DomainError

from .models import ImportJob
from .services import ImportResult, register_import, visible_nul

logger = logging.getLogger(__name__)
Status = ImportJob.Status
REJECTED_SHOWN = 50  # rejected rows shown on the job's page; the CSV has them all
SHOWN_CELL = 40

# Said when the import failed for a reason of ours, not the file's: the traceback goes to the log.
_UNEXPECTED = (
    "导入意外中止，已记录错误供管理员排查；已保存的行不会重复导入，可以稍后重新导入同一文件",
    "the import stopped unexpectedly; the error is logged for the administrator. Rows already saved are"
    " not imported twice: the same file can be imported again later",
)


class _Abandoned(Exception):
    """The job is no longer running as far as the page is concerned: taken as lost, or cancelled."""


def _report(job_id: int, **fields: Any) -> None:
    """Record progress and beat; stop if the job was taken as lost meanwhile."""
    running = ImportJob.objects.filter(pk=job_id, status__in=(Status.READING, Status.SAVING))
    if not running.update(updated_at=timezone.now(), **fields):
        raise _Abandoned


def _failed(job_id: int, message: str) -> None:
    # The file is kept: a failed job can be run again (jobs.import_job_again).
    ImportJob.objects.filter(pk=job_id, status__in=(Status.QUEUED, Status.READING, Status.SAVING)).update(
        status=Status.FAILED, error=visible_nul(message), finished_at=timezone.now(), updated_at=timezone.now()
    )


def _cut(cell: str) -> str:
    return visible_nul(cell if len(cell) <= SHOWN_CELL else cell[:SHOWN_CELL] + "…")


def rejected_first(result: ImportResult) -> dict[str, Any]:
    """The first rejected rows, with their reasons in both languages, for the job's page."""
    rows = sorted(result.rejected, key=lambda r: r.line)[:REJECTED_SHOWN]
    width = len(result.header)

    def cells(raw: tuple[str, ...]) -> list[str]:  # as wide as the header: a row's empty cells at its end too
        return [_cut(c) for c in raw] + [""] * (width - len(raw))

    return {
        "header": [_cut(h) for h in result.header],
        "rows": [{"line": r.line, "zh": visible_nul(r.zh), "en": visible_nul(r.en), "raw": cells(r.raw)} for r in rows],
    }


@task()
def import_job_run(job_id: int, lang: str = "zh") -> None:
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(status=Status.READING, updated_at=now):
        return  # cancelled, or already taken
    job = ImportJob.objects.get(pk=job_id)

    def progress(done: int, total: int) -> None:
        _report(job_id, checked=done, total=total)

    def saving() -> None:
        _report(job_id, status=Status.SAVING)

    def saved(done: int, total: int) -> None:  # after each batch's own transaction
        _report(job_id, imported=done)

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
                beat=lambda: _report(job_id),
            )
        except _Abandoned:
            logger.warning("import job %s was taken as lost while running; stopped", job_id)
            return
        except DomainError as error:  # the file's fault, said in the user's language
            _failed(job_id, error.message(lang))
            return
        except Exception:  # never leave the page saying "checking rows" for ever
            logger.exception("import job %s failed", job_id)
            _failed(job_id, _UNEXPECTED[0] if lang == "zh" else _UNEXPECTED[1])
            return
    ImportJob.objects.filter(pk=job_id, status__in=(Status.READING, Status.SAVING)).update(
        status=Status.DONE,
        imported=result.imported,
        skipped=result.skipped,
        rejected=len(result.rejected),
        report=result.report_csv(lang) if result.rejected else "",
        rejected_first=rejected_first(result) if result.rejected else None,
        content=b"",  # done: the file is not kept
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
