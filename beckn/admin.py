"""Beckn in the admin: read-mostly.

The registry and our keys are network-wide: superusers only (subscribers editable, keys
never show their private half). Orders, the quotes held at select (an operator's through
its charger), callbacks and delivery attempts belong to an operator and are scoped by
tenancy like everything else; nobody edits them by hand, operator admins may only send a
callback again.
"""

from __future__ import annotations

import json
from functools import partial

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html

from cpo_portal import tenancy
from cpo_portal.admin.history_admin import AuditHistoryAdmin
from cpo_portal.admin.tenant import (
    ReadOnlyRows,
    ReadOnlyTenantAdmin,
    TenantAdmin,
    TenantInline,
    TenantScopedMixin,
)
from cpo_portal.formatting import url_inputs

from .models import (
    CatalogPublish,
    CatalogService,
    DeliveryAttempt,
    InboundMessage,
    Order,
    Outbox,
    OutboxState,
    SelectQuote,
    SigningKey,
    Subscriber,
)


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


def pretty(value) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return format_html('<pre class="beckn-json">{}</pre>', json.dumps(value, indent=2))


class JsonMedia:
    class Media(TenantScopedMixin.Media):  # the shared table styles, then the JSON ones
        css = {"all": ["cpo_portal/admin_tables.css", "beckn/admin.css"]}


@admin.register(Subscriber)
class SubscriberAdmin(SuperuserOnly, AuditHistoryAdmin):
    list_display = ["subscriber_id", "type", "key_id", "url", "status", "vocabularies"]
    list_filter = ["type", "status", "vocabularies"]
    search_fields = ["subscriber_id", "key_id", "url"]
    formfield_overrides = url_inputs.ASSUME_HTTPS


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyRows, SuperuserOnly, admin.ModelAdmin):
    list_display = ["key_id", "is_active", "created_at", "retired_at"]
    exclude = ["private_key"]


@admin.register(InboundMessage)
class InboundMessageAdmin(JsonMedia, ReadOnlyRows, SuperuserOnly, admin.ModelAdmin):
    list_display = ["received_at", "action", "bap_id", "message_id", "state", "attempts"]
    list_filter = ["action", "state"]
    search_fields = ["bap_id", "message_id", "transaction_id"]
    date_hierarchy = "received_at"
    exclude = ["body"]
    readonly_fields = ["request"]

    @admin.display(description="request body")
    def request(self, obj):
        return pretty(obj.body)


class DeliveryAttemptInline(ReadOnlyRows, TenantInline):
    model = DeliveryAttempt
    edit_roles = tenancy.NOBODY


class OutboxInline(ReadOnlyRows, TenantInline):
    model = Outbox
    fields = ["action", "state", "attempts", "created_at", "delivered_at"]
    edit_roles = tenancy.NOBODY
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(Order)
class OrderAdmin(ReadOnlyRows, TenantAdmin):
    list_display = ["__str__", "operator", "charger_code", "state", "quote_total", "bap_id"]
    list_filter = ["operator", "state"]
    search_fields = ["order_id", "transaction_id", "bap_id", "charger_code"]
    date_hierarchy = "created_at"
    edit_roles = tenancy.NOBODY
    inlines = [OutboxInline]


@admin.register(SelectQuote)
class SelectQuoteAdmin(JsonMedia, ReadOnlyTenantAdmin):
    """The quotes held at select, one per transaction: those that went on to init (their
    order linked) and those that only selected, which have no order."""

    list_display = ["updated_at", "transaction_id", "operator", "charger", "total", "currency",
                    "applied", "bap_id", "order"]  # fmt: skip
    list_filter = ["charger__operator", ("order", admin.EmptyFieldListFilter)]
    list_select_related = ["charger__operator", "order"]
    search_fields = ["transaction_id", "bap_id"]
    date_hierarchy = "created_at"
    fields = ["bap_id", "transaction_id", "order", "charger", "total", "currency", "applied",
              "offer_ids", "offer_codes", "customer_key", "created_at", "updated_at",
              "quote_sent", "session_asked"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="operator", ordering="charger__operator__name")
    def operator(self, obj: SelectQuote):
        return obj.charger.operator if obj.charger is not None else "-"

    @admin.display(description="offers applied")
    def applied(self, obj: SelectQuote) -> str:
        return ", ".join(str(offer.get("id", "")) for offer in obj.applied_offers) or "-"

    @admin.display(description="quote sent")
    def quote_sent(self, obj: SelectQuote) -> str:
        return pretty(obj.quote)

    @admin.display(description="session asked")
    def session_asked(self, obj: SelectQuote) -> str:
        return pretty(obj.session)


