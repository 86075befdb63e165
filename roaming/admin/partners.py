"""Roaming in the admin: partners per operator (operator admins manage them), and the
push log, read-only, as Beckn's callbacks are.

A registration token is shown once, in the message after it is made; a partner's own
token is typed once into the form and never shown again (it is kept sealed).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from cpo_portal import tenancy
from cpo_portal.tenant_admin import TenantAdmin, TenantInline
from roaming.models import Partner, Push, PushAttempt, PushState
from roaming.services import credentials, parties
from roaming.services.credentials import RegistrationError


class PartnerForm(forms.ModelForm):
    their_token = forms.CharField(
        label="token they gave us",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="To register with them: the token (A) and the versions URL they gave us. "
        "Kept sealed, never shown again.",
    )

    class Meta:
        model = Partner
        fields = ["operator", "name", "role", "versions_url", "country_code", "party_id"]

    def clean_their_token(self) -> str:
        token = self.cleaned_data["their_token"]
        if token:
            try:
                credentials.set_their_token(self.instance, token)
            except RegistrationError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return token


class ReadOnlyRows:
    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        # every field read-only; the stubs give ModelAdmin.model no _meta
        return [f.name for f in self.model._meta.fields]  # type: ignore[attr-defined]


@admin.register(Partner)
class PartnerAdmin(TenantAdmin):
    form = PartnerForm
    list_display = ["name", "operator", "role", "country_code", "party_id", "state", "version"]
    list_filter = ["operator", "state", "role"]
    search_fields = ["name", "party_id", "business_name"]
    readonly_fields = ["state", "version", "business_name", "registered_at", "endpoints_list"]
    actions = ["register_with_partner", "new_registration_token", "unregister", "export_csv"]

    def get_fields(self, request, obj=None):
        # The partner's token is typed when the partner is added (a new one later goes
        # through `manage.py ocpi_partner register --token`); history pages show no form
        # field that is not on the model.
        fields = [f for f in super().get_fields(request, obj) if f != "their_token"]
        return [*fields, "their_token"] if obj is None else fields

    @admin.display(description="their endpoints")
    def endpoints_list(self, obj: Partner) -> str:
        return ", ".join(f"{e['identifier']} ({e['role']})" for e in obj.endpoints or ()) or "-"

    def save_model(self, request, obj: Partner, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            token = credentials.issue_registration_token(obj)
            self.message_user(
                request,
                f"Registration token for {obj.name} (shown only now): {token} . With our "
                f"versions URL {parties.versions_url()} the partner can register with us.",
                messages.WARNING,
            )

    def _each(self, request, queryset, act, done: str) -> None:
        """`act` on each partner, one message per partner: `done`, or why not."""
        for partner in queryset:
            try:
                act(partner)
            except (RegistrationError, ValueError) as exc:
                self.message_user(request, f"{partner.name}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{partner.name}: {done}.")

    @admin.action(
        description="Register with the partner (send our credentials)", permissions=["change"]
    )
    def register_with_partner(self, request, queryset) -> None:
        self._each(request, queryset, credentials.register_with, "registered")

    @admin.action(description="Issue a new registration token (token A)", permissions=["change"])
    def new_registration_token(self, request, queryset) -> None:
        for partner in queryset:
            token = credentials.issue_registration_token(partner)
            self.message_user(
                request, f"{partner.name}: new token (shown only now): {token}", messages.WARNING
            )

    @admin.action(
        description="Unregister (delete our credentials at the partner)", permissions=["change"]
    )
    def unregister(self, request, queryset) -> None:
        self._each(request, queryset, credentials.unregister_from, "unregistered")


class PushAttemptInline(ReadOnlyRows, TenantInline):
    model = PushAttempt
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.NOBODY
    can_delete = False
    fields = ["number", "started_at", "method", "status_code", "ocpi_status", "outcome", "error"]


@admin.register(Push)
class PushAdmin(ReadOnlyRows, TenantAdmin):
    list_display = ["created_at", "partner", "module", "object_id", "state", "attempts"]
    list_filter = ["module", "state"]
    search_fields = ["object_id", "partner__name"]
    date_hierarchy = "created_at"
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.NETWORK_EDITORS  # only for "send again"
    inlines = [PushAttemptInline]
    actions = ["send_again", "export_csv"]

    @admin.action(description="Send again now", permissions=["change"])
    def send_again(self, request, queryset) -> None:
        from roaming.tasks import send_due

        rows = queryset.exclude(state=PushState.SENDING)
        partners = sorted(set(rows.values_list("partner_id", flat=True)))
        sent = 0
        with transaction.atomic():
            for push in rows:
                # A pending row of the same object already waits: that one goes.
                if not Push.objects.filter(
                    partner_id=push.partner_id, module=push.module,
                    object_id=push.object_id, state=PushState.PENDING,
                ).exclude(pk=push.pk).exists():  # fmt: skip
                    Push.objects.filter(pk=push.pk).update(
                        state=PushState.PENDING, next_attempt_at=timezone.now(), attempts=0
                    )
                    sent += 1
            for partner_id in partners:
                transaction.on_commit(partial(send_due.delay, partner_id))
        self.message_user(request, f"{sent} push(es) queued.")


@admin.register(PushAttempt)
class PushAttemptAdmin(ReadOnlyRows, TenantAdmin):
    list_display = ["started_at", "push", "number", "method", "status_code", "outcome"]
    list_filter = ["outcome", "method"]
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.NOBODY

    def get_readonly_fields(self, request, obj=None) -> Any:
        return [f.name for f in self.model._meta.fields]
