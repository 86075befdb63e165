"""A Beckn order: one per (bap_id, transaction_id), from the first quote to its end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial

from django.db import models
from django.utils import timezone

from cpo_portal import formatting
from cpo_portal.models import Charger, Operator

from .history import history_records
from .order_quote import AppliedOffer, HeldQuote, OrderSession, quote_text


class OrderState(models.TextChoices):
    QUOTED = "quoted", "Quoted (select)"
    INITIALIZED = "initialized", "Initialized (init)"
    CONFIRMED = "confirmed", "Confirmed"
    ACTIVE = "active", "Charging"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


S = OrderState
# Which state may follow which. select may re-quote and init may re-init before confirm.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.QUOTED: frozenset({S.QUOTED, S.INITIALIZED, S.CANCELLED}),
    S.INITIALIZED: frozenset({S.QUOTED, S.INITIALIZED, S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.ACTIVE, S.COMPLETED, S.CANCELLED}),
    S.ACTIVE: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}


class InvalidTransition(Exception):
    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"an order that is {current} cannot become {wanted}")
        self.current = current
        self.wanted = wanted


class Order(models.Model):
    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="beckn_orders")
    charger = models.ForeignKey(
        Charger, on_delete=models.SET_NULL, null=True, blank=True, related_name="beckn_orders"
    )
    charger_code = models.CharField("item id", max_length=64)
    bap_id = models.CharField(max_length=255)
    bap_uri = models.CharField(max_length=500, blank=True)
    transaction_id = models.CharField(max_length=64)
    order_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    state = models.CharField(max_length=16, choices=OrderState.choices, default=S.QUOTED)
    session = models.JSONField(  # OrderSession (held_session)
        default=dict, help_text="What was asked: start, end, kWh or amount (as strings)."
    )
    quote = models.JSONField(default=dict, help_text="The Beckn quote we last sent.")  # BecknQuote
    quote_total = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="INR")
    offer_ids = models.JSONField(default=list, blank=True, help_text="Offers the BAP asked for.")
    offer_codes = models.JSONField(default=list, blank=True)
    applied_offers = models.JSONField(  # AppliedOffer (held_offers)
        default=list, blank=True, help_text="Offers in the quote: id, title, discount, code."
    )
    customer_key = models.CharField(max_length=128, blank=True)
    billing = models.JSONField(default=dict, blank=True)
    fulfillment = models.JSONField(default=dict, blank=True, help_text="Customer and vehicle.")
    payment = models.JSONField(default=dict, blank=True)
    delivered_kwh = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    cancellation = models.JSONField(default=dict, blank=True)
    ratings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)  # a select's, at init
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    settled_start = models.DateTimeField(
        null=True, blank=True, help_text="The start the settlement priced the session from."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    history = history_records()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["bap_id", "transaction_id"], name="one_order_per_transaction"
            ),
        ]
        indexes = [models.Index(fields=["operator", "state"], name="order_operator_state_idx")]

    def __str__(self) -> str:
        return self.order_id or f"{self.transaction_id} ({self.get_state_display()})"

    @property
    def reference(self) -> str:
        """The key the offers ledger knows this order by."""
        return self.reference_for(self.bap_id, self.transaction_id)

    @staticmethod
    def reference_for(bap_id: str, transaction_id: str) -> str:
        return f"beckn:{bap_id}:{transaction_id}"

    @property
    def held_session(self) -> OrderSession:
        """The session asked for and quoted, typed (the `session` column)."""
        return OrderSession.from_json(self.session)

    @property
    def session_times(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The session's (start, end) as the order stands: as booked until charging ended,
        then the start it was settled from (`settled_start`, the booked start for an order
        settled before it was kept) and when charging ended."""
        booked = self.held_session
        if self.ended_at is None:
            return booked.start, booked.end
        return self.settled_start or booked.start, self.ended_at

    def charged_minutes(self, now: dt.datetime) -> float | None:
        """Minutes charging ran, as a meter counts them: from when it started (without a
        reported start, the start it was settled from) to when it ended, or to `now`
        while it runs; None before it started, and for an order cancelled unstarted."""
        if self.ended_at is not None:
            start, end = self.started_at or self.session_times[0], self.ended_at
        elif self.started_at is not None and self.state == OrderState.ACTIVE:
            start, end = self.started_at, now
        else:
            return None
        if start is None:
            return None
        return round(max((end - start).total_seconds(), 0) / 60, 2)

    @property
    def held_offers(self) -> tuple[AppliedOffer, ...]:
        """The offers in the order's quote, typed (the `applied_offers` column)."""
        return tuple(AppliedOffer.from_json(o) for o in self.applied_offers if isinstance(o, dict))

    def history_value_text(self, field: str, currency: str) -> str | None:
        """The quote's total, its lines and the offers it applied in the change log
        (cpo_portal.changes.wording) in words, not as the JSON sent."""
        money = partial(formatting.money_text, currency=currency)
        # money, though no shared bound of cpo_portal.db.values fits it: a quote sums
        # rates, fees, add-ons and GST past a single MAX_AMOUNT, and only pricing writes it
        if field == "quote_total" and self.quote_total is not None:
            return money(self.quote_total)
        if field == "quote":
            return quote_text(self.quote, money)
        if field == "applied_offers":
            try:
                return "; ".join(o.text(money) for o in self.held_offers) or None
            except (KeyError, ArithmeticError):  # not an applied offer as written
                return None
        return None

    def hold_quote(self, held: HeldQuote) -> None:
        """Write a priced quote into the order (saved by the caller): the Beckn quote, its
        total, the offers it applied and, when given, the session and the customer."""
        if held.session is not None:
            self.session = held.session.to_json()
        self.quote = dict(held.quote)
        self.quote_total = held.total
        self.currency = held.currency
        self.hold_offers(held.offers)
        self.customer_key = held.customer_key or self.customer_key

    def hold_offers(self, offers: Iterable[AppliedOffer]) -> None:
        self.applied_offers = [o.to_json() for o in offers]

    def move_to(self, state: str) -> None:
        if state not in TRANSITIONS[self.state]:
            raise InvalidTransition(self.state, state)
        self.state = state
