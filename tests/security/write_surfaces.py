"""Every admin URL that accepts a POST, discovered from the admin registry, with the body a
browser would send, and a fingerprint of the whole database to tell whether a POST wrote.

For each registered model admin: the add form, every bulk action (whatever the user's
permissions, so `delete_selected` too), the change list's own form, the admin's extra views
(`get_urls()`: imports, previews, CSV downloads, third-party pages such as simple-history's
history form and django-celery-beat's), and for each swept object its change, delete,
history and history-form (revert) pages. Bodies come from the superuser's rendering of the
same page (every form that posts back to it; for a history version, the object's change
form, which is what the revert page posted, and an empty body), so they are valid where the
superuser may write; the superuser control in the sweep proves that they do write.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test import Client, RequestFactory
from django.urls import URLPattern, reverse

from cpo_portal import tenancy
from tests.security.surfaces import STANDARD_ADMIN_VIEWS
from tests.support.admin import action_names, registered

# Plausible files for upload fields, by URL name (any other upload gets an empty file).
SAMPLE_UPLOADS = {
    "offers_customer_import": b"phone,segment,tier\n+91 90000 00009,sweep,gold\n",
    "pricing_tariff_ocpi_import": (
        b'{"country_code": "IN", "party_id": "CPO", "id": "SWEEP", "currency": "INR",'
        b' "elements": [{"price_components": [{"type": "ENERGY", "price": 21.5,'
        b' "step_size": 1}]}], "last_updated": "2025-01-01T00:00:00Z"}'
    ),
}


# -- forms as a browser submits them -----------------------------------------------------------
# Hand-written on the standard library's HTMLParser: WebTest does the same, but would add four
# packages for the fifty lines below.


@dataclass
class PostForm:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PostForm] = []
        self._form: PostForm | None = None
        self._select: tuple[str, bool] | None = None  # name, multiple
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._submitted = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = PostForm(action=a.get("action", ""))
            self._submitted = False
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "file":
                self._form.files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind in ("submit", "image", "button"):
                if kind == "submit" and not self._submitted:  # the first button is clicked
                    self._form.fields.append((name, a.get("value", "")))
                    self._submitted = True
            elif kind != "reset":
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            if not self._submitted:
                self._form.fields.append((name, a.get("value", "")))
                self._submitted = True
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in a), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self._form.fields += [(name, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def forms_posting_to(html: str, url: str) -> list[PostForm]:
    """The forms of a page that submit to the page itself (not the logout button)."""
    parser = _Forms()
    parser.feed(html)
    path = urlsplit(url).path
    return [f for f in parser.forms if not f.action or urlsplit(f.action).path == path]


# -- surfaces ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteSurface:
    label: str  # what it is, e.g. "history form beckn.Order #3"
    url: str
    model: type[models.Model]
    obj_pk: object = None  # the object the URL addresses
    perm: str = "change"  # the permission that would allow the write: change, delete, add
    data: tuple = ()
    files: tuple = ()
    action: str = ""  # a bulk action: the body is built per user from `selectable`
    selectable: tuple = ()
    view: str = ""  # the URL name of an admin's extra view

    def body(self, selected=None) -> dict:
        out: dict = {}
        for key, value in self.data:
            out.setdefault(key, []).append(value)
        if self.action:
            out.update(action=[self.action], index=["0"], post=["yes"])
            out["_selected_action"] = [str(pk) for pk in selected or ()]
        for name in self.files:
            sample = SAMPLE_UPLOADS.get(self.view, b"")
            out[name] = SimpleUploadedFile(f"{name}.txt", sample)
        return out


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@dataclass
class WriteDiscovery:
    superuser: object
    targets: dict[type[models.Model], list]  # model -> objects to sweep
    client: Client = field(init=False)
    surfaces: list[WriteSurface] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.superuser)

    def page_bodies(self, url: str) -> list[tuple[tuple, tuple]]:
        """(fields, file fields) of each self-posting form on the superuser's page; one empty
        body when the page has none (a plain POST still reaches the view)."""
        response = self.client.get(url)
        html = response.content.decode(errors="replace") if response.status_code == 200 else ""
        found = [(tuple(f.fields), tuple(f.files)) for f in forms_posting_to(html, url)]
        return found or [((), ())]

    def add(self, label, url, model, **kwargs) -> None:
        for data, files in self.page_bodies(url):
            self.surfaces.append(WriteSurface(label, url, model, data=data, files=files, **kwargs))


def _info(model) -> tuple[str, str]:
    return model._meta.app_label, model._meta.model_name


def _extra_views(model, model_admin) -> list[tuple[str, list[str]]]:
    out = []
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern) or pattern.name is None:
            continue
        suffix = pattern.name.removeprefix("{}_{}_".format(*_info(model)))
        if suffix not in STANDARD_ADMIN_VIEWS:
            out.append((pattern.name, list(pattern.pattern.regex.groupindex)))
    return out


def discover(superuser, targets: dict[type[models.Model], list]) -> list[WriteSurface]:
    logging.disable(logging.CRITICAL)  # the superuser's 403s (read-only admins' add pages)
    try:
        surfaces = _discover(superuser, targets)
    finally:
        logging.disable(logging.NOTSET)
    unique = {(s.label, s.url, s.data, s.files, s.action): s for s in surfaces}
    return list(unique.values())


def _discover(superuser, targets: dict[type[models.Model], list]) -> list[WriteSurface]:
    d = WriteDiscovery(superuser, targets)
    for model, model_admin in registered().items():
        info, label = _info(model), model._meta.label
        objs = targets.get(model, [])
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        d.add(f"add {label}", reverse("admin:{}_{}_add".format(*info)), model, perm="add")
        if model_admin.list_editable:
            d.add(f"changelist form {label}", changelist, model)
        for name in action_names(model_admin):
            pks = tuple(o.pk for o in objs)
            d.surfaces.append(WriteSurface(f"action {name} {label}", changelist, model,
                                           action=name, selectable=pks))  # fmt: skip
        for name, params in _extra_views(model, model_admin):
            if not params:
                d.add(f"admin view {name}", reverse(f"admin:{name}"), model, view=name)
                continue
            for obj in objs:
                d.add(f"admin view {name} #{obj.pk}", reverse(f"admin:{name}", args=[obj.pk]),
                      model, obj_pk=obj.pk, view=name)  # fmt: skip
        for obj in objs:
            _object_surfaces(d, model, obj)
    return d.surfaces


def _object_surfaces(d: WriteDiscovery, model, obj) -> None:
    info, label, pk = _info(model), model._meta.label, obj.pk
    where = f"{label} #{pk}"
    change = reverse("admin:{}_{}_change".format(*info), args=[pk])
    change_bodies = d.page_bodies(change)
    for data, files in change_bodies:
        d.surfaces.append(WriteSurface(f"change {where}", change, model, obj_pk=pk, data=data,
                                       files=files))  # fmt: skip
    delete = reverse("admin:{}_{}_delete".format(*info), args=[pk])
    d.surfaces.append(WriteSurface(f"delete {where}", delete, model, obj_pk=pk, perm="delete",
                                   data=(("post", "yes"),)))  # fmt: skip
    history = reverse("admin:{}_{}_history".format(*info), args=[pk])
    d.surfaces.append(WriteSurface(f"history {where}", history, model, obj_pk=pk))
    if not hasattr(model._meta, "simple_history_manager_attribute"):
        return
    history_manager = getattr(model, model._meta.simple_history_manager_attribute)
    records = history_manager.filter(**{model._meta.pk.attname: pk}).order_by("history_id")
    oldest = records.first()
    if oldest is None:
        return
    # Reverting posts the object's form filled with the old version: the change form's body
    # (the history form itself shows nothing editable), and an empty one (every field of an
    # order or a callback is read-only: an empty POST saved the whole old version).
    url = reverse("admin:{}_{}_simple_history".format(*info), args=[pk, oldest.history_id])
    d.surfaces.append(WriteSurface(f"history form (empty) {where}", url, model, obj_pk=pk))
    for data, files in change_bodies:
        if data:
            d.surfaces.append(WriteSurface(f"history form {where}", url, model, obj_pk=pk,
                                           data=data, files=files))  # fmt: skip


def targets_of(world_sides, extra: dict | None = None) -> dict[type[models.Model], list]:
    """Objects to sweep per registered model: the first of each operator's, every object
    that belongs to no operator (an on_search callback), and for models that belong to no
    operator (users, schedules, the registry) the first one."""
    out: dict[type[models.Model], list] = {}
    for model in registered():
        manager = model._default_manager
        if tenancy.tenant_path(model) is None:
            first = manager.order_by("pk").first()
            out[model] = [first] if first is not None else []
            continue
        picked = []
        owned: set = set()
        for side in world_sides:
            pks = side.pks.get(model, set()) if model is not get_user_model() else set()
            owned |= pks
            if pks:
                picked.append(manager.get(pk=min(pks)))
        for obj in manager.exclude(pk__in=owned).order_by("pk"):
            if tenancy.operator_of(obj) is None:
                picked.append(obj)
        out[model] = picked
    for model, objs in (extra or {}).items():
        out.setdefault(model, [])
        out[model] += [o for o in objs if o.pk not in {x.pk for x in out[model]}]
    return out


# -- did anything change? ----------------------------------------------------------------------


def tables() -> list[str]:
    return sorted(connection.introspection.table_names(include_views=False))


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table."""
    out = {}
    with connection.cursor() as cursor:
        for table in tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def write_count() -> int:
    """Rows inserted, updated or deleted so far (this connection on SQLite, this transaction
    on PostgreSQL): a cheap test for 'nothing was written' before taking a fingerprint."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
        else:
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_xact_all_tables"
            )
        return int(cursor.fetchone()[0])
