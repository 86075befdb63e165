"""Admin: the rollups read-only (tenant-scoped, CSV export), the sessions without offers
read-only, and the cursor for superusers with a 'roll up now' action. The schedule itself
is django-celery-beat's Periodic tasks page."""

from __future__ import annotations

from django.contrib import admin, messages

from analytics.admin import whatif  # noqa: F401  (registers the what-if runs)
from analytics.models import DailyRollup, HourlyRollup, NoOfferSession, RollupCursor
from analytics.services.rollup import run_incremental
from cpo_portal import tenancy
from cpo_portal.admin.tenant import ReadOnlyTenantAdmin


class RollupAdmin(ReadOnlyTenantAdmin):
    listed_roles = tenancy.NETWORK_EDITORS  # machinery: the dashboards read it for others
    """Derived rows: everyone with a role at the operator may look."""

    list_per_page = 50
    show_full_result_count = False  # counting millions of rows on every page is slow


@admin.register(DailyRollup)
class DailyRollupAdmin(RollupAdmin):
    list_display = [
        "date",
        "station",
        "offer",
        "hour_band",
        "sessions",
        "redemptions",
        "discount_cost",
        "net_revenue",
    ]
    list_filter = ["hour_band", "offer_type", "region_code"]
    date_hierarchy = "date"
    list_select_related = ["station", "offer"]


@admin.register(HourlyRollup)
class HourlyRollupAdmin(RollupAdmin):
    list_display = [
        "date", "station", "hour", "channel", "sessions", "surge_sessions", "surge_revenue",
    ]  # fmt: skip
    list_filter = ["channel", "surge_day", "weekend", "region_code"]
    date_hierarchy = "date"
    list_select_related = ["station"]


@admin.register(NoOfferSession)
class NoOfferSessionAdmin(RollupAdmin):
    list_display = ["order_ref", "occurred_at", "station_code", "energy_kwh", "net_amount"]
    search_fields = ["order_ref", "station_code"]
    date_hierarchy = "occurred_at"


@admin.register(RollupCursor)
class RollupCursorAdmin(admin.ModelAdmin):
    list_display = ["name", "last_id", "runs", "last_run_at", "last_duration_ms", "last_rows"]
    readonly_fields = [f.name for f in RollupCursor._meta.fields]
    actions = ["roll_up_now"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Roll up now (what the beat task does)")
    def roll_up_now(self, request, queryset):
        result = run_incremental()
        self.message_user(
            request,
            f"Rolled up {result.rows} rows into {result.partitions} partitions "
            f"in {result.seconds:.2f}s.",
            messages.SUCCESS,
        )
