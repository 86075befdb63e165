"""factory-boy factories for the charging network, and a two-operator fixture builder."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model

from cpo_portal.models import Charger, Connector, Operator, Role, StaffMembership, Station


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cpo{n}.example")
    name = factory.Sequence(lambda n: f"Operator {n}")
    time_zone = "Asia/Kolkata"


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    operator = factory.SubFactory(OperatorFactory)
    code = factory.Sequence(lambda n: f"st-{n:04d}")
    name = factory.Sequence(lambda n: f"Station {n}")
    address = "Connaught Place, New Delhi"
    city = "New Delhi"
    city_code = "std:011"
    region_code = "DL"
    latitude = Decimal("28.345345")
    longitude = Decimal("77.389754")
    site_kind = "urban"


class ChargerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Charger

    station = factory.SubFactory(StationFactory)
    operator = factory.SelfAttribute("station.operator")
    code = factory.Sequence(lambda n: f"charger-{n:04d}")
    name = "EV Charger #1 (AC Fast Charger)"
    power_kw = Decimal("30")
    power_type = "AC_3_PHASE"
    charging_speed = "FAST"
    categories = factory.LazyFunction(lambda: ["ev-charger"])


class ConnectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connector

    charger = factory.SubFactory(ChargerFactory)
    connector_id = "1"
    power_type = "AC_3_PHASE"
    connector_type = "CCS2"
    charging_speed = "FAST"
    power_kw = Decimal("30")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-only")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


ROLE_SHORT = {
    Role.OPERATOR_ADMIN: "admin",
    Role.PRICING_MANAGER: "pricing",
    Role.ANALYST: "analyst",
}


def staff(operator: Operator, role: str, username: str):
    user = UserFactory(username=username)
    StaffMembership.objects.create(user=user, operator=operator, role=role)
    return user


def build_network() -> SimpleNamespace:
    """Operators A and B, each with a station, a charger with a connector, and staff:
    ns.admin_a / ns.pricing_a / ns.analyst_a (and _b), plus ns.superuser."""
    ns = SimpleNamespace()
    for key in ("a", "b"):
        operator = OperatorFactory(code=f"cpo-{key}.example", name=f"Operator {key.upper()}")
        station = StationFactory(
            operator=operator, code=f"{key}-station", name=f"Station of {key.upper()}"
        )
        charger = ChargerFactory(station=station, code=f"{key}-charger-01")
        ConnectorFactory(charger=charger)
        setattr(ns, f"op_{key}", operator)
        setattr(ns, f"station_{key}", station)
        setattr(ns, f"charger_{key}", charger)
        for role, short in ROLE_SHORT.items():
            setattr(ns, f"{short}_{key}", staff(operator, role, f"{key}-{role}"))
    ns.superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    return ns
