"""Which operators a user may see or change, and how to scope any tenant-owned queryset.

A model is tenant-owned when it declares `TENANT_PATH`: the ORM path from the model to its
Operator ("operator", "charger__operator", ...). Operator itself uses the path "" (its pk).
Every surface (admin, API, dashboards, exports) scopes through `scope()` and `may()` so there
is one rule, written once. An object belongs to the operator its TENANT_PATH reaches; an
object whose path ends at no operator (an Outbox row that answers a search, not an order)
belongs to no operator and only superusers see it: `scope()` leaves it out of every
queryset, `may()` refuses it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model, QuerySet

from cpo_portal.models import Operator, Role, StaffMembership

ALL_ROLES = frozenset(Role.values)
NETWORK_EDITORS = frozenset({Role.OPERATOR_ADMIN})
PRICING_EDITORS = frozenset({Role.OPERATOR_ADMIN, Role.PRICING_MANAGER})
NOBODY: frozenset[str] = frozenset()

_CACHE_ATTR = "_cpo_memberships"


def memberships(user) -> dict[int, str]:
    """operator id -> role, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = dict(StaffMembership.objects.filter(user=user).values_list("operator_id", "role"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def operator_ids(user, roles: Iterable[str] = ALL_ROLES) -> set[int] | None:
    """Operators where the user holds one of `roles`; None means 'all' (superuser)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    wanted = set(roles)
    return {op for op, role in memberships(user).items() if role in wanted}


def tenant_path(model: type[Model]) -> str | None:
    if model is Operator:
        return ""
    return getattr(model, "TENANT_PATH", None)


def operator_of(obj: Model) -> int | None:
    """The operator id an object belongs to, following its TENANT_PATH."""
    path = tenant_path(type(obj))
    if path is None:
        return None
    if path == "":
        return obj.pk
    target: object = obj
    *parents, last = path.split("__")
    for part in parents:
        target = getattr(target, part, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def scope(qs: QuerySet, user, roles: Iterable[str] = ALL_ROLES) -> QuerySet:
    """Restrict a queryset of a tenant-owned model to the user's operators (rows whose
    path reaches no operator are left out: the join finds no operator to match).

    Models that are not tenant-owned pass through unchanged; callers decide whether such
    a model may be shown at all.
    """
    path = tenant_path(qs.model)
    if path is None:
        return qs
    allowed = operator_ids(user, roles)
    if allowed is None:
        return qs
    lookup = "pk__in" if path == "" else f"{path}__in"
    return qs.filter(**{lookup: allowed})


def may(user, obj: Model | None, roles: Iterable[str]) -> bool:
    """May the user act with one of `roles` on obj (or, with obj None, on anything)?"""
    allowed = operator_ids(user, roles)
    if allowed is None:
        return True
    if obj is None:
        return bool(allowed)
    if tenant_path(type(obj)) is None:
        return False  # not tenant-owned: superusers only
    owner = operator_of(obj)
    if owner is None:
        # A new object whose operator is not chosen yet: the form limits the choice. A
        # saved one that belongs to no operator (an on_search callback, an error reply)
        # is nobody's to see but the superusers'.
        return obj.pk is None and bool(allowed)
    return owner in allowed
