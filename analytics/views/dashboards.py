"""The dashboards: thin views over services.offer_roi / offer_detail / surge_impact.

Who: signed-in staff with any role (analyst, pricing manager, operator admin) at the
operator shown; a user of several operators picks one. Every table on a page is also a
CSV export: the same URL with ?export=<table key>, the same filters and scoping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy
from django.utils.http import urlencode

from analytics.calc.hour_bands import BANDS
from analytics.forms import FilterForm, OperatorForm
from analytics.services import offer_detail, offer_roi, surge_impact
from analytics.services.filters import Filters, scoped
from analytics.services.freshness import freshness
from analytics.services.tables import csv_response, sort_tables
from offers.models import Offer

staff_login = login_required(login_url=reverse_lazy("admin:login"))


class BadFilters(Exception):
    """Filters refused: the page shows the form again, as the user filled it in, with
    each error in words next to its field (errors of no one field above the form)."""

    def __init__(self, errors: list[str], form: FilterForm | None = None, operator=None) -> None:
        self.errors = errors
        self.form = form
        self.operator = operator


def resolve(request: HttpRequest, operator=None) -> tuple[Filters, FilterForm, OperatorForm, str]:
    """The filters of this request, checked against what the user may see."""
    picker = OperatorForm(request.user, request.GET or None)
    if not picker.operators.exists():
        raise PermissionDenied("You have no role at any operator.")
    if request.GET and not picker.is_valid():
        raise BadFilters([str(e) for e in picker.errors.get("operator", [])])
    operator = operator or picker.chosen()
    form = FilterForm(request.user, operator, request.GET)
    if not form.is_valid():
        raise BadFilters([str(e) for e in form.non_field_errors()], form, operator)
    filters = form.filters()
    form.show(filters)
    granularity = offer_roi.granularity_for(filters, form.cleaned_data.get("granularity", ""))
    picker.initial = {"operator": operator.pk}
    return filters, form, picker, granularity


def _page(
    request: HttpRequest,
    template: str,
    build: Callable[[Filters, str], dict[str, Any]],
    export_name: str,
    operator=None,
    **extra: Any,
) -> HttpResponse:
    try:
        filters, form, picker, granularity = resolve(request, operator)
    except BadFilters as bad:
        context = {**extra, "errors": bad.errors, "form": bad.form, "operator": bad.operator}
        return render(request, "analytics/bad_filters.html", context, status=400)
    data = build(filters, granularity)
    export = request.GET.get("export")
    if export:
        table = next((t for t in data["tables"] if t.key == export), None)
        if table is None:
            raise Http404("No such table on this page.")
        return csv_response(table, f"{export_name}-{export}-{filters.date_from}-{filters.date_to}")
    sort_tables(data["tables"], request.GET.get("sort", ""))
    query = filters.query()
    if granularity:
        query["granularity"] = granularity
    context = {
        **data,
        **extra,
        "filters": filters,
        "operator": filters.operator,
        "form": form,
        "picker": picker,
        "granularity": granularity,
        "query": urlencode(query),
        "bands": BANDS,
        "freshness": freshness(),
    }
    return render(request, template, context)


@staff_login
def roi_dashboard(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "analytics/roi.html",
        offer_roi.dashboard,
        "offer-roi",
        nav="roi",
        show_offer_filters=True,
    )


@staff_login
def offer_page(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(scoped(Offer.objects.select_related("operator"), request.user), pk=pk)
    if request.GET.get("operator") and request.GET["operator"] != str(offer.operator_id):
        raise Http404("That offer belongs to another operator.")
    return _page(
        request,
        "analytics/offer.html",
        lambda f, g: offer_detail.detail(f, offer, g),
        f"offer-{offer.code}",
        operator=offer.operator,
        nav="roi",
    )


@staff_login
def surge_dashboard(request: HttpRequest) -> HttpResponse:
    return _page(request, "analytics/surge.html", surge_impact.dashboard, "surge", nav="surge")
