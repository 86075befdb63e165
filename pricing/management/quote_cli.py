"""`manage.py quote`: argument parsing, validation and rendering, reusable by the offers
layer (which replaces the command with one that adds `--offer ID ...` and adjustments).

Every error is a one-line CommandError; arguments are validated here rather than by
argparse so that a bad value never prints a usage block.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandError

from cpo_portal.db import years
from cpo_portal.management.product_command import ProductCommand
from cpo_portal.models import Charger
from pricing.engine import PricingSetupError, QuoteInputError
from pricing.engine.types import Customer, Quote
from pricing.services import NoTariffError, tariff_for
from pricing.services.quote_dict import quote_to_dict


@dataclass(frozen=True)
class QuoteArgs:
    charger: Charger
    start: dt.datetime
    kwh: Decimal | None
    amount: Decimal | None
    end: dt.datetime | None
    customer: Customer
    as_json: bool

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.charger.station.time_zone)


def add_quote_arguments(parser) -> None:
    parser.add_argument("--charger", metavar="ID", help="Charger (Beckn item) id.")
    parser.add_argument("--operator", metavar="CODE", help="Operator (provider) id.")
    parser.add_argument("--start", metavar="ISO", help="Start, ISO 8601 with offset.")
    parser.add_argument("--end", metavar="ISO", help="End (a time slot at rated power).")
    parser.add_argument("--kwh", metavar="N", help="Energy to deliver, in kWh.")
    parser.add_argument("--amount", metavar="R", help="Money to spend (DEG's INR measure).")
    parser.add_argument(
        "--customer-key", metavar="KEY", default="", help="Customer key, as stored (64 hex)."
    )
    parser.add_argument("--segment", default="", help="Customer segment (what-if).")
    parser.add_argument("--tier", default="", help="Loyalty tier (what-if).")
    parser.add_argument("--json", action="store_true", help="Print the quote as JSON.")


def find_charger(code: str | None, operator: str | None) -> Charger:
    if not code:
        raise CommandError("Give --charger ID.")
    chargers = Charger.objects.select_related("station", "operator").filter(code=code)
    if operator:
        chargers = chargers.filter(operator__code=operator)
    found = list(chargers[:10])
    if not found:
        where = f" at operator {operator!r}" if operator else ""
        raise CommandError(f"Unknown charger {code!r}{where}.")
    if len(found) > 1:
        owners = ", ".join(sorted(c.operator.code for c in found))
        raise CommandError(
            f"Charger {code!r} exists at several operators ({owners}): give --operator."
        )
    return found[0]


def parse_time(option: str, text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"--{option}: {text!r} is not an ISO 8601 date-time (like 2025-09-24T18:25:00+05:30)."
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise CommandError(f"--{option} must include a UTC offset (like +05:30 or Z): {text!r}.")
    if years.outside(value):
        raise CommandError(f"--{option}: give a date {years.SPAN}.")
    return value


def parse_positive(option: str, text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise CommandError(f"--{option}: {text!r} is not a number.") from None
    if not value.is_finite() or value <= 0:
        raise CommandError(f"--{option} must be a positive number (got {text}).")
    return value


def parse_quote_args(options: dict[str, Any]) -> QuoteArgs:
    start = parse_time("start", options.get("start"))
    if start is None:
        raise CommandError("Give --start ISO (with a UTC offset).")
    end = parse_time("end", options.get("end"))
    kwh = parse_positive("kwh", options.get("kwh"))
    amount = parse_positive("amount", options.get("amount"))
    if kwh is not None and amount is not None:
        raise CommandError("Give --kwh or --amount, not both.")
    if kwh is None and amount is None and end is None:
        raise CommandError("Give --kwh N, --amount R or --end ISO.")
    if end is not None and end <= start:
        raise CommandError("--end must be after --start.")
    charger = find_charger(options.get("charger"), options.get("operator"))
    customer = Customer(
        key=options.get("customer_key") or "",
        segment=options.get("segment") or "",
        tier=options.get("tier") or "",
    )
    return QuoteArgs(charger, start, kwh, amount, end, customer, bool(options.get("json")))


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


@contextmanager
def quote_errors_as_command_errors() -> Iterator[None]:
    """A quote the engine refuses becomes the command's one-line message."""
    try:
        yield
    except NoTariffError as exc:
        raise CommandError(f"No tariff: {_one_line(exc)}.") from exc
    except QuoteInputError as exc:
        raise CommandError(f"Cannot quote: {_one_line(exc)}.") from exc
    except PricingSetupError as exc:
        raise CommandError(f"Pricing setup error: {_one_line(exc)}.") from exc


def quote_document(args: QuoteArgs, quote: Quote) -> dict[str, Any]:
    charger = args.charger
    tariff = tariff_for(charger)
    return {
        "operator": charger.operator.code,
        "station": charger.station.code,
        "charger": charger.code,
        "tariff": tariff.code if tariff else None,
        **quote_to_dict(quote, zone=args.zone),
    }


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def render_table(args: QuoteArgs, quote: Quote, document: dict[str, Any]) -> str:
    charger, zone = args.charger, args.zone
    start, end = quote.start.astimezone(zone), quote.end.astimezone(zone)
    out = [
        f"{charger.code} at {charger.station.name} ({charger.operator.code}), "
        f"tariff {document['tariff']}",
        f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} {zone.key}, {document['kwh']} kWh",
        "",
        f"{'Line':<56} {'kWh':>9} {'Rate':>8} {'Amount':>10}",
    ]
    for line in document["lines"]:
        out.append(
            f"{line['title'][:56]:<56} {line['kwh'] or '':>9} {line['rate'] or '':>8} "
            f"{line['amount']:>10}"
        )
    out.append(f"{'Total (' + quote.currency + ')':<56} {'':>9} {'':>8} {document['total']:>10}")
    if quote.tax_inclusive:
        out.append(f"{'  of which tax (prices include it)':<76}{document['tax']['included']:>10}")
    rules = document["applied_rules"]
    applied = "; ".join(
        f"{r['code']} ({r.get('surge_kind', r['type'])}) {r['amount']}" for r in rules
    )
    out.append(f"Rules applied: {applied or 'none'}")
    return "\n".join(out)


class QuoteCommand(ProductCommand):
    """The options and parser of `manage.py quote`: subclassed by the offers layer's
    command, which adds its own options and handles them."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any):
        # no abbreviations: a leftover `--customer PHONE` must not pass as --customer-key
        return super().create_parser(prog_name, subcommand, allow_abbrev=False, **kwargs)

    def add_arguments(self, parser) -> None:
        add_quote_arguments(parser)
