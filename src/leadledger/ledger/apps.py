from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "leadledger.ledger"
    label = "ledger"
    verbose_name = "Ledger"
