"""Discover every surface a staff user can reach, from the admin registry and the URL
resolver, so that a new model, admin page, endpoint or dashboard is swept without anyone
listing it here.

A surface is one request (method, URL, data). Surfaces that address one of operator B's
objects carry it (`b_object`); surfaces whose parameters point at B carry `forged`.
Discovery itself runs as the superuser (who sees everything): forms on the pages tell which
parameters name a tenant-owned model, and export links on the dashboards tell the exports.

A page or endpoint without such a form may still read a parameter that names an object: it
is asked with one parameter it cannot know, as every user of the sweep, while the names
read from its query (`request.GET`) are noted (surfaces.py: `parameters_read`). Each name
it read, or every name when it read the query whole, gets a surface of its own; the names
it never read cannot change its answer to a request that carries one of them, so they
share one surface (`unread=B`), which stands for them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from cpo_portal import tenancy
from cpo_portal.models import Operator
from cpo_portal.tenancy import NOBODY
from cpo_portal.web.admin_site import LOOK, form_admin
from tests.security.surfaces import (
    ADMIN_PLUMBING,
    NOT_STAFF,
    STANDARD_ADMIN_VIEWS,
    Discovery,
    Surface,
    forged_params,
    model_named,
    natural_key,
)
from tests.security.tenant_world import World, tenant_models
from tests.support.admin import registered

# -- the admin -------------------------------------------------------------------------------


def _superuser_request(world: World):
    request = RequestFactory().get("/")
    request.user = world.superuser
    return request


def admin_surfaces(d: Discovery) -> None:
    add = d.surfaces.append
    add(Surface("admin", "admin index", reverse("admin:index")))
    add(Surface("admin", "admin password change", reverse("admin:password_change")))
    labels = sorted({m._meta.app_label for m in registered()})
    for label in labels:
        add(Surface("admin", f"admin app {label}", reverse("admin:app_list", args=[label])))
    request = _superuser_request(d.world)
    User = get_user_model()
    for model, model_admin in registered().items():
        info = (model._meta.app_label, model._meta.model_name)
        label = model._meta.label
        tenant = tenancy.tenant_path(model) is not None
        b_pks = d.b_pks(model) if model is not User else _b_staff_pks(d)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        add(Surface("admin", f"changelist {label}", changelist, lists=label, expect_b=tenant))
        add(Surface("admin", f"add form {label}", reverse("admin:{}_{}_add".format(*info))))
        for query in _b_filter_links(d, changelist):
            add(Surface("admin", f"list filter {label} {query}", f"{changelist}?{query}",
                        forged="list filter", lists=label))  # fmt: skip
        for pk in b_pks:
            _b_object_pages(d, model, info, pk)
        for action in model_admin.get_actions(request):
            selected = [*b_pks, *d.a_pks(model)]
            data = (("action", action), ("_selected_action", selected), ("post", "yes"),
                    ("index", "0"))  # fmt: skip
            add(Surface("admin", f"action {action} {label}", changelist, method="post",
                        data=data, forged="_selected_action", mutates=label, lists=label,
                        expect_b=tenant and "export" in action))  # fmt: skip
        _custom_admin_views(d, model, model_admin)
    _autocomplete(d)


def _b_staff_pks(d: Discovery) -> list[int]:
    return sorted(user.pk for user in d.b.staff.values())


def _b_object_pages(d: Discovery, model, info, pk: int) -> None:
    label = model._meta.label
    for page in ("change", "history", "delete"):
        url = reverse("admin:{}_{}_{}".format(*info, page), args=[pk])
        d.surfaces.append(
            Surface("admin", f"{page} {label}", url, b_object=(label, pk), expect_b=True)
        )
    history = getattr(model, "history", None)
    if history is None or not hasattr(model._meta, "simple_history_manager_attribute"):
        return
    record = model.history.filter(**{model._meta.pk.attname: pk}).first()
    if record is not None:
        url = reverse("admin:{}_{}_simple_history".format(*info), args=[pk, record.history_id])
        d.surfaces.append(
            Surface("admin", f"history record {label}", url, b_object=(label, pk), expect_b=True)
        )


def _b_filter_links(d: Discovery, changelist: str) -> list[str]:
    """The superuser's list-filter links that select one of B's objects."""
    response = d.client.get(changelist)
    if response.status_code != 200 or not response.context or "cl" not in response.context:
        return []
    cl = response.context["cl"]
    out = []
    for spec in cl.filter_specs:
        for choice in spec.choices(cl):
            if d.b.token in str(choice.get("display", "")).lower():
                out.append(choice["query_string"].lstrip("?"))
    return out


def _custom_admin_views(d: Discovery, model, model_admin) -> None:
    """Pages a model admin adds to the standard ones (previews, imports, CSV downloads)."""
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern) or pattern.name is None:
            continue
        suffix = pattern.name.removeprefix(f"{model._meta.app_label}_{model._meta.model_name}_")
        if suffix in STANDARD_ADMIN_VIEWS:
            continue
        params = list(pattern.pattern.regex.groupindex) or []
        label = f"admin view {pattern.name}"
        if params:
            for pk in d.b_pks(model):
                url = reverse(f"admin:{pattern.name}", args=[pk])
                d.surfaces.append(Surface("admin", label, url, b_object=(model._meta.label, pk),
                                          expect_b=True))  # fmt: skip
            continue
        url = reverse(f"admin:{pattern.name}")
        d.surfaces.append(Surface("admin", label, url))
        forged_params(d, "admin", label, url, also_post=True)


def _autocomplete(d: Discovery) -> None:
    """Every foreign key or many-to-many to a model whose admin can search: one per target
    model, choice limit and roles that edit the source's form (the answer depends on
    nothing else), and one per target as a picker that only looks (`purpose=look`)."""
    url = reverse("admin:autocomplete")
    request = _superuser_request(d.world)
    seen = set()
    # Sources alike (same target, limit and edit roles) are interchangeable: prefer
    # models with an admin.
    admins = registered()
    for model in sorted(apps.get_models(), key=lambda m: m not in admins):
        edit_roles = getattr(form_admin(admin.site, model), "edit_roles", None)
        for f in model._meta.get_fields():
            if not (f.is_relation and f.concrete and (f.many_to_one or f.many_to_many)):
                continue
            remote = f.remote_field.model
            remote_admin = admins.get(remote)
            if remote_admin is None or not remote_admin.get_search_fields(request):
                continue
            limit = repr(f.get_limit_choices_to())
            tenant = tenancy.tenant_path(remote) is not None
            data = (("app_label", model._meta.app_label), ("model_name", model._meta.model_name),
                    ("field_name", f.name), ("term", ""))  # fmt: skip
            for purpose in (None, LOOK):
                key = (remote, limit, purpose or edit_roles)
                if key in seen:
                    continue
                seen.add(key)
                asked = data + ((("purpose", purpose),) if purpose else ())
                shown = tenant and bool(d.b_pks(remote)) and (purpose or edit_roles != NOBODY)
                label = f"autocomplete {model._meta.label}.{f.name}" + (
                    " (look)" if purpose else ""
                )
                d.surfaces.append(Surface("admin", label, url, data=asked,
                                          lists=remote._meta.label,
                                          expect_b=bool(shown)))  # fmt: skip


# -- the URL resolver: APIs and pages --------------------------------------------------------


def walk(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    """(namespaced name, URLPattern, route prefix) of every pattern outside the admin."""
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if getattr(p, "app_name", None) == "admin" or p.namespace == "admin":
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        else:
            yield f"{namespace}{p.name}" if p.name else None, p, prefix


def view_model(cls) -> type[models.Model] | None:
    qs = getattr(cls, "queryset", None)
    if qs is not None:
        return qs.model
    for holder in (getattr(cls, "serializer_class", None), getattr(cls, "filterset_class", None)):
        meta = getattr(holder, "Meta", None)
        if getattr(meta, "model", None) is not None:
            return meta.model
    return None


def url_surfaces(d: Discovery) -> list[str]:
    """API endpoints and pages from the resolver; returns the names skipped on purpose."""
    skipped = []
    for name, pattern, prefix in walk():
        if name is None or name.startswith(NOT_STAFF) or name in ADMIN_PLUMBING:
            skipped.append(f"{prefix}{pattern.pattern} ({name})")
            continue
        params = list(pattern.pattern.regex.groupindex)
        if "format" in params:
            continue  # the same view with a .json suffix
        cls = getattr(pattern.callback, "cls", None)
        if cls is not None and issubclass(cls, APIView):
            _api(d, name, pattern, params, cls)
        else:
            _page(d, name, params)
    return skipped


def _methods(pattern, cls) -> list[str]:
    actions = getattr(pattern.callback, "actions", None)
    if actions:
        return sorted(actions)
    return sorted(m for m in ("get", "post") if hasattr(cls, m))


def _api(d: Discovery, name: str, pattern, params: list[str], cls) -> None:
    model = view_model(cls)
    label = model._meta.label if model is not None else ""
    methods = _methods(pattern, cls)
    tenant = model is not None and tenancy.tenant_path(model) is not None
    if params:
        assert params == ["pk"] and model is not None, f"{name}: unknown parameters {params}"
        for pk in d.b_pks(model):
            for method in methods:
                url = reverse(name, kwargs={"pk": pk})
                d.surfaces.append(Surface("api", f"{method} {name}", url, method=method,
                                          api=True, b_object=(label, pk), mutates=label,
                                          expect_b=method == "get"))  # fmt: skip
        return
    url = reverse(name)
    if "get" in methods:
        d.surfaces.append(Surface("api", f"get {name}", url, api=True, lists=label,
                                  expect_b=tenant))  # fmt: skip
        if model is not None and not _filter_names(cls):
            forged_params(d, "api", f"get {name}", url, api=True)
        for fname in _filter_names(cls):
            model_of = _filter_model(cls, fname)
            for pk in d.b_pks(model_of) if model_of else ():
                data = ((fname, str(pk)),)
                d.surfaces.append(Surface("api", f"get {name} {fname}={pk}",
                                          f"{url}?{urlencode(data)}", api=True, forged=fname,
                                          lists=label,
                                          expect_b=model_of is Operator))  # fmt: skip
    if "post" in methods:
        for variant in ("pk", "natural key"):
            data = []
            for model_of in tenant_models():
                pks = d.b_pks(model_of)
                if pks:
                    obj = model_of._default_manager.get(pk=pks[0])
                    value = pks[0] if variant == "pk" else natural_key(obj)
                    data.append((model_of._meta.model_name, value))
            d.surfaces.append(Surface("api", f"post {name} ({variant}s of B)", url,
                                      method="post", data=tuple(data), api=True,
                                      forged="body", mutates=label))  # fmt: skip


def _filter_names(cls) -> list[str]:
    """The endpoint's django-filter parameters that select by value (not isnull flags)."""
    filterset = getattr(cls, "filterset_class", None)
    filters = getattr(filterset, "base_filters", {}) or {}
    return sorted(name for name, f in filters.items() if f.lookup_expr != "isnull")


