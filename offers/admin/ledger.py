"""The redemption ledger, read-only for everyone (it is append-only everywhere)."""

from __future__ import annotations

from django.contrib import admin

from cpo_portal.tenant_admin import ReadOnlyTenantAdmin, TenantAdmin
from offers.models import Redemption


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyTenantAdmin):
    list_display = [
        "occurred_at",
        "order_ref",
        "kind",
        "seq",
        "offer_code",
        "code_used",
        "discount",
        "net_amount",
        "energy_kwh",
        "station_code",
        "short_key",
        "held_out",
    ]
    list_filter = ["kind", "held_out", "offer_type", "benefit_kind", "operator"]
    search_fields = ["order_ref", "offer_code", "code_used", "customer_key", "station_code"]
    date_hierarchy = "occurred_at"
    actions = ["export_csv"]
    export_csv = TenantAdmin.export_csv

    @admin.display(description="customer", ordering="customer_key")
    def short_key(self, obj: Redemption) -> str:
        return f"{obj.customer_key[:12]}…" if obj.customer_key else "anonymous"
