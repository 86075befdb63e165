"""Stacking, priority, per-session caps and customer exemptions."""

from __future__ import annotations

import pytest

from pricing.engine import PricingSetupError
from pricing.engine.types import ChargeForm, SessionRequest
from tests.pricing.engine.build import (
    NONE,
    D,
    at,
    book_price,
    customer,
    rule,
    session,
    site,
    surge_amounts,
    tariff,
    window,
)


def ten_kwh(start: str = "2025-09-24 18:30", **kw) -> SessionRequest:
    return session(at(start), site("10"), kwh=D("10"), **kw)


def test_stackable_rules_all_apply():
    rules = [rule("a", "1"), rule("b", "2"), rule("c", "10", ChargeForm.PERCENT)]
    priced = book_price(ten_kwh(), tariff("16"), rules)
    assert surge_amounts(priced) == {"a": "10.00", "b": "20.00", "c": "16.00"}


def test_only_the_highest_priority_non_stackable_rule_applies_beside_stackables():
    rules = [
        rule("low", "5", stackable=False, priority=1),
        rule("high", "3", stackable=False, priority=2),
        rule("extra", "1"),
    ]
    priced = book_price(ten_kwh(), tariff(), rules)
    assert surge_amounts(priced) == {"high": "30.00", "extra": "10.00"}


def test_priority_ties_go_to_the_lower_code():
    rules = [rule("zeta", "5", stackable=False), rule("alpha", "3", stackable=False)]
    assert surge_amounts(book_price(ten_kwh(), tariff(), rules)) == {"alpha": "30.00"}


def test_priority_is_decided_per_segment():
    # 'evening' wins 18:00-19:00; 'late' covers until 21:00 and takes over at 19:00
    rules = [
        rule("evening", "3", stackable=False, priority=2, window=window("18:00", "19:00")),
        rule("late", "1", stackable=False, priority=1, window=window("18:00", "21:00")),
    ]
    priced = book_price(ten_kwh(), tariff(), rules)
    assert surge_amounts(priced) == {"evening": "15.00", "late": "5.00"}
    assert [seg.surge_codes for seg in priced.segments] == [("evening",), ("late",)]


def test_per_session_cap():
    rules = [rule("capped", "2", cap_per_session=D("5")), rule("open", "2")]
    priced = book_price(ten_kwh(), tariff(), rules)
    assert surge_amounts(priced) == {"capped": "5.00", "open": "20.00"}
    capped = next(ln for ln in priced.lines if ln.code == "capped")
    assert ("capped", "true") in capped.tags


def test_cap_above_the_amount_changes_nothing():
    rules = [rule("capped", "2", cap_per_session=D("50"))]
    assert surge_amounts(book_price(ten_kwh(), tariff(), rules)) == {"capped": "20.00"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (customer(), {"busy": "10.00"}),
        (customer(segment="fleet"), {}),
        (customer(tier="gold"), {}),
        (customer(segment="retail", tier="silver"), {"busy": "10.00"}),
    ],
)
def test_exemptions_by_segment_and_tier(who, expected):
    surge = rule(
        "busy", "1", exempt_segments=frozenset({"fleet"}), exempt_tiers=frozenset({"gold"})
    )
    assert surge_amounts(book_price(ten_kwh(customer=who), tariff(), [surge])) == expected


def test_an_exempt_rule_does_not_block_a_lower_priority_one():
    rules = [
        rule("top", "5", stackable=False, priority=9, exempt_tiers=frozenset({"gold"})),
        rule("next", "1", stackable=False, priority=1),
    ]
    priced = book_price(ten_kwh(customer=customer(tier="gold")), tariff(), rules)
    assert surge_amounts(priced) == {"next": "10.00"}


def test_surge_lines_follow_the_rule_list_order():
    rules = [rule("z", "1"), rule("a", "2"), rule("m", "3")]
    priced = book_price(ten_kwh(), tariff(), rules)
    assert [ln.code for ln in priced.lines][-3:] == ["z", "a", "m"]


def test_zero_amount_surge_adds_no_line():
    assert surge_amounts(book_price(ten_kwh(), tariff(), [rule("free", "0")])) == {}


@pytest.mark.parametrize(
    "rules",
    [
        [rule("a", "1"), rule("a", "2")],
        [rule("neg", "-1")],
        [rule("naive", "1", valid_from=at("2025-09-24 10:00").replace(tzinfo=None))],
        [
            rule(
                "backwards",
                "1",
                valid_from=at("2025-09-25 10:00"),
                valid_until=at("2025-09-24 10:00"),
            )
        ],
    ],
)
def test_malformed_rules_are_refused(rules):
    with pytest.raises(PricingSetupError):
        book_price(ten_kwh(), tariff(), rules, NONE)
