"""Simulate offers on a sample session: pick a charger, a start, kWh or an amount, a
customer (real, by phone or e-mail, or made up: segment, tier, flags) and codes; see the
quote with the offers applied and every rejection with its reason. Any role may look;
drafts and paused offers can be previewed before they go live."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from functools import partial
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from cpo_portal import formatting, tenancy
from cpo_portal.db import values
from cpo_portal.formatting.number_inputs import whole_number
from cpo_portal.models import Charger
from cpo_portal.web.admin_site import (
    BoundedMultipleChoiceField,
    LookingAutocompleteSelect,
    LookingAutocompleteSelectMultiple,
)
from offers.customer_keys import ContactError, customer_key
from offers.models import AddOn, CodeBatch, Offer
from offers.rules.facts import CustomerFacts
from offers.services.addons import AddOnUnavailable
from offers.services.catalog import infos
from pricing.engine import (
    LineKind,
    PricingSetupError,
    Quote,
    QuoteInputError,
    station_instant,
)
from pricing.services import NoTariffError, quote_to_dict, tariff_for

from .price_compare import chosen_notes, compare, in_words, offer_titles, without_offers


def _picker(model, field: str, *, multiple: bool = False) -> forms.Widget:
    """A searchable picker served by the admin's autocomplete view, which lists, for a
    page that only looks, what the related model's admin shows this user (its
    tenant-scoped get_queryset), whatever the user may edit."""
    if multiple:
        return LookingAutocompleteSelectMultiple(model._meta.get_field(field), admin.site)
    return LookingAutocompleteSelect(model._meta.get_field(field), admin.site)


class SimulateForm(forms.Form):
    charger = forms.ModelChoiceField(
        queryset=Charger.objects.none(), widget=_picker(Offer, "chargers")
    )
    start = forms.CharField(
        label="Local start",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Wall-clock time at the station, or with its UTC offset (+01:00).",
    )
    kwh = forms.DecimalField(label="kWh", required=False, min_value=Decimal("0.001"))
    amount = forms.DecimalField(
        label="or an amount (₹)", required=False, min_value=Decimal("0.01"), decimal_places=2
    )
    contact = forms.CharField(
        label="Customer phone or e-mail",
        required=False,
        help_text="Hashed at once, never stored; a known customer's attributes are used.",
    )
    segment = forms.CharField(required=False, max_length=32)
    tier = forms.CharField(required=False, max_length=32)
    member = forms.BooleanField(required=False)
    referred = forms.BooleanField(required=False)
    first_session = forms.BooleanField(required=False)
    joined_on = forms.DateField(  # the range a customer's joining date takes (the model's)
        required=False,
        validators=[values.within_years],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    codes = forms.CharField(required=False, help_text="Codes presented, comma-separated.")
    offers = BoundedMultipleChoiceField(
        queryset=Offer.objects.none(),
        required=False,
        widget=_picker(CodeBatch, "offer", multiple=True),
        help_text="Offers to preview whatever their status (drafts, paused), as if opted in.",
    )
    add_ons = BoundedMultipleChoiceField(
        queryset=AddOn.objects.none(),
        required=False,
        help_text="Add-ons sold with the session (priced with their own GST; combo offers).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name, rows in (
            ("charger", Charger.objects.select_related("station", "operator")),
            ("offers", Offer.objects.all()),
            ("add_ons", AddOn.objects.all()),
        ):
            field = cast(forms.ModelChoiceField, self.fields[name])
            field.queryset = tenancy.scope(rows, user, tenancy.ALL_ROLES)

    def clean_start(self) -> dt.datetime:
        text = self.cleaned_data["start"].strip()
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(
                "Give a local date and time, like 2025-09-24T18:25."
            ) from None
        values.within_years(value)
        return value  # without an offset, the station's wall clock decides (clean)

    def clean_contact(self) -> str:
        contact = self.cleaned_data["contact"].strip()
        if not contact:
            return ""
        try:
            return customer_key(email=contact) if "@" in contact else customer_key(phone=contact)
        except ContactError:
            raise forms.ValidationError("Not a phone number or e-mail address.") from None

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kwh, amount = data.get("kwh"), data.get("amount")
        if kwh is not None and amount is not None:
            self.add_error("amount", "Give kWh or an amount, not both.")
        if kwh is None and amount is None and not self.errors:
            self.add_error("kwh", "Give the kWh to deliver or an amount to spend.")
        charger, offers = data.get("charger"), data.get("offers") or []
        if charger is not None and any(o.operator_id != charger.operator_id for o in offers):
            self.add_error("offers", "Pick offers of the charger's operator.")
        start = data.get("start")
        if charger is not None and isinstance(start, dt.datetime):
            zone = ZoneInfo(charger.station.time_zone)
            try:
                at = start if start.utcoffset() is not None else station_instant(zone, start)
            except QuoteInputError as exc:
                self.add_error("start", str(exc))
            else:
                data["start"] = at.astimezone(zone)
        return data

    def customer(self) -> CustomerFacts | None:
        """Made-up attributes replace the database's; none given: the real customer."""
        d = self.cleaned_data
        made_up = ("segment", "tier", "member", "referred", "first_session", "joined_on")
        if not any(d.get(name) for name in made_up):
            return None
        return CustomerFacts(
            key=d.get("contact", ""),
            segment=d.get("segment", ""),
            tier=d.get("tier", ""),
            member=d.get("member", False),
            referred=d.get("referred", False),
            first_session=d.get("first_session", False),
            joined_on=d.get("joined_on"),
        )


