"""The Beckn admin: operators see their own orders, held quotes and callbacks only; the
registry and our keys are for superusers, and a private key never shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from beckn.models import DeliveryAttempt, Order, Outbox, OutboxState, SelectQuote, Subscriber
from beckn.services import keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(network, bpp):
    now = timezone.now()
    made = {}
    for key in ("a", "b"):
        order = Order.objects.create(
            operator=getattr(network, f"op_{key}"),
            charger=getattr(network, f"charger_{key}"),
            charger_code=f"{key}-charger-01",
            bap_id="bap.example",
            transaction_id=f"txn-{key}",
            order_id=f"ord-{key}",
        )
        box = Outbox.objects.create(
            order=order, subscriber_id="bap.example", action="on_status",
            target_url="https://bap.example/on_status", payload='{"context": {}}',
            message_id=f"m-{key}", transaction_id=f"txn-{key}", state=OutboxState.REJECTED,
            next_attempt_at=now, expires_at=now + dt.timedelta(minutes=5),
        )  # fmt: skip
        DeliveryAttempt.objects.create(
            outbox=box, number=1, started_at=now, target_url=box.target_url,
            status_code=500, outcome=OutboxState.PENDING,
        )  # fmt: skip
        made[key] = (order, box)
    Subscriber.objects.create(
        subscriber_id="bap.example", type="BAP", url="https://bap.example/beckn", key_id="k1",
        signing_public_key="11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
    )  # fmt: skip
    made["key"] = keys.generate("bpp-key-1")
    return made


def listed(client, user, model: str) -> str:
    client.force_login(user)
    response = client.get(reverse(f"admin:beckn_{model}_changelist"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["admin", "pricing", "analyst"])
def test_operators_see_only_their_orders_and_callbacks(client, network, rows, role):
    user = getattr(network, f"{role}_a")
    page = listed(client, user, "order")
    assert "ord-a" in page and "ord-b" not in page
    page = listed(client, user, "outbox")
    own, other = rows["a"][1], rows["b"][1]
    assert reverse("admin:beckn_outbox_change", args=[own.pk]) in page
    assert reverse("admin:beckn_outbox_change", args=[other.pk]) not in page
    response = client.get(reverse("admin:beckn_order_change", args=[rows["b"][0].pk]))
    assert response.status_code in (302, 404)
    response = client.get(reverse("admin:beckn_deliveryattempt_changelist"))
    assert response.status_code == 200
    attempts = response.content.decode()
    mine = DeliveryAttempt.objects.get(outbox=own)
    theirs = DeliveryAttempt.objects.get(outbox=other)
    assert reverse("admin:beckn_deliveryattempt_change", args=[mine.pk]) in attempts
    assert reverse("admin:beckn_deliveryattempt_change", args=[theirs.pk]) not in attempts


@pytest.fixture
def held(network, rows):
    """Per operator, a held quote that went on to init and one of a transaction that only
    selected."""
    made = {}
    for key in ("a", "b"):
        charger = getattr(network, f"charger_{key}")
        offers = [{"id": f"offer-{key}", "discount": "5.00"}]
        made[key] = [
            SelectQuote.objects.create(
                bap_id="bap.example", transaction_id=f"txn-{key}", order=rows[key][0],
                charger=charger, total="91.45", quote={"price": {"value": "91.45"}},
            ),
            SelectQuote.objects.create(
                bap_id="bap.example", transaction_id=f"only-selected-{key}", charger=charger,
                total="42.10", applied_offers=offers, session={"kwh": "5.000"},
            ),
        ]  # fmt: skip
    return made


@pytest.mark.parametrize("role", ["admin", "pricing", "analyst"])
def test_operators_see_only_their_held_quotes_read_only(client, network, held, role):
    user = getattr(network, f"{role}_a")
    page = listed(client, user, "selectquote")
    assert "txn-a" in page and "only-selected-a" in page and "offer-a" in page
    assert "txn-b" not in page and "only-selected-b" not in page and "offer-b" not in page
    only_selected = client.get(
        reverse("admin:beckn_selectquote_changelist"), {"order__isempty": "1"}
    ).content.decode()
    assert "only-selected-a" in only_selected and "txn-a<" not in only_selected
    mine, theirs = held["a"][1], held["b"][1]
    page = client.get(reverse("admin:beckn_selectquote_change", args=[mine.pk]))
    assert page.status_code == 200 and b'<pre class="beckn-json">' in page.content
    assert b'name="total"' not in page.content  # shown, never an input
    other = client.get(reverse("admin:beckn_selectquote_change", args=[theirs.pk]))
    assert other.status_code in (302, 404)
    post = client.post(reverse("admin:beckn_selectquote_change", args=[mine.pk]), {"total": "1"})
    assert post.status_code == 403
    assert client.get(reverse("admin:beckn_selectquote_add")).status_code == 403
    mine.refresh_from_db()
    assert str(mine.total) == "42.10"


def test_a_superuser_sees_every_operator_s_held_quotes(client, network, held, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    page = listed(client, boss, "selectquote")
    assert "only-selected-a" in page and "only-selected-b" in page


def test_callback_bodies_are_shown_with_our_stylesheet(client, network, rows):
    client.force_login(network.admin_a)
    page = client.get(reverse("admin:beckn_outbox_change", args=[rows["a"][1].pk]))
    assert b'<pre class="beckn-json">' in page.content
    assert b"beckn/admin.css" in page.content


def test_orders_are_read_only(client, network, rows):
    client.force_login(network.admin_a)
    url = reverse("admin:beckn_order_change", args=[rows["a"][0].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert client.get(reverse("admin:beckn_order_add")).status_code == 403


def test_registry_and_keys_are_for_superusers(client, network, rows):
    client.force_login(network.admin_a)
    for model in ("subscriber", "signingkey", "inboundmessage"):
        assert client.get(reverse(f"admin:beckn_{model}_changelist")).status_code == 403
    client.force_login(network.superuser)
    for model in ("signingkey", "inboundmessage"):  # never made by hand
        assert client.get(reverse(f"admin:beckn_{model}_add")).status_code == 403
    client.force_login(network.superuser)
    page = listed(client, network.superuser, "subscriber")
    assert "bap.example" in page
    key = rows["key"]
    detail = client.get(reverse("admin:beckn_signingkey_change", args=[key.pk])).content.decode()
    assert key.public_key in detail and key.private_key not in detail


def test_superuser_edits_a_subscriber(client, network, rows):
    client.force_login(network.superuser)
    row = Subscriber.objects.get()
    url = reverse("admin:beckn_subscriber_change", args=[row.pk])
    data = {
        "subscriber_id": row.subscriber_id, "type": "BAP", "url": "https://bap.example/v2",
        "key_id": row.key_id, "signing_public_key": "not-base64!", "status": "SUBSCRIBED",
        "vocabularies": "deg", "rate_limit": "",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200 and b"not valid base64" in response.content
    data["signing_public_key"] = row.signing_public_key
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert (row.url, row.vocabularies) == ("https://bap.example/v2", "deg")


def test_send_again_only_for_own_callbacks(client, network, rows, no_queue):
    client.force_login(network.admin_a)
    own, other = rows["a"][1], rows["b"][1]
    response = client.post(
        reverse("admin:beckn_outbox_changelist"),
        {"action": "send_again", "_selected_action": [own.pk, other.pk]},
    )
    assert response.status_code == 302
    assert Outbox.objects.get(pk=own.pk).state == OutboxState.PENDING
    assert Outbox.objects.get(pk=other.pk).state == OutboxState.REJECTED
    client.force_login(network.analyst_a)  # may look, may not act
    Outbox.objects.filter(pk=own.pk).update(state=OutboxState.REJECTED)
    client.post(
        reverse("admin:beckn_outbox_changelist"),
        {"action": "send_again", "_selected_action": [own.pk]},
    )
    assert Outbox.objects.get(pk=own.pk).state == OutboxState.REJECTED
