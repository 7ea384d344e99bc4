"""django-tasks in the admin, in the manager's language: the database backend ships its app name as a plain
string and its words without Chinese. Django looks a word up in every catalogue, ours included, so the
words are listed here for makemessages to keep; the app's name is given by web.apps.BackgroundTasksConfig.
Registered from ledger/admin.py, which the admin imports after the backend's own admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tasks_db.models import DBTaskResult

# The backend's own words (django_tasks_db.models, django_tasks' TaskResultStatus), kept in our catalogue.
WORDS = (
    _("Task Result"),
    _("Task Results"),
    _("status"),
    _("enqueued at"),
    _("started at"),
    _("finished at"),
    _("args kwargs"),
    _("priority"),
    _("task path"),
    _("worker id"),
    _("queue name"),
    _("backend name"),
    _("run after"),
    _("return value"),
    _("exception class path"),
    _("traceback"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)

# Django 6.1's blank choice in a select (fields.BLANK_CHOICE_LABEL), new and not yet in its Chinese catalogue.
DJANGO_WORDS = (_("- Select an option -"),)


class TaskResultAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The backend's read-only list, its computed columns named in the manager's language."""

    list_display = ("id", "task", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue_name")
    list_filter = ("status", "priority", "queue_name")
    ordering = ("-enqueued_at",)

    @admin.display(description=_("task"))
    def task(self, obj: DBTaskResult) -> str:
        return obj.task_name

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


def register() -> None:
    """Replace the backend's admin (registered when its admin module is imported) with ours."""
    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)
    admin.site.register(DBTaskResult, TaskResultAdmin)
