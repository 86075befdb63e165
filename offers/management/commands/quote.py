"""`manage.py quote`: a session's price with offers, and why each offer did or did not
apply. The options of `pricing.management.quote_cli` (pricing has no command of its own) plus
`--offer ID ...` (opt in to offers by id), `--code CODE` (present a code) and the customer
as a person: `--phone` or `--email` (hashed as every surface hashes them) or the stored
`--customer-key`; `--segment` / `--tier` then change only those facts (a what-if)."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import CommandError

from offers.customer_keys import ContactError, customer_key
from offers.services import OfferQuote, SessionAsk, quote_session_with_offers
from pricing.engine import as_text
from pricing.management.quote_cli import (
    QuoteArgs,
    QuoteCommand,
    parse_quote_args,
    quote_document,
    quote_errors_as_command_errors,
    render_json,
    render_table,
)

KEY = re.compile(r"^[0-9a-f]{64}$")


def customer_key_of(options: dict[str, Any]) -> str:
    """The key from --phone, --email or --customer-key (one of them, or none)."""
    given = [o for o in ("phone", "email", "customer_key") if options.get(o)]
    if len(given) > 1:
        names = " and ".join("--" + o.replace("_", "-") for o in given)
        raise CommandError(f"Give one of --phone, --email or --customer-key, not {names}.")
    if options.get("customer_key"):
        key = options["customer_key"].strip()
        if not KEY.match(key):
            raise CommandError(
                f"--customer-key {key!r} is not a customer key (64 hex digits): "
                "give a phone number with --phone or an e-mail address with --email."
            )
        return key
    try:
        if options.get("phone"):
            return customer_key(phone=options["phone"])
        if options.get("email"):
            return customer_key(email=options["email"])
    except ContactError as exc:
        raise CommandError(f"Cannot identify the customer: {exc}.") from None
    return ""


def compute(args: QuoteArgs, offer_ids: list[str], codes: list[str], key: str = "") -> OfferQuote:
    who = args.customer
    what_if = tuple((k, v) for k, v in (("segment", who.segment), ("tier", who.tier)) if v)
    ask = SessionAsk(
        args.charger,
        args.start,
        kwh=args.kwh,
        amount=args.amount,
        end=args.end,
        customer_key=key or who.key,
        offer_ids=tuple(offer_ids),
        codes=tuple(codes),
        what_if=what_if,
    )
    with quote_errors_as_command_errors():
        return quote_session_with_offers(ask)


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
        parser.add_argument("--phone", default="", help="The customer's phone number.")
        parser.add_argument("--email", default="", help="The customer's e-mail address.")

    def handle(self, *positional, **options) -> None:
        key = customer_key_of(options)
        args = parse_quote_args(options)
        oq = compute(args, options["offer"], options["code"], key)
        document = {**quote_document(args, oq.quote), "offers": offers_document(oq)}
        if args.as_json:
            self.stdout.write(render_json(document))
            return
        self.stdout.write(render_table(args, oq.quote, document) + "\n" + offers_text(oq))
