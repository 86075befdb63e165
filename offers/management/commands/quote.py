"""`manage.py quote`: a session's price with offers, and why each offer did or did not
apply. Replaces pricing's command (same options, see pricing.quote_cli) and adds
`--offer ID ...` (opt in to offers by id) and `--code CODE` (present a code)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from offers.rules.facts import CustomerFacts
from offers.services.commerce import OfferQuote, SessionAsk, quote_session_with_offers
from pricing.engine import PricingSetupError, QuoteInputError
from pricing.engine.money import as_text
from pricing.quote_cli import (
    QuoteArgs,
    QuoteCommand,
    parse_quote_args,
    quote_document,
    render_json,
    render_table,
)
from pricing.services import NoTariffError


def compute(args: QuoteArgs, offer_ids: list[str], codes: list[str]) -> OfferQuote:
    who = args.customer
    override = CustomerFacts(key=who.key, segment=who.segment, tier=who.tier)
    ask = SessionAsk(
        args.charger,
        args.start,
        kwh=args.kwh,
        amount=args.amount,
        end=args.end,
        customer_key=who.key,
        offer_ids=tuple(offer_ids),
        codes=tuple(codes),
        customer=override if (who.segment or who.tier) else None,
    )
    try:
        return quote_session_with_offers(ask)
    except NoTariffError as exc:
        raise CommandError(f"No tariff: {' '.join(str(exc).split())}.") from exc
    except QuoteInputError as exc:
        raise CommandError(f"Cannot quote: {' '.join(str(exc).split())}.") from exc
    except PricingSetupError as exc:
        raise CommandError(f"Pricing setup error: {' '.join(str(exc).split())}.") from exc


def offers_document(oq: OfferQuote) -> dict[str, Any]:
    return {
        "applied": [
            {"id": a.offer_id, "discount": as_text(a.discount), "code": a.code or None}
            for a in oq.applied
        ],
        "rejected": [
            {"id": r.offer_id or None, "reason": r.reason.value, "message": r.message}
            for r in oq.rejected
        ],
        "held_out": list(oq.held_out),
        "notices": list(oq.notices),
    }


def offers_text(oq: OfferQuote) -> str:
    out = []
    applied = "; ".join(
        f"{a.offer_id} -{as_text(a.discount)}" + (f" (code {a.code})" if a.code else "")
        for a in oq.applied
    )
    out.append(f"Offers applied: {applied or 'none'}")
    if oq.held_out:
        out.append(f"Held out (control group): {', '.join(oq.held_out)}")
    if oq.rejected:
        out.append("Offers not applied:")
        out.extend(
            f"  {r.offer_id or '(code)'}: {r.reason.value}: {r.message}" for r in oq.rejected
        )
    return "\n".join(out)


class Command(QuoteCommand):
    help = (
        "Quote a charging session at a charger with offers: lines, totals, the rules "
        "applied, and which offers applied or were rejected and why."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--offer",
            nargs="+",
            action="extend",
            default=[],
            metavar="ID",
            help="Opt in to these offers (Beckn offer ids).",
        )
        parser.add_argument(
            "--code", action="append", default=[], metavar="CODE", help="Present a code."
        )

    def handle(self, *positional, **options) -> None:
        args = parse_quote_args(options)
        oq = compute(args, options["offer"], options["code"])
        document = {**quote_document(args, oq.quote), "offers": offers_document(oq)}
        if args.as_json:
            self.stdout.write(render_json(document))
            return
        self.stdout.write(render_table(args, oq.quote, document) + "\n" + offers_text(oq))
