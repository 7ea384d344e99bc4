from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    name = "leadledger.bench"
    verbose_name = _("Workbench")
    default_auto_field = "django.db.models.BigAutoField"
