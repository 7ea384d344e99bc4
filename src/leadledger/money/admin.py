from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from leadledger.engine import money as rules

from . import models


class PlanForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = models.CommissionPlan
        fields = ("project", "plan")

    def clean_plan(self) -> Any:
        try:  # the engine reads the plan; the admin stores only what it can read (C-7)
            return rules.plan_data(rules.plan_from(self.cleaned_data["plan"]))
        except rules.PlanError as error:
            raise ValidationError(f"{error.field}: {error.message(get_language() or 'zh')}") from error


@admin.register(models.CommissionPlan)
class CommissionPlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PlanForm
    list_display = ("project", "changed_at")


@admin.register(models.MoneyLine)
class MoneyLineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("project", "seq", "source", "account", "kind", "amount", "at")
    list_filter = ("kind",)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # insert-only: a correction is a reversing line

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(models.Penalty)
class PenaltyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("staff", "rule", "fine", "points", "days", "manager", "at")

    def has_add_permission(self, request: Any) -> bool:
        return False  # recorded through services.record_penalty, which posts the lines

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(models.Payment)
class PaymentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("deal_number", "amount", "received_on", "stage")

    @admin.display(description=_("Deal"))
    def deal_number(self, payment: models.Payment) -> int:
        return payment.deal.seq

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
