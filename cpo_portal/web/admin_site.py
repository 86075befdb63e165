"""The product's admin site, Django's default site (cpo_portal.apps.ProductAdminConfig):
its titles, and what every model admin registered on it gets, the project's and the
libraries' (Celery beat's periodic tasks, auth's users and groups) alike.

A change list refuses, as any other wrong lookup (the list again, with `?e=1`, as Django
does for a filter it cannot apply), what raised a 500 before:
- a date hierarchy asked for the last year the calendar holds (`?created_at__year=9999`,
  with or without its December or its last day): Django's ChangeList works out where that
  span ends, past year 9999; or for the first (`?created_at__year=1`) of a date-time field:
  its first moment in the site's zone, east of UTC, is in year 0 in UTC, which SQLite's
  adapter cannot write;
- a parameter holding NUL, which PostgreSQL refuses in any text, or an integer beyond 64
  bits, which SQLite refuses to bind (`?operator=99999999999999999999999`).

Every date and date-time field of every form takes the product's range of dates
(cpo_portal.db.years): year 1 or 9999 in a library's model was a 500 on SQLite.

A bulk action asked for such a selection changes nothing, and the list says so. A form
sent back with such an id is answered with its form error: a many-to-many field
refuses it as an unknown choice, and an autocomplete box (every model admin's
`autocomplete_fields` and its inlines', and the price tool's) shows it unselected, where
Django looked it up and raised."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

from cpo_portal.db import values

NO_SUCH_ITEMS = "No items have been changed: the selection names items that do not exist."


def unmatchable(value: str) -> bool:
    """A query value no database column can be compared with: NUL, or an integer (alone or
    in a comma-separated `__in` list) beyond 64 bits."""
    if "\x00" in value:
        return True
    for part in value.split(","):
        digits = part.strip().removeprefix("-")
        if digits.isascii() and digits.isdigit() and int(part) not in values.INTEGERS:
            return True
    return False


class BoundedChangeList(ChangeList):
    def get_filters(self, request: Any) -> Any:
        for name, asked in request.GET.lists():
            if any(unmatchable(value) for value in asked):
                raise IncorrectLookupParameters(f"{name}: no column can hold this value")
        try:
            found = super().get_filters(request)
        except (ValueError, OverflowError) as exc:
            if not (self.date_hierarchy and f"{self.date_hierarchy}__year" in request.GET):
                raise
            raise IncorrectLookupParameters(exc) from exc
        if self.date_hierarchy:
            remaining = found[2]
            for bound in (f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"):
                if bound in remaining and not in_utc(remaining[bound]):
                    raise IncorrectLookupParameters(f"{bound}: past the calendar in UTC")
        return found


def in_utc(value: Any) -> bool:
    """Whether a date hierarchy's bound (a value, or its list) can be stored as a moment: the
    first day of year 1 in a zone east of UTC is in year 0 in UTC, which a database adapter
    cannot make (Python's dates start at year 1)."""
    for one in value if isinstance(value, list) else [value]:
        if isinstance(one, dt.datetime) and one.tzinfo is not None:
            try:
                one.astimezone(dt.UTC)
            except OverflowError:
                return False
    return True


class _MatchableOnly:
    """An autocomplete box shows selected only the values its model's key can hold (Django
    looks every value up, and raised on "²" for an integer key, or NUL, or 2**64). It asks
    the autocomplete view with its `asks` beside Django's parameters (FieldChoicesAutocomplete:
    `purpose`, `operator`)."""

    field: Any
    asks: dict[str, str] = {}  # replaced, never changed in place

    def get_url(self) -> str:
        url = super().get_url()  # type: ignore[misc]  # (the widget's)
        return f"{url}?{urlencode(self.asks)}" if self.asks else url

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        meta = self.field.remote_field.model._meta
        named = getattr(self.field.remote_field, "field_name", None)  # a many-to-many has none
        key = meta.get_field(named) if named else meta.pk
        kept = [v for v in value if holds(key, v)]
        return super().optgroups(name, kept, attr)  # type: ignore[misc]  # (the widget's)


def holds(key: Any, value: Any) -> bool:
    """Whether `value` (as typed, or as a URL gives it) can be the value of the field `key`."""
    if unmatchable(str(value)):
        return False
    try:
        key.get_prep_value(key.to_python(value))
    except (ValueError, TypeError, ValidationError):
        return False
    return True


class BoundedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but a value no database can match is refused as any unknown id is
    (Django looks the values up at once, and SQLite cannot bind an integer beyond 64
    bits)."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple) and any(unmatchable(str(v)) for v in value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": next(v for v in value if unmatchable(str(v)))},
            )
        return super().clean(value)


