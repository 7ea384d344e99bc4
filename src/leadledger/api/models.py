"""API tokens and webhooks: who may call /api/v1 for which agent or distributor, and where changes are sent.

A token is shown once, when it is made, and stored only as its SHA-256 digest: it is 256 random bits, so
a fast digest is enough (a password needs a slow one because people choose guessable ones). Who made
and who revoked each token, and when, stays on its row; rows are never deleted (the admin cannot).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leadledger.ledger import models as ledger


class Token(models.Model):
    """A per-agent or per-integration (a distributor's own system) bearer token, within one project."""

    project = models.ForeignKey(ledger.Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project"))
    # Exactly one of the three: an agent's token acts as that agent; an integration's for any of its agents;
    # a staff member's reads what their capabilities let their pages show (deals, statements: issue 16).
    agent = models.ForeignKey(
        ledger.Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("agent")
    )
    distributor = models.ForeignKey(
        ledger.Distributor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("distributor (integration)"),
    )
    staff = models.ForeignKey(
        ledger.Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    # Who the ledger and the lookup log name as acting: the agent's sign-in, or the integration's own user.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True, default="")
    prefix = models.CharField(_("token begins"), max_length=12, editable=False)  # to tell tokens apart, not secret
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(agent__isnull=False, distributor__isnull=True, staff__isnull=True)
                | Q(agent__isnull=True, distributor__isnull=False, staff__isnull=True)
                | Q(agent__isnull=True, distributor__isnull=True, staff__isnull=False),
                name="api_token_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.label}".strip()


class Webhook(models.Model):
    """A distributor's address for status changes of its agents' registrations, and the secret it signs with."""

    project = models.ForeignKey(ledger.Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project"))
    distributor = models.ForeignKey(
        ledger.Distributor, on_delete=models.PROTECT, related_name="+", verbose_name=_("distributor")
    )
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(max_length=64, editable=False)  # shown to the distributor once, like a token
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")


class Notified(models.Model):
    """The last status a webhook was told of one registration: a change is a word different from this."""

    webhook = models.ForeignKey(Webhook, on_delete=models.PROTECT, related_name="+")
    registration_seq = models.PositiveBigIntegerField()  # the registration event's number
    word = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["webhook", "registration_seq"], name="api_notified_once_per_registration")
        ]


class Delivery(models.Model):
    """One status change to send, and its attempts until the receiver answers 2xx or we give up."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.PROTECT, related_name="deliveries")
    registration_seq = models.PositiveBigIntegerField()
    payload = models.TextField()  # the exact bytes signed and sent, as text (UTF-8 JSON)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")


class Attempt(models.Model):
    """One POST of a delivery: when, what the receiver answered (or why it could not be reached)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="tries")
    at = models.DateTimeField()
    status = models.PositiveIntegerField(null=True)  # the receiver's HTTP status; None when unreachable
    error = models.CharField(max_length=200, blank=True, default="")