def _filter_model(cls, fname: str) -> type[models.Model] | None:
    filterset = cls.filterset_class
    flt = filterset.base_filters[fname]
    meta_model = getattr(getattr(filterset, "Meta", None), "model", None)
    try:
        f = meta_model._meta.get_field(flt.field_name)
    except Exception:
        return model_named(fname)
    return f.related_model if f.is_relation else model_named(fname)


def _page(d: Discovery, name: str, params: list[str]) -> None:
    """A server-rendered page (dashboards): plain, with each parameter pointing at B, every
    CSV export it links to, and for a page about one object, B's objects."""
    if params:
        model = model_named(name.rsplit(":", 1)[-1])
        assert params == ["pk"] and model is not None, f"{name}: cannot fill {params}"
        for pk in d.b_pks(model):
            url = reverse(name, kwargs={"pk": pk})
            d.surfaces.append(Surface("page", name, url, b_object=(model._meta.label, pk),
                                      expect_b=True))  # fmt: skip
            for export in _exports(d, url):
                d.surfaces.append(Surface("page", f"{name} export={export}",
                                          f"{url}?export={export}",
                                          b_object=(model._meta.label, pk)))  # fmt: skip
        for pk in d.a_pks(model):
            url = reverse(name, kwargs={"pk": pk})
            d.surfaces.append(Surface("page", f"{name} (A's)", url))
            forged_params(d, "page", f"{name} (A's)", url)
            for export in _exports(d, url):
                d.surfaces.append(Surface("page", f"{name} (A's) export={export}",
                                          f"{url}?export={export}"))  # fmt: skip
        return
    url = reverse(name)
    d.surfaces.append(Surface("page", name, url))
    if "operator" not in forged_params(d, "page", name, url):
        for export in _exports(d, url):
            d.surfaces.append(Surface("page", f"{name} export={export}", f"{url}?export={export}"))
        return
    # A page with an operator picker: the superuser, picking B, must see B (the control).
    op = d.b.operator.pk
    d.surfaces.append(Surface("page", f"{name} operator={op}", f"{url}?operator={op}",
                              forged="operator", expect_b=True))  # fmt: skip
    for export in _exports(d, f"{url}?operator={op}"):
        d.surfaces.append(Surface("page", f"{name} export={export}", f"{url}?export={export}"))
        d.surfaces.append(Surface("page", f"{name} operator={op} export={export}",
                                  f"{url}?operator={op}&export={export}",
                                  forged="operator"))  # fmt: skip


EXPORT = re.compile(r"""href="([^"]*export=[^"&]+[^"]*)\"""")


def _exports(d: Discovery, url: str) -> list[str]:
    """The export keys a page links to (as the superuser sees it)."""
    response = d.client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    keys = set()
    for href in EXPORT.findall(response.content.decode()):
        query = dict(parse_qsl(urlsplit(href.replace("&amp;", "&")).query))
        if "export" in query:
            keys.add(query["export"])
    return sorted(keys)


def discover(world: World) -> tuple[list[Surface], list[str]]:
    d = Discovery(world)
    admin_surfaces(d)
    skipped = url_surfaces(d)
    return d.surfaces, skipped
