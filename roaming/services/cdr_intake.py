"""Taking CDRs in: validated, matched to our stations and chargers, priced by our own
tariff, stored once, and announced as sessions (offers.services.receive_sessions) so that
they enter analytics' session facts with their channel.

One path for every door: the CDRs receiver (roaming.api.cdrs, one CDR a call), the
command and the admin upload (roaming.services.cdr_imports, batches). Only a partner
registered as a CPO pushes CDRs (check_role); each CDR is checked (cdr_schema.read), must
name the pushing partner's own party (check_sender), be billed in the operator's currency
(check_currency), name one of our chargers, and an energy that charger can deliver in the
session's time, by the rule that prices it (check_energy). A batch is checked first, then
written in one transaction: each CDR is either stored with its session fact, or refused
with a reason, never half-written. One bad CDR never takes another down: if the batch's
write fails, each CDR is written again in a savepoint of its own, and stored,
a duplicate, or refused with the database's reason. Once written, the stored CDRs are
audited in the background (cdrs_received; roaming.signals). Its CDRs are priced together
(pricing.services.quote_sessions: the same money as quoting each alone, from a constant
number of queries). A CDR already taken (same operator, country
code, party id and id) is a duplicate, not an error: the unique constraint decides, so two
concurrent pushes of one CDR leave one row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models.functions import Lower
from django.dispatch import Signal

from cpo_portal.db.values import ocpi_key
from cpo_portal.models import Charger, Operator
from cpo_portal.web.schema_errors import shown
from offers.models import SessionChannel
from offers.services import ReceivedSession, receive_sessions
from pricing.engine import (
    Quote,
    QuoteInputError,
    money,
    undeliverable,
)
from pricing.services import NoTariffError, SessionToQuote, quote_sessions
from roaming.models import CdrSource, Partner, PartnerRole, ReceivedCdr

from .cdr_schema import CdrRecord, CdrRefused, read

log = logging.getLogger(__name__)
ZERO = Decimal("0")
Key = tuple[str, str, str]  # country code, party id, CDR id lower-cased (cdr_key)
# What a CDR's odd value can raise past its checks: the CDR is refused with it, never its batch.
VALUE_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError)
# CDRs of an operator were stored, with operator_id: sent inside the storing transaction.
cdrs_received = Signal()


@dataclass
class Outcome:
    """What became of a batch: rows stored, duplicates (their cdr_key), refusals by position."""

    stored: list[ReceivedCdr] = field(default_factory=list)
    duplicates: list[Key] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


class Matcher:
    """The operator's stations by OCPI Location id and chargers by EVSE uid (their codes'
    OCPI ids, as roaming.services.locations publishes them), compared as OCPI compares
    CiStrings, ignoring case (cpo_portal.db.values.ocpi_key): one query."""

    def __init__(self, operator: Operator) -> None:
        chargers = Charger.objects.filter(operator=operator).select_related("station")
        self.chargers: dict[tuple[str, str], Charger] = {}
        self.stations: set[str] = set()
        for charger in chargers:
            station_id = ocpi_key(charger.station.code)
            self.stations.add(station_id)
            self.chargers[station_id, ocpi_key(charger.code)] = charger

    def charger(self, record: CdrRecord) -> Charger:
        location_id, evse_uid = ocpi_key(record.location_id), ocpi_key(record.evse_uid)
        if location_id not in self.stations:
            raise CdrRefused(
                f"cdr_location.id {shown(record.location_id)} is not one of our stations"
            )
        found = self.chargers.get((location_id, evse_uid))
        if found is None:
            raise CdrRefused(
                f"cdr_location.evse_uid {shown(record.evse_uid)} is not a charger at station "
                f"{shown(record.location_id)}"
            )
        return found


def channel_of(record: CdrRecord) -> SessionChannel:
    """A token issued by another party (an eMSP) is roaming; one the CPO issued itself is
    its own app (APP_USER) or another of its own channels (RFID cards, ad hoc payment)."""
    own = (record.token_country_code, record.token_party_id) == (
        record.country_code,
        record.party_id,
    )
    if not own:
        return SessionChannel.ROAMING
    app = record.token_type == "APP_USER"  # noqa: S105 (an OCPI token type, no secret)
    return SessionChannel.OWN_APP if app else SessionChannel.OTHER


def check_sender(record: CdrRecord, partner: Partner) -> None:
    """A partner pushes its own CDRs only: the CDR's country_code and party_id are the
    party that sends it (OCPI 2.2.1 mod_cdrs, the CPO that issued the CDR), so a CDR that
    names another party is refused. Party ids are compared as OCPI's CiString, ignoring
    case."""
    theirs = (partner.country_code.upper(), partner.party_id.upper())
    named = (record.country_code.upper(), record.party_id.upper())
    if named != theirs:
        raise CdrRefused(
            f"country_code/party_id {named[0]}*{named[1]} is not the sending partner's own "
            f"({theirs[0] or '?'}*{theirs[1] or '?'}): a partner pushes only the CDRs it "
            "issued itself"
        )


def check_currency(record: CdrRecord, operator: Operator) -> None:
    """A CDR is billed in the operator's currency. The operator prices, bills and counts
    in one currency (Operator.currency: its tariffs, offers and orders are in it, and it
    cannot change once they are); the session facts and every analytics figure sum
    amounts as that currency, with no rate to convert another. A CDR in another currency
    is a charging system's mistake (or another operator's CDR): refused, never summed
    with the operator's money."""
    if record.currency != operator.currency:
        raise CdrRefused(
            f"currency {record.currency} is not the operator's currency ({operator.currency}): "
            f"its sessions are billed and counted in {operator.currency} only"
        )


