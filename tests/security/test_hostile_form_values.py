"""Every admin form, sent back with values no field should take: NUL, "²", an integer beyond
64 bits, year 9999, -1, a number beyond any float, NaN. The forms are the write sweep's
(tests/security/write_surfaces.py: every model's add form, a change form of each, the
admins' own pages such as the price tool and the imports), posted by the superuser, who may
write everywhere. Each field takes each value once: the n-th body gives the field at place
j the value at place (j + n) of the list, so one form's fields are refused together, in
turns, with a few bodies per form rather than one per field and value. Then each field of
an add form with a `clean` of its own alone takes NUL, which every field refuses, beside
the others as rendered: a form whose `clean` reads the value of a refused field is found
only so. The answer is
the form with its errors, or the save: never a 500.

Every bulk action of every change list, too, is run by the superuser on a real selection,
and each change list's first action is asked for a selection holding each of the values
beside a real id: its result, or the list again with a message."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib import admin
from django.db import DatabaseError, transaction
from django.test import Client

from tests.security import write_surfaces as ws

HOSTILE = ["a\x00b", "\u00b2", "99999999999999999999999", "9999-12-31", "-1", "1e999", "NaN"]
# what the browser sends besides the fields: kept as rendered
PLUMBING = ("csrfmiddlewaretoken", "_save", "_continue", "_addanother")
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


def forms_to_send(surfaces: list[ws.WriteSurface]) -> list[ws.WriteSurface]:
    """The add form and a change form of each model (the one with the most fields: its
    inlines' rows), and the admins' own pages, each with fields to fill."""
    chosen: dict[str, ws.WriteSurface] = {}
    for s in surfaces:
        if s.action or not s.data or s.label.startswith(("delete", "history")):
            continue
        kind = s.label.split(" #")[0]  # "change pricing.Tariff", "admin view ..._preview"
        if kind not in chosen or len(s.data) > len(chosen[kind].data):
            chosen[kind] = s
    return list(chosen.values())


def cleans_itself(s: ws.WriteSurface, user: Any) -> bool:
    """An add form whose class, or a class it derives from outside Django, has a `clean`
    or `clean_<field>` of its own: the forms that can read a field they refused."""
    if not s.label.startswith("add "):
        return False
    form = admin.site.get_model_admin(s.model).get_form(ws.request_as(user))
    own = [vars(c) for c in form.__mro__ if not c.__module__.startswith("django.")]
    return any(name == "clean" or name.startswith("clean_") for names in own for name in names)


def hostile_bodies(s: ws.WriteSurface, alone: bool) -> list[dict[str, list[str]]]:
    names = list(
        dict.fromkeys(k for k, _ in s.data if k not in PLUMBING and not k.endswith(MANAGEMENT))
    )
    place = {name: j for j, name in enumerate(names)}
    turns = [{name: HOSTILE[(j + turn) % len(HOSTILE)] for name, j in place.items()}
             for turn in range(len(HOSTILE))]  # fmt: skip
    if alone:
        turns += [{name: HOSTILE[0]} for name in names]
    bodies = []
    for values in turns:
        body: dict[str, list[str]] = {}
        for key, value in s.data:
            body.setdefault(key, []).append(values.get(key, value))
        bodies.append(body)
    return bodies


def posted(client: Client, url: str, body: dict[str, Any]) -> int:
    """The status of a POST made in a transaction rolled back afterwards (500 where the
    request broke the transaction)."""
    with transaction.atomic():
        try:
            status = client.post(url, body).status_code
        except DatabaseError:
            status = 500
        transaction.set_rollback(True)
    return status


@pytest.fixture
def superuser_client(admin_world):
    client = Client(raise_request_exception=False)
    client.force_login(admin_world[0].superuser)
    logging.disable(logging.CRITICAL)  # the 500s are counted, not logged
    yield client
    logging.disable(logging.NOTSET)


@pytest.mark.one_database  # CI: on PostgreSQL (SQLite's integer bound: test_admin_lookups)
@pytest.mark.django_db
def test_no_admin_form_answers_a_value_no_field_takes_with_a_500(admin_world, superuser_client):
    wrong, sent = [], 0
    superuser = admin_world[0].superuser
    for s in forms_to_send(admin_world[2]):
        for body in hostile_bodies(s, alone=cleans_itself(s, superuser)):
            sent += 1
            if posted(superuser_client, s.url, body) >= 500:
                wrong.append(f"POST {s.url} [{s.label}] {body}")
    assert sent > 300 and wrong == [], "\n".join(wrong[:20]) + f"\n({len(wrong)} in all)"


@pytest.mark.one_database  # CI: on PostgreSQL (both databases: test_admin_lookups)
@pytest.mark.django_db
def test_every_bulk_action_answers_its_selection_without_a_500(admin_world, superuser_client):
    wrong, sent, asked = [], 0, set()
    for s in admin_world[2]:
        if not s.action or not s.selectable:
            continue
        real = str(s.selectable[0])
        selections = [[real]]
        if s.url not in asked:  # a change list's first action: values no key holds
            asked.add(s.url)
            selections += [[value, real] for value in HOSTILE]
        for selection in selections:
            sent += 1
            body = {**s.body(), "_selected_action": selection}
            if posted(superuser_client, s.url, body) >= 500:
                wrong.append(f"POST {s.url} [{s.label}] {selection}")
    assert sent > 100 and wrong == [], "\n".join(wrong[:20]) + f"\n({len(wrong)} in all)"


def moment_pairs(s: ws.WriteSurface) -> list[str]:
    """The date-and-time fields of a form: the names whose `_0` (a date) and `_1` (a time)
    halves it renders side by side."""
    names = [k for k, _ in s.data]
    return [k.removesuffix("_0") for k in names if k.endswith("_0") and f"{k[:-2]}_1" in names]


@pytest.mark.django_db  # both databases: SQLite's adapter overflowed where PostgreSQL did not
def test_no_admin_form_answers_a_moment_outside_the_years_with_a_500(admin_world, superuser_client):
    """A valid date and time in year 1 or 9999 in any date-and-time field (the sweep above
    never sends a valid time beside its date): a zone carries it past what Python holds."""
    wrong, sent = [], 0
    for s in forms_to_send(admin_world[2]):
        for field in moment_pairs(s):
            for day, time in (("0001-01-01", "00:00"), ("9999-12-31", "23:59")):
                body: dict[str, list[str]] = {}
                for key, value in s.data:
                    body.setdefault(key, []).append(value)
                body[f"{field}_0"], body[f"{field}_1"] = [day], [time]
                sent += 1
                if posted(superuser_client, s.url, body) >= 500:
                    wrong.append(f"POST {s.url} [{s.label}] {field}={day} {time}")
    assert sent >= 8 and wrong == [], "\n".join(wrong[:20]) + f"\n({len(wrong)} in all)"
