"""The admin's history pages show old versions and never write one back, and objects that
belong to no operator (callbacks answering a search) are the superusers' alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from beckn.models import DeliveryAttempt, Order, Outbox, OutboxState
from beckn.models.orders import OrderState
from cpo_portal import tenancy
from cpo_portal.admin.history_admin import AuditHistoryAdmin
from cpo_portal.models import Operator
from tests.security.write_surfaces import forms_posting_to
from tests.support.admin import registered

pytestmark = pytest.mark.django_db


def history_form(obj, record) -> str:
    info = obj._meta.app_label, obj._meta.model_name
    return reverse("admin:{}_{}_simple_history".format(*info), args=[obj.pk, record.history_id])


@pytest.fixture
def cancelled(network):
    """Order 204 of the report: confirmed, then cancelled."""
    order = Order.objects.create(
        operator=network.op_a, charger=network.charger_a, charger_code="a-charger-01",
        bap_id="bap.example", transaction_id="txn-204", order_id="ord-204",
    )  # fmt: skip
    for state in (OrderState.INITIALIZED, OrderState.CONFIRMED, OrderState.CANCELLED):
        order.state = state
        order.save()
    return order


def test_an_analysts_empty_post_to_a_cancelled_orders_history_changes_nothing(
    client, network, cancelled
):
    confirmed = cancelled.history.get(state=OrderState.CONFIRMED)
    records, log = cancelled.history.count(), LogEntry.objects.count()
    client.force_login(network.analyst_a)
    response = client.post(history_form(cancelled, confirmed), {})
    assert response.status_code == 405
    cancelled.refresh_from_db()
    assert cancelled.state == OrderState.CANCELLED
    assert (cancelled.history.count(), LogEntry.objects.count()) == (records, log)


def test_an_analyst_cannot_set_the_operators_tax_rate_through_its_history(client, network):
    operator = network.op_a
    record = operator.history.earliest()
    client.force_login(network.superuser)
    change = reverse("admin:cpo_portal_operator_change", args=[operator.pk])
    (form,) = forms_posting_to(client.get(change).content.decode(), change)
    body = {**dict(form.fields), "tax_rate": "0.0100"}  # the whole form, as a browser sends it
    client.force_login(network.analyst_a)
    assert client.get(history_form(operator, record)).status_code == 200
    response = client.post(history_form(operator, record), body)
    assert response.status_code == 405
    operator.refresh_from_db()
    assert operator.tax_rate != Decimal("0.0100")


@pytest.mark.parametrize("who", ["superuser", "admin_a"])
def test_nobody_reverts_not_even_who_may_change(client, network, who):
    """Revert is off for everyone: the change form, with its validation, is the one way."""
    station = network.station_a
    old_name = station.name
    record = station.history.earliest()
    station.name = "Renamed"
    station.save()
    client.force_login(getattr(network, who))
    page = client.get(history_form(station, record)).content.decode()
    assert 'name="_save"' not in page and 'name="name"' not in page  # shown, not editable
    assert old_name in page
    assert client.post(history_form(station, record), {"name": old_name}).status_code == 405
    station.refresh_from_db()
    assert station.name == "Renamed"


def test_every_admin_with_history_is_read_only_history():
    admins = registered()
    with_history = [m for m, a in admins.items() if isinstance(a, SimpleHistoryAdmin)]
    assert len(with_history) > 10
    plain = [m._meta.label for m in with_history if not isinstance(admins[m], AuditHistoryAdmin)]
    assert plain == [], "derive these admins from cpo_portal.admin.history_admin.AuditHistoryAdmin"


# -- objects that belong to no operator ----------------------------------------------------------


@pytest.fixture
def on_search():
    now = timezone.now()
    box = Outbox.objects.create(
        subscriber_id="bap.example", action="on_search", target_url="https://bap.example/on_search",
        payload='{"secret": "catalogue"}', message_id="m-search", transaction_id="t-search",
        state=OutboxState.REJECTED, next_attempt_at=now, expires_at=now + dt.timedelta(hours=1),
    )  # fmt: skip
    attempt = DeliveryAttempt.objects.create(
        outbox=box, number=1, started_at=now, target_url=box.target_url, status_code=500,
        outcome=OutboxState.PENDING,
    )  # fmt: skip
    return box, attempt


def _pages(obj) -> list[str]:
    info = obj._meta.app_label, obj._meta.model_name
    pages = [reverse("admin:{}_{}_{}".format(*info, p), args=[obj.pk])
             for p in ("change", "history", "delete")]  # fmt: skip
    return [*pages, history_form(obj, obj.history.earliest())]


@pytest.mark.parametrize("role", ["admin_a", "pricing_a", "analyst_a"])
def test_a_callback_without_an_order_is_no_operators(client, network, on_search, role):
    box, attempt = on_search
    client.force_login(getattr(network, role))
    for obj in (box, attempt):
        changelist = reverse(f"admin:beckn_{obj._meta.model_name}_changelist")
        assert obj.target_url not in client.get(changelist).content.decode()
        for url in _pages(obj):
            response = client.get(url)
            assert response.status_code in (302, 403, 404), url
            assert "on_search" not in response.content.decode(), url
    response = client.post(
        reverse("admin:beckn_outbox_changelist"),
        {"action": "send_again", "_selected_action": [box.pk], "index": "0"},
    )
    box.refresh_from_db()
    assert box.state == OutboxState.REJECTED


def test_the_superuser_sees_a_callback_without_an_order(client, network, on_search):
    box, attempt = on_search
    client.force_login(network.superuser)
    for obj in (box, attempt):
        for url in _pages(obj)[:2]:
            assert client.get(url).status_code == 200, url


def test_may_allows_a_new_object_and_refuses_a_saved_one_without_an_owner(network, on_search):
    box, _ = on_search
    user = network.admin_a
    assert tenancy.may(user, Outbox(), tenancy.ALL_ROLES)  # the add form, before the choice
    assert not tenancy.may(user, box, tenancy.ALL_ROLES)
    assert tenancy.may(network.superuser, box, tenancy.ALL_ROLES)
    assert tenancy.may(user, Operator.objects.get(pk=network.op_a.pk), tenancy.ALL_ROLES)
    assert not tenancy.scope(Outbox.objects.all(), user).filter(pk=box.pk).exists()
