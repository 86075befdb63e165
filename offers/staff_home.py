"""The staff home: the page signed-in staff land on (the admin index URL), and the links
every admin and dashboard page offers to the main tools.

Figures come from the domain services (offers.services.standing, pricing.services.
surge_clock); which actions a user sees is what the admin itself would allow them
(the model admins' permission checks, which follow the user's roles).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from cpo_portal import tenancy
from cpo_portal.models import Operator
from offers.models import Offer
from offers.rules.uses import USES_MEANING
from offers.services.home_tasks import TASKS
from offers.services.standing import offers_today
from pricing.models import SurgeRule
from pricing.services import surge_clock

MAX_OPERATORS = 12  # a superuser's home shows the first operators; the lists show all


@dataclass(frozen=True, slots=True)
class Action:
    key: str
    label: str
    url: str
    kind: str  # "tool" (looks, never saves), "write" (a form that saves), "dashboard", "task"


def _may(request: HttpRequest, model, what: str) -> bool:
    model_admin = admin.site.get_model_admin(model)
    return bool(getattr(model_admin, f"has_{what}_permission")(request))


def actions(request: HttpRequest) -> list[Action]:
    """The main tools this user may open, in the order staff use them."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return []
    out = []
    if _may(request, Offer, "view"):  # the price tool is offers' simulator
        out.append(Action("preview", "Price tool", reverse("admin:offers_offer_simulate"), "tool"))
    if _may(request, Offer, "add"):
        out.append(Action("new-offer", "New offer", reverse("admin:offers_offer_add"), "write"))
    if _may(request, SurgeRule, "add"):
        out.append(
            Action("new-surge", "New surge rule", reverse("admin:pricing_surgerule_add"), "write")
        )
    if _may(request, SurgeRule, "view"):
        out.append(Action("week", "Week view", reverse("admin:pricing_surgerule_week"), "tool"))
    if tenancy.operator_ids(user) != set():  # the dashboards: any role, or a superuser
        out.append(Action("roi", "ROI dashboard", reverse("analytics:roi"), "dashboard"))
        out.append(Action("surge", "Surge impact", reverse("analytics:surge"), "dashboard"))
        out.append(Action("changes", "Change log", reverse("change-log"), "tool"))
    return out


def operator_tasks(request: HttpRequest) -> list[Action]:
    """The operator's tasks this user may open (stations, partners, CDR imports, the price
    audit)."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return []
    return [
        Action(
            task.key,
            task.label or str(capfirst(task.model._meta.verbose_name_plural)),
            reverse(task.url_name),
            "task",
        )
        for task in TASKS
        if admin.site.is_registered(task.model) and _may(request, task.model, "view")
    ]


def operators_of(request: HttpRequest) -> list[Operator]:
    return list(tenancy.scope(Operator.objects.order_by("name"), request.user)[:MAX_OPERATORS])


def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    boards = [
        {"operator": op, "offers": offers_today(op, now), "surges": surge_clock(op, now)}
        for op in operators_of(request)
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Home",
        "boards": boards,
        "actions": actions(request),
        "tasks": operator_tasks(request),
        "uses_meaning": USES_MEANING,
        "app_list": admin.site.get_app_list(request),
    }
    return TemplateResponse(request, "admin/home.html", context)


home_view = admin.site.admin_view(home)
