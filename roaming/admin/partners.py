"""Roaming in the admin: partners per operator (operator admins manage them), and the
push log, read-only, as Beckn's callbacks are.

A partner's page lists what to send them (our versions URL, our party, the token), each
with a copy button (static/cpo_portal/js/portal.js), and issues a new registration token
from the page. A registration token is shown once, in the message after it is made; a
partner's own token is typed once into the form and never shown again (it is kept
sealed). What the handshake fills (their role, party and versions URL) is read-only once
the partner registered. A registered partner's page also ends the registration on our
side only (*Unregister here only*), for a partner whose server cannot be told.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from cpo_portal import tenancy
from cpo_portal.admin.tenant import ReadOnlyRows, TenantAdmin, TenantInline
from cpo_portal.formatting import url_inputs
from roaming.models import Partner, PartnerState, Push, PushAttempt, PushState
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
        formfield_callback = url_inputs.model_formfield

    def clean_their_token(self) -> str:
        token = self.cleaned_data["their_token"]
        if token:
            try:
                credentials.set_their_token(self.instance, token)
            except RegistrationError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return token


def copy_button(text: str) -> str:
    return format_html(
        '<button type="button" class="button portal-copy" data-copy="{}">Copy</button>', text
    )


@admin.register(Partner)
class PartnerAdmin(TenantAdmin):
    form = PartnerForm
    list_display = ["name", "operator", "role", "country_code", "party_id", "state", "version"]
    list_filter = ["operator", "state", "role"]
    search_fields = ["name", "party_id", "business_name"]
    readonly_fields = ["state", "version", "business_name", "registered_at", "endpoints_list"]
    actions = ["register_with_partner", "new_registration_token", "unregister", "export_csv"]
    export_exclude = ("inbound_token_hash", "outbound_token")  # shown nowhere, kept sealed
    HANDSHAKE_FILLS = ["role", "country_code", "party_id", "versions_url"]

    def get_fields(self, request, obj=None):
        # The partner's token is typed when the partner is added (a new one later goes
        # through `manage.py ocpi_partner register --token`); history pages show no form
        # field that is not on the model. What to send them leads an existing partner's page.
        fields = [f for f in super().get_fields(request, obj) if f != "their_token"]
        if obj is None:
            return [*fields, "their_token"]
        lead = {"what_to_send", "what_they_need"}
        return [*(f for f in fields if f in lead), *(f for f in fields if f not in lead)]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return fields
        may_issue = self.has_change_permission(request, obj) and (
            credentials.takes_registration_token(obj)
        )
        fields.append("what_to_send" if may_issue else "what_they_need")  # no refused button
        if obj.state == PartnerState.REGISTERED and self.has_change_permission(request, obj):
            fields.append("end_here")
        if obj.state != PartnerState.PENDING:
            fields += self.HANDSHAKE_FILLS  # the partner's own credentials say these
        return fields

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:pk>/new-token/", self.admin_site.admin_view(self.new_token_view),
                 name=f"{prefix}_new_token"),
            path("<int:pk>/unregister-here/", self.admin_site.admin_view(self.end_here_view),
                 name=f"{prefix}_unregister_here"),
            *super().get_urls(),
        ]  # fmt: skip

    @admin.display(description="what to send them")
    def what_they_need(self, obj: Partner, new_token: str = "") -> str:
        rows = [
            ("Our versions URL", parties.versions_url()),
            ("Our country code", parties.country_code()),
            ("Our party id", parties.party_id(obj.operator)),
            ("Our role", "CPO"),
        ]
        table = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td><code>{}</code></td><td>{}</td></tr>',
            ((label, value, copy_button(value)) for label, value in rows),
        )
        return format_html(
            '<table class="what-to-send">{}<tr><th scope="row">Registration '
            "token (A)</th><td>Shown once, when it is made; we keep only its hash.</td>"
            "<td>{}</td></tr></table>",
            table,
            new_token,
        )

    @admin.display(description="what to send them")
    def what_to_send(self, obj: Partner) -> str:
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_new_token",
                      args=[obj.pk])  # fmt: skip
        return self.what_they_need(obj, format_html(
            '<button type="submit" class="button" formaction="{}" formnovalidate>Issue a new '
            "token</button>", url,
        ))  # fmt: skip

    @admin.display(description="the partner cannot be told")
    def end_here(self, obj: Partner) -> str:
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_unregister_here",
                      args=[obj.pk])  # fmt: skip
        return format_html(
            '<a class="button" href="{}">Unregister here only…</a><div class="help">When its '
            "server cannot be reached or is gone: both tokens and its endpoints are "
            "forgotten here, the partner is not told (you confirm on the next page).</div>",
            url,
        )

    def new_token_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._on_partner(request, pk, self.show_new_token)

    def end_here_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A GET asks to confirm what cannot be undone; the POST of that page does it."""
        return self._on_partner(request, pk, self.unregister_here, confirm=self.confirm_end)

    def confirm_end(self, request: HttpRequest, partner: Partner) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"Unregister {partner.name} here only?",
            "opts": self.opts,
            "partner": partner,
            "registered": partner.state == PartnerState.REGISTERED,
            "back": self._page(partner),
        }
        return TemplateResponse(request, "admin/roaming/partner/unregister_here.html", context)

    def _on_partner(
        self,
        request: HttpRequest,
        pk: int,
        act: Callable[[HttpRequest, Partner], None],
        confirm: Callable[[HttpRequest, Partner], HttpResponse] | None = None,
    ) -> HttpResponse:
        """`act(request, partner)` on a POST by a user who may change the partner, then back
        to its page; a GET gets `confirm`'s page where there is one."""
        partner = get_object_or_404(self.get_queryset(request), pk=pk)  # the user's operators
        if not self.has_change_permission(request, partner):
            raise PermissionDenied
        if request.method == "GET" and confirm is not None:
            return confirm(request, partner)
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "POST"] if confirm else ["POST"])
        act(request, partner)
        return HttpResponseRedirect(self._page(partner))

    def _page(self, partner: Partner) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                       args=[partner.pk])  # fmt: skip

    def unregister_here(self, request: HttpRequest, partner: Partner) -> None:
        """The registration ended on our side only; the admin's log says the partner was
        not told."""
        try:
            credentials.unregister_here(partner)
        except RegistrationError as exc:
            self.message_user(request, f"{partner.name}: {exc}", messages.ERROR)
            return
        self.log_change(request, partner, "Unregistered here only; the partner was not told.")
        self.message_user(
            request,
            f"{partner.name}: unregistered here only. Its token no longer opens anything and "
            "its endpoints are forgotten; the partner was not told, so tell it yourself.",
            messages.WARNING,
        )

    def show_new_token(self, request: HttpRequest, partner: Partner) -> None:
        """A new token A for the partner, in a message with its copy button (shown once)."""
        try:
            token = credentials.issue_registration_token(partner)
        except RegistrationError as exc:
            self.message_user(request, f"{partner.name}: {exc}", messages.ERROR)
            return
        self.message_user(
            request,
            format_html(
                "New registration token for {} (shown only now): <code>{}</code> {} Send it "
                "with our versions URL <code>{}</code> {}",
                partner.name,
                token,
                copy_button(token),
                parties.versions_url(),
                copy_button(parties.versions_url()),
            ),
            messages.WARNING,
        )

    @admin.display(description="their endpoints")
    def endpoints_list(self, obj: Partner) -> str:
        return ", ".join(f"{e['identifier']} ({e['role']})" for e in obj.endpoints or ()) or "-"

    def save_model(self, request, obj: Partner, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            self.show_new_token(request, obj)

    def _each(self, request, queryset, act, done: str) -> None:
        """`act` on each partner, one message per partner: `done`, or why not."""
        for partner in queryset:
            try:
                act(partner)
            except credentials.PartnerNotTold as exc:
                self.message_user(request, format_html(
                    '{}: {}. To end the registration here anyway: <i>Unregister here only</i> '
                    'on <a href="{}">its page</a>.', partner.name, exc, self._page(partner),
                ), messages.ERROR)  # fmt: skip
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
            self.show_new_token(request, partner)

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
