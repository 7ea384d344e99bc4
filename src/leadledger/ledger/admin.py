"""Set-up through Django's admin, for managers only; events are shown, never edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from leadledger.engine import mask_phone

from . import models

admin.site.site_header = "LeadLedger 客户归属"


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "time_zone")


@admin.register(models.Staff)
class StaffAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "role", "project")
    list_filter = ("role", "project")


@admin.register(models.Customer)
class CustomerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "masked_phone", "project")
    search_fields = ("name",)
    exclude = ("phone", "id_number")  # shown masked; a full view is an explicit, logged action (to come)

    @admin.display(description="电话")
    def masked_phone(self, customer: models.Customer) -> str:
        return mask_phone(customer.phone) if customer.phone and "*" not in customer.phone else customer.phone or ""


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("seq", "kind", "at", "customer", "project")
    list_filter = ("kind", "project")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
