"""A callback's text keeps the UTF-8 bytes it was made of (cpo_portal.db.utf8_text):
PostgreSQL is given them as they are, where a plain `str` would be encoded again; the
text itself reads and round-trips as any `str` on every database."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from cpo_portal.db.utf8_text import Utf8Text, utf8

pytestmark = pytest.mark.django_db


def marked(text: str, kept: bytes) -> Utf8Text:
    """A Utf8Text whose kept bytes are not its text: which of the two went out shows."""
    out = Utf8Text(text)
    out.utf8 = kept
    return out


@pytest.mark.postgres
@pytest.mark.parametrize("quoted", [False, True], ids=["values apart", "values quoted"])
def test_postgresql_is_given_the_kept_bytes(quoted):
    connection.ensure_connection()
    with connection.cursor() as django_cursor:  # Django's own cursor: its binding
        raw = psycopg.ClientCursor(connection.connection) if quoted else django_cursor
        raw.execute("SELECT %s", [marked("plain", "kept ₹'\\".encode())])
        assert raw.fetchone()[0] == "kept ₹'\\"


def test_text_round_trips_as_it_was_made():
    made = '{"price":"₹3/kWh","quote":"it\'s \\\\ ok","plug":"🔌"}'.encode()
    text = Utf8Text.decoded(made)
    assert text == made.decode() and utf8(text) is made
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [text])
        assert cursor.fetchone()[0] == made.decode()
    assert utf8("₹") == "₹".encode()
