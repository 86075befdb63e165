"""Offer codes: one multi-use code per offer (WEEKEND25) and batches of single-use codes.

Codes are stored upper-case and are unique per operator across both kinds, so a code
presented at a station names exactly one offer. A single-use code is consumed by a
conditional UPDATE (used_at IS NULL), never by reading it first.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from cpo_portal.background import work_limits
from cpo_portal.db.validation import PlainTextModel
from cpo_portal.models import Operator

from .offer import Offer
from .offer_checks import single_use_codes_refused

code_text = RegexValidator(
    r"\A[A-Za-z0-9][A-Za-z0-9\-]{2,39}\Z", "Use 3-40 letters, digits or hyphens."
)
prefix_text = RegexValidator(r"\A[A-Za-z0-9]{0,12}\Z", "Use up to 12 letters or digits.")
MAX_BATCH = work_limits.CODES_PER_BATCH


def normalise_code(code: str) -> str:
    return code.strip().upper()


class CodeBatch(PlainTextModel):
    TENANT_PATH = "offer__operator"
    HISTORY_PARENT = "offer"  # its changes show in the offer's history

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="batches")
    prefix = models.CharField(max_length=12, blank=True, validators=[prefix_text])
    count = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BATCH)]
    )
    generated = models.PositiveIntegerField(
        default=0, editable=False, help_text="Codes written so far: below the count while a "
        "worker is still generating a large batch."
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    history = HistoricalRecords(excluded_fields=["generated"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "code batches"

    def __str__(self) -> str:
        return f"{self.count} codes {self.prefix}… for {self.offer.code}"

    def clean(self) -> None:
        self.prefix = normalise_code(self.prefix)
        refused = single_use_codes_refused(self.offer) if self.offer_id else ""
        if refused:
            raise ValidationError({"offer": refused})
        if self.offer_id and self.pk is None and self.count:
            check_codes_room(self.offer, self.count, "count")


def check_codes_room(offer: Offer, adding: int, field: str) -> None:
    """ValidationError on `field` when `adding` more single-use codes would take `offer`
    past work_limits.CODES_PER_OFFER in all its batches."""
    cap = work_limits.CODES_PER_OFFER
    have = offer.batches.aggregate(total=models.Sum("count"))["total"] or 0
    if have + adding > cap:
        message = (
            f"An offer holds at most {cap:,} single-use codes in all its batches; "
            f"{offer.code} has {have:,}, so {adding:,} more is too many. Delete batches "
            "it no longer needs, or give the codes to another offer."
        )
        raise ValidationError({field: message})


class OfferCode(PlainTextModel):
    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="offer_codes")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=40, validators=[code_text])
    batch = models.ForeignKey(
        CodeBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="codes"
    )
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.CharField("used by (customer key)", max_length=64, blank=True)
    used_order = models.CharField("used on order", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["used_at", "used_by", "used_order"])

    class Meta:
        ordering = ["offer", "code"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "code"], name="offer_code_unique"),
            models.UniqueConstraint(
                fields=["offer"],
                condition=models.Q(batch__isnull=True),
                name="one_multi_use_code_per_offer",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        self.code = normalise_code(self.code)
        if self.offer_id and not self.operator_id:
            self.operator_id = self.offer.operator_id
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None) -> None:
        """The code is unique per operator. The operator is never typed (clean takes the
        offer's), so a form without it (the offer's inline) checks that too: a code taken
        is the form's error ("Offer code with this Operator and Code already exists."),
        not the database's refusal at save."""
        if exclude and self.operator_id:
            exclude = set(exclude) - {"operator"}
        super().validate_constraints(exclude)

    @property
    def single_use(self) -> bool:
        return self.batch_id is not None

    def clean(self) -> None:
        self.code = normalise_code(self.code)
        offer = _offer_of(self)
        if not self.operator_id and offer is not None:  # the offer's, saved or being added
            self.operator_id = offer.operator_id
        if self.offer_id and self.offer.operator_id != self.operator_id:
            raise ValidationError({"offer": "The offer belongs to another operator."})


def _offer_of(code: OfferCode) -> Offer | None:
    """The code's offer: saved, or one a form is adding with it (an inline's parent, not
    saved yet); None when it has none."""
    try:
        return code.offer
    except Offer.DoesNotExist:
        return None
