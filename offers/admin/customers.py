"""Customers (hashed keys only) with CSV import, and credit accounts (family plans)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from cpo_portal import tenancy
from cpo_portal.admin.file_uploads import OperatorFileForm
from cpo_portal.admin.tenant import ReadOnlyTenantAdmin, TenantAdmin
from cpo_portal.models import Operator
from offers.customer_keys import ContactError, customer_key
from offers.models import CreditAccount, Customer, CustomerImport
from offers.services.customer_import import text_of
from offers.services.customer_import_jobs import queue_import
from offers.tasks import run_customer_import


class ImportForm(OperatorFileForm):
    max_megabytes = 20

    file = forms.FileField(
        help_text="CSV with a header row: phone and/or email, segment, tier, member, referred, "
        "joined_on. Contacts are hashed; nothing raw is kept."
    )

    def clean_file(self):
        upload = super().clean_file()
        try:
            text_of(upload.read())
        except ValueError as exc:
            raise forms.ValidationError(f"{str(exc)[0].upper()}{str(exc)[1:]}.") from None
        upload.seek(0)
        return upload


@admin.register(Customer)
class CustomerAdmin(TenantAdmin):
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS
    list_display = [
        "short_key",
        "segment",
        "tier",
        "member",
        "referred",
        "joined_on",
        "first_session_done",
        "operator",
    ]
    list_filter = ["operator", "segment", "tier", "member", "referred", "first_session_done"]
    search_fields = ["key", "segment", "tier"]
    readonly_fields = ["created_at"]
    change_list_template = "admin/offers/customer/change_list.html"

    @admin.display(description="customer key", ordering="key")
    def short_key(self, obj: Customer) -> str:
        return f"{obj.key[:12]}…"

    def get_search_results(self, request, queryset, search_term):
        """A phone number or e-mail typed in the search box is hashed and looked up."""
        term = search_term.strip()
        if term and ("@" in term or sum(c.isdigit() for c in term) >= 8):
            try:
                key = customer_key(email=term) if "@" in term else customer_key(phone=term)
            except ContactError:
                pass
            else:
                return queryset.filter(key=key), False
        return super().get_search_results(request, queryset, search_term)

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="offers_customer_import"), *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        operators = tenancy.scope(Operator.objects.all(), request.user, self.edit_roles)
        form = ImportForm(request.POST or None, request.FILES or None, operators=operators)
        if request.method == "POST" and form.is_valid():
            job = queue_import(
                form.cleaned_data["operator"],
                form.cleaned_data["file"],
                run_customer_import.delay,
                request.user,
            )
            self.message_user(
                request,
                f"{job.file_name} is queued for import; this page shows its progress.",
                messages.SUCCESS,
            )
            return redirect("admin:offers_customerimport_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import customers from CSV",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/offers/customer/import.html", context)


@admin.register(CustomerImport)
class CustomerImportAdmin(ReadOnlyTenantAdmin):
    """Customer CSV imports and their progress: read-only, started from the customer list's
    "Import" page; the page of a running import refreshes itself."""

    view_roles = tenancy.PRICING_EDITORS
    list_display = ["file_name", "status", "progress", "created_by", "created_at", "operator"]
    list_filter = ["operator", "status"]
    fields = readonly_fields = (
        "operator", "file_name", "status", "progress", "total_lines", "created", "updated",
        "skipped", "error_list", "created_by", "created_at", "started_at", "finished_at",
    )  # fmt: skip
    actions = None
    change_form_template = "admin/offers/customerimport/change_form.html"

    @admin.display(description="progress")
    def progress(self, obj: CustomerImport) -> str:
        return obj.progress_text

    @admin.display(description="rows skipped")
    def error_list(self, obj: CustomerImport) -> str:
        return "\n".join(obj.errors) or "-"


@admin.register(CreditAccount)
class CreditAccountAdmin(TenantAdmin):
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS
    list_display = [
        "name",
        "plan",
        "kind",
        "balance_amount",
        "balance_kwh",
        "monthly_kwh",
        "period_start",
        "operator",
    ]
    list_filter = ["operator", "plan", "kind"]
    search_fields = ["name", "plan"]
    autocomplete_fields = ["members"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        foreign = form.instance.members.exclude(operator_id=form.instance.operator_id)
        if foreign.exists():  # only reachable by a user of both operators: keep it clean
            form.instance.members.remove(*foreign)
            self.message_user(request, "Members of other operators were removed.", messages.WARNING)