def check_role(partner: Partner) -> None:
    """Only a partner registered as a CPO (the operator's own charging system) sends CDRs:
    an eMSP, a hub or any other role receives them (OCPI 2.2.1 mod_cdrs: the CPO is the
    sender, the eMSP the receiver)."""
    if partner.role != PartnerRole.CPO:
        raise CdrRefused(
            f"the partner is registered as {partner.get_role_display()}; only a partner "
            "registered as CPO (the charging system) pushes CDRs"
        )


def check_energy(record: CdrRecord, charger: Charger) -> None:
    """At most the energy the charger delivers in the session, by the rule that prices it
    (pricing.engine.undeliverable): a CDR taken is one our tariff prices."""
    problem = undeliverable(record.energy_kwh, charger.power_kw, record.start, record.end)
    if problem is not None:
        raise CdrRefused(f"total_energy of charger {charger.code}: {problem}")


Price = tuple[Decimal | None, Decimal | None, str]


def our_prices(taken: Sequence[tuple[CdrRecord, Charger]]) -> list[Price]:
    """Our tariff's price of each session, its full quote as every surface prices it, the
    batch quoted together (pricing.services.quote_sessions: a constant number of queries):
    (excl. VAT, incl. VAT, why not) of each."""
    asks = [SessionToQuote(charger, r.start, kwh=r.energy_kwh, end=r.end) for r, charger in taken]
    try:
        quotes = quote_sessions(asks)
    except VALUE_ERRORS:  # one session the engine cannot take: each quoted alone
        quotes = [_quote_alone(ask) for ask in asks]
    return [our_price(record, quote) for (record, _), quote in zip(taken, quotes, strict=True)]


def _quote_alone(ask: SessionToQuote) -> Quote | NoTariffError | QuoteInputError:
    try:
        return quote_sessions([ask])[0]
    except VALUE_ERRORS as exc:
        log.warning("CDR not priceable", exc_info=True)
        return QuoteInputError(f"{type(exc).__name__}: {exc}")


