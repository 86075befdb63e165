"""Tariffs with their rate bands inline. The price tool (what would this session cost
here?) is offers' (admin:offers_offer_simulate): the tariff list links to it by name."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from cpo_portal import formatting, tenancy
from cpo_portal.admin.tenant import TenantAdmin, TenantInline
from pricing.models import Tariff, TariffBand

from .forms import BandFormSet
from .ocpi import OcpiAdminMixin

PRICE_FIELDS = (
    "currency", "energy_rate_per_kwh", "service_fee", "idle_fee_per_minute",
    "idle_grace_minutes", "min_price", "max_price", "tax_rate", "tax_name",
    "prices_include_tax",
)  # fmt: skip


class TariffBandInline(TenantInline):
    model = TariffBand
    formset = BandFormSet
    fields = ["code", "label", "start", "end", "days", "rate_per_kwh"]
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS

    def has_change_permission(self, request, obj=None):
        if obj is not None and getattr(obj, "ocpi", None):
            return False  # prices come from the OCPI tariff
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(Tariff)
class TariffAdmin(OcpiAdminMixin, TenantAdmin):
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS
    inlines = [TariffBandInline]
    change_list_template = "admin/pricing/tariff/change_list.html"
    list_display = [
        "code", "name", "operator", "applies_to", "energy_rate", "fee", "tax", "active",
        "from_ocpi",
    ]  # fmt: skip
    list_filter = ["operator", "active", "prices_include_tax"]
    search_fields = ["code", "name", "station__code", "charger__code"]
    autocomplete_fields = ["station", "charger"]
    readonly_fields = ["ocpi_json"]
    fieldsets = [
        (None, {"fields": ["operator", "code", "name", "active"]}),
        ("Applies to", {"fields": ["station", "charger"],
                        "description": "Leave both empty for the operator's default tariff. "
                        "A charger's tariff beats its station's, which beats the default."}),
        ("Prices", {"fields": list(PRICE_FIELDS[:7])}),
        ("Tax", {"fields": ["tax_rate", "tax_name", "prices_include_tax"]}),
        ("OCPI", {"fields": ["ocpi_json"], "classes": ["collapse"]}),
    ]  # fmt: skip
    actions = [*TenantAdmin.actions, "export_ocpi"]

    @admin.display(description="applies to")
    def applies_to(self, obj: Tariff) -> str:
        return obj.scope_label

    @admin.display(description="energy", ordering="energy_rate_per_kwh")
    def energy_rate(self, obj: Tariff) -> str:
        return formatting.rate(obj.energy_rate_per_kwh, obj.currency)

    @admin.display(description="service fee", ordering="service_fee")
    def fee(self, obj: Tariff) -> str:
        return formatting.money_text(obj.service_fee, obj.currency)

    @admin.display(description="GST")
    def tax(self, obj: Tariff) -> str:
        share = formatting.stated_percent_of_ratio(obj.tax_rate)
        return f"{share} incl." if obj.prices_include_tax else f"{share} on top"

    @admin.display(description="OCPI", boolean=True)
    def from_ocpi(self, obj: Tariff) -> bool:
        return bool(obj.ocpi)

    @admin.display(description="OCPI tariff kept for pricing")
    def ocpi_json(self, obj: Tariff) -> str:
        if not obj.ocpi:
            return "—"
        import json

        return format_html("<pre>{}</pre>", json.dumps(obj.ocpi, indent=2))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.ocpi:
            fields += [f for f in PRICE_FIELDS if f not in fields]
        return fields

    def get_urls(self):
        return [
            *self.ocpi_urls(),
            *super().get_urls(),
        ]
