"""An import job whose worker dies mid-way: seen as lost by its heartbeat, failed with what it stored, run again.

The worker's death is made by the test (an exception no handler catches, as kill -9 leaves nothing
to catch): the job stays "saving" with two batches committed, exactly as a killed worker leaves it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from leadledger.imports import jobs, tasks
from leadledger.imports.models import ImportedRow, ImportJob
from leadledger.ledger import models
from leadledger.ledger.verify import verify
from office import Office

ROWS = 25


def _register() -> bytes:
    lines = ["日期,客户姓名,电话,置业顾问"]
    lines += [f"2026-03-01 {8 + n // 60:02d}:{n % 60:02d},客户{n},139{n:08d},王芳" for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


class _Killed(BaseException):
    """The worker's process gone: no except clause of the task runs."""


@pytest.fixture
def small_batches(settings: Any) -> None:
    settings.LEADLEDGER_IMPORT_BATCH = 10
    settings.LEADLEDGER_IMPORT_PAUSE_MS = 0
    settings.LEADLEDGER_IMPORT_STALE_SECONDS = 300


def _queued(office: Office) -> ImportJob:
    job = jobs.import_job_upload(project=office.project, user=office.zhao.user, name="来访.csv", content=_register())
    assert jobs.import_job_confirm(job=job)
    return job


def _killed_after_two_batches(job: ImportJob, monkeypatch: pytest.MonkeyPatch) -> None:
    reported = tasks._report

    def dying(job_id: int, **fields: Any) -> None:
        reported(job_id, **fields)
        if fields.get("imported") == 20:
            raise _Killed

    monkeypatch.setattr(tasks, "_report", dying)
    with pytest.raises(_Killed):
        tasks.import_job_run.call(job.pk, "zh")
    monkeypatch.setattr(tasks, "_report", reported)


def test_a_job_whose_worker_died_is_failed_once_its_heartbeat_is_old_saying_what_was_stored(
    office: Office, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _queued(office)
    _killed_after_two_batches(job, monkeypatch)
    job.refresh_from_db()
    assert (job.status, job.imported) == ("saving", 20)
    assert ImportedRow.objects.count() == 20  # two batches of ten committed, the third never began
    # Within the limit the job is still taken as running: a slow worker is not a dead one.
    assert jobs.import_jobs_tidy(project=office.project, lang="zh", now=timezone.now() + timedelta(seconds=299)) == 0
    later = job.updated_at + timedelta(seconds=301)
    assert jobs.import_jobs_tidy(project=office.project, lang="zh", now=later) == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at == later
    assert job.error == (
        "导入中断：5 分钟没有进展，处理导入的后台进程可能已停止。已保存 20 行（每 10 行一批，已完成的批次都已保存），"
        "其余的行没有导入。点击“重新导入”继续：已保存的行不会重复导入。"
    )
    assert bytes(job.content) == _register()  # kept, to run again


def test_a_lost_job_run_again_stores_the_rest_and_nothing_twice(
    office: Office, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _queued(office)
    _killed_after_two_batches(job, monkeypatch)
    jobs.import_jobs_tidy(project=office.project, lang="en", now=timezone.now() + timedelta(minutes=6))
    again = jobs.import_job_again(job=ImportJob.objects.get(pk=job.pk), user=office.zhao.user)
    assert again is not None and again.again_of_id == job.pk and again.status == "queued"
    assert jobs.import_job_again(job=job, user=office.zhao.user) is None  # the file went to the new job
    tasks.import_job_run.call(again.pk, "en")
    again.refresh_from_db()
    assert (again.status, again.imported, again.skipped, again.rejected) == ("done", 5, 20, 0)
    assert models.Event.objects.filter(project=office.project).count() == ROWS
    assert models.Customer.objects.filter(project=office.project, name__startswith="客户").count() == ROWS
    assert ImportedRow.objects.count() == ROWS
    problems: list[str] = []
    verify(office.project, lambda p: problems.append(p.en))
    assert problems == []


def test_a_worker_taken_as_lost_that_was_only_slow_stops_at_its_next_heartbeat(
    office: Office, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _queued(office)
    reported = tasks._report

    def slow(job_id: int, **fields: Any) -> None:
        if fields.get("imported") == 20:  # after the first batch was reported, the page gave up on it
            jobs.import_jobs_tidy(project=office.project, lang="en", now=timezone.now() + timedelta(hours=1))
        reported(job_id, **fields)

    monkeypatch.setattr(tasks, "_report", slow)
    tasks.import_job_run.call(job.pk, "en")
    job.refresh_from_db()
    assert job.status == "failed" and "10 rows were saved" in job.error
    # It stopped at the report of the batch it was writing when failed: no batch begun after that.
    assert ImportedRow.objects.count() == 20


def test_two_runs_of_one_file_at_once_never_store_a_row_twice(office: Office, small_batches: None) -> None:
    from pathlib import Path

    from leadledger.imports.services import register_import

    path = Path(office.project.code + ".csv")
    try:
        path.write_bytes(_register())
        # The second run starts while the first has only checked its rows (its keys read before any
        # were stored): it meets the first run's rows in each batch, under the project's lock.
        inner: list[Any] = []

        def second_run() -> None:
            if not inner:
                inner.append(register_import(project=office.project, path=path, actor=None))

        first = register_import(project=office.project, path=path, actor=None, saving=second_run)
    finally:
        path.unlink()
    assert inner[0].imported == ROWS and first.imported == 0 and first.skipped == ROWS
    assert models.Event.objects.filter(project=office.project).count() == ROWS


def test_an_unconfirmed_preview_is_dropped_with_its_file_after_a_day(office: Office) -> None:
    job = jobs.import_job_upload(project=office.project, user=office.zhao.user, name="来访.csv", content=_register())
    jobs.import_jobs_tidy(project=office.project, lang="zh", now=timezone.now() + timedelta(hours=23))
    assert ImportJob.objects.get(pk=job.pk).status == "preview"
    jobs.import_jobs_tidy(project=office.project, lang="zh", now=timezone.now() + timedelta(hours=25))
    job.refresh_from_db()
    assert job.status == "cancelled" and bytes(job.content) == b""
