from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MoneyConfig(AppConfig):
    name = "leadledger.money"
    verbose_name = _("Commission and penalties")
    default_auto_field = "django.db.models.BigAutoField"
