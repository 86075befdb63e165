"""What the CDS publishing tests share: a registered stand-in CDS on loopback, its keys, a
small catalog, and the catalogs a publish row carries (checked against the 2.0.0 schema)."""

from __future__ import annotations

import json

from beckn.management.commands.cds_standin import schema_issues
from beckn.models import (
    CatalogPublish,
    Outbox,
    Subscriber,
    SubscriberType,
)
from beckn.tasks import deliver_now
from tests.beckn.bap import BPP_ID

CDS_ID = "cds.test.example"


def mini_catalog(operator, *, resources: bool = True) -> dict:
    """A small 2.0 catalog standing in for the renderer's (beckn.wire.v2.catalog)."""
    out = {
        "id": f"catalog-{operator.code}",
        "bppId": BPP_ID,
        "descriptor": {"name": operator.name},
        "provider": {"id": operator.code, "descriptor": {"name": operator.name}},
    }
    if resources:
        out["resources"] = [{"id": "a-charger-01", "descriptor": {"name": "Charger 1"}}]
    return out


def register_cds(url: str, public: str, kind: str = SubscriberType.CDS) -> Subscriber:
    return Subscriber.objects.create(
        subscriber_id=CDS_ID, type=kind, url=url, key_id=f"{CDS_ID}.k1",
        signing_public_key=public,
    )  # fmt: skip


def send(publish_row: CatalogPublish) -> str:
    """Deliver the publish as the worker would (the same delivery as callbacks)."""
    results = deliver_now([publish_row.outbox_id])
    return results[publish_row.outbox_id].state


def published(rows) -> list[dict]:
    """The catalogs of these publishes, each checked against the 2.0.0 schema."""
    out = []
    for row in rows:
        body = json.loads(Outbox.objects.get(pk=row.outbox_id).payload)
        assert schema_issues(body) == []
        assert [c["id"] for c in body["message"]["catalogs"]] == row.catalog_ids
        out += body["message"]["catalogs"]
    return out


def wait_for_answers(standin, count: int) -> list[dict]:
    """The on_publish answers the stand-in CDS sent, once `count` are (or 30 s passed)."""
    with standin.changed:
        standin.changed.wait_for(lambda: len(standin.answered) >= count, 30.0)
        return list(standin.answered)
