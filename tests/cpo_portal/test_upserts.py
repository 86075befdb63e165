"""One row by one INSERT ... ON CONFLICT whose text is made once (cpo_portal.db.upserts):
a new row, nothing for a taken key, or the taken key's row updated in the fields named."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beckn.models import Subscriber
from cpo_portal.db import upserts

pytestmark = pytest.mark.django_db
KEY = ("subscriber_id", "key_id")


def values(url: str, kind: str) -> dict:
    now = timezone.now()
    return {"subscriber_id": "bap.example", "key_id": "k1", "type": kind, "url": url,
            "signing_public_key": "x" * 44, "created_at": now, "updated_at": now}  # fmt: skip


def test_a_new_row_then_nothing_for_its_taken_key():
    new = upserts.insert(Subscriber, values("https://one.example", "BAP"), KEY)
    row = Subscriber.objects.get()
    assert new == row.pk and row.status == Subscriber._meta.get_field("status").default
    assert upserts.insert(Subscriber, values("https://two.example", "BPP"), KEY) is None
    assert Subscriber.objects.get().url == "https://one.example"


def test_a_taken_key_updates_only_the_fields_named():
    first = upserts.insert(Subscriber, values("https://one.example", "BAP"), KEY, ("url",))
    with CaptureQueriesContext(connection) as seen:
        again = upserts.insert(Subscriber, values("https://two.example", "BPP"), KEY, ("url",))
    assert again == first and len(seen.captured_queries) == 1
    row = Subscriber.objects.get()
    assert (row.url, row.type) == ("https://two.example", "BAP")
