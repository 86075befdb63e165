"""Offers in the admin: forms that show what a benefit needs, clone/pause/resume, usage
and what is left of each limit, the multi-use code inline, and the simulator: the
admin's one price tool (admin:offers_offer_simulate; the tariff list and the staff home
link to it by that name)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.urls import path
from django.utils.html import format_html

from cpo_portal import formatting, tenancy
from cpo_portal.admin.tenant import TenantAdmin, TenantInline
from offers.models import Offer, OfferCode, OfferStatus
from offers.models.offer_checks import title_contradiction
from offers.services import uses as use_counts
from offers.services.offer_words import offer_words

from .config import pricing_document_urls
from .forms import OFFER_FIELDSETS, OfferForm
from .simulate import simulate_view


class MultiUseCodeInline(TenantInline):
    model = OfferCode
    fields = ["code"]
    max_num = 1
    verbose_name = "multi-use code"
    verbose_name_plural = "multi-use code (e.g. WEEKEND25; single-use codes come in batches)"
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS

    def get_queryset(self, request):
        return super().get_queryset(request).filter(batch__isnull=True)


def _copy_code(code: str, taken: set[str]) -> str:
    n = 1
    while True:
        candidate = f"{code[:56]}-copy{'' if n == 1 else n}"
        if candidate not in taken:
            return candidate
        n += 1


@admin.register(Offer)
class OfferAdmin(TenantAdmin):
    form = OfferForm
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS
    inlines = [MultiUseCodeInline]
    # What the offer gives, when it runs, its state and what it has used, in words
    # (offers.services.offer_words); seven columns that fit 1366 px.
    list_display = ["offer", "value", "schedule", "status", "applies", "uses", "budget_used"]
    list_filter = ["operator", "status", "benefit_kind", "type_label", "auto", "additive"]
    list_select_related = ["usage", "operator"]
    search_fields = ["code", "title", "short_desc"]
    autocomplete_fields = ["stations", "chargers"]  # searchable, scoped to the user's operators
    actions = [*TenantAdmin.actions, "clone", "pause", "resume"]
    change_list_template = "admin/offers/offer/change_list.html"
    change_form_template = "admin/offers/offer/change_form.html"
    fieldsets = OFFER_FIELDSETS

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warning = title_contradiction(obj)
        if warning:
            self.message_user(request, warning, messages.WARNING)

    @admin.display(description="offer", ordering="code")
    def offer(self, obj: Offer) -> str:
        return format_html('{}<br><code class="quiet">{}</code>', obj.title, obj.code)

    @admin.display(description="applies")
    def applies(self, obj: Offer) -> str:
        how = "automatically" if obj.auto else "with its code"
        return f"{how}, {'stacks' if obj.additive else 'exclusive'}"

    def get_queryset(self, request):
        return use_counts.annotate(super().get_queryset(request))

    @admin.display(description="uses (settled, all time)", ordering="settled_uses")
    def uses(self, obj: Offer) -> str:
        """The settled uses (offers.services.uses); against a maximum, what the limit
        counts as taken, open orders included."""
        settled = formatting.number(getattr(obj, "settled_uses", 0))
        if obj.max_uses is None:
            return settled
        taken = obj.usage.uses if hasattr(obj, "usage") else 0
        return format_html(
            '{}<br><span class="quiet">{} of {} taken, open orders included</span>',
            settled,
            formatting.number(taken),
            formatting.number(obj.max_uses),
        )

    @admin.display(description="value")
    def value(self, obj: Offer) -> str:
        return offer_words(obj).value

    @admin.display(description="when it runs")
    def schedule(self, obj: Offer) -> str:
        return offer_words(obj).schedule

    @admin.display(description="budget used (all time)")
    def budget_used(self, obj: Offer) -> str:
        words = offer_words(obj, settled=getattr(obj, "settled_discount", None))
        if words.budget is None:
            return format_html('<span class="quiet">{}</span>', words.budget_text)
        return format_html(
            '<meter class="budget-bar" min="0" max="1" high="0.8" value="{}">{}</meter> {}'
            '<br><span class="quiet budget-split">{}</span>',
            words.budget.share,
            formatting.percent_of_ratio(words.budget.share),
            words.budget_text,
            words.budget_split,
        )

    def _set_status(self, request, queryset, old: str, new: str, verb: str) -> None:
        changed = []
        for offer in self._editable(request, queryset).filter(status=old):
            offer.status = new
            offer.save()  # signals: the catalog and the history see it
            changed.append(offer.code)
        self.message_user(
            request,
            f"{verb} {len(changed)} offer(s): {', '.join(changed) or '-'}.",
            messages.SUCCESS,
        )

    @admin.action(description="Pause selected offers", permissions=["change"])
    def pause(self, request, queryset):
        self._set_status(request, queryset, OfferStatus.ACTIVE, OfferStatus.PAUSED, "Paused")

    @admin.action(description="Resume selected offers", permissions=["change"])
    def resume(self, request, queryset):
        self._set_status(request, queryset, OfferStatus.PAUSED, OfferStatus.ACTIVE, "Resumed")

    @admin.action(description="Clone selected offers (as drafts)", permissions=["change"])
    def clone(self, request, queryset):
        made = []
        with transaction.atomic():
            for offer in self._editable(request, queryset):
                taken = set(
                    Offer.objects.filter(operator_id=offer.operator_id).values_list(
                        "code", flat=True
                    )
                )
                stations, chargers = list(offer.stations.all()), list(offer.chargers.all())
                offer.pk, offer.id = None, None
                offer._state.adding = True
                offer.code = _copy_code(offer.code, taken)
                offer.title = f"{offer.title} (copy)"[:200]
                offer.status = OfferStatus.DRAFT
                offer.save()
                offer.stations.set(stations)
                offer.chargers.set(chargers)
                made.append(offer.code)
        self.message_user(request, f"Cloned as drafts: {', '.join(made) or '-'}.", messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view(simulate_view(self))
        return [
            path("simulate/", view, name="offers_offer_simulate"),
            *pricing_document_urls(self),
            *super().get_urls(),
        ]
