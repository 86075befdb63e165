"""The change log pages in the admin: one object's history (with its children's), and every
change across the user's operators at /admin/changes/, filtered by person, kind and day."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse

from cpo_portal import changes, tenancy
from cpo_portal.changes import tracked


class ChangeLogFilters(forms.Form):
    who = forms.ChoiceField(label="Changed by", required=False)
    kind = forms.ChoiceField(label="Kind of object", required=False)
    day_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    day_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, user):
        super().__init__(data)
        who, kind = self.fields["who"], self.fields["kind"]
        assert isinstance(who, forms.ChoiceField) and isinstance(kind, forms.ChoiceField)
        who.choices = [("", "Anyone"), *((p, p) for p in changes.people(user))]
        visible = {m._meta.label_lower for m in changes.visible_models(user)}
        kind.choices = [("", "Every kind"), *(p for p in tracked.kinds() if p[0] in visible)]


def _paged(request, found: changes.Changes) -> dict:
    """One page of changes (?p=, as the admin's lists), and the pages around it."""
    paginator: Paginator[changes.Change] = Paginator(found, changes.PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    return {
        "changes": page.object_list,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
    }


def change_log(request):
    """/admin/changes/: who changed what, across the user's operators."""
    if not tenancy.operator_ids(request.user) and not request.user.is_superuser:
        raise PermissionDenied
    form = ChangeLogFilters(request.GET or None, request.user)
    filters = changes.Filters()
    if form.is_bound and form.is_valid():
        filters = changes.Filters(**form.cleaned_data)
    context = {
        **admin.site.each_context(request),
        "title": "Change log",
        "form": form,
        **_paged(request, changes.operator_changes(request.user, filters)),
    }
    return TemplateResponse(request, "admin/changes/log.html", context)


def object_history(model_admin, request, object_id):
    """An object's history page: its changes and its children's, field by field."""
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    opts = model_admin.model._meta
    context = {
        **admin.site.each_context(request),
        "title": f"History: {obj}",
        "object": obj,
        "opts": opts,
        **_paged(request, changes.object_changes(obj)),
        "children": [c._meta.verbose_name_plural for c, _ in tracked.children_of(type(obj))],
    }
    return TemplateResponse(request, "admin/changes/history.html", context)
