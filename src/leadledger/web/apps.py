from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "leadledger.web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from leadledger import checks  # noqa: F401  (registers the deployment checks)
