"""LeadLedger: who a customer belongs to, decided by rule and explained at the desk."""

__version__ = "0.1.0"
