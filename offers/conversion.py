"""Offer rows to offers.rules dataclasses (the pure engine never sees a model).

Raises TermsError naming the field when stored JSON (slabs, time-of-day rates) cannot be
read, so `Offer.clean()` can put the message next to the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from offers.rules import construct as r
from offers.rules.qualifiers import DeclaredError, declared_of
from pricing.engine import ALL_DAYS, TimeWindow

HUNDRED = Decimal("100")


class TermsError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def _decimal(value: object, field: str, what: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise TermsError(field, f"{what} must be a number, not {value!r}")
    try:
        out = Decimal(str(value))
    except InvalidOperation:
        raise TermsError(field, f"{what} must be a number, not {value!r}") from None
    if not out.is_finite():
        raise TermsError(field, f"{what} must be a finite number")
    return out


def _optional(value: object, field: str, what: str) -> Decimal | None:
    return None if value is None or value == "" else _decimal(value, field, what)


def slabs_of(raw: object) -> tuple[r.Slab, ...]:
    if not isinstance(raw, list):
        raise TermsError("slabs", "Slabs must be a JSON list of objects.")
    out = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise TermsError(
                "slabs",
                f"Slab {i} must be an object with from_kwh, to_kwh and a "
                "percent or a rate_per_kwh.",
            )
        unknown = set(item) - {"from_kwh", "to_kwh", "percent", "rate_per_kwh"}
        if unknown:
            raise TermsError("slabs", f"Slab {i} has unknown keys: {', '.join(sorted(unknown))}.")
        out.append(
            r.Slab(
                from_kwh=_decimal(item.get("from_kwh", 0), "slabs", f"slab {i} from_kwh"),
                to_kwh=_optional(item.get("to_kwh"), "slabs", f"slab {i} to_kwh"),
                percent=_optional(item.get("percent"), "slabs", f"slab {i} percent"),
                rate_per_kwh=_optional(item.get("rate_per_kwh"), "slabs", f"slab {i} rate"),
            )
        )
    return tuple(out)


def _clock(value: object, i: int) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise TermsError("tod_rates", f"Rate {i}: time {value!r} is not HH:MM.") from None


def tod_rates_of(raw: object, currency: str) -> tuple[r.TimeOfDayRate, ...]:
    """EnergyTradeOffer `timeOfDayRates` entries: {timeRange: {start, end}, rate, currency}."""
    if not isinstance(raw, list):
        raise TermsError("tod_rates", "Time-of-day rates must be a JSON list.")
    out = []
    for i, item in enumerate(raw, 1):
        span = item.get("timeRange") if isinstance(item, dict) else None
        if not isinstance(span, dict) or "rate" not in item:
            raise TermsError(
                "tod_rates",
                f"Rate {i} needs timeRange {{start, end}} and a rate, as in the "
                "EnergyTradeOffer schema.",
            )
        out.append(
            r.TimeOfDayRate(
                start=_clock(span.get("start"), i),
                end=_clock(span.get("end"), i),
                rate=_decimal(item["rate"], "tod_rates", f"rate {i}"),
                currency=str(item.get("currency") or currency),
            )
        )
    return tuple(out)


def benefit_of(offer, currency: str = "INR") -> r.Benefit:
    kind = offer.benefit_kind
    if kind == "percent":
        return r.PercentOff(percent=offer.percent, base=r.Base(offer.base or "energy"))
    if kind == "fixed":
        return r.FixedOff(amount=offer.amount, base=r.Base(offer.base or "gross"))
    if kind == "rate_override":
        return r.RateOverride(rate_per_kwh=offer.rate_per_kwh)
    if kind == "free_kwh":
        return r.FreeKwh(kwh=offer.free_kwh)
    if kind == "buy_x_get_y":
        return r.BuyXGetY(buy_kwh=offer.buy_kwh, free_kwh=offer.get_kwh)
    if kind == "slabs":
        return r.Slabs(slabs=slabs_of(offer.slabs), mode=r.SlabMode(offer.slab_mode or "whole"))
    if kind == "service_fee_waiver":
        return r.ServiceFeeWaiver(percent=offer.percent if offer.percent is not None else HUNDRED)
    if kind == "credit_drawdown":
        return r.CreditDrawdown(account=offer.credit_plan, base=r.Base(offer.base or "gross"))
    if kind == "energy_trade":
        return trade_of(offer, currency)
    raise TermsError("benefit_kind", f"Unknown benefit kind {kind!r}.")


def trade_of(offer, currency: str) -> r.EnergyTradeTerms:
    wheeling = None
    if offer.wheeling_amount is not None:
        wheeling = r.WheelingCharges(
            amount=offer.wheeling_amount,
            currency=offer.wheeling_currency or currency,
            description=offer.wheeling_description,
        )
    return r.EnergyTradeTerms(
        pricing_model=r.PricingModel(offer.pricing_model),
        rate_per_kwh=offer.rate_per_kwh,
        fixed_price=offer.fixed_price,
        time_of_day_rates=tod_rates_of(offer.tod_rates, currency),
        wheeling=wheeling,
        minimum_quantity=offer.min_quantity,
        maximum_quantity=offer.max_quantity,
        valid_from=offer.valid_from,
        valid_until=offer.valid_until,
        settlement_type=r.SettlementType(offer.settlement_type) if offer.settlement_type else None,
    )


def window_of(offer) -> tuple[TimeWindow, ...]:
    days = frozenset(offer.days_of_week or ()) or ALL_DAYS
    if offer.window_start is None and offer.window_end is None and days == ALL_DAYS:
        return ()
    start = offer.window_start or dt.time(0)
    end = offer.window_end or dt.time(0)
    return (TimeWindow(start=start, end=end, days=days),)


def applicability_of(
    offer, station_codes: Iterable[str] = (), charger_codes: Iterable[str] = ()
) -> r.Applicability:
    circles: tuple[r.GeoCircle, ...] = ()
    if offer.geo_radius_km is not None and offer.geo_lat is not None and offer.geo_lon is not None:
        circles = (
            r.GeoCircle(float(offer.geo_lat), float(offer.geo_lon), float(offer.geo_radius_km)),
        )
    return r.Applicability(
        station_codes=frozenset(station_codes),
        region_codes=frozenset(offer.region_codes or ()),
        city_codes=frozenset(offer.city_codes or ()),
        site_kinds=frozenset(offer.site_kinds or ()),
        charger_codes=frozenset(charger_codes),
        category_codes=frozenset(offer.category_codes or ()),
        circles=circles,
        valid_from=offer.valid_from,
        valid_until=offer.valid_until,
        windows=window_of(offer),
        holidays=r.HolidayRule(offer.holidays or "any_day"),
        launch_days=offer.launch_days,
    )


def qualifier_of(offer) -> r.Qualifier:
    return r.Qualifier(
        min_session_value=offer.min_session_value,
        min_kwh=offer.min_kwh,
        max_kwh=offer.max_kwh,
        segments=frozenset(offer.segments or ()),
        tiers=frozenset(offer.tiers or ()),
        members_only=offer.members_only,
        first_session_only=offer.first_session_only,
        referred_only=offer.referred_only,
        anniversary_days=offer.anniversary_days,
        declared=_declared(offer),
    )


def _declared(offer) -> tuple[tuple[str, int], ...]:
    try:
        return declared_of(getattr(offer, "conditions", None))
    except DeclaredError as exc:
        raise TermsError(exc.field, str(exc)) from None


def to_rule_offer(
    offer,
    *,
    operator_code: str,
    currency: str = "INR",
    station_codes: Iterable[str] = (),
    charger_codes: Iterable[str] = (),
) -> r.OfferRule:
    """The row as the rules see it. Station and charger codes are passed in because an
    unsaved row has no many-to-many values yet (the admin form supplies them). `currency`
    stands in only where the row states none (terms recorded before offers had one)."""
    share = offer.holdout_percent
    currency = getattr(offer, "currency", "") or currency
    return r.OfferRule(
        id=offer.code,
        operator_code=operator_code,
        title=offer.title,
        benefit=benefit_of(offer, currency),
        short_desc=offer.short_desc,
        type_label=offer.type_label,
        applicability=applicability_of(offer, station_codes, charger_codes),
        qualifier=qualifier_of(offer),
        meta=r.Meta(auto=offer.auto, additive=offer.additive, priority=offer.priority),
        holdout=r.Holdout(share=share / HUNDRED) if share else None,
        max_discount=offer.max_discount,
        budget_policy=r.BudgetPolicy(offer.budget_policy or "cut"),
        ondc_type=r.OndcOfferType(offer.ondc_type) if offer.ondc_type else None,
        combo=combo_of(offer),
        currency=currency,
    )


def combo_of(offer) -> r.ComboTerms | None:
    """ONDC combo terms: the secondary items / add-ons an order must hold with the session."""
    if offer.ondc_type != "combo":
        return None
    return r.ComboTerms(secondary_ids=frozenset(getattr(offer, "secondary_ids", None) or ()))
