"""Admin messages are shown as written (templates/admin/base_site.html): a file name that
leads one reads as uploaded (tests/roaming/test_cdr_imports.py,
tests/offers/test_customer_import_jobs.py), and Django's sentence that starts with a
model's name still starts with its capital."""

from __future__ import annotations

import pytest

from tests.pricing.admin_posts import url

pytestmark = pytest.mark.django_db


def test_a_missing_object_s_message_starts_with_a_capital(client, network):
    client.force_login(network.pricing_a)
    page = client.get(url("surgerule", "change", 999_999), follow=True).content.decode()
    missing = "Surge rule with ID “999999” doesn’t exist."  # noqa: RUF001 (Django's words)
    assert missing in page


def test_every_admin_page_shows_a_message_as_written(rf):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    shown = [Message(constants.SUCCESS, "cdrs.csv: 3 CDRs queued for import.")]
    page = render_to_string("admin/base_site.html", {"messages": shown}, request=rf.get("/"))
    assert '<li class="success">cdrs.csv: 3 CDRs queued for import.</li>' in page