class BoundedAutocompleteSelect(_MatchableOnly, AutocompleteSelect):
    pass


class BoundedAutocompleteSelectMultiple(_MatchableOnly, AutocompleteSelectMultiple):
    pass


LOOK = "look"  # the purpose of a picker that only looks (FieldChoicesAutocomplete)


class LookingAutocompleteSelect(BoundedAutocompleteSelect):
    """A picker of a page that only looks (the price tool): every row the user may view."""

    asks = {"purpose": LOOK}


class LookingAutocompleteSelectMultiple(BoundedAutocompleteSelectMultiple):
    """A multiple picker of a page that only looks (the price tool)."""

    asks = {"purpose": LOOK}


class FieldChoicesAutocomplete(AutocompleteJsonView):
    """The admin's autocomplete: a form's picker offers what the form's field accepts. The
    rows of the related model's admin (Django's: those the user may view, searched), then
    narrowed by the admin whose form holds the field, its own or the inline of a
    registered admin that shows the field's model, through its
    `autocomplete_choices(request, queryset)` when it has one (the tenant admins': the
    rows the user may link to, those of the edited object's operator when the picker asks
    with `operator`; or PermissionDenied). A picker that only looks asks with
    `purpose=look` (LookingAutocompleteSelect) and gets every row the user may view."""

    def get_queryset(self) -> Any:
        rows = super().get_queryset()
        if self.request.GET.get("purpose") == LOOK or self.admin_site is None:
            return rows
        narrow = getattr(
            form_admin(self.admin_site, self.source_field.model), "autocomplete_choices", None
        )
        return rows if narrow is None else narrow(self.request, rows)


def form_admin(site: admin.AdminSite, model: type[models.Model]) -> Any:
    """The admin whose forms hold `model`'s fields: its own, else an inline that shows it
    on a registered admin's page; None when no admin page edits the model."""
    if site.is_registered(model):
        return site.get_model_admin(model)
    for parent in apps.get_models():
        if site.is_registered(parent):
            for inline in site.get_model_admin(parent).inlines:
                if inline.model is model:
                    return inline(parent, site)
    return None


if TYPE_CHECKING:
    from django.contrib.admin.options import BaseModelAdmin

    _FieldsBase = BaseModelAdmin[Any]
    _AdminBase = admin.ModelAdmin[Any]
else:
    _FieldsBase = _AdminBase = object


class BoundedFields(_FieldsBase):
    """The bounded form fields and autocomplete boxes, for a model admin or an inline
    (cpo_portal.admin.tenant.TenantInline)."""

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        """A date or date-time field takes the product's range (cpo_portal.db.years), on the
        libraries' models too (a user's last sign-in, a beat schedule's start): year 1 or
        9999 was a 500 on saving it, on SQLite, where a zone carried it past Python's dates."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(db_field, models.DateField):  # date-times too
            field.validators = [*field.validators, values.within_years]
        return field

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            using = kwargs.get("using")
            kwargs["widget"] = BoundedAutocompleteSelect(db_field, self.admin_site, using=using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", BoundedMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            using = kwargs.get("using")
            kwargs["widget"] = BoundedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=using
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class BoundedLookups(BoundedFields, _AdminBase):
    """Mixed into every model admin the site registers."""

    def get_changelist(self, request: Any, **kwargs: Any) -> type[ChangeList]:
        return BoundedChangeList

    def message_user(self, request: Any, message: Any, *args: Any, **kwargs: Any) -> None:
        """Messages are shown as written (templates/admin/base_site.html, no capfirst: a
        file name that leads one is shown as uploaded). Django's one sentence that starts
        with the model's name, "surge rule with ID “5” does not exist", gets the capital
        its template gave every message."""
        if isinstance(message, str) and message.startswith(f"{self.opts.verbose_name} with ID "):
            message = capfirst(message)
        super().message_user(request, message, *args, **kwargs)

    def response_action(self, request: Any, queryset: Any, *args: Any, **kwargs: Any) -> Any:
        """A bulk action whose selection holds a value no row's key can hold (Django looks
        them up, and raised) changes nothing, and the list says so."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(holds(self.model._meta.pk, value) for value in selected):
            self.message_user(request, NO_SUCH_ITEMS, messages.WARNING)
            return None
        return super().response_action(request, queryset, *args, **kwargs)


class ProductAdminSite(admin.AdminSite):
    site_header = "CPO offers portal"
    site_title = "CPO offers portal"
    index_title = "Charging network, pricing and offers"

    def autocomplete_view(self, request: Any) -> Any:
        return FieldChoicesAutocomplete.as_view(admin_site=self)(request)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BoundedLookups):
            admin_class = type(
                admin_class.__name__,
                (BoundedLookups, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
