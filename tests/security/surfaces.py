"""What discovering the staff surfaces shares (tenant_surfaces.py): a surface, one request
a staff user can make (`Surface`), the discovery under way (`Discovery`), reading the forms
a page renders, the parameters that may name a tenant-owned object, and which of them a
page reads (`parameters_read`), to forge one surface per such parameter (`forged_params`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from unittest import mock
from urllib.parse import urlencode

from django import forms
from django.db import models
from django.http import QueryDict
from django.test import Client

from cpo_portal import tenancy
from tests.security.tenant_world import World, tenant_models

STANDARD_ADMIN_VIEWS = ("changelist", "add", "history", "delete", "change", "simple_history")
# Not staff surfaces: the Beckn BPP is a signed machine-to-machine protocol whose tenant is
# the provider named in each message (tests/beckn cover it), and OCPI's tenant is the
# operator of the partner whose credentials token calls (tests/roaming cover it); the
# admin's login/logout/i18n pages and catch-all redirect hold no data.
NOT_STAFF = ("beckn:", "roaming:")
ADMIN_PLUMBING = {"login", "logout", "jsi18n", "view_on_site", "password_change_done", None}


@dataclass(frozen=True)
class Surface:
    area: str  # admin | api | page
    label: str
    url: str
    method: str = "get"
    data: tuple = ()
    api: bool = False
    b_object: tuple[str, int] | None = None  # (model label, pk) this URL addresses
    forged: str = ""  # the parameter that points at one of B's objects
    lists: str = ""  # label of the model whose rows the response lists
    expect_b: bool = False  # the superuser must see B here (the control)
    mutates: str = ""  # label of a model whose B rows must stay unchanged

    def payload(self) -> dict:
        out: dict = {}
        for key, value in self.data:
            if isinstance(value, list | tuple):
                out[key] = list(value)
            else:
                out[key] = value
        return out


@dataclass
class Discovery:
    world: World
    client: Client = field(init=False)
    surfaces: list[Surface] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = Client()
        self.client.force_login(self.world.superuser)

    @cached_property
    def clients(self) -> list[Client]:
        """A client signed in as each user the sweep sweeps as."""
        w = self.world
        clients = []
        for user in (w.superuser, w.stranger, w.both, *w.a.staff.values()):
            clients.append(Client(raise_request_exception=False))
            clients[-1].force_login(user)
        return clients

    @property
    def b(self):
        return self.world.b

    def b_pks(self, model) -> list[int]:
        return sorted(self.b.pks.get(model, ()))

    def a_pks(self, model) -> list[int]:
        return sorted(self.world.a.pks.get(model, ()))


# -- helpers shared by the sweep -------------------------------------------------------------


def model_named(name: str) -> type[models.Model] | None:
    """The tenant-owned model a parameter or JSON key names ("station", "offer_id", ...)."""
    name = name.removesuffix("_id").removesuffix("__in").replace("_", "")
    for model in tenant_models():
        if model._meta.model_name == name:
            return model
    return None


def natural_key(obj) -> str:
    return str(getattr(obj, "code", None) or obj.pk)


def context_forms(response) -> list[forms.BaseForm]:
    """Every form a template was rendered with (admin forms, inline forms, plain forms)."""
    found: dict[int, forms.BaseForm] = {}
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        for layer in getattr(context, "dicts", [context]):
            if not isinstance(layer, dict):
                continue
            for value in layer.values():
                for form in _forms_in(value):
                    found[id(form)] = form
    return list(found.values())


def _forms_in(value) -> Iterator[forms.BaseForm]:
    if isinstance(value, forms.BaseForm):
        yield value
    elif isinstance(value, forms.BaseFormSet):
        yield from value.forms
        yield value.empty_form
    elif hasattr(value, "form") and isinstance(getattr(value, "form", None), forms.BaseForm):
        yield value.form  # admin.helpers.AdminForm
    elif hasattr(value, "formset") and isinstance(value.formset, forms.BaseFormSet):
        yield from _forms_in(value.formset)  # InlineAdminFormSet
    elif isinstance(value, list | tuple):
        for item in value:
            if hasattr(item, "formset") or isinstance(item, forms.BaseForm):
                yield from _forms_in(item)


def choice_fields(form: forms.BaseForm) -> Iterator[tuple[str, forms.ModelChoiceField]]:
    """Model choices a form offers (a hidden one, like a formset's row id, offers none)."""
    for name, f in form.fields.items():
        model_choice = isinstance(f, forms.ModelChoiceField) and f.queryset is not None
        if model_choice and not f.widget.is_hidden:
            yield name, f


# -- parameters that point at B --------------------------------------------------------------


def parameter_models() -> dict[str, type[models.Model]]:
    """Names under which a request may plausibly name a tenant-owned object: every foreign
    key between tenant-owned models (operator, station, charger, offer, ...)."""
    out = {}
    for model in tenant_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and tenancy.tenant_path(f.related_model) is not None:
                out[f.name] = f.related_model
    return out


# -- which query parameters a page reads -----------------------------------------------------

EVERY = "*"  # parameters_read: the query was read whole
UNREAD = "unread"  # a parameter no view of the project reads
# QueryDict's methods that read one parameter by name, and those that read them all.
_BY_NAME = ("__getitem__", "__contains__", "get", "getlist", "pop", "setdefault")
_WHOLE = ("__iter__", "keys", "items", "lists", "values", "dict", "copy", "urlencode",
          "__copy__", "__deepcopy__", "__eq__")  # fmt: skip


@contextmanager
def parameters_read() -> Iterator[set[str]]:
    """The names read from any QueryDict while the block runs, EVERY among them when one was
    read whole. (Its length is not noted: a probe carries one parameter, as a forged
    surface does, so a view that asks whether there are any answers both alike.)"""
    read: set[str] = set()

    def by_name(method: Callable) -> Callable:
        def reading(self, key, *args, **kwargs):
            read.add(key)
            return method(self, key, *args, **kwargs)

        return reading

    def whole(method: Callable) -> Callable:
        def reading(self, *args, **kwargs):
            read.add(EVERY)
            return method(self, *args, **kwargs)

        return reading

    with ExitStack() as stack:
        for name, wrap in [*((n, by_name) for n in _BY_NAME), *((n, whole) for n in _WHOLE)]:
            stack.enter_context(mock.patch.object(QueryDict, name, wrap(getattr(QueryDict, name))))
        yield read


def _read_by_page(d: Discovery, url: str) -> set[str]:
    """The parameters `url` reads by name as any user of the sweep, asked with one it cannot
    know (EVERY: it read them whole, the superuser was not answered 200, or another user
    neither 200 nor 302 nor a refusal, so nothing may be left out)."""
    joiner = "&" if "?" in url else "?"
    read: set[str] = set()
    for client in d.clients:  # the superuser's first
        with parameters_read() as names:
            response = client.get(f"{url}{joiner}{UNREAD}=1")
        read |= names
        answered = (200,) if client is d.clients[0] else (200, 302, 403, 404)
        if response.status_code not in answered:
            read.add(EVERY)
    return read


def forged_params(
    d: Discovery, area: str, label: str, url: str, also_post=False, api=False
) -> set[str]:
    """One surface per parameter that can name a tenant-owned object: the fields of the
    forms the page renders for the superuser (also POSTed: forms that write), or, for a page
    or endpoint without a form, the names of parameter_models(). Returns the form fields."""
    names: dict[str, tuple[type[models.Model], bool]] = {}
    if not api:
        response = d.client.get(url)
        for form in context_forms(response):
            for name, f in choice_fields(form):
                names.setdefault(form.add_prefix(name), (f.queryset.model, also_post))
    in_forms = set(names)
    if not in_forms:  # a page without a form may still read parameters: the usual names it reads
        read = _read_by_page(d, url)
        usual = parameter_models()
        names = {n: (m, False) for n, m in usual.items() if EVERY in read or n in read}
        if len(names) < len(usual):  # the others, unread, answered alike: one stands for all
            query = urlencode(((UNREAD, str(d.b.operator.pk)),))
            joiner = "&" if "?" in url else "?"
            d.surfaces.append(Surface(area, f"{label} {UNREAD}=B", f"{url}{joiner}{query}",
                                      forged=UNREAD, api=api))  # fmt: skip
    for name, (model, post) in sorted(names.items()):
        pks = d.b_pks(model)
        if not pks:
            continue
        data = ((name, str(pks[0])),)
        joiner = "&" if "?" in url else "?"
        d.surfaces.append(Surface(area, f"{label} {name}=B", f"{url}{joiner}{urlencode(data)}",
                                  forged=name, api=api))  # fmt: skip
        if post:
            d.surfaces.append(Surface(area, f"{label} POST {name}=B", url, method="post", data=data,
                                      forged=name, mutates=model._meta.label))  # fmt: skip
    return in_forms
