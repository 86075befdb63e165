"""Surge changes that can raise a price need the operator's notice period; the admin says
exactly when the change could take effect."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pricing.models import SurgeRule
from pricing.services.advance import earliest_allowed, needs_notice, notice_error
from tests.pricing.admin_posts import surge_edit_post, surge_post, url

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 9, 24, 12, 34, 56, tzinfo=dt.UTC)  # 18:04:56 in India


@pytest.fixture
def notice(priced):
    priced.op_a.surge_notice_hours = 24
    priced.op_a.save()
    return priced


def test_earliest_allowed_rounds_up_to_the_minute(notice):
    assert earliest_allowed(notice.op_a, NOW) == dt.datetime(2025, 9, 25, 12, 35, tzinfo=dt.UTC)


def test_notice_error_names_the_earliest_time_in_the_operators_zone(notice):
    message = notice_error(notice.op_a, NOW + dt.timedelta(hours=2), NOW)
    assert message == (
        "Operator A gives customers 24 hours notice of surge changes: set “effective from” "
        "to 2025-09-25 18:05 (Asia/Kolkata) or later."
    )
    assert notice_error(notice.op_a, NOW + dt.timedelta(hours=24), NOW) is None
    assert notice_error(notice.op_a, None, NOW) is not None


def test_no_notice_period_means_no_check(priced):
    assert notice_error(priced.op_a, NOW - dt.timedelta(days=1), NOW) is None


def test_which_changes_need_notice():
    assert needs_notice([], new=True, old_values={}, new_values={}) == ["new rule"]
    assert needs_notice(["name", "note"], new=False, old_values={}, new_values={}) == []
    assert needs_notice(["amount", "name"], new=False, old_values={}, new_values={}) == ["amount"]
    assert needs_notice(["paused"], new=False, old_values={}, new_values={"paused": True}) == []
    assert needs_notice(["paused"], new=False, old_values={}, new_values={"paused": False}) == [
        "paused"
    ]
    soon = timezone.now() + dt.timedelta(days=1)
    ends_sooner = {"valid_until": soon}
    assert (
        needs_notice(
            ["valid_until"], new=False, old_values={"valid_until": None}, new_values=ends_sooner
        )
        == []
    )
    assert needs_notice(
        ["valid_until"],
        new=False,
        old_values={"valid_until": soon},
        new_values={"valid_until": None},
    ) == ["valid_until"]


def test_lowering_a_surge_needs_no_notice_and_raising_one_does():
    five, four = {"form": "percent", "amount": Decimal("5")}, {"form": "percent", "amount": 4}
    assert needs_notice(["amount"], new=False, old_values=five, new_values=four) == []
    assert needs_notice(["amount"], new=False, old_values=four, new_values=five) == ["amount"]
    per_kwh = {"form": "per_kwh", "amount": Decimal("1")}  # another form: not comparable
    assert needs_notice(["form", "amount"], new=False, old_values=five, new_values=per_kwh) == [
        "form",
        "amount",
    ]
    capped = {"cap_per_session": Decimal("20")}
    assert needs_notice(["cap_per_session"], new=False, old_values={}, new_values=capped) == []
    assert needs_notice(
        ["cap_per_session"], new=False, old_values=capped, new_values={"cap_per_session": None}
    ) == ["cap_per_session"]


def test_admin_lowers_a_live_surge_without_notice(as_pricing_a, notice):
    rule = notice.surge_a
    SurgeRule.objects.filter(pk=rule.pk).update(amount=Decimal("5"))
    rule.refresh_from_db()
    response = as_pricing_a.post(
        url("surgerule", "change", rule.pk), surge_edit_post(rule, amount="4")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule.refresh_from_db()
    assert rule.amount == Decimal("4")


def test_admin_refuses_a_new_rule_that_takes_effect_too_soon(as_pricing_a, notice):
    data = surge_post(notice.op_a, code="too-soon", effective_from=timezone.now())
    page = as_pricing_a.post(url("surgerule", "add"), data).content.decode()
    earliest = timezone.localtime(earliest_allowed(notice.op_a))
    assert "A new surge rule needs notice. Operator A gives customers 24 hours notice" in page
    assert f"{earliest:%Y-%m-%d %H:%M}" in page or (
        f"{earliest - dt.timedelta(minutes=1):%Y-%m-%d %H:%M}" in page  # a minute ticked over
    )
    assert not SurgeRule.objects.filter(code="too-soon").exists()


def test_admin_accepts_a_rule_scheduled_after_the_notice(as_pricing_a, notice):
    later = timezone.now() + dt.timedelta(hours=25)
    response = as_pricing_a.post(
        url("surgerule", "add"), surge_post(notice.op_a, code="later", effective_from=later)
    )
    assert response.status_code == 302
    assert SurgeRule.objects.get(code="later").effective_from > timezone.now()


def test_the_add_form_proposes_the_earliest_allowed_time(as_pricing_a, notice):
    page = as_pricing_a.get(url("surgerule", "add")).content.decode()
    earliest = timezone.localtime(earliest_allowed(notice.op_a))
    assert f'value="{earliest:%Y-%m-%d}"' in page


def test_price_change_to_a_live_rule_needs_notice(as_pricing_a, notice):
    rule = notice.surge_a
    page = as_pricing_a.post(
        url("surgerule", "change", rule.pk), surge_edit_post(rule, amount="2")
    ).content.decode()
    assert "Changing amount needs notice." in page
    rule.refresh_from_db()
    assert rule.amount == Decimal("1")


def test_price_change_scheduled_after_the_notice_is_accepted(as_pricing_a, notice):
    rule = notice.surge_a
    later = timezone.localtime(timezone.now() + dt.timedelta(hours=30))
    data = surge_edit_post(
        rule, amount="2", effective_from_0=f"{later:%Y-%m-%d}", effective_from_1=f"{later:%H:%M:%S}"
    )
    assert as_pricing_a.post(url("surgerule", "change", rule.pk), data).status_code == 302
    rule.refresh_from_db()
    assert rule.amount == Decimal("2")


def test_wording_changes_and_pausing_need_no_notice(as_pricing_a, notice):
    rule = notice.surge_a
    data = surge_edit_post(rule, name="Evening congestion fee")
    assert as_pricing_a.post(url("surgerule", "change", rule.pk), data).status_code == 302
    rule.refresh_from_db()
    data = surge_edit_post(rule, paused="on")
    assert as_pricing_a.post(url("surgerule", "change", rule.pk), data).status_code == 302
    rule.refresh_from_db()
    assert rule.paused and rule.name == "Evening congestion fee"
    page = as_pricing_a.post(
        url("surgerule", "change", rule.pk), surge_edit_post(rule, paused=None)
    ).content.decode()
    assert "Changing paused needs notice." in page


def test_adding_a_station_to_a_rule_needs_notice(as_pricing_a, notice):
    from tests.factories import StationFactory

    rule = notice.surge_a
    extra = StationFactory(operator=notice.op_a)
    stations = [str(notice.station_a.pk), str(extra.pk)]
    page = as_pricing_a.post(
        url("surgerule", "change", rule.pk), surge_edit_post(rule, stations=stations)
    ).content.decode()
    assert "Changing stations needs notice." in page


def test_resume_action_schedules_after_the_notice(as_pricing_a, notice):
    rule = notice.surge_a
    rule.paused = True
    rule.save()
    response = as_pricing_a.post(
        url("surgerule", "changelist"),
        {"action": "resume", "_selected_action": [rule.pk]},
        follow=True,
    )
    rule.refresh_from_db()
    assert not rule.paused
    assert rule.effective_from >= timezone.now() + dt.timedelta(hours=23, minutes=59)
    assert "Resumed 1 rule(s): a-congestion from" in response.content.decode()
