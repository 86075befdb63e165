"""Admin writes, swept: for every role without the permission to write a model, a POST with a
plausible body to every admin URL the registry exposes for it (add, change, delete, history,
history form, bulk actions, extra and third-party views) changes no row of any table.

Surfaces are discovered from the admin registry (tests/security/write_surfaces.py) over the
tenant sweep's two-operator world (tests/security/tenant_world.py) plus the objects that
belong to no operator, so a new model admin, action or admin view is swept as it lands.
Whether a role may write is asked of the admin, and an object counts as the user's only when
it belongs to one of the user's operators; the history form (revert) is off for everyone. A
user with roles at both operators (analyst at A, operator admin at B) writes nothing of A's.
"""

from __future__ import annotations

import logging

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import DatabaseError, transaction
from django.test import Client

from analytics.models import WhatIfRun
from beckn.models import Outbox
from cpo_portal import tenancy
from cpo_portal.models import Role, StaffMembership
from tests.factories import staff
from tests.security import tenant_world as tw
from tests.security import write_surfaces as ws
from tests.support.admin import registered

# CI runs the sweep on PostgreSQL only; `make test` runs it on any database.
pytestmark = pytest.mark.one_database

STRANGER = "stranger"
# A role at one operator gives no right at another: analyst at A, operator admin at B.
MIXED = "A analyst, B operator admin"
# Analysts run what-ifs: they add (and cancel) their operator's own run rows, nothing else.
ANALYSTS_WRITE = {WhatIfRun}
USERS = [*(f"A {role}" for role in Role.values), STRANGER, MIXED]


def user_of(world: tw.World, who: str):
    if who == STRANGER:
        return world.stranger
    if who == MIXED:
        user = staff(world.a.operator, Role.ANALYST, "mixed-roles")
        StaffMembership.objects.create(user=user, operator=world.b.operator,
                                       role=Role.OPERATOR_ADMIN)  # fmt: skip
        return user
    return world.a.staff[who.removeprefix("A ")]


# -- who may write what ------------------------------------------------------------------------


def may_write(user, model, perm: str, obj=None) -> bool:
    """The admin allows it, and the object belongs to one of the user's operators."""
    if perm == "revert":
        return False  # the history form is read-only for everyone
    model_admin = admin.site.get_model_admin(model)
    request = ws.request_as(user)
    check = {
        "add": lambda: model_admin.has_add_permission(request),
        "change": lambda: model_admin.has_change_permission(request, obj),
        "delete": lambda: model_admin.has_delete_permission(request, obj),
    }[perm]
    if not check():
        return False
    if obj is None or user.is_superuser:
        return True
    return tenancy.operator_of(obj) in tenancy.memberships(user)


def _perm(s: ws.WriteSurface) -> str:
    return "revert" if s.label.startswith("history form") else s.perm


def request_for(s: ws.WriteSurface, user, objects: dict):
    """The body to send, or None when this user may write here."""
    if s.action:
        perm = "delete" if s.action == "delete_selected" else "change"
        chosen = [pk for pk in s.selectable if not may_write(user, s.model, perm, objects[pk])]
        return s.body(chosen) if chosen else None
    obj = objects.get(s.obj_pk) if s.obj_pk is not None else None
    if s.obj_pk is None and s.perm == "change":  # a model-wide page: imports, previews
        if may_write(user, s.model, "change") or may_write(user, s.model, "add"):
            return None
    elif may_write(user, s.model, _perm(s), obj):
        return None
    return s.body()


# -- the sweep ---------------------------------------------------------------------------------


def post(client: Client, s: ws.WriteSurface, body: dict, baseline: dict) -> tuple[int, list]:
    """POST in a transaction rolled back afterwards; the status and the tables it changed."""
    with transaction.atomic():
        before = ws.write_count()
        response = client.post(s.url, body)
        try:
            wrote = ws.write_count() != before
            after = ws.fingerprint() if wrote else baseline
        except DatabaseError as exc:  # the request broke the transaction
            return 500, [f"database error {exc}"]
        finally:
            transaction.set_rollback(True)
    return response.status_code, sorted(t for t in baseline if after[t] != baseline[t])


