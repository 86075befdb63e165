"""Every admin form, sent back with values no field should take: NUL, "²", an integer beyond
64 bits, year 9999, -1, a number beyond any float, NaN. The forms are the write sweep's
(tests/security/write_surfaces.py: every model's add form, a change form of each, the
admins' own pages such as the price tool and the imports), posted by the superuser, who may
write everywhere. Each field takes each value once: the n-th body gives the field at place
j the value at place (j + n) of the list, so one form's fields are refused together, in
turns, with a few bodies per form rather than one per field and value. Then each field of
an add form alone takes NUL, which every field refuses, beside the others as rendered: a
form whose own `clean` reads the value of a refused field is found only so. The answer is
the form with its errors, or the save: never a 500."""

from __future__ import annotations

import logging

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from tests.security import write_surfaces as ws

HOSTILE = ["a\x00b", "\u00b2", "99999999999999999999999", "9999-12-31", "-1", "1e999", "NaN"]
# what the browser sends besides the fields: kept as rendered
PLUMBING = ("csrfmiddlewaretoken", "_save", "_continue", "_addanother")
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


def forms_to_send(surfaces: list[ws.WriteSurface]) -> list[ws.WriteSurface]:
    """The add form and the first change form of each model, and the admins' own pages,
    each with fields to fill."""
    chosen: dict[tuple, ws.WriteSurface] = {}
    for s in surfaces:
        if s.action or not s.data or s.label.startswith(("delete", "history")):
            continue
        kind = s.label.split(" #")[0]  # "change pricing.Tariff", "admin view ..._preview"
        chosen.setdefault((kind, s.data and tuple(k for k, _ in s.data)), s)
    return list(chosen.values())


def hostile_bodies(s: ws.WriteSurface) -> list[dict[str, list[str]]]:
    names = list(
        dict.fromkeys(k for k, _ in s.data if k not in PLUMBING and not k.endswith(MANAGEMENT))
    )
    place = {name: j for j, name in enumerate(names)}
    turns = [{name: HOSTILE[(j + turn) % len(HOSTILE)] for name, j in place.items()}
             for turn in range(len(HOSTILE))]  # fmt: skip
    if s.label.startswith("add "):
        turns += [{name: HOSTILE[0]} for name in names]
    bodies = []
    for values in turns:
        body: dict[str, list[str]] = {}
        for key, value in s.data:
            body.setdefault(key, []).append(values.get(key, value))
        bodies.append(body)
    return bodies


@pytest.mark.django_db
def test_no_admin_form_answers_a_value_no_field_takes_with_a_500(world):
    built, _, surfaces = world
    client = Client(raise_request_exception=False)
    client.force_login(built.superuser)
    wrong, sent = [], 0
    logging.disable(logging.CRITICAL)  # the 500s are counted below, not logged
    try:
        for s in forms_to_send(surfaces):
            for body in hostile_bodies(s):
                sent += 1
                with transaction.atomic():
                    try:
                        status = client.post(s.url, body).status_code
                    except DatabaseError as exc:  # the request broke the transaction
                        status = 500
                        body["database error"] = [str(exc)]
                    transaction.set_rollback(True)
                if status >= 500:
                    wrong.append(f"POST {s.url} [{s.label}] {body}: {status}")
    finally:
        logging.disable(logging.NOTSET)
    print(f"\n{sent} POSTs")
    assert sent > 300 and wrong == [], "\n".join(wrong[:20]) + f"\n({len(wrong)} in all)"
