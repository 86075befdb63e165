from offers.channels import SessionChannel

from .addons import AddOn, AddOnAvailability, AddOnBooking, BookingState
from .choices import (
    BenefitKind,
    BudgetPolicy,
    CreditKind,
    DegOfferType,
    OfferStatus,
    OndcType,
    RedemptionKind,
)
from .codes import CodeBatch, OfferCode
from .customer_imports import CustomerImport, ImportStatus
from .customers import CreditAccount, Customer
from .ledger import AppendOnlyError, AppendOnlyQuerySet, Redemption
from .offer import Offer
from .pricing_drafts import PricingDraft
from .usage import CustomerOfferUsage, OfferUsage

__all__ = [
    "AddOn",
    "AddOnAvailability",
    "AddOnBooking",
    "AppendOnlyError",
    "AppendOnlyQuerySet",
    "BenefitKind",
    "BookingState",
    "BudgetPolicy",
    "CodeBatch",
    "CreditAccount",
    "CreditKind",
    "Customer",
    "CustomerImport",
    "CustomerOfferUsage",
    "DegOfferType",
    "ImportStatus",
    "Offer",
    "OfferCode",
    "OfferStatus",
    "OfferUsage",
    "OndcType",
    "PricingDraft",
    "Redemption",
    "RedemptionKind",
    "SessionChannel",
]
