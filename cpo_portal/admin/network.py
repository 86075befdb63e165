"""Admin for the charging network: operators, staff, stations, chargers, holidays."""

from django.contrib import admin
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet

from cpo_portal import tenancy
from cpo_portal.admin.forms import ChargerForm
from cpo_portal.admin.tenant import TenantAdmin, TenantInline
from cpo_portal.db import values
from cpo_portal.models import Charger, Connector, Holiday, Operator, StaffMembership, Station


@admin.register(Operator)
class OperatorAdmin(TenantAdmin):
    list_display = ["code", "name", "currency", "time_zone", "prices_include_tax"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(StaffMembership)
class StaffMembershipAdmin(TenantAdmin):
    """Operator admins see who works for their operator; superusers grant roles."""

    list_display = ["user", "operator", "role"]
    list_filter = ["role", "operator"]
    search_fields = ["user__username", "user__email"]
    view_roles = tenancy.NETWORK_EDITORS
    edit_roles = tenancy.NOBODY
    raw_id_fields = ["user"]


def _constraint(model, name: str) -> models.UniqueConstraint:
    return next(c for c in model._meta.constraints if c.name == name)


class OcpiIdsFormSet(BaseInlineFormSet):
    """Rows of one parent, none of which may publish the OCPI id another of them does,
    ignoring case (cpo_portal.db.values.ocpi_key): each row is checked against the stored
    rows by the model's constraint (`constraint`), and, here, against the rows sent beside
    it (Django's formsets compare the rows' plain unique fields only, not an expression's).
    A row marked for deletion takes part in neither."""

    id_field: str
    constraint: models.UniqueConstraint

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            data = form.cleaned_data if form.is_valid() else {}
            if not data.get(self.id_field) or data.get(DELETION_FIELD_NAME):
                continue
            ocpi_id = values.ocpi_key(data[self.id_field])
            if ocpi_id in seen:
                form.add_error(self.id_field, str(self.constraint.violation_error_message))
            seen.add(ocpi_id)


class ChargersFormSet(OcpiIdsFormSet):
    """A station's chargers: no two publish one EVSE uid."""

    id_field = "code"
    constraint = _constraint(Charger, "charger_ocpi_id_per_operator")


class ConnectorsFormSet(OcpiIdsFormSet):
    """A charger's connectors: no two publish one connector id."""

    id_field = "connector_id"
    constraint = _constraint(Connector, "connector_id_per_charger")


class ConnectorInline(TenantInline):
    model = Connector
    formset = ConnectorsFormSet


class ChargerInline(TenantInline):
    model = Charger
    formset = ChargersFormSet
    fields = ["code", "name", "power_kw", "power_type", "charging_speed", "status"]
    show_change_link = True


@admin.register(Station)
class StationAdmin(TenantAdmin):
    list_display = ["name", "code", "city", "region_code", "site_kind", "status", "operator"]
    list_filter = ["operator", "site_kind", "status", "region_code"]
    search_fields = ["name", "code", "city", "address"]
    inlines = [ChargerInline]


@admin.register(Charger)
class ChargerAdmin(TenantAdmin):
    form = ChargerForm
    list_display = ["code", "name", "station", "power_kw", "charging_speed", "status"]
    list_filter = ["operator", "charging_speed", "power_type", "status"]
    search_fields = ["code", "name", "station__name"]
    autocomplete_fields = ["station"]
    inlines = [ConnectorInline]

    @admin.display(description="other categories")
    def more_categories(self, obj) -> str:
        """The form's box for new categories, shown read-only (a view-only role, a
        history version) as nothing: the categories above list them all."""
        return "—"


@admin.register(Holiday)
class HolidayAdmin(TenantAdmin):
    list_display = ["date", "name", "region_code", "operator"]
    list_filter = ["operator"]
    date_hierarchy = "date"
    edit_roles = tenancy.PRICING_EDITORS
