"""The admin's registered models and their actions, its URLs by model, every admin page, and
the POST bodies of its operator and offer forms, for tests that drive the admin pages."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.apps import apps
from django.contrib import admin
from django.db.models import Model
from django.urls import NoReverseMatch, reverse

from cpo_portal.models import Operator


def registered(site: admin.AdminSite = admin.site) -> dict[type[Model], admin.ModelAdmin]:
    """Every model registered with the admin site and its ModelAdmin, by model label."""
    models = apps.get_models(include_auto_created=True, include_swapped=True)
    found = sorted((m for m in models if site.is_registered(m)), key=lambda m: m._meta.label)
    return {model: site.get_model_admin(model) for model in found}


def action_names(model_admin: admin.ModelAdmin) -> list[str]:
    """The bulk actions a model admin's change list offers before the request's permissions
    filter them: the site-wide ones (`delete_selected`) unless the admin's own `actions`
    name one alike, then the admin's own."""
    own = [model_admin.get_action(action) for action in model_admin.actions or []]
    own_names = [found[1] for found in own if found]
    site_wide = [name for name, _ in model_admin.admin_site.actions if name not in own_names]
    return site_wide + own_names


def admin_url(app_label: str, model: str, action: str, *args) -> str:
    """admin_url("offers", "offer", "change", pk): the admin's named URL for it."""
    return reverse(f"admin:{app_label}_{model}_{action}", args=args)


def admin_urls(app_label: str) -> Callable[..., str]:
    """`url = admin_urls("offers")`, then url("offer", "change", pk), in one app's tests."""

    def url(model: str, action: str, *args) -> str:
        return admin_url(app_label, model, action, *args)

    return url


def admin_pages(superuser) -> list[str]:
    """Every admin page: the index, each registered model's list, add, and (for its first
    row) change, history, delete and first history version pages."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    urls.append(reverse("admin:auth_user_password_change", args=[superuser.pk]))
    for model in registered():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:app_list", args=[info[0]]))
        urls += [reverse("admin:{}_{}_{}".format(*info, page)) for page in ("changelist", "add")]
        obj = model._default_manager.first()
        if obj is None:
            continue
        for page in ("change", "history", "delete"):
            urls.append(reverse("admin:{}_{}_{}".format(*info, page), args=[obj.pk]))
        history = getattr(obj, "history", None)
        if history is not None and history.exists():
            with contextlib.suppress(NoReverseMatch):  # a plain admin over a history model
                name = "admin:{}_{}_simple_history".format(*info)
                urls.append(reverse(name, args=[obj.pk, history.first().history_id]))
    return sorted(set(urls))


def operator_post(operator: Operator, **fields) -> dict:
    """The operator's change form as the admin renders it, with `fields` changed."""
    data = {
        "code": operator.code,
        "name": operator.name,
        "short_desc": "",
        "logo_url": "",
        "currency": "INR",
        "time_zone": "Asia/Kolkata",
        "gstin": "",
        "tax_rate": "18",  # percent in the admin
        "surge_notice_hours": "0",
        "overcharge_buffer": "0",  # percent in the admin
        "max_buyer_finder_fee": "0",
    }
    data.update(fields)
    return data


def offer_post(operator: Operator, **overrides) -> dict:
    """A valid offer add form (a weekday happy hour, 20 % off energy) with `overrides`;
    an override of None leaves the field out."""
    data = {
        "operator": operator.pk,
        "code": "happy-hour",
        "status": "draft",
        "title": "Happy hour 20%",
        "short_desc": "",
        "type_label": "HAPPY_HOUR",
        "ondc_type": "",
        "benefit_kind": "percent",
        "percent": "20",
        "base": "energy",
        "days_of_week": ["0", "1", "2", "3", "4"],
        "window_start": "14:00",
        "window_end": "17:00",
        "holidays": "any_day",
        "auto": "on",
        "priority": "0",
        "budget_policy": "cut",
        "slabs": "[]",
        "tod_rates": "[]",
        "codes-TOTAL_FORMS": "0",
        "codes-INITIAL_FORMS": "0",
        "codes-MIN_NUM_FORMS": "0",
        "codes-MAX_NUM_FORMS": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
