"""Set-up through Django's admin, for managers only; events are shown, never edited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from leadledger import engine
from leadledger.engine import Phone
from leadledger.web import tasks_admin

from . import models, services
from .convert import policy_of

admin.site.site_header = _("LeadLedger · Customer ownership")
admin.site.site_title = _("LeadLedger administration")
# Django's forms end a label with _(":"), which its Chinese catalogue leaves ASCII; ours says "：".
# Marked here so that makemessages keeps the entry.
LABEL_SUFFIX = _(":")
tasks_admin.register()  # django-tasks' results, in the manager's language


class ProjectForm(forms.ModelForm):  # type: ignore[type-arg]
    def clean_policy(self) -> Any:
        from leadledger.web.speech import said  # the refusal in the manager's language

        policy = self.cleaned_data["policy"] or {}
        try:
            engine.policy_from({**policy, "time_zone": self.cleaned_data.get("time_zone") or "Asia/Shanghai"})
        except engine.EngineError as error:
            raise forms.ValidationError(said(error)) from None
        return policy


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ProjectForm
    list_display = ("code", "name", "time_zone")

    def save_model(self, request: HttpRequest, obj: models.Project, form: Any, change: bool) -> None:
        # A policy change (the time zone is part of the policy) goes through the one service that
        # keeps the history and re-judges every verdict; the form never writes the policy itself.
        policy = obj.policy or {}
        if change:
            obj.policy = models.Project.objects.values_list("policy", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        if not change or {"policy", "time_zone"} & set(form.changed_data):
            services.policy_set(project=obj, policy=policy, user=request.user)


@admin.register(models.Staff)
class StaffAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "role", "project")
    list_filter = ("role", "project")


@admin.register(models.Customer)
class CustomerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "masked_phone", "project")
    list_select_related = ("project",)
    search_fields = ("name",)
    exclude = ("phone", "id_number")  # shown masked; a full view is an explicit, logged action (to come)

    @admin.display(description=_("phone"))
    def masked_phone(self, customer: models.Customer) -> str:
        mode = policy_of(customer.project).report_phone_mode
        return Phone.of(customer.phone).masked(mode) if customer.phone else ""


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("seq", "kind_shown", "at", "customer", "project")
    list_filter = ("kind", "project")

    @admin.display(description=_("event type"), ordering="kind")
    def kind_shown(self, event: models.Event) -> str:
        from leadledger.web.templatetags.web import event_label

        return event_label(event.kind)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class AgentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.Agent
    fields = ("name", "phone", "user", "admin")
    extra = 0


@admin.register(models.Distributor)
class DistributorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    # `active` is read-only here: switching a company off or on takes a reason and is recorded, on the
    # channel team's distributor page (channel/distributors.py, decision 480).
    list_display = ("name", "project", "active")
    list_filter = ("project", "active")
    readonly_fields = ("active",)
    search_fields = ("name",)
    inlines = [AgentInline]


@admin.register(models.Agent)
class AgentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    # `active` is read-only, as the company's is: switching an agent off or on takes a reason and is recorded
    # (channel/distributors.py, decision 511).
    list_display = ("name", "distributor", "admin", "active", "phone", "user", "project")
    list_filter = ("project", "distributor", "active")
    readonly_fields = ("active",)
    search_fields = ("name", "phone")
    raw_id_fields = ("user",)


@admin.register(models.SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every sign-in attempt, failed ones included (issue 13): read-only, like the events."""

    list_display = ("at", "username", "address", "outcome")
    list_filter = ("outcome",)
    search_fields = ("username", "address")
    date_hierarchy = "at"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