def our_price(record: CdrRecord, quote: Quote | NoTariffError | QuoteInputError) -> Price:
    if isinstance(quote, NoTariffError):
        return None, None, "no tariff prices this charger"
    if isinstance(quote, QuoteInputError):
        return None, None, f"not priceable: {quote}"[:200]
    if quote.currency != record.currency:
        return None, None, f"billed in {record.currency}, our tariff is in {quote.currency}"
    return quote.excl_tax, quote.total, ""


def session_ref(operator_id: int, key: Key) -> str:
    """The session's reference among all orders (analytics' order_ref)."""
    country, party, cdr_id = key
    return f"cdr:{operator_id}:{country}*{party}:{cdr_id}"


def cdr_key(country_code: str, party_id: str, cdr_id: str) -> Key:
    """What a CDR is told apart by: its party and its id ignoring case (OCPI's CDR.id is a
    CiString: "C1" and "c1" are one CDR), as the unique constraint on ReceivedCdr,
    on LOWER(cdr_id) (country code and party id are stored upper-cased)."""
    return country_code.upper(), party_id.upper(), cdr_id.lower()


def _key(record: CdrRecord) -> Key:
    return cdr_key(record.country_code, record.party_id, record.cdr_id)


def stored(operator: Operator, key: Key) -> ReceivedCdr:
    """The operator's row of the CDR `key` names."""
    country, party, cdr_id = key
    rows = ReceivedCdr.objects.filter(operator=operator, country_code=country, party_id=party)
    return rows.annotate(key=Lower("cdr_id")).get(key=cdr_id)


def row_for(
    operator: Operator,
    record: CdrRecord,
    charger: Charger,
    price: Price,
    source: str,
    partner: Partner | None,
) -> ReceivedCdr:
    excl, incl, note = price
    return ReceivedCdr(
        operator=operator,
        country_code=record.country_code,
        party_id=record.party_id,
        cdr_id=record.cdr_id,
        source=source,
        partner=partner,
        channel=channel_of(record),
        station=charger.station,
        charger=charger,
        session_start=record.start,
        session_end=record.end,
        energy_kwh=record.energy_kwh.quantize(Decimal("0.001"), ROUND_HALF_UP),
        currency=record.currency,
        # half-up to the paisa, as every amount of the product (100.125 is 100.13)
        charged_excl_vat=money(record.charged_excl_vat),
        charged_incl_vat=None
        if record.charged_incl_vat is None
        else money(record.charged_incl_vat),
        our_excl_vat=excl,
        our_incl_vat=incl,
        price_note=note,
        data=record.data,  # its Decimals kept digit for digit (ReceivedCdr.data's encoder)
    )


def session_of(row: ReceivedCdr) -> ReceivedSession:
    """The session fact of a stored CDR: what the charging system billed."""
    station, charger = row.station, row.charger
    net = row.charged_incl_vat if row.charged_incl_vat is not None else row.charged_excl_vat
    start: dt.datetime = row.session_start
    return ReceivedSession(
        ref=session_ref(row.operator_id, (row.country_code, row.party_id, row.cdr_id)),
        channel=SessionChannel(row.channel),
        operator_id=row.operator_id,
        station_id=station.pk,
        charger_id=charger.pk,
        station_code=station.code,
        charger_code=charger.code,
        region_code=station.region_code,
        city_code=station.city_code,
        site_kind=station.site_kind,
        currency=row.currency,
        energy_kwh=row.energy_kwh,
        gross_amount=row.charged_excl_vat,
        tax_amount=net - row.charged_excl_vat,
        net_amount=net,
        session_start=start,
        session_end=row.session_end,
        session_start_hour=start.astimezone(ZoneInfo(station.time_zone)).hour,
        occurred_at=row.session_end,
        authorization_reference=row.authorization_reference,
    )


