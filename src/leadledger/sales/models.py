"""Buildings, units (房号) and the sales log: what sales control (销控) shows and how each unit got there.

A unit's status is materialised on the unit for the board; the truth of every change is the sales
log, insert-only and hash-chained per project (ledger/logchain.py, decision 240).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadledger.engine import units
from leadledger.ledger import models as ledger


class Building(models.Model):
    project = models.ForeignKey(ledger.Project, on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField(max_length=40, verbose_name=_("building"))

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="building_unique_name")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = units.AVAILABLE, _("Available")
        DEPOSIT = units.DEPOSIT, _("Deposit taken")
        SIGNED = units.SIGNED, _("Signed")
        RETURNED = units.RETURNED, _("Returned")

    project = models.ForeignKey(ledger.Project, on_delete=models.PROTECT, related_name="units")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    floor = models.IntegerField(verbose_name=_("floor"))
    number = models.CharField(max_length=20, verbose_name=_("unit number"))
    area = models.DecimalField(max_digits=8, decimal_places=2, verbose_name=_("area"))  # m²
    list_price = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("list price"))  # yuan
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AVAILABLE)
    # Who moved it last and when (the log says it all; these are for the board).
    staff = models.ForeignKey(ledger.Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)
    deal_seq = models.BigIntegerField(null=True, blank=True)  # the deal event of its current subscription

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="unit_unique_number")]
        indexes = [models.Index(fields=["project", "building", "floor"], name="unit_board")]

    def __str__(self) -> str:
        return f"{self.building.name}-{self.number}"


class SaleLog(models.Model):
    """One change of a unit: listed, deposit, signing, return, or the manager's acceptance or ruling of its deal.

    Insert-only and hash-chained per project (ledger/logchain.py SALES): written by `chained_append`.
    The money side reads it: a `return` row names the deal (`deal_seq`) whose lines it reverses.
    """

    class Kind(models.TextChoices):
        LISTED = "listed", _("Listed")
        DEPOSIT = units.TAKE_DEPOSIT, _("Deposit taken")
        SIGNING = units.SIGN, _("Signed")
        RETURN = units.RETURN, _("Returned")
        ACCEPTED = "accepted", _("Deal accepted")
        RULED = "ruled", _("Deal ruled otherwise")

    project = models.ForeignKey(ledger.Project, on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="log")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    staff = models.ForeignKey(ledger.Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    buyers = models.JSONField(default=list)  # customer ids as text, the deal's buyer first
    deal_seq = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField(default=timezone.now)
    seq = models.BigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("sales log entry")
        verbose_name_plural = _("sales log")
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="salelog_unique_seq")]
        indexes = [models.Index(fields=["project", "deal_seq"], name="salelog_deal")]
