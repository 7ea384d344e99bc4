"""Tokens and webhooks in the admin: made with the raw value shown once, revoked by an action, never deleted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import tokens, webhooks
from .models import Delivery, Token, Webhook


class TokenForm(forms.ModelForm):
    class Meta:
        model = Token
        fields = ("agent", "distributor", "staff", "label")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is None:
            agent = cleaned.get("agent")
            if [agent, cleaned.get("distributor"), cleaned.get("staff")].count(None) != 2:
                raise forms.ValidationError(_("Choose an agent, a distributor or a staff member, one of them."))
            if agent is not None and agent.user_id is None:
                self.add_error("agent", _("This agent has no sign-in: give them one first."))
            staff = cleaned.get("staff")
            if staff is not None and staff.user_id is None:
                self.add_error("staff", _("This staff member has no sign-in: give them one first."))
        return cleaned


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    form = TokenForm
    list_display = (
        "prefix",
        "label",
        "project",
        "agent",
        "distributor",
        "staff",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("project",)
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by")
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A token is made for one owner; afterwards only its label changes (revoking is an action).
        owner = ("project", "agent", "distributor", "staff") if obj is not None else ()
        return (*self.readonly_fields, *owner)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("agent", "distributor", "staff", "label")
        return ("project", "agent", "distributor", "staff", "label", *self.readonly_fields)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the row is the record of who made and revoked it

    def save_model(self, request: HttpRequest, obj: Token, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["label"])
            return
        made, raw = tokens.token_create(
            agent=obj.agent, distributor=obj.distributor, staff=obj.staff, label=obj.label, by=request.user
        )
        obj.pk, obj.project_id = made.pk, made.project_id
        messages.warning(request, _("The token, shown this once: %(token)s") % {"token": raw})

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Token]) -> None:
        done = sum(tokens.token_revoke(token=token, by=request.user) for token in queryset)
        messages.success(request, _("Tokens revoked: %(count)d") % {"count": done})


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("url", "project", "distributor", "active", "created_at")
    fields = ("distributor", "url", "active")
    has_delete_permission = TokenAdmin.has_delete_permission

    def save_model(self, request: HttpRequest, obj: Webhook, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["url", "active"])
            return
        made = webhooks.webhook_create(distributor=obj.distributor, url=obj.url, by=request.user)
        obj.pk, obj.project_id = made.pk, made.project_id
        messages.warning(
            request, _("The webhook's signing secret, shown this once: %(secret)s") % {"secret": made.secret}
        )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("webhook", "registration_seq", "state", "attempts", "next_at", "created_at")
    list_filter = ("state",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    has_delete_permission = TokenAdmin.has_delete_permission
