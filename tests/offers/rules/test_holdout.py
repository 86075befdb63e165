"""Holdout: deterministic per (customer, offer), close to the configured share."""

import hashlib
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from offers.rules.construct import Holdout
from offers.rules.holdout import bucket, is_held_out


def test_bucket_is_pinned_so_a_refactor_cannot_reshuffle_groups() -> None:
    assert bucket("cust-1", "offer-1") == D("0.6708904571503235106421161871")
    assert bucket("cust-1", "offer-2") == D("0.5321007329456160016116494926")


def test_bucket_is_sha256_of_offer_and_customer() -> None:
    digest = hashlib.sha256(b"offer-1\x1fcust-1").digest()
    assert bucket("cust-1", "offer-1") == D(int.from_bytes(digest[:8], "big")) / D(2**64)


def test_share_is_close_to_configured_over_10000_keys() -> None:
    for share in (D("0.1"), D("0.25"), D("0.5")):
        held = sum(is_held_out(Holdout(share), f"cust-{i}", "offer-x") for i in range(10_000))
        assert abs(held / 10_000 - float(share)) < 0.015, (share, held)


def test_anonymous_and_zero_share_are_never_held_out() -> None:
    assert not is_held_out(Holdout(D("1")), "", "offer-x")
    assert not is_held_out(Holdout(D("0")), "cust-1", "offer-x")
    assert not is_held_out(None, "cust-1", "offer-x")
    assert is_held_out(Holdout(D("1")), "cust-1", "offer-x")


@given(key=st.text(min_size=1), offer_id=st.text(min_size=1), share=st.decimals(0, 1, places=3))
def test_deterministic_and_monotone_in_share(key: str, offer_id: str, share: D) -> None:
    first = is_held_out(Holdout(share), key, offer_id)
    assert first == is_held_out(Holdout(share), key, offer_id)
    if first:  # a bigger share never lets a held-out customer back in
        assert is_held_out(Holdout(min(share + D("0.1"), D(1))), key, offer_id)
