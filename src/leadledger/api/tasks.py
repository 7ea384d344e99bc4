"""Webhook deliveries run here, in the background (Django tasks, database backend)."""

from __future__ import annotations

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2: the backport
    from django_tasks import task

from . import webhooks


@task()
def delivery_send(delivery_id: int) -> None:
    webhooks.delivery_attempt(delivery_id)


@task()
def changes_send(project_id: int) -> None:
    from leadledger.ledger.models import Project

    project = Project.objects.filter(pk=project_id).first()
    if project is not None:
        webhooks.changes_find(project)
