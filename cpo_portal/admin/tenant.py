"""Admin base classes that keep every operator's data to its own staff.

Everything the admin shows or accepts goes through `tenancy.scope`: change lists (and so
bulk actions and raw-id popups, which reuse the change list queryset; a bulk action that
writes gets only the rows the user may change, `get_actions`), autocomplete (what a form's
field accepts, `autocomplete_choices`), change
forms and history pages (object-level permission checks; an object that belongs to no
operator is the superusers' alone), foreign-key and many-to-many
choices (a forged POST with another operator's id fails form validation), and list filters
(only values the user can see, for every admin built on the mixin, paths such as
"offer__operator" included). Roles decide who may view and who may change.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils import timezone

from cpo_portal import tenancy
from cpo_portal.admin.history_admin import AuditHistoryAdmin
from cpo_portal.changes.views import object_history
from cpo_portal.formatting import csvsafe, url_inputs
from cpo_portal.formatting.number_inputs import decimal_formfield
from cpo_portal.models import Charger, Operator, Station
from cpo_portal.web.admin_site import BoundedFields, unmatchable

if TYPE_CHECKING:
    # What the mixin is mixed into (a ModelAdmin, or an inline: which never asks for
    # list filters), so that its super() calls are checked.
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class TenantScopedMixin(_AdminBase):
    """Shared by model admins and inlines. Subclasses pick the roles per area."""

    view_roles: frozenset[str] = tenancy.ALL_ROLES
    edit_roles: frozenset[str] = tenancy.NETWORK_EDITORS
    # Who finds the model in the home's "All models" and the sidebar (None: whoever may
    # view it). Machinery tables (rollups, the outbox, deliveries) are listed for operator
    # admins only; the other roles may still open a link to them.
    listed_roles: frozenset[str] | None = None
    # Fields the CSV export (TenantAdmin.export_csv) leaves out: secrets the admin shows
    # nowhere (a roaming partner's tokens).
    export_exclude: tuple[str, ...] = ()
    formfield_overrides = url_inputs.ASSUME_HTTPS

    # Fifty rows a page: a screen shows about twenty, and rendering rows is most of a
    # change list's server time (bench/pages.py).
    list_per_page = 50

    class Media:
        css = {"all": ["cpo_portal/admin_tables.css"]}  # lists and forms that fit 1366 px

    # -- what the user sees ------------------------------------------------------------
    def get_queryset(self, request):
        return tenancy.scope(super().get_queryset(request), request.user, self.view_roles)

    def _scoped_choices(self, request, model):
        qs = model._default_manager.all()
        if model is Charger:
            qs = qs.select_related("station")  # its name says its station: no query per row
        return self._linkable(request, qs)

    def _linkable(self, request, qs):
        """The rows of a related model this admin's forms may link to: those at the
        operators where the user holds one of `edit_roles` (a model no operator owns: all)."""
        if tenancy.tenant_path(qs.model) is None:
            return qs
        return tenancy.scope(qs, request.user, self.edit_roles)

    def autocomplete_choices(self, request, queryset):
        """What a searchable picker of this admin's forms offers (the admin's autocomplete,
        cpo_portal.web.admin_site.FieldChoicesAutocomplete): what the field accepts, never a
        row the user may only view; refused to a user who may edit nothing here."""
        if not tenancy.may(request.user, None, self.edit_roles):
            raise PermissionDenied
        rows = self._linkable(request, queryset)
        owner, path = request.GET.get(OWNER), tenancy.tenant_path(queryset.model)
        if owner is None or path is None:
            return rows
        if not (owner.isascii() and owner.isdigit()) or unmatchable(owner):
            return rows.none()  # no operator's id
        return rows.filter(**{path or "pk": int(owner)})  # a saved object's operator's rows

    def get_form(self, request, obj=None, change=False, **kwargs):
        return _owned_pickers(super().get_form(request, obj, change, **kwargs), obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Decimals as people write them; a fraction (GST) as a percentage.
        if isinstance(db_field, models.DecimalField) and not db_field.choices:
            return decimal_formfield(db_field, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = self._scoped_choices(request, db_field.remote_field.model)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.remote_field.model is Operator and not db_field.null:
            choices = list(kwargs["queryset"][:2])
            if len(choices) == 1:
                # New objects get the user's operator automatically.
                field.initial = choices[0].pk
                field.empty_label = None
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = self._scoped_choices(request, db_field.remote_field.model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_actions(self, request):
        """A bulk action that writes (it asks for more than the view permission) gets only
        the selected rows the user may change (`edit_roles`): a role at one operator gives
        no right at another, in a bulk action as on a change form. Exports keep every row
        the user may see."""
        actions = super().get_actions(request)
        for name, entry in actions.items():
            if entry is not None and _writes(entry[0]):
                actions[name] = (_on_editable(entry[0]), *entry[1:])
        return actions

    def get_list_filter(self, request):
        return [_scoped_list_filter(self.model, spec) for spec in super().get_list_filter(request)]

    def get_model_perms(self, request):
        perms = super().get_model_perms(request)
        if (
            self.listed_roles is not None
            and tenancy.operator_ids(request.user, self.listed_roles) == set()
        ):
            return dict.fromkeys(perms, False)  # left out of the index and the sidebar
        return perms

    # -- what the user may do ----------------------------------------------------------
    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and tenancy.may(request.user, None, self.view_roles)
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and tenancy.may(
            request.user, obj, self.view_roles | self.edit_roles
        )

    def has_add_permission(self, request, *args):
        return request.user.is_staff and tenancy.may(request.user, None, self.edit_roles)

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff and tenancy.may(request.user, obj, self.edit_roles)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


OWNER = "operator"  # the autocomplete's parameter: the operator of the object edited


def _owned_pickers(form_class, obj):
    """The searchable pickers of a saved object's form (its own, or an inline's, `obj`
    the page's object) ask for its operator's rows only: the model's checks refuse another
    operator's. The form class is the request's own; its fields are copied, not changed
    in place (a form's declared fields are shared by every request)."""
    owner = tenancy.operator_of(obj) if obj is not None and obj.pk is not None else None
    if owner is None:
        return form_class
    for name, field in form_class.base_fields.items():
        widget = getattr(field.widget, "widget", field.widget)  # in its add/change links
        if hasattr(widget, "asks"):  # the product's autocomplete boxes (BoundedFields)
            field = form_class.base_fields[name] = copy.deepcopy(field)
            widget = getattr(field.widget, "widget", field.widget)
            widget.asks = {**widget.asks, OWNER: str(owner)}
    return form_class


def _writes(action) -> bool:
    return bool(set(getattr(action, "allowed_permissions", ())) - {"view"})


def _on_editable(action):
    """The action, given the selected rows the user may change (tenancy.scope with the
    admin's edit_roles)."""

    @functools.wraps(action)
    def run(model_admin, request, queryset):
        return action(model_admin, request, tenancy.scope(queryset, request.user,
                                                          model_admin.edit_roles))  # fmt: skip

    return run


class OperatorListFilter(admin.RelatedFieldListFilter):
    """The operators the user may see, read from the operators table: no DISTINCT over the
    listed table (which may be the ledger, millions of rows) to find which ones occur."""

    def field_choices(self, field, request, model_admin):
        roles = getattr(model_admin, "view_roles", tenancy.ALL_ROLES)
        operators = tenancy.scope(Operator.objects.order_by("name"), request.user, roles)
        return [(o.pk, str(o)) for o in operators]


def _scoped_list_filter(model, spec):
    """A relation filter (direct, or along a path such as "offer__operator") lists only the
    related objects present in the scoped change list, never every row of the related table;
    an operator filter lists the user's operators."""
    if not isinstance(spec, str):
        return spec
    field = get_fields_from_path(model, spec)[-1]
    if isinstance(field, models.ForeignKey | models.ManyToManyField | models.OneToOneField):
        if field.remote_field.model is Operator:
            return (spec, OperatorListFilter)
        return (spec, admin.RelatedOnlyFieldListFilter)
    return spec


class TenantAdmin(TenantScopedMixin, AuditHistoryAdmin):
    """Model admin for tenant-owned models, with read-only audit history and CSV export."""

    actions = ["export_csv"]

    def _editable(self, request, queryset):
        """The rows of an action's selection the user may change (a viewer's are left)."""
        return tenancy.scope(queryset, request.user, self.edit_roles)

    def history_view(self, request, object_id, extra_context=None):
        # A model without HistoricalRecords (StaffMembership) gets Django's own history
        # page (admin log entries) instead of a 500 from simple-history.
        if not hasattr(self.model._meta, "simple_history_manager_attribute"):
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        # Field by field, with the children's changes (cpo_portal.changes).
        return object_history(self, request, object_id)

    @admin.action(description="Export selected rows as CSV")
    def export_csv(self, request, queryset):
        # `queryset` is already the scoped change list selection.
        fields = [f for f in self.model._meta.concrete_fields if f.name not in self.export_exclude]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{self.model._meta.model_name}.csv"'
        )
        writer = csvsafe.writer(response)
        writer.writerow([f.name for f in fields])
        rows = queryset.annotate(**{LOCAL_ZONE: local_zone(self.model)})
        for obj in rows.iterator(chunk_size=2000):
            writer.writerow([csv_value(f, obj) for f in fields])
        return response


