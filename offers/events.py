"""The offers domain's own events, for the apps above it (analytics listens; offers never
imports its listeners)."""

from __future__ import annotations

from django.dispatch import Signal

# A delivered session that redeemed no offer was settled (the ledger's settle, given the
# session), with order_ref, quote (an OfferQuote: no offers applied) and customer
# (CustomerFacts).
session_settled = Signal()

# Finished sessions that came by another channel than Beckn (a CDR pushed or imported),
# with sessions (a list of offers.services.ReceivedSession), sent inside the transaction
# that stores them.
sessions_received = Signal()

# Asked by whoever receives sessions from another channel, with operator_id and
# references (what the sessions name as their authorization: an OCPI CDR's
# authorization_reference): which of them are the receiver's orders at that operator.
# Each receiver returns {reference: offers.services.KnownOrder}.
orders_named = Signal()
