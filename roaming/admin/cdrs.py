"""Received CDRs (read-only), CDR file imports with their progress, and the price audit:
sessions the operator's charging system billed at another price than our tariff's."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from cpo_portal import formatting, tenancy
from cpo_portal.admin.tenant import ReadOnlyRows, ReadOnlyTenantAdmin, TenantAdmin
from cpo_portal.models import Operator
from cpo_portal.web.exactjson import ExactJSONEncoder
from roaming.models import CdrImport, ReceivedCdr
from roaming.services import cdr_imports, price_audit

from .forms import AuditFilterForm, CdrUploadForm

DATA_SHOWN_CHARS = 20_000  # of a stored CDR's body on its admin page


@admin.register(ReceivedCdr)
class ReceivedCdrAdmin(ReadOnlyRows, TenantAdmin):
    list_display = [
        "cdr_id", "session_start", "station", "charger", "channel", "source", "energy_kwh",
        "charged", "tariff_price", "difference", "audit_cause", "operator",
    ]  # fmt: skip
    list_filter = ["operator", "channel", "source", "audit_cause"]
    search_fields = ["cdr_id", "station__code", "charger__code"]
    date_hierarchy = "session_start"
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.NOBODY
    actions = ["export_csv"]
    change_list_template = "admin/roaming/receivedcdr/change_list.html"

    @admin.display(description="charged (excl. VAT)", ordering="charged_excl_vat")
    def charged(self, obj: ReceivedCdr) -> str:
        return formatting.money_text(obj.charged_excl_vat, obj.currency)

    @admin.display(description="price by its tariff (excl. VAT)", ordering="audit_excl_vat")
    def tariff_price(self, obj: ReceivedCdr) -> str:
        if obj.audit_excl_vat is None:
            return obj.audit_note or "not audited yet"
        return formatting.money_text(obj.audit_excl_vat, obj.currency)

    @admin.display(description="difference (excl. VAT)")
    def difference(self, obj: ReceivedCdr) -> str:
        gap = obj.difference
        return "" if gap is None else formatting.money_text(gap, obj.currency)

    exclude = ["data"]  # shown bounded, as data_shown
    readonly_fields = ["data_shown"]

    @admin.display(description="the CDR as received")
    def data_shown(self, obj: ReceivedCdr) -> str:
        """The stored body, its numbers as the partner wrote them, at most DATA_SHOWN_CHARS
        of it: a page never renders more."""
        text = json.dumps(obj.data, indent=1, ensure_ascii=False, cls=ExactJSONEncoder)
        if len(text) <= DATA_SHOWN_CHARS:
            return text
        more = len(text) - DATA_SHOWN_CHARS
        return f"{text[:DATA_SHOWN_CHARS]}\n... and {more:,} more characters (not shown)"

    def get_urls(self):
        audit = self.admin_site.admin_view(self.audit_view)
        return [path("audit/", audit, name="roaming_receivedcdr_audit"), *super().get_urls()]

    def audit_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        operators = tenancy.scope(Operator.objects.order_by("name"), request.user,
                                  self.view_roles)  # fmt: skip
        form = AuditFilterForm(request.GET or None, operators=operators)
        cdrs = self.get_queryset(request)
        if form.is_valid():
            if form.cleaned_data["operator"]:
                cdrs = cdrs.filter(operator=form.cleaned_data["operator"])
            cdrs = price_audit.window(
                cdrs, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
            )
        elif form.is_bound:
            cdrs = cdrs.none()
        context = {
            **self.admin_site.each_context(request),
            "title": "Price audit: sessions billed at another price than their tariff",
            "opts": self.model._meta,
            "form": form,
            "audit": price_audit.audit(cdrs, request.GET.get("cause", "")),
            "causes": [(c, c.label) for c in price_audit.EXPLAINED],
        }
        return TemplateResponse(request, "admin/roaming/receivedcdr/audit.html", context)


@admin.register(CdrImport)
class CdrImportAdmin(ReadOnlyTenantAdmin):
    """CDR file imports and their progress: started from the upload page; the page of a
    running import refreshes itself."""

    view_roles = tenancy.PRICING_EDITORS
    edit_roles = tenancy.PRICING_EDITORS
    list_display = ["file_name", "status", "progress", "imported", "duplicates", "refused",
                    "created_by", "created_at", "operator"]  # fmt: skip
    list_filter = ["operator", "status"]
    fields = readonly_fields = (
        "operator", "file_name", "status", "progress", "imported", "duplicates", "refused",
        "message", "error_list", "created_by", "created_at", "finished_at",
    )  # fmt: skip
    actions = None
    change_list_template = "admin/roaming/cdrimport/change_list.html"
    change_form_template = "admin/roaming/cdrimport/change_form.html"

    @admin.display(description="progress")
    def progress(self, obj: CdrImport) -> str:
        done, total = cdr_imports.progress(obj)
        percent = f" ({done * 100 // total}%)" if total else ""
        return f"{done} of {total} CDRs{percent}"

    @admin.display(description="refused CDRs")
    def error_list(self, obj: CdrImport) -> str:
        return "\n".join(obj.errors) or "-"

    def get_urls(self):
        view = self.admin_site.admin_view(self.upload_view)
        return [path("upload/", view, name="roaming_cdrimport_upload"), *super().get_urls()]

    def upload_view(self, request):
        operators = tenancy.scope(Operator.objects.order_by("name"), request.user,
                                  self.edit_roles)  # fmt: skip
        if not operators.exists():
            raise PermissionDenied
        form = CdrUploadForm(request.POST or None, request.FILES or None, operators=operators)
        if request.method == "POST" and form.is_valid():
            job = cdr_imports.start_import(
                form.cleaned_data["operator"], form.cleaned_data["file"], request.user
            )
            self.message_user(
                request,
                f"{job.file_name}: {job.total} CDRs queued for import; this page shows "
                "the progress.",
                messages.SUCCESS,
            )
            return redirect("admin:roaming_cdrimport_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import CDRs from a file",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/roaming/cdrimport/upload.html", context)