LOCAL_ZONE = "csv_local_zone"  # the export's annotation: the time zone of the row


def local_zone(model: type[models.Model]) -> models.Expression:
    """Where a row's instants happened, as staff read them: its station's time zone (the
    row is a station, or has one), else its operator's, else the site's (TIME_ZONE)."""
    names = {f.name: f for f in model._meta.concrete_fields}
    zones = ["time_zone"] if model is Station else []
    if getattr(names.get("station"), "related_model", None) is Station:
        zones.append("station__time_zone")
    path = tenancy.tenant_path(model)
    if path is not None:
        zones.append(f"{path}__time_zone" if path else "time_zone")
    site = Value(settings.TIME_ZONE, output_field=models.CharField())
    return Coalesce(*zones, site) if zones else site


def csv_value(field: models.Field, obj: models.Model) -> Any:
    """A field's value in a CSV export: a JSON field's as JSON text, written by its own
    encoder (the CDR as received keeps its numbers' digits), not as a Python repr; an
    instant in the row's local time with its offset (local_zone), not in UTC."""
    value = field.value_from_object(obj)
    if isinstance(field, models.JSONField) and value is not None:
        return json.dumps(value, cls=field.encoder, ensure_ascii=False)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return str(value.astimezone(_zone(getattr(obj, LOCAL_ZONE))))
    return value


@functools.cache
def _zone(name: str) -> dt.tzinfo:
    """A stored time zone (validated when typed); a value that names none, UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


class ReadOnlyTenantAdmin(TenantScopedMixin, admin.ModelAdmin):
    """Rows only the product's services write (the ledger, derived tables, import jobs):
    staff with a role at the operator look; nobody, superusers included, adds, changes or
    deletes them here."""

    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.NOBODY

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyRows(_AdminBase):
    """Rows only the product's services write (messages, orders, deliveries, pushes,
    received CDRs), on a tenant's or a superuser's admin: nobody adds or deletes them here,
    and every field shows read-only."""

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        """Every field but those excluded, then the admin's own (`readonly_fields`)."""
        hidden = self.exclude or ()
        fields = [f.name for f in self.model._meta.fields if f.name not in hidden]
        return [*fields, *self.readonly_fields]


class TenantInline(BoundedFields, TenantScopedMixin, admin.TabularInline):
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        _owned_pickers(formset.form, obj)
        return formset
