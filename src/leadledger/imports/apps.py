from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "leadledger.imports"
    default_auto_field = "django.db.models.BigAutoField"
