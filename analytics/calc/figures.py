"""One definition per figure: what it counts, what it is called, how it is worked out.

Every page, CSV and API field that shows one of these figures takes its label from here
and computes it with these functions, so "net revenue" means one thing on the ROI
dashboard, an offer's page, the what-if result and the API.

- **Sessions**: delivered sessions, each counted once, on the local date (the operator's
  time zone) on which it *settled* (its settled ledger row, or its row among the sessions
  without offers). A session that starts at 23:50 on 31 October and ends after midnight
  belongs to November: the rollups, the dashboards, the API and the what-if window all
  read the settlement date.
- **Net revenue (before tax)**: what the customer paid less tax (GST), i.e. after the
  discounts, and less the fees that are not the operator's: the buyer finder fee (a cost
  of the sale, paid to the BAP) and the overcharge estimation buffer (held, not revenue,
  released at settlement). Never includes tax. The rollups' SQL is the same definition
  (analytics.models.measures.NET_REVENUE).
- **Payable (incl. GST)**: what the customer paid, tax included. Shown only where a
  payable figure is the point, and always labelled so.
- **Gross revenue**: the session's value before discounts and before tax (energy, fees,
  surge).
- **Discount cost**: the discounts given on settled sessions.
- **Uses (settled)**: an offer's settled redemptions, offers' one definition
  (offers.rules.uses; counted by offers.services.uses and the rollups); quoted and
  confirmed ledger rows are steps of an order, never counted as uses. The key stays
  `redemptions` (the rollups' column, the API's field).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from offers.rules import USES_LABEL, USES_MEANING
from pricing.engine import ZERO, LineKind, Quote


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    label: str
    kind: str  # services.tables.Column kinds: int, money, ratio, percent, kwh
    meaning: str


SESSIONS = Figure(
    "sessions",
    "Sessions",
    "int",
    "Delivered sessions, each counted once, on the local date on which it settled.",
)
NET_REVENUE = Figure(
    "net_revenue",
    "Net revenue (before tax)",
    "money",
    "What customers paid less tax, the buyer finder fee and any overcharge buffer: after "
    "discounts, before GST.",
)
PAYABLE = Figure(
    "payable",
    "Payable (incl. GST)",
    "money",
    "What customers paid, tax included.",
)
GROSS_REVENUE = Figure(
    "gross_revenue",
    "Gross revenue (before discounts and tax)",
    "money",
    "The sessions' value before discounts and before tax: energy, fees and surge.",
)
DISCOUNT_COST = Figure(
    "discount_cost", "Discount cost", "money", "Discounts given on settled sessions."
)
SURGE_REVENUE = Figure(
    "surge_revenue", "Surge revenue (before tax)", "money", "Surge lines, before tax."
)
TAX = Figure("tax", "Tax (GST)", "money", "Tax on the sessions.")
REDEMPTIONS = Figure("redemptions", USES_LABEL, "int", USES_MEANING)
ROI = Figure(
    "roi",
    "ROI",
    "ratio",
    "(incremental revenue \u2212 discount cost) ÷ discount cost: rupees gained per rupee "
    "of discount.",
)

ALL = {f.key: f for f in (SESSIONS, NET_REVENUE, PAYABLE, GROSS_REVENUE, DISCOUNT_COST,
                          SURGE_REVENUE, TAX, REDEMPTIONS, ROI)}  # fmt: skip


def label(key: str, qualifier: str = "") -> str:
    """The figure's label, with a qualifier inserted before its parenthesis:
    label("net_revenue", "recorded") -> "Net revenue recorded (before tax)"."""
    text = ALL[key].label
    if not qualifier:
        return text
    head, paren, tail = text.partition(" (")
    return f"{head} {qualifier}{paren}{tail}" if paren else f"{head} {qualifier}"


def net_revenue(
    payable: Decimal, tax: Decimal, finder_fee: Decimal = ZERO, buffer: Decimal = ZERO
) -> Decimal:
    """Net revenue of a session from what was recorded: payable less tax, less the buyer
    finder fee (a cost of the sale) and the overcharge buffer (not revenue)."""
    return payable - tax - finder_fee - buffer


def quote_net_revenue(quote: Quote) -> Decimal:
    """A quote's net revenue: its total less its tax and its fees (FEE lines)."""
    return net_revenue(quote.total, quote.tax, quote.sum_of(LineKind.FEE))
