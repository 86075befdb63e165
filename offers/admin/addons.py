"""Add-ons in the admin: each with its price, GST rate and availability per station (an
inline with stock), and the bookings of confirmed orders, where staff mark an add-on not
delivered (the order is refunded for it and its combo offers are reversed)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages

from cpo_portal import formatting, tenancy
from cpo_portal.admin.tenant import TenantAdmin, TenantInline
from offers.models import AddOn, AddOnAvailability, AddOnBooking, BookingState
from offers.services.addon_delivery import not_delivered
from offers.services.ledger.rows import LedgerUnreadable


class AvailabilityInline(TenantInline):
    model = AddOnAvailability
    fields = ["station", "enabled", "stock"]
    autocomplete_fields = ["station"]  # one search box per row, not every station per row
    extra = 0  # "Add another" adds rows; a page of one row per station is long enough

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("add_on", "station")  # row titles

    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS


@admin.register(AddOn)
class AddOnAdmin(TenantAdmin):
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS
    list_display = ["code", "name", "price", "gst_percent", "active", "stations", "operator"]
    list_filter = ["operator", "active"]
    search_fields = ["code", "name"]
    fields = ["operator", "code", "name", "description", ("price", "tax_rate"), "active"]
    inlines = [AvailabilityInline]

    @admin.display(description="GST")
    def gst_percent(self, obj: AddOn) -> str:
        return formatting.stated_percent_of_ratio(obj.tax_rate)

    @admin.display(description="stations (enabled)")
    def stations(self, obj: AddOn) -> int:
        return obj.availability.filter(enabled=True).count()


@admin.register(AddOnBooking)
class AddOnBookingAdmin(TenantAdmin):
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS
    list_display = ["booked_at", "order_ref", "code", "price", "state", "station", "note"]
    list_filter = ["state", "add_on"]
    search_fields = ["order_ref", "code"]
    date_hierarchy = "booked_at"
    actions = [*TenantAdmin.actions, "mark_not_delivered"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description="Mark not delivered (refund it, reverse its combo offers)",
        permissions=["change"],
    )
    def mark_not_delivered(self, request, queryset):
        rows = tenancy.scope(queryset, request.user, self.edit_roles).filter(
            state__in=[BookingState.BOOKED, BookingState.DELIVERED]
        )
        by_order: dict[str, list[str]] = {}
        for booking in rows:
            by_order.setdefault(booking.order_ref, []).append(booking.code)
        done, failed = [], []
        who = request.user.get_username()
        for order_ref, codes in by_order.items():
            try:  # one transaction per order: a failed one is left as it was
                result = not_delivered(order_ref, codes, reason=f"marked by {who}")
            except LedgerUnreadable as exc:
                noun = "Booking" if len(codes) == 1 else "Bookings"
                verb = "was" if len(codes) == 1 else "were"
                failed.append(
                    f"{noun} {', '.join(codes)} of order {order_ref} {verb} not changed: "
                    f"{str(exc).rstrip('.')}."
                )
                continue
            back = sum((amount for _, amount in result.recovered), Decimal(0))
            recovered = formatting.money_text(back, result.currency)  # the order's currency
            done.append(f"{order_ref}: {', '.join(result.codes)} ({recovered} recovered)")
        if done or not failed:
            self.message_user(
                request,
                f"Not delivered: {'; '.join(done) or 'nothing to change'}.",
                messages.SUCCESS,
            )
        for error in failed:
            self.message_user(request, error, messages.ERROR)
