"""Choice lists for offer fields. Values match offers.rules enums, so rows convert 1:1."""

from django.db import models


class OfferStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class BenefitKind(models.TextChoices):
    PERCENT = "percent", "Percent off (with an optional cap)"
    FIXED = "fixed", "Fixed amount off"
    RATE_OVERRIDE = "rate_override", "Rate override (₹/kWh)"
    FREE_KWH = "free_kwh", "Free kWh"
    BUY_X_GET_Y = "buy_x_get_y", "Buy X kWh, get Y kWh free"
    SLABS = "slabs", "Slabs by kWh (bulk charging)"
    SERVICE_FEE_WAIVER = "service_fee_waiver", "Service fee waiver"
    CREDIT_DRAWDOWN = "credit_drawdown", "Prepaid credit / package drawdown"
    ENERGY_TRADE = "energy_trade", "EnergyTradeOffer terms"


class OndcType(models.TextChoices):
    """The ONDC offer template's types. Exchange and Financing are listed so that they can
    be refused with a reason: they have no meaning for a charging session."""

    DISCOUNT = "discount", "Discount"
    BUY_X_GET_Y = "buyxgety", "BuyXGetY"
    FREEBIE = "freebie", "Freebie"
    SLAB = "slab", "Slab"
    COMBO = "combo", "Combo"
    DELIVERY = "delivery", "Delivery (service fee)"
    EXCHANGE = "exchange", "Exchange (not for charging)"
    FINANCING = "financing", "Financing (not for charging)"


class DiscountBase(models.TextChoices):
    ENERGY = "energy", "Energy cost"
    SERVICE_FEE = "service_fee", "Service fee"
    GROSS = "gross", "Whole session (before tax)"


class BudgetPolicy(models.TextChoices):
    CUT = "cut", "Cut the last discount to what remains"
    REFUSE = "refuse", "Refuse a discount the budget cannot cover"


class HolidayRule(models.TextChoices):
    ANY_DAY = "any_day", "Any day"
    HOLIDAYS_ONLY = "holidays_only", "Holidays only"
    EXCEPT_HOLIDAYS = "except_holidays", "Not on holidays"


class SlabMode(models.TextChoices):
    WHOLE = "whole", "The slab the session falls in prices all of it"
    MARGINAL = "marginal", "Each kWh priced by its own slab"


class PricingModel(models.TextChoices):
    PER_KWH = "PER_KWH", "Per kWh"
    TIME_OF_DAY = "TIME_OF_DAY", "Time of day"
    SUBSCRIPTION = "SUBSCRIPTION", "Subscription"
    FIXED = "FIXED", "Fixed price"


class SettlementType(models.TextChoices):
    REAL_TIME = "REAL_TIME", "Real time"
    HOURLY = "HOURLY", "Hourly"
    DAILY = "DAILY", "Daily"
    WEEKLY = "WEEKLY", "Weekly"
    MONTHLY = "MONTHLY", "Monthly"


class DegOfferType(models.TextChoices):
    """The DEG offers page's offer types, published as the `offer-type` tag."""

    HAPPY_HOUR = "HAPPY_HOUR", "Happy hour"
    WEEKEND_SPECIAL = "WEEKEND_SPECIAL", "Weekend special"
    HOLIDAY_PROMOTION = "HOLIDAY_PROMOTION", "Holiday promotion"
    EARLY_BIRD = "EARLY_BIRD", "Early bird"
    NIGHT_CHARGING = "NIGHT_CHARGING", "Night charging"
    BULK_CHARGING = "BULK_CHARGING", "Bulk charging"
    MONTHLY_PACKAGE = "MONTHLY_PACKAGE", "Monthly package"
    PREPAID_CREDIT = "PREPAID_CREDIT", "Prepaid credit"
    FAMILY_PLAN = "FAMILY_PLAN", "Family plan"
    MEMBER_EXCLUSIVE = "MEMBER_EXCLUSIVE", "Member exclusive"
    TIER_PRICING = "TIER_PRICING", "Tier-based pricing"
    REFERRAL_BONUS = "REFERRAL_BONUS", "Referral bonus"
    ANNIVERSARY_REWARD = "ANNIVERSARY_REWARD", "Anniversary reward"
    NEW_STATION_LAUNCH = "NEW_STATION_LAUNCH", "New station launch"
    HIGHWAY_SPECIAL = "HIGHWAY_SPECIAL", "Highway special"
    URBAN_RURAL = "URBAN_RURAL", "Urban / rural pricing"
    REGIONAL_PROMOTION = "REGIONAL_PROMOTION", "Regional promotion"
    BUY_X_GET_Y = "BUY_X_GET_Y", "Buy X get Y"
    ENERGY_TRADE = "ENERGY_TRADE", "Energy trade"
    OTHER = "OTHER", "Other"


class RedemptionKind(models.TextChoices):
    QUOTED = "quoted", "Quoted (select)"
    VALIDATED = "validated", "Validated (init)"
    REDEEMED = "redeemed", "Redeemed (confirm)"
    SETTLED = "settled", "Settled (energy delivered)"
    REVERSED = "reversed", "Reversed (cancel / recovery)"
    HELD_OUT = "held_out", "Held out (control group)"


class CreditKind(models.TextChoices):
    RUPEES = "rupees", "Prepaid rupees"
    KWH = "kwh", "Monthly kWh package"
