"""Tenancy declared on every model: a model that points at an operator, on a surface or
not, declares its TENANT_PATH (cpo_portal.tenancy), and every such path leads to the
operator; and the sweep's probe of the parameters a page reads (surfaces.py)."""

from __future__ import annotations

from django.apps import apps

from cpo_portal import tenancy
from cpo_portal.models import Operator
from tests.security import surfaces
from tests.security import tenant_surfaces as ts
from tests.support.admin import registered

PROJECT_APPS = ("beckn", "offers", "pricing", "cpo_portal")


def _reaches_operator(model, depth: int = 3) -> bool:
    if model is Operator:
        return True
    if depth == 0:
        return False
    return any(
        f.is_relation
        and f.related_model is not None
        and _reaches_operator(f.related_model, depth - 1)
        for f in model._meta.concrete_fields
    )


def test_every_model_on_a_surface_that_belongs_to_an_operator_says_so():
    """A model in the admin or behind an endpoint that points at an operator but declares no
    TENANT_PATH would pass through tenancy.scope unfiltered."""
    exposed = set(registered())
    for _, pattern, _ in ts.walk():
        cls = getattr(pattern.callback, "cls", None)
        model = ts.view_model(cls) if cls is not None else None
        if model is not None:
            exposed.add(model)
    undeclared = [
        m._meta.label for m in exposed if tenancy.tenant_path(m) is None and _reaches_operator(m)
    ]
    assert undeclared == []


def _project_models():
    return [
        m
        for m in apps.get_models()
        if m.__module__.split(".")[0] in PROJECT_APPS and ".Historical" not in m._meta.label
    ]


def test_every_model_that_belongs_to_an_operator_says_so_on_a_surface_or_not():
    """Not only the models exposed today: a model that points at an operator (a foreign key
    or a one-to-one, directly or through others) declares TENANT_PATH, so it is scoped the
    day it reaches a surface and the world builds it for the sweep."""
    undeclared = [
        m._meta.label
        for m in _project_models()
        if tenancy.tenant_path(m) is None and _reaches_operator(m)
    ]
    assert undeclared == []


def test_every_tenant_path_leads_to_the_operator():
    wrong = []
    for model in _project_models():
        path, target = tenancy.tenant_path(model), model
        for part in (path or "").split("__") if path else ():
            target = target._meta.get_field(part).related_model
        if path is not None and target is not Operator:
            wrong.append(f"{model._meta.label}: {path!r}")
    assert wrong == []


def test_the_probe_notes_the_parameters_a_page_reads_by_name_or_whole():
    """The sweep leaves out parameters a page never reads (surfaces.parameters_read):
    a read by name is noted, a read of the whole query counts as reading every name."""
    from django.http import QueryDict

    query = QueryDict("unread=1&station=2")
    with surfaces.parameters_read() as read:
        assert query.get("charger") is None and "offer" not in query
    assert read == {"charger", "offer"}
    with surfaces.parameters_read() as read:
        assert dict(query.items()) == {"unread": "1", "station": "2"}
    assert surfaces.EVERY in read
