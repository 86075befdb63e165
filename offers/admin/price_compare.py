"""The price tool's side-by-side: the session as the customer would pay it otherwise (the
automatic offers that apply anyway; none chosen: without any offer) and with the chosen
offers, line by line, with the difference; offers named by their titles, reasons in
sentences, and a chosen offer that ties or loses to an automatic one said so."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from offers.models import Offer
from offers.rules.evaluate import evaluate
from offers.rules.outcome import Eligible, Reason, Rejected
from offers.services.catalog import OfferInfo
from pricing.engine import LineKind, Quote, finalize


@dataclass(frozen=True)
class Row:
    title: str
    without: Decimal | None
    with_offers: Decimal | None
    kind: str

    @property
    def difference(self) -> Decimal:
        return (self.with_offers or Decimal(0)) - (self.without or Decimal(0))


@dataclass(frozen=True)
class Comparison:
    rows: tuple[Row, ...]
    without_total: Decimal
    with_total: Decimal

    @property
    def difference(self) -> Decimal:
        return self.with_total - self.without_total


def without_offers(oq) -> Quote:
    """The same session with no offer at all (add-ons kept): the first stage's lines
    finalised with tax, as the quote would be if no offer applied."""
    return finalize(oq.priced, oq.add_ons)


def compare(oq, otherwise: Quote | None = None) -> Comparison:
    """`oq` line by line against `otherwise` (default: the session without any offer)."""
    base = without_offers(oq) if otherwise is None else otherwise
    # A row per line as the quote titles it: one tax name at two rates (the session's GST
    # and an add-on's own) is two lines, "GST (18%)" and "GST (5%)", so two rows; each
    # column adds up to its total.
    keyed: dict[tuple[str, str, str], list] = {}
    for column, quote in ((1, base), (2, oq.quote)):
        for ln in quote.lines:
            key = (ln.kind.value, ln.code, ln.title)
            entry = keyed.setdefault(key, [ln.title, None, None, ln.kind.value])
            entry[column] = (entry[column] or Decimal(0)) + ln.amount
    # Discounts after the lines they take money off, tax last, as the quote orders them.
    order = {kind.value: i for i, kind in enumerate(LineKind)}
    rows = sorted(keyed.values(), key=lambda e: (e[3] == LineKind.TAX.value, order[e[3]]))
    return Comparison(
        rows=tuple(Row(title, without, with_, kind) for title, without, with_, kind in rows),
        without_total=base.total,
        with_total=oq.quote.total,
    )


def offer_titles(oq, operator_id: int) -> dict[str, str]:
    """Offer id -> title for every offer the quote names (applied, refused, held out)."""
    ids = {a.offer_id for a in oq.applied} | {r.offer_id for r in oq.rejected} | set(oq.held_out)
    found = dict(
        Offer.objects.filter(operator_id=operator_id, code__in=ids).values_list("code", "title")
    )
    return {i: found.get(i, i) for i in ids if i}


def in_words(rejected: Rejected, titles: dict[str, str]) -> tuple[str, str]:
    """A refusal as the price tool lists it, naming its offer once, by its title: the title
    in bold, then the rest of the sentence. The rules' "Offer <id> is for members only"
    reads ("Members deal", " is for members only"); a sentence naming the offer elsewhere
    names it there alone ("", "Code X is not valid for offer Members deal"); one that does
    not name it is headed by it ("Members deal", ": Code OWL10 has already been used")."""
    offer_id, message = rejected.offer_id, rejected.message
    if not offer_id:
        return "", message
    title = titles.get(offer_id, offer_id)
    if message.startswith(f"Offer {offer_id} "):
        return title, message.removeprefix(f"Offer {offer_id}")
    if offer_id in message:
        return "", message.replace(offer_id, title)
    return title, f": {message}"


def _titles(ids, titles: dict[str, str]) -> str:
    return " and ".join(titles.get(i, i) for i in ids)


def chosen_notes(
    oq, otherwise, chosen: dict[str, OfferInfo], titles: dict[str, str], money
) -> list[str]:
    """Sentences on the chosen offers (previewed, or their codes presented) against the
    automatic ones (`otherwise`): a tie (the customer pays the same either way, whichever
    the engine kept), or a chosen offer left out because the automatic ones give more."""
    if not chosen or otherwise is None or not otherwise.applied:
        return []
    auto = _titles(otherwise.applied_ids(), titles)
    given = otherwise.discount

    def tie(names: str) -> str:
        return (
            f"{names} ties with {auto}: both take {money(given)} off, and {auto} applies "
            "anyway, so choosing it changes nothing."
        )

    out = []
    for r in oq.rejected:
        if r.offer_id not in chosen or r.reason is not Reason.OUTRANKED:
            continue
        info = chosen[r.offer_id]
        own = evaluate(info.rule, oq.priced, oq.facts) if info is not None else None
        if not isinstance(own, Eligible):
            continue
        title = titles.get(r.offer_id, r.offer_id)
        if own.discount == given:
            out.append(tie(title))
        else:
            out.append(
                f"{title} would take {money(own.discount)} off, less than the "
                f"{money(given)} of {auto}, with which it cannot be combined: it is not "
                "applied."
            )
    if not out and oq.quote.total == otherwise.quote.total:  # chosen kept, automatic left
        out.append(tie(_titles(sorted(chosen), titles)))
    return out
