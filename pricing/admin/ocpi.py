"""OCPI import (upload JSON -> tariff, warnings shown) and export (action -> JSON download)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from cpo_portal import tenancy
from cpo_portal.admin.tenant import TenantAdmin
from cpo_portal.models import Charger, Operator, Station
from pricing.services.ocpi import MAX_BYTES, OcpiError, export_ocpi, import_ocpi, read_json


class OcpiImportForm(forms.Form):
    file = forms.FileField(label="OCPI 2.2.1 Tariff (JSON)")
    operator = forms.ModelChoiceField(queryset=Operator.objects.none())
    station = forms.ModelChoiceField(
        queryset=Station.objects.none(),
        required=False,
        help_text="Optional: import as this station's tariff.",
    )
    charger = forms.ModelChoiceField(
        queryset=Charger.objects.none(),
        required=False,
        help_text="Optional: import as this charger's tariff.",
    )
    code = forms.CharField(required=False, max_length=64,
                           help_text="Tariff code (default: the OCPI id).")  # fmt: skip

    def __init__(self, *args, user, roles, **kwargs):
        super().__init__(*args, **kwargs)
        for name, model in (("operator", Operator), ("station", Station), ("charger", Charger)):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = tenancy.scope(
                model.objects.all(), user, roles
            )
        operators = cast(forms.ModelChoiceField, self.fields["operator"]).queryset
        if operators is not None and operators.count() == 1:
            self.fields["operator"].initial = operators.get().pk

    def clean(self):
        super().clean()
        data = self.cleaned_data
        upload = data.get("file")
        if upload is not None:
            try:
                data["ocpi"] = read_json(upload.read(MAX_BYTES + 1))
            except OcpiError as exc:
                self.add_error("file", str(exc))
        return data


if TYPE_CHECKING:  # what the mixin is mixed into, so that its calls on the admin are checked
    _Admin = TenantAdmin
else:
    _Admin = object


class OcpiAdminMixin(_Admin):
    """For TariffAdmin: an import view and an export action."""

    def ocpi_urls(self):
        view = self.admin_site.admin_view(self.ocpi_import_view)
        return [path("import-ocpi/", view, name="pricing_tariff_ocpi_import")]

    def ocpi_import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = OcpiImportForm(
            request.POST or None, request.FILES or None, user=request.user, roles=self.edit_roles
        )
        result = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = import_ocpi(
                    data["ocpi"], operator=data["operator"], station=data.get("station"),
                    charger=data.get("charger"), code=data.get("code") or None,
                )  # fmt: skip
            except OcpiError as exc:
                form.add_error(None, str(exc))
            else:
                verb = "Created" if result.created else "Updated"
                self.message_user(request, f"{verb} tariff {result.tariff.code}.", messages.SUCCESS)
                if result.replaced is not None:
                    self.message_user(
                        request, f"Tariff {result.replaced.code} was deactivated.", messages.INFO
                    )
                for warning in result.warnings:  # "element 0: ...": shown as written
                    self.message_user(request, f"OCPI tariff: {warning}", messages.WARNING)
                if result.kept_ocpi:
                    self.message_user(
                        request,
                        "The OCPI tariff is kept as JSON: its sessions are priced by the OCPI "
                        "calculator.",
                        messages.WARNING,
                    )
                url = reverse("admin:pricing_tariff_change", args=[result.tariff.pk])
                return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import an OCPI tariff",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/pricing/ocpi_import.html", context)

    @admin.action(description="Export selected tariffs as OCPI JSON")
    def export_ocpi(self, request, queryset):
        tariffs = list(queryset.select_related("operator").prefetch_related("bands"))
        try:
            objects = [export_ocpi(t) for t in tariffs]
        except OcpiError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        body = objects[0] if len(objects) == 1 else objects
        name = tariffs[0].code if len(objects) == 1 else "tariffs"
        response = HttpResponse(
            json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.ocpi.json"'
        return response
