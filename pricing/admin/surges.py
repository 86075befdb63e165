"""Surge rules: scoped stations, advance notice, pause/resume, and the week view."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from cpo_portal import formatting, tenancy
from cpo_portal.admin.tenant import TenantAdmin
from cpo_portal.models import Operator, Stamp, Station
from pricing.admin.weekview import rule_text
from pricing.models import SurgeRule
from pricing.models.surge_text import charge_text
from pricing.services.advance import earliest_allowed
from pricing.services.convert import engine_surge

from .forms import SurgeRuleForm
from .week_filter import WeekFilter


@admin.register(SurgeRule)
class SurgeRuleAdmin(TenantAdmin):
    form = SurgeRuleForm
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS
    change_list_template = "admin/pricing/surgerule/change_list.html"
    # What fits 1366 px: the rule (name over code), its charge in words, when it runs,
    # and the scheduling columns people act on; kind and stacking are filters.
    list_display = [
        "rule", "charge", "when", "priority", "effective", "paused", "operator",
    ]  # fmt: skip
    list_filter = ["operator", "kind", "form", "paused", "stackable"]
    list_select_related = ["operator"]
    search_fields = ["code", "name", "note"]
    autocomplete_fields = ["stations"]
    fieldsets = [
        (None, {"fields": ["operator", "code", "kind", "name", "customer_text", "note"]}),
        ("Charge", {"fields": ["form", "amount", "cap_per_session"]}),
        ("When", {"fields": [("window_start", "window_end"), "window_days",
                             ("valid_from", "valid_until"), "holidays_only"]}),
        ("Where and on what", {"fields": ["stations", "site_kinds", "region_codes",
                                          "min_power_kw", "charging_speeds"]}),
        ("Demand triggers", {"fields": ["occupancy_threshold", "on_grid_stress"]}),
        ("Combining and exemptions", {"fields": ["stackable", "priority", "exempt_segments",
                                                 "exempt_tiers"]}),
        ("Scheduling", {"fields": ["effective_from", "paused"],
                        "description": "New rules and price-affecting changes take effect no "
                        "sooner than the operator's surge notice period."}),
    ]  # fmt: skip
    readonly_fields = ["customer_text"]
    actions = [*TenantAdmin.actions, "pause", "resume"]

    @admin.display(description="what customers read")
    def customer_text(self, obj: SurgeRule) -> str:
        """Written from the saved rule (the note follows it); saving updates it."""
        if obj.pk is None:
            return "Written from the rule once it is saved."
        return rule_text(obj)

    @admin.display(description="rule", ordering="code")
    def rule(self, obj: SurgeRule) -> str:
        return format_html('{}<br><code class="quiet">{}</code>', obj.name, obj.code)

    @admin.display(description="charge", ordering="amount")
    def charge(self, obj: SurgeRule) -> str:
        """The charge as customers read it ("12.25% on energy, at most ₹50 a session")."""
        return charge_text(engine_surge(obj, (), obj.operator.currency))

    @admin.display(description="effective from", ordering="effective_from")
    def effective(self, obj: SurgeRule) -> str:
        return formatting.local_time(obj.effective_from, obj.operator.time_zone)

    @admin.display(description="when")
    def when(self, obj: SurgeRule) -> str:
        from pricing.engine.schedule import window_text

        text = window_text(obj.window_start, obj.window_end, obj.window_days)
        return f"{text}, holidays only" if obj.holidays_only else text

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        operators = tenancy.scope(Operator.objects.all(), request.user, self.edit_roles)
        notice = max((o.surge_notice_hours for o in operators), default=0)
        if notice:
            probe = Operator(surge_notice_hours=notice)
            # Initial values may be any Python value (the form takes them as they are);
            # django-stubs types them as query-string values.
            initial.setdefault("effective_from", earliest_allowed(probe))  # type: ignore[arg-type]
        return initial

    @admin.action(description="Pause selected rules (takes effect at once)", permissions=["change"])
    def pause(self, request, queryset):
        rules = self._editable(request, queryset).filter(paused=False)
        operators = set(rules.values_list("operator_id", flat=True))
        count = rules.update(paused=True, updated_at=timezone.now())
        for operator_id in operators:  # .update() sends no signals
            Stamp.bump(Stamp.Kind.PRICING, operator_id)
        self.message_user(request, f"Paused {count} rule(s).", messages.SUCCESS)

    @admin.action(description="Resume selected rules (after the notice period)",
                  permissions=["change"])  # fmt: skip
    def resume(self, request, queryset):
        resumed = []
        for rule in (
            self._editable(request, queryset).filter(paused=True).select_related("operator")
        ):
            rule.paused = False
            if rule.operator.surge_notice_hours:
                rule.effective_from = max(rule.effective_from, earliest_allowed(rule.operator))
            rule.save()
            resumed.append(
                f"{rule.code} from {timezone.localtime(rule.effective_from):%Y-%m-%d %H:%M}"
            )
        self.message_user(
            request,
            f"Resumed {len(resumed)} rule(s): {'; '.join(resumed) or '-'}.",
            messages.SUCCESS,
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.week_view)
        return [path("week/", view, name="pricing_surgerule_week"), *super().get_urls()]

    def week_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rules = self.get_queryset(request).select_related("operator").prefetch_related("stations")
        operators = list(tenancy.scope(Operator.objects.all(), request.user, self.view_roles))
        stations = Station.objects.filter(operator__in=operators).order_by("code")
        filters = WeekFilter(request.GET or None, operators=operators, stations=list(stations))
        context = {
            **self.admin_site.each_context(request),
            "title": "When surges apply: the week at a glance",
            "opts": self.model._meta,
            "weeks": filters.weeks(list(rules)),
            "filters": filters,
            "hours": range(24),
        }
        return TemplateResponse(request, "admin/pricing/surgerule/week.html", context)
