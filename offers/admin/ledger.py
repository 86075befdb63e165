"""The offer ledger, read-only for everyone (it is append-only everywhere): every step of
an order (quote, confirm, settle, reverse, held out), with a filter for the rows that
count as uses (offers.services.uses), the count every other page shows."""

from __future__ import annotations

from django.contrib import admin

from cpo_portal import formatting
from cpo_portal.admin.tenant import ReadOnlyTenantAdmin, TenantAdmin
from offers.models import BenefitKind, Redemption
from offers.rules.uses import USES_LABEL
from offers.services import uses


class BenefitKindFilter(admin.SimpleListFilter):
    """The kinds there are (BenefitKind), not a DISTINCT over the whole ledger."""

    title = "benefit kind"
    parameter_name = "benefit_kind"

    def lookups(self, request, model_admin):
        return BenefitKind.choices

    def queryset(self, request, queryset):
        return queryset.filter(benefit_kind=self.value()) if self.value() else queryset


class UseFilter(admin.SimpleListFilter):
    """Settled uses only (offers.services.uses): the count the offer list, the home and
    the dashboards show; the other rows are steps of orders."""

    title = "counts as a use"
    parameter_name = "use"

    def lookups(self, request, model_admin):
        return [("yes", f"Yes: {USES_LABEL.lower()}"), ("no", "No: quote, confirm and other steps")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return uses.settled_uses(queryset)
        if self.value() == "no":
            return queryset.exclude(pk__in=uses.settled_uses(queryset).values("pk"))
        return queryset


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyTenantAdmin):
    # The ledger is the largest table: no full count, no DISTINCT to build the filters
    # (a date filter with fixed choices instead of a date hierarchy).
    list_display = [
        "when",
        "order_ref",
        "step",
        "offer_code",
        "discount_shown",
        "net_shown",
        "energy_kwh",
        "station_code",
        "short_key",
        "held_out",
    ]
    list_filter = [
        UseFilter,
        ("occurred_at", admin.DateFieldListFilter),
        "kind",
        "held_out",
        BenefitKindFilter,
        "operator",
    ]
    search_fields = ["order_ref", "offer_code", "code_used", "customer_key", "station_code"]
    show_full_result_count = False
    actions = ["export_csv"]
    export_csv = TenantAdmin.export_csv

    @admin.display(description="step", ordering="kind")
    def step(self, obj: Redemption) -> str:
        return obj.get_kind_display()

    @admin.display(description="when", ordering="occurred_at")
    def when(self, obj: Redemption) -> str:
        return formatting.local_time(obj.occurred_at)

    @admin.display(description="discount", ordering="discount")
    def discount_shown(self, obj: Redemption) -> str:
        return formatting.money_text(obj.discount, obj.currency)

    @admin.display(description="net amount", ordering="net_amount")
    def net_shown(self, obj: Redemption) -> str:
        return formatting.money_text(obj.net_amount, obj.currency)

    @admin.display(description="customer", ordering="customer_key")
    def short_key(self, obj: Redemption) -> str:
        return f"{obj.customer_key[:12]}…" if obj.customer_key else "anonymous"
