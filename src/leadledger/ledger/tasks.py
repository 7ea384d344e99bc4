"""Policy work started by a change or from the management page runs here, in the background (Django tasks)."""

from __future__ import annotations

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2: the backport
    from django_tasks import task

from . import policy_jobs


@task()
def policy_job_run(job_id: int) -> None:
    policy_jobs.policy_job_run(job_id)
