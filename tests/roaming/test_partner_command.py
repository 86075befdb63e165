"""`manage.py ocpi_partner register --versions-url` takes the URL as the partner's admin
form does (cpo_portal/formatting/url_inputs.py): https where the scheme is left out, and a
value that is no URL refused in one line, with nothing saved."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from roaming.models import Partner
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return Partner.objects.create(operator=OperatorFactory(code="cpo1.example"), name="Roamer")


def test_a_versions_url_typed_without_a_scheme_is_saved_as_https(partner):
    # no token yet: registering stops there, after the URL is kept
    with pytest.raises(CommandError, match="the token it gave us"):
        call_command("ocpi_partner", "register", str(partner.pk),
                     "--versions-url", "emsp.example/ocpi/versions")  # fmt: skip
    partner.refresh_from_db()
    assert partner.versions_url == "https://emsp.example/ocpi/versions"


@pytest.mark.parametrize("typed", ["not a url", "https://", "emsp.example:99999/ocpi"])
def test_a_versions_url_the_admin_form_refuses_is_refused_with_nothing_saved(partner, typed):
    with pytest.raises(CommandError) as refused:
        call_command("ocpi_partner", "register", str(partner.pk), "--versions-url", typed)
    assert str(refused.value) == "Roamer: Enter a valid URL."
    partner.refresh_from_db()
    assert partner.versions_url == ""
