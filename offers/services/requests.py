"""What the buyer asked for: offers named by id (ONDC opt-in) and codes presented.

An opt-in offer applies when the buyer presents one of its codes, or, for an offer that
has no codes at all, when the buyer names it by id (ONDC's opt-in by offer id). An offer
with codes is never unlocked by its id alone: that would make single-use codes pointless.

Offers previewed by staff (the admin's simulator: `preview`, by pk) are evaluated whatever
their status and as if the customer had opted in: an opt-in offer counts as if its code
had been entered, so a drafted code-only offer can be tried before any code exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cpo_portal.models import Operator
from offers.models import OfferStatus
from offers.rules.facts import PresentedCode
from offers.rules.outcome import Reason, Rejected

from .catalog import Catalog, OfferInfo, infos, lookup
from .facts import CodeMatch, match_codes

STATUS_REASON: dict[str, tuple[Reason, str]] = {
    OfferStatus.ENDED: (Reason.EXPIRED, "Offer {id} has ended"),
    OfferStatus.PAUSED: (Reason.NOT_VALID_NOW, "Offer {id} is paused"),
    OfferStatus.DRAFT: (Reason.NOT_VALID_NOW, "Offer {id} is not published"),
}


@dataclass
class Requested:
    extra: list[OfferInfo] = field(default_factory=list)  # named or previewed: evaluate
    rejections: list[Rejected] = field(default_factory=list)  # named but not active/unknown
    codes: dict[str, PresentedCode] = field(default_factory=dict)  # by offer id
    matches: dict[str, CodeMatch] = field(default_factory=dict)  # usable code, by offer id
    used: dict[str, str] = field(default_factory=dict)  # offer id -> code already used
    unmatched: tuple[str, ...] = ()


def _present(out: Requested, match: CodeMatch) -> None:
    held = out.codes.get(match.offer_code)
    if held is not None and held.matched:
        return  # one usable code per offer is enough
    out.codes[match.offer_code] = PresentedCode(match.code, not match.used)
    if match.used:
        out.used[match.offer_code] = match.code
    else:
        out.matches[match.offer_code] = match
        out.used.pop(match.offer_code, None)


def resolve(
    catalog: Catalog,
    operator: Operator,
    offer_ids: Iterable[str],
    codes: Iterable[str],
    preview: Iterable[int] = (),
) -> Requested:
    out = Requested()
    codes = [c for c in codes if c and c.strip()]
    matched = match_codes(operator.pk, codes)
    out.unmatched = tuple(c for c in codes if c.strip().upper() not in matched)
    for match in matched.values():
        _present(out, match)
    ids = list(dict.fromkeys(offer_ids))
    named = set(ids) | {m.offer_code for m in matched.values()}
    known = dict(catalog.offers)
    preview = list(preview)
    if preview:
        from offers.models import Offer

        for info in infos(Offer.objects.filter(operator=operator, pk__in=preview), operator):
            known[info.code] = info
            out.extra.append(info)
            held = out.codes.get(info.code)
            if held is None or not held.matched:  # as if opted in (its code entered)
                out.codes[info.code] = PresentedCode(held.code if held else "", True)
                out.used.pop(info.code, None)
    missing = named - known.keys()
    if missing:
        for info in lookup(operator, missing):
            known[info.code] = info
            reason, text = STATUS_REASON.get(info.status, STATUS_REASON[OfferStatus.DRAFT])
            out.rejections.append(Rejected(info.code, reason, text.format(id=info.code)))
    for offer_id in sorted(named - known.keys()):
        text = f"There is no offer {offer_id} at {operator.code}"
        out.rejections.append(Rejected(offer_id, Reason.CODE_UNKNOWN, text))
    rejected = {r.offer_id for r in out.rejections}
    listed = {i.code for i in out.extra}
    for offer_id in sorted(named - rejected):
        info = known[offer_id]
        if offer_id not in listed:
            out.extra.append(info)
        if offer_id in ids and offer_id not in out.codes and not info.has_codes:
            out.codes[offer_id] = PresentedCode("", True)  # opt-in by offer id
    return out