def sweep(targets, surfaces, user, select) -> tuple[list[str], int]:
    """POST every surface `select` gives a body for; what wrote, and how many were sent."""
    objects_by_model = {m: {o.pk: o for o in objs} for m, objs in targets.items()}
    client = Client(raise_request_exception=False)
    client.force_login(user)
    baseline = ws.fingerprint()
    failures, sent = [], 0
    logging.disable(logging.CRITICAL)  # 403s, 404s and 405s are expected
    try:
        for s in surfaces:
            body = select(s, objects_by_model[s.model])
            if body is None:
                continue
            sent += 1
            status, changed = post(client, s, body, baseline)
            if changed or status >= 500:
                failures.append(f"POST {s.url} [{s.label}] -> {status}, changed {changed}")
    finally:
        logging.disable(logging.NOTSET)
    return failures, sent


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
def test_no_admin_post_writes_for_a_role_without_write_permission(admin_world, who):
    built, targets, surfaces = admin_world
    user = user_of(built, who)
    failures, sent = sweep(targets, surfaces, user,
                           lambda s, objects: request_for(s, user, objects))  # fmt: skip
    print(f"\n{who}: {sent} POSTs of {len(surfaces)} surfaces")
    if who == STRANGER:  # writes nothing anywhere: every surface is swept
        assert sent == len(surfaces)
    if who == "A analyst":  # writes nothing but its own what-if runs: the rest is swept
        objects = {m: {o.pk: o for o in objs} for m, objs in targets.items()}
        kept = {s.model for s in surfaces if request_for(s, user, objects[s.model]) is None}
        assert kept <= ANALYSTS_WRITE
    assert sent > 100
    assert failures == [], "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


@pytest.mark.django_db
def test_history_forms_write_nothing_even_for_the_superuser(admin_world):
    built, targets, surfaces = admin_world
    forms = [s for s in surfaces if s.label.startswith("history form")]
    failures, sent = sweep(targets, forms, built.superuser,
                           lambda s, objects: s.body())  # fmt: skip
    assert sent == len(forms) > 20
    assert failures == [], "\n".join(failures)


@pytest.mark.django_db
def test_the_superusers_change_forms_do_write(admin_world):
    """The control: the bodies are valid and the fingerprint sees a save, so a refusal in
    the sweep is the permission's doing, not a broken body's."""
    built, targets, surfaces = admin_world
    wrote: dict[str, list] = {}

    def select(s, objects):
        obj = objects.get(s.obj_pk)
        if not s.label.startswith("change ") or not may_write(built.superuser, s.model,
                                                                "change", obj):  # fmt: skip
            return None
        return s.body()

    client = Client()
    client.force_login(built.superuser)
    baseline = ws.fingerprint()
    checked = 0
    for s in surfaces:
        body = select(s, {o.pk: o for o in targets[s.model]})
        if body is None:
            continue
        checked += 1
        status, changed = post(client, s, body, baseline)
        wrote[s.label] = changed
        assert status == 302, f"{s.label}: the superuser's own form was refused ({status})"
    assert checked > 30
    assert [label for label, changed in wrote.items() if not changed] == []


@pytest.mark.django_db
def test_every_registered_model_is_swept_with_objects(admin_world):
    _, targets, surfaces = admin_world
    labels = {s.label for s in surfaces}
    empty = [m._meta.label for m in registered() if not targets.get(m)]
    assert empty == [], "add an object of these models to the sweep's world"
    for model in registered():
        label = model._meta.label
        assert f"add {label}" in labels
        assert any(s.label.startswith(f"change {label} #") for s in surfaces), label
        assert any(s.action == "delete_selected" and s.model is model for s in surfaces)
    ownerless = targets[Outbox][-1]
    assert tenancy.operator_of(ownerless) is None
    assert f"history form {Outbox._meta.label} #{ownerless.pk}" in labels


@pytest.mark.django_db
def test_the_fingerprint_sees_a_write_and_only_a_write(admin_world):
    baseline = ws.fingerprint()
    with transaction.atomic():
        before = ws.write_count()
        assert ws.fingerprint() == baseline and ws.write_count() == before
        Group.objects.filter(name="sweepers").update(name="renamed")
        assert ws.write_count() > before
        changed = {t for t, digest in ws.fingerprint().items() if digest != baseline[t]}
        assert changed == {"auth_group"}
        transaction.set_rollback(True)
