from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class WebConfig(AppConfig):
    name = "leadledger.web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from leadledger import checks  # noqa: F401  (registers the deployment checks)
        from leadledger.web import language  # noqa: F401  (the person's language at sign-in)


class BackgroundTasksConfig(TasksAppConfig):
    """django_tasks_db under its own label, named in the manager's language (its admin: web.tasks_admin)."""

    verbose_name = _("Background tasks")
