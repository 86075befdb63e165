"""The product's admin site, Django's default site (cpo_portal.apps.ProductAdminConfig):
its titles, and what every model admin registered on it gets, the project's and the
libraries' (Celery beat's periodic tasks, auth's users and groups) alike.

A date hierarchy asked for the last year the calendar holds (`?created_at__year=9999`,
with or without its December or its last day) is refused as any other wrong lookup:
Django's ChangeList works out where that span ends, past year 9999, and raised a 500; the
admin now shows the list again with `?e=1`, as it does for a filter it cannot apply."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class BoundedChangeList(ChangeList):
    def get_filters(self, request: Any) -> Any:
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as exc:
            if not (self.date_hierarchy and f"{self.date_hierarchy}__year" in request.GET):
                raise
            raise IncorrectLookupParameters(exc) from exc


class BoundedDateHierarchy:
    """Mixed into every model admin the site registers."""

    def get_changelist(self, request: Any, **kwargs: Any) -> type[ChangeList]:
        return BoundedChangeList


class ProductAdminSite(admin.AdminSite):
    site_header = "CPO offers portal"
    site_title = "CPO offers portal"
    index_title = "Charging network, pricing and offers"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BoundedDateHierarchy):
            admin_class = type(
                admin_class.__name__,
                (BoundedDateHierarchy, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