def take(
    operator: Operator,
    items: Iterable[tuple[int, Any]],
    *,
    source: str = CdrSource.FILE,
    partner: Partner | None = None,
    matcher: Matcher | None = None,
) -> Outcome:
    """Take a batch of CDRs (position, parsed JSON object; a CdrRefused in place of the
    object is a line that could not be read). `partner`: the partner that pushed them, a
    CPO (check_role) whose own party every one of them must name (check_sender)."""
    matcher = matcher or Matcher(operator)
    out = Outcome()
    fresh: dict[Key, tuple[int, CdrRecord, Charger]] = {}
    for position, data in items:
        try:
            if isinstance(data, CdrRefused):
                raise data
            if partner is not None:
                check_role(partner)
            record = read(data)
            if partner is not None:
                check_sender(record, partner)
            check_currency(record, operator)
            charger = matcher.charger(record)
            check_energy(record, charger)
        except CdrRefused as refusal:
            out.refused.append((position, str(refusal)))
            continue
        except VALUE_ERRORS as exc:  # a value no check foresaw: this CDR only
            log.warning("CDR refused: %s", exc, exc_info=True)
            out.refused.append((position, f"a value cannot be read ({type(exc).__name__})"))
            continue
        if _key(record) in fresh:
            out.duplicates.append(_key(record))
        else:
            fresh[_key(record)] = (position, record, charger)
    taken = _already_taken(operator, fresh)
    out.duplicates.extend(taken)
    new = [entry for key, entry in fresh.items() if key not in taken]
    prices = our_prices([(record, charger) for _, record, charger in new])
    rows: list[tuple[int, ReceivedCdr]] = []
    for (position, record, charger), price in zip(new, prices, strict=True):
        try:
            rows.append((position, row_for(operator, record, charger, price, source, partner)))
        except VALUE_ERRORS as exc:
            out.refused.append((position, f"cannot be stored ({type(exc).__name__}: {exc})"))
    _store(rows, out)
    if out.stored:
        cdrs_received.send(sender=ReceivedCdr, operator_id=operator.pk)
    return out


def _already_taken(operator: Operator, fresh: dict[Key, Any]) -> set[Key]:
    if not fresh:
        return set()
    ids = {key[2] for key in fresh}
    rows = ReceivedCdr.objects.filter(operator=operator).annotate(key=Lower("cdr_id"))
    found = set(rows.filter(key__in=ids).values_list("country_code", "party_id", "key"))
    return found & set(fresh)


def _store(rows: Sequence[tuple[int, ReceivedCdr]], out: Outcome) -> None:
    """All rows in one transaction; if that fails (another writer took one of them
    meanwhile, or one row is one the database refuses), row by row, each in a savepoint of
    its own: stored, a duplicate, or refused with the database's reason."""
    if not rows:
        return
    try:
        with transaction.atomic():
            _counted([row for _, row in rows])
            ReceivedCdr.objects.bulk_create([row for _, row in rows])
        out.stored.extend(row for _, row in rows)
        return
    except (DatabaseError, *VALUE_ERRORS):
        pass
    columns = [f.attname for f in ReceivedCdr._meta.concrete_fields if not f.primary_key]
    for position, unsaved in rows:
        row = ReceivedCdr(**{name: getattr(unsaved, name) for name in columns})
        try:
            with transaction.atomic():
                _counted([row])
                row.save(force_insert=True)
            out.stored.append(row)
        except IntegrityError:
            out.duplicates.append(cdr_key(row.country_code, row.party_id, row.cdr_id))
        except (DatabaseError, *VALUE_ERRORS) as exc:
            log.warning("CDR not stored: %s", exc, exc_info=True)
            reason = " ".join(str(exc).split())[:200]
            out.refused.append((position, f"cannot be stored ({type(exc).__name__}: {reason})"))


def _counted(rows: Sequence[ReceivedCdr]) -> None:
    """Announce the rows' sessions (inside the caller's transaction), and store each row
    with the channel its session is counted under: the token's, or Beckn's for the CDR of
    one of our orders (offers.services.received_sessions)."""
    sessions = receive_sessions([session_of(r) for r in rows])
    for row, session in zip(rows, sessions, strict=True):
        row.channel = session.channel