def simulate(form: SimulateForm) -> dict:
    from offers.services import SessionAsk, quote_session_with_offers

    d = form.cleaned_data
    charger = d["charger"]
    previewed = list(d.get("offers") or [])
    ask = SessionAsk(
        charger,
        d["start"],
        kwh=d.get("kwh"),
        amount=d.get("amount"),
        customer_key=d.get("contact", ""),
        customer=form.customer(),
        codes=tuple(c.strip() for c in (d.get("codes") or "").split(",") if c.strip()),
        offer_ids=tuple(o.code for o in previewed),
        preview=tuple(o.pk for o in previewed),
        add_ons=tuple(a.code for a in d.get("add_ons") or ()),
    )
    try:
        oq = quote_session_with_offers(ask)
    except (QuoteInputError, NoTariffError, PricingSetupError) as exc:
        return {"error": str(exc)}
    except AddOnUnavailable as exc:
        return {"error": exc.message}
    titles = offer_titles(oq, charger.operator_id)
    named = {o.pk for o in previewed} | {m.offer_pk for m in oq.codes.values()}
    chosen = {i.code: i for i in infos(Offer.objects.filter(pk__in=named), charger.operator)}
    otherwise = None
    if chosen:  # what the customer pays otherwise: the automatic offers that apply anyway
        try:
            otherwise = quote_session_with_offers(
                dataclasses.replace(ask, codes=(), offer_ids=(), preview=())
            )
        except (QuoteInputError, NoTariffError, PricingSetupError, AddOnUnavailable):
            otherwise = None
    money = partial(formatting.money_text, currency=oq.quote.currency)
    automatic = []  # chosen offers that apply anyway: the baseline is then no offer at all
    if otherwise is not None:
        titles.update(offer_titles(otherwise, charger.operator_id))
        automatic = [i for i in otherwise.applied_ids() if i in chosen]
        if automatic:
            otherwise = None
    return {
        "oq": oq,
        "comparison": compare(oq, otherwise.quote if otherwise is not None else None),
        "without_total": without_offers(oq).total,
        "otherwise": [titles.get(i, i) for i in otherwise.applied_ids()]
        if otherwise is not None
        else None,
        "chosen_notes": chosen_notes(oq, otherwise, chosen, titles, money),
        "chosen_automatic": [titles.get(i, i) for i in automatic],
        "applied": [(titles[a.offer_id], a) for a in oq.applied],
        "rejected": [in_words(r, titles) for r in oq.rejected],
        "held_out": [titles[o] for o in oq.held_out],
        "quote": quote_to_dict(oq.quote, zone=ZoneInfo(charger.station.time_zone)),
        "charger": charger,
        "out_of_service": charger.out_of_service(),  # priced still, for planning
        "tariff": tariff_for(charger),
        "zone": charger.station.time_zone,
        "amount_note": amount_note(d.get("amount"), oq.quote),
    }


BOUGHT = (LineKind.ENERGY, LineKind.SERVICE_FEE)


def amount_note(amount: Decimal | None, quote: Quote) -> dict | None:
    """An amount buys energy at the tariff's rates: energy and service fee come to the
    amount (pricing.engine.quantity); surges, idle fees, add-ons and tax come on top and
    offers come off. The figures for the page, each the sum of the quote's own lines."""
    if amount is None:
        return None
    on_top = [
        (label, quote.sum_of(kind))
        for kind, label in (
            (LineKind.SURGE, "surges"),
            (LineKind.IDLE_FEE, "idle fees"),
            (LineKind.ADDON, "add-ons"),
            (LineKind.WHEELING, "wheeling"),
            (LineKind.ADJUSTMENT, "minimum or maximum price"),
            (LineKind.TAX, "tax"),
        )
        if quote.sum_of(kind)
    ]
    return {
        "amount": amount,
        "bought": sum((quote.sum_of(k) for k in BOUGHT), Decimal("0")),
        "on_top": on_top,
        "discount": -quote.sum_of(LineKind.DISCOUNT),
        "tax_inclusive": quote.tax_inclusive,
        "total": quote.total,
    }


def simulate_view(model_admin):
    def view(request):
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        initial = {}
        offer = whole_number(request.GET.get("offer", ""))
        if offer is not None:
            initial["offers"] = [offer]
        has_input = "charger" in request.GET
        form = SimulateForm(request.GET if has_input else None, user=request.user, initial=initial)
        context = {
            **model_admin.admin_site.each_context(request),
            "title": "Price tool: a session with and without offers",
            "opts": model_admin.model._meta,
            "form": form,
        }
        if has_input and form.is_valid():
            context.update(simulate(form))
        return TemplateResponse(request, "admin/offers/simulate.html", context)

    return view
