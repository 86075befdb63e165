"""Grid-stress signals: raising one turns on demand surges that wait for grid stress."""

from __future__ import annotations

from django.contrib import admin, messages

from cpo_portal import tenancy
from cpo_portal.admin.tenant import TenantAdmin
from pricing.models import GridSignal
from pricing.services.grid import clear_signal, raise_signal


@admin.register(GridSignal)
class GridSignalAdmin(TenantAdmin):
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS
    list_display = ["__str__", "operator", "scope", "raised_at", "cleared_at", "active",
                    "raised_by", "note"]  # fmt: skip
    list_filter = ["operator", "region_code"]
    fields = ["operator", "region_code", "station", "raised_at", "cleared_at", "note"]
    autocomplete_fields = ["station"]
    actions = [*TenantAdmin.actions, "clear_signals", "raise_again"]

    @admin.display(description="scope")
    def scope(self, obj: GridSignal) -> str:
        if obj.station is not None:
            return f"station {obj.station.code}"
        return f"region {obj.region_code}" if obj.region_code else "all stations"

    @admin.display(description="active", boolean=True)
    def active(self, obj: GridSignal) -> bool:
        return obj.is_active

    def save_model(self, request, obj, form, change):
        if not change:
            obj.raised_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Clear selected signals (now)", permissions=["change"])
    def clear_signals(self, request, queryset):
        count = 0
        for signal in self._editable(request, queryset).filter(cleared_at__isnull=True):
            clear_signal(signal)
            count += 1
        self.message_user(request, f"Cleared {count} signal(s).", messages.SUCCESS)

    @admin.action(description="Raise again with the same scope", permissions=["change"])
    def raise_again(self, request, queryset):
        raised = [
            raise_signal(s.operator, by=request.user, station=s.station,
                         region_code=s.region_code, note=s.note)
            for s in self._editable(request, queryset).select_related("operator", "station")
        ]  # fmt: skip
        self.message_user(request, f"Raised {len(raised)} signal(s).", messages.SUCCESS)
