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
