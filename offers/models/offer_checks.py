"""Server-side checks of an offer row: the fields its benefit kind needs, nothing it does
not use, well-formed lists, then the rules' own validation of the whole offer.

Errors are attached to the field concerned where there is one, so the admin shows them
in place; the rules' problems that span several fields are form-wide.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import models

from cpo_portal import formatting
from cpo_portal.formatting.digits import stated_percent
from offers.conversion import TermsError, to_rule_offer
from offers.rules.construct import OfferDefinitionError, OndcOfferType
from offers.rules.validate import REFUSED_TYPES, validate_offer

from .choices import BenefitKind, OndcType
from .ondc_checks import combo_errors, template_errors

# benefit kind -> (required fields, optional fields)
BENEFIT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    BenefitKind.PERCENT: (("percent",), ("base",)),
    BenefitKind.FIXED: (("amount",), ("base",)),
    BenefitKind.RATE_OVERRIDE: (("rate_per_kwh",), ()),
    BenefitKind.FREE_KWH: (("free_kwh",), ()),
    BenefitKind.BUY_X_GET_Y: (("buy_kwh", "get_kwh"), ()),
    BenefitKind.SLABS: (("slabs",), ("slab_mode",)),
    BenefitKind.SERVICE_FEE_WAIVER: ((), ("percent",)),
    BenefitKind.CREDIT_DRAWDOWN: (("credit_plan",), ("base",)),
    BenefitKind.ENERGY_TRADE: (
        ("pricing_model",),
        (
            "rate_per_kwh",
            "fixed_price",
            "tod_rates",
            "wheeling_amount",
            "wheeling_currency",
            "wheeling_description",
            "min_quantity",
            "max_quantity",
            "settlement_type",
        ),
    ),
}
ALL_BENEFIT_FIELDS = sorted({f for req, opt in BENEFIT_FIELDS.values() for f in req + opt})
# energy-trade pricing model -> the field it needs, and the ones it must not have
TRADE_FIELDS = {
    "PER_KWH": ("rate_per_kwh", ("fixed_price", "tod_rates")),
    "FIXED": ("fixed_price", ("rate_per_kwh", "tod_rates")),
    "TIME_OF_DAY": ("tod_rates", ("rate_per_kwh", "fixed_price")),
    "SUBSCRIPTION": (None, ("rate_per_kwh", "fixed_price", "tod_rates")),
}
LIST_FIELDS = ("region_codes", "city_codes", "site_kinds", "category_codes", "segments", "tiers")
WHY_REFUSED = {
    OndcType.EXCHANGE: "an Exchange offer buys a catalog item in lieu of one the buyer "
    f"owns ({REFUSED_TYPES[OndcOfferType.EXCHANGE]}); a charging session has nothing to trade in",
    OndcType.FINANCING: "a Financing offer finances a catalog item "
    f"({REFUSED_TYPES[OndcOfferType.FINANCING]}); a charging session is paid, not financed",
}


def empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _label(kind: str) -> str:
    return str(BenefitKind(kind).label) if kind in BenefitKind.values else kind


def benefit_errors(offer) -> dict[str, str]:
    kind = offer.benefit_kind
    if kind not in BENEFIT_FIELDS:
        return {"benefit_kind": "Pick a benefit kind."}
    required, optional = BENEFIT_FIELDS[kind]
    errors: dict[str, str] = {}
    for name in required:
        if empty(getattr(offer, name)):
            errors[name] = f"Required for a {_label(kind).lower()} benefit."
    for name in ALL_BENEFIT_FIELDS:
        if name not in required + optional and not empty(getattr(offer, name)):
            users = [_label(k).lower() for k, (a, b) in BENEFIT_FIELDS.items() if name in a + b]
            errors[name] = (
                f"Not used by a {_label(kind).lower()} benefit (only by: {', '.join(users)}); "
                "clear it."
            )
    if kind == BenefitKind.PERCENT and offer.base == "service_fee":
        errors["base"] = "To discount the service fee, use the service fee waiver benefit."
    if kind == BenefitKind.ENERGY_TRADE and offer.pricing_model in TRADE_FIELDS:
        needs, forbidden = TRADE_FIELDS[offer.pricing_model]
        if needs and empty(getattr(offer, needs)):
            errors[needs] = f"Required for the {offer.pricing_model} pricing model."
        for name in forbidden:
            if not empty(getattr(offer, name)):
                errors[name] = f"Not used by the {offer.pricing_model} pricing model; clear it."
        if offer.wheeling_amount is None and (
            offer.wheeling_currency or offer.wheeling_description
        ):
            errors["wheeling_amount"] = "Give the wheeling charge amount, or clear its details."
    return errors


def lists_ok(offer) -> bool:
    """The list fields hold lists of codes (their own validators explain what is wrong)."""
    values = [getattr(offer, name) for name in LIST_FIELDS]
    days = offer.days_of_week
    return all(isinstance(v, list) and all(isinstance(c, str) for c in v) for v in values) and (
        isinstance(days, list) and all(isinstance(d, int) and 0 <= d <= 6 for d in days)
    )


def values_ok(offer) -> bool:
    """Every choice and decimal field holds a value its own checks accept (a listed choice,
    the column's digits): otherwise those checks say what is wrong, and the terms cannot
    be read yet."""
    for field in offer._meta.concrete_fields:
        if not (field.choices or isinstance(field, models.DecimalField)):
            continue
        value = getattr(offer, field.attname)
        if value in field.empty_values:
            continue
        try:
            field.validate(value, offer)
            field.run_validators(value)
        except ValidationError:
            return False
    return True


def shape_errors(offer) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (offer.window_start is None) != (offer.window_end is None):
        errors["window_end"] = "Give both ends of the local time window, or neither."
    geo = (offer.geo_lat, offer.geo_lon, offer.geo_radius_km)
    if any(v is not None for v in geo) and any(v is None for v in geo):
        errors["geo_radius_km"] = "A geo circle needs a latitude, a longitude and a radius."
    if offer.geo_radius_km is not None and offer.geo_radius_km <= 0:
        errors["geo_radius_km"] = "The radius must be above zero."
    if offer.min_kwh is not None and offer.max_kwh is not None and offer.max_kwh < offer.min_kwh:
        errors["max_kwh"] = "The maximum kWh is below the minimum kWh."
    if offer.valid_from and offer.valid_until and offer.valid_until < offer.valid_from:
        errors["valid_until"] = "The offer would end before it starts."
    if offer.launch_days == 0:
        errors["launch_days"] = "A launch window is at least one day."
    return errors


def type_errors(offer) -> dict[str, str]:
    kind = offer.ondc_type
    if kind in WHY_REFUSED:
        return {"ondc_type": f"Not available for charging: {WHY_REFUSED[kind]}."}
    return combo_errors(offer)


def check_offer(offer, station_codes=(), charger_codes=()) -> None:
    """Raise ValidationError with every problem found, field by field where possible."""
    errors = {**shape_errors(offer), **type_errors(offer), **benefit_errors(offer)}
    if errors:
        raise ValidationError(errors)
    if not (lists_ok(offer) and values_ok(offer)):
        return  # the fields' own validators report it; the terms cannot be read yet
    operator = offer.operator if offer.operator_id else None
    if not offer.currency and operator is not None:
        offer.currency = operator.currency  # unstated: the operator's currency
    try:
        rule = to_rule_offer(
            offer,
            operator_code=operator.code if operator else "",
            currency=operator.currency if operator else "INR",
            station_codes=station_codes,
            charger_codes=charger_codes,
        )
        problems = validate_offer(rule)
    except TermsError as exc:
        raise ValidationError({exc.field: str(exc)}) from None
    except OfferDefinitionError as exc:
        raise ValidationError({"ondc_type": "; ".join(exc.problems)}) from None
    if problems:
        raise ValidationError(place(problems))
    template = template_errors(rule)
    if template:
        raise ValidationError(template)


# The rules' problems that concern one field, by how their message starts.
PROBLEM_FIELDS = (
    ("ONDC type", "ondc_type"),
    ("percent off", "percent"),
    ("service fee waiver", "percent"),
    ("fixed discount", "amount"),
    ("override rate", "rate_per_kwh"),
    ("free kWh", "free_kwh"),
    ("buy X get Y", "buy_kwh"),
    ("cap (max discount)", "max_discount"),
    ("minimum session value", "min_session_value"),
    ("holdout share", "holdout_percent"),
    ("wheeling charge is in", "wheeling_currency"),
    ("wheeling charge", "wheeling_amount"),
    ("currency must be", "currency"),
    ("FIXED energy trade price", "fixed_price"),
    ("energy trade maximumQuantity", "max_quantity"),
    ("time-of-day", "tod_rates"),
    ("TIME_OF_DAY", "tod_rates"),
    ("slab", "slabs"),
    ("geo circles", "geo_radius_km"),
)


def place(problems: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for problem in problems:
        name = next((f for start, f in PROBLEM_FIELDS if problem.startswith(start)), "__all__")
        out.setdefault(name, []).append(problem[0].upper() + problem[1:] + ".")
    return out


def single_use_codes_refused(offer) -> str:
    """Why `offer` takes no batch of single-use codes ("" when it does). An auto-applied
    offer is given to every eligible customer without a code, so single-use codes would
    gate nothing. Checked by CodeBatch.clean (every way a batch is made) and Offer.clean
    (an offer with batches cannot be made auto-applied)."""
    if offer.auto:
        return (
            f"Offer {offer.code} is auto-applied: every eligible customer gets it without a "
            "code, so single-use codes would do nothing. Make the offer opt-in (untick "
            "“auto-applied”) to give it codes."
        )
    return ""


_STATED_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def _stated_amounts(title: str, currency: str) -> list[str]:
    """The amounts a title states in the offer's currency: by its symbol or its code
    ("₹50", "Rs. 50", "INR 50", "€5", "EUR 5")."""
    names = [rf"\b{re.escape(currency)}"]
    if currency in formatting.SYMBOLS:
        names.append(re.escape(formatting.SYMBOLS[currency]))
    if currency == "INR":
        names.append(r"\bRs\.?")
    pattern = rf"(?:{'|'.join(names)})\s*(\d+(?:\.\d+)?)"
    return re.findall(pattern, title, re.IGNORECASE)


def title_contradiction(offer) -> str:
    """A warning (not an error: a title may say more than the benefit) when the title
    states a figure of the benefit's own kind that the benefit does not give: "25% Off"
    on a 30 % offer, "₹50 off" on a ₹40 one. Empty when the title agrees or states none."""
    kind, title = offer.benefit_kind, offer.title or ""
    currency = offer.effective_currency
    money = partial(formatting.money_in_sentence, currency=currency)
    if kind == BenefitKind.PERCENT and offer.percent is not None:
        stated, given, words = _STATED_PERCENT.findall(title), offer.percent, stated_percent
    elif kind == BenefitKind.FIXED and offer.amount is not None:
        stated, given, words = _stated_amounts(title, currency), offer.amount, money
    else:
        return ""
    wrong = [figure for figure in stated if Decimal(figure) != given]
    if not wrong:
        return ""
    figure, gives = words(Decimal(wrong[0])), f"{words(given)} off"
    return (
        f"The title “{title}” says {figure}, but the offer gives {gives}: change the title "
        "or the benefit, so customers are shown what they get."
    )
