from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "leadledger.sales"
    label = "sales"
    verbose_name = "Sales control"
    default_auto_field = "django.db.models.BigAutoField"
