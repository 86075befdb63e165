"""Audit history in the admin, read-only for everyone.

django-simple-history's history form (`<pk>/history/<history_id>/`) asks only for view
permission and saves the old version on POST, every field of it, the ones the change form
shows read-only included (an order's state, a callback's state, a batch's size). Nothing
here may be written that way: orders, callbacks and delivery attempts follow a state
machine and feed the ledger; codes, usage and budgets are counters; and every other model
has a change form that runs the model's validation. So the history form only shows an old
version, all of it read-only, and refuses anything but GET. To restore an old value, an
editor types it into the change form.

Every admin with history derives from `AuditHistoryAdmin` (tests/security sweep the admin
registry for it).

An address whose object or version id no key can hold ("²", NUL, 2**64) is a 404, where
simple-history looked it up and raised.
"""

from __future__ import annotations

from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404, HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin

from cpo_portal.changes import one_row
from cpo_portal.web.admin_site import holds

_SHOWING_HISTORY = "_cpo_showing_history"
_HISTORY_VIEW = "_cpo_history_view"


class AuditHistoryAdmin(SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def save_model(self, request, obj, form, change):
        """A form saved unchanged writes no history row (cpo_portal.changes.one_row)."""
        if change and not form.has_changed():
            setattr(obj, one_row.SKIP, True)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """The many-to-many links saved after the object belong to the object's row of this
        save, not to rows of their own; the inlines' objects keep their own rows."""
        obj = form.instance
        written = not hasattr(obj, one_row.SKIP)
        setattr(obj, one_row.SKIP, True)
        try:
            super().save_related(request, form, formsets, change)
        finally:
            delattr(obj, one_row.SKIP)
        if written:
            one_row.keep_links(obj)

    def history_view(self, request, object_id, extra_context=None):
        _found_by(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        _found_by(self.model, object_id)
        _found_by(getattr(self.model, self.model._meta.simple_history_manager_attribute).model,
                  version_id)  # fmt: skip
        setattr(request, _SHOWING_HISTORY, True)
        setattr(request, _HISTORY_VIEW, True)
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        finally:
            delattr(request, _SHOWING_HISTORY)
            delattr(request, _HISTORY_VIEW)

    def get_fieldsets(self, request, obj=None):
        """In the history form, only what an old version holds: a form-only row (an offer's
        declared qualifier, kept in a JSON field) has no value of its own to show read-only,
        and Django cannot build a form with it read-only."""
        fieldsets = super().get_fieldsets(request, obj)
        if not getattr(request, _HISTORY_VIEW, False):
            return fieldsets
        shown = []
        for name, options in fieldsets:
            rows = []
            for row in options.get("fields", ()):
                if not isinstance(row, list | tuple):
                    if self._has_value(row):
                        rows.append(row)
                elif kept := tuple(f for f in row if self._has_value(f)):
                    rows.append(kept)
            if rows:
                shown.append((name, {**options, "fields": rows}))
        return shown

    def _has_value(self, name: str) -> bool:
        try:
            self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return hasattr(self, name) or hasattr(self.model, name)
        return True

    def get_readonly_fields(self, request, obj=None):
        if not getattr(request, _SHOWING_HISTORY, False):
            return super().get_readonly_fields(request, obj)
        # Every field read-only, as Django shows an object to a user who may only view it;
        # the fieldsets are computed with the flag down (they ask for the read-only fields).
        setattr(request, _SHOWING_HISTORY, False)
        try:
            return flatten_fieldsets(self.get_fieldsets(request, obj))
        finally:
            setattr(request, _SHOWING_HISTORY, True)


def _found_by(model, object_id: str) -> None:
    """A 404 for an id no row of `model` can have."""
    if not holds(model._meta.pk, unquote(object_id)):
        raise Http404(f"No {model._meta.verbose_name} has the id {object_id!r}.")
