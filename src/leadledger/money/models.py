"""The money of deals (C-7, IH-13, IH-14, section 6): plans, payments, penalties and the money lines.

Money lines are insert-only and hash-chained per project (ledger/logchain.py `MONEY_LINES`); they are
keyed to the ledger's events (a deal, a departure), never to a model of deals, so they can be checked
against the events they came from. A correction is a reversing line.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadledger.ledger.models import Event, Project, Staff

YUAN = {"max_digits": 14, "decimal_places": 2}


class CommissionPlan(models.Model):
    """A project's commission plan, as the engine reads it (engine/money.py `plan_from`)."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project"))
    plan = models.JSONField(_("commission plan"), default=dict)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("changed by")
    )

    class Meta:
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")

    def __str__(self) -> str:
        return str(self.project)


class DealMoney(models.Model):
    """What a deal event was priced at and how its credit was split when it was posted (derived, kept for
    the statements: performance is not money and has no lines)."""

    deal = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="+", verbose_name=_("Deal"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(_("price"), **YUAN)
    commission = models.DecimalField(_("commission"), **YUAN)
    performance = models.JSONField(_("performance"), default=dict)  # {"staff id": "share"}
    returned = models.BooleanField(_("returned"), default=False)

    class Meta:
        verbose_name = _("deal's money")
        verbose_name_plural = _("deals' money")


class Payment(models.Model):
    """A payment received for a deal; it may mark the settlement stage it belongs to (decision 253)."""

    class Stage(models.TextChoices):
        NONE = "", _("Instalment")
        DOWN_PAYMENT = "down_payment", _("Down payment")
        LOAN = "loan", _("Mortgage loan")
        HANDOVER = "handover", _("Handover")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    deal = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+", verbose_name=_("Deal"))
    amount = models.DecimalField(_("amount"), validators=[MinValueValidator(Decimal(0))], **YUAN)
    received_on = models.DateField(_("received on"))
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payment received")
        verbose_name_plural = _("payments received")


class Penalty(models.Model):
    """A fine, evaluation points and days of suspension (section 6), with the rule, the manager and the evidence."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("consultant"))
    rule = models.CharField(_("rule"), max_length=32)
    fine = models.DecimalField(_("fine"), default=Decimal(0), **YUAN)
    reward = models.DecimalField(_("reward"), default=Decimal(0), **YUAN)
    points = models.IntegerField(_("evaluation points"), default=0)
    days = models.PositiveSmallIntegerField(_("days suspended"), default=0)
    manager = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by"))
    evidence = models.TextField(_("evidence"))
    deal = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("penalty or reward")
        verbose_name_plural = _("penalties and rewards")


class MoneyLine(models.Model):
    """One line of a balanced posting (C-7): insert-only, hash-chained per project.

    `source` names the posting ("deal e12", "payment 3", "return e12", "penalty 4", "departure e30");
    the lines of one posting add up to zero. `account` is a staff id, "pool", "deal" or "company".
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(Event, null=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=40)
    account = models.CharField(max_length=40)
    kind = models.CharField(max_length=16)
    amount = models.DecimalField(**YUAN)
    note = models.CharField(max_length=200, blank=True, default="")
    at = models.DateTimeField(default=timezone.now)
    seq = models.BigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("money line")
        verbose_name_plural = _("money lines")
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="money_line_unique_seq")]
        indexes = [
            models.Index(fields=["project", "account", "at"], name="money_line_account"),
            models.Index(fields=["project", "event"], name="money_line_event"),
        ]