@admin.register(Outbox)
class OutboxAdmin(JsonMedia, ReadOnlyRows, TenantAdmin):
    listed_roles = tenancy.NETWORK_EDITORS  # machinery, listed for operator admins
    list_display = ["created_at", "action", "subscriber_id", "state", "attempts", "order"]
    list_filter = ["action", "state"]
    search_fields = ["message_id", "transaction_id", "subscriber_id"]
    date_hierarchy = "created_at"
    edit_roles = tenancy.NETWORK_EDITORS  # only for the "send again" action
    inlines = [DeliveryAttemptInline]
    actions = ["send_again", "export_csv"]
    exclude = ["payload"]
    readonly_fields = ["callback"]

    @admin.display(description="callback body")
    def callback(self, obj):
        return pretty(obj.payload)

    @admin.action(description="Send again now (within the request's ttl)", permissions=["change"])
    def send_again(self, request, queryset):
        from beckn.tasks import deliver

        now = timezone.now()
        rows = queryset.exclude(state=OutboxState.DELIVERED).filter(expires_at__gt=now)
        ids = list(rows.values_list("pk", flat=True))
        with transaction.atomic():
            Outbox.objects.filter(pk__in=ids).exclude(state__in=[OutboxState.SENDING]).update(
                state=OutboxState.PENDING, next_attempt_at=now, leased_until=None
            )
            for pk in ids:
                transaction.on_commit(partial(deliver.delay, pk))
        skipped = queryset.count() - len(ids)
        self.message_user(request, f"{len(ids)} callback(s) queued; {skipped} skipped.")
        if skipped:
            self.message_user(
                request, "Delivered or expired callbacks are not sent again.", messages.WARNING
            )


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyRows, TenantAdmin):
    listed_roles = tenancy.NETWORK_EDITORS  # machinery, listed for operator admins
    list_display = ["started_at", "outbox", "number", "status_code", "outcome", "duration_ms"]
    list_filter = ["outcome"]
    edit_roles = tenancy.NOBODY


@admin.register(CatalogService)
class CatalogServiceAdmin(TenantAdmin):
    """Each operator's Catalog Discovery Service; publishing its catalogs there now."""

    list_display = ["operator", "cds_id", "active", "last_published_at"]
    list_filter = ["active"]
    readonly_fields = ["published_stamp", "catalogs_held", "published_to", "last_published_at"]
    edit_roles = tenancy.NETWORK_EDITORS
    actions = ["publish_now", "export_csv"]

    @admin.display(description="catalogs the CDS holds")
    def catalogs_held(self, service: CatalogService) -> int:
        return len(service.published_digests or {})

    @admin.action(description="Publish every catalog to the CDS now", permissions=["change"])
    def publish_now(self, request, queryset):
        from beckn.services import cds

        sent = 0
        for service in queryset.select_related("operator"):
            try:
                sent += len(cds.publish_now(service.operator))
            except Exception as exc:  # the catalog could not be rendered: say why, go on
                self.message_user(
                    request, f"{service.operator.code}: not published: {exc}", messages.ERROR
                )
        if sent:
            self.message_user(
                request, f"{sent} publish(es) queued; their results appear under Catalog publishes."
            )


@admin.register(CatalogPublish)
class CatalogPublishAdmin(JsonMedia, ReadOnlyRows, TenantAdmin):
    list_display = ["created_at", "operator", "cds_id", "reason", "catalogs", "delivery",
                    "status", "rejections"]  # fmt: skip
    list_filter = ["status", "reason", "operator"]
    search_fields = ["message_id", "transaction_id", "cds_id"]
    date_hierarchy = "created_at"
    edit_roles = tenancy.NOBODY
    exclude = ["results"]
    readonly_fields = ["delivery", "delivery_error", "cds_results"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("operator", "outbox")

    @admin.display(description="catalogs")
    def catalogs(self, obj):
        return len(obj.catalog_ids)

    @admin.display(description="delivery")
    def delivery(self, obj):
        state = obj.outbox.get_state_display() if obj.outbox is not None else "-"
        return f"{state}; its catalogs sent again" if obj.resent else state

    @admin.display(description="last delivery error")
    def delivery_error(self, obj):
        return obj.outbox.last_error if obj.outbox is not None else ""

    @admin.display(description="results from the CDS")
    def cds_results(self, obj):
        return pretty(obj.results)
