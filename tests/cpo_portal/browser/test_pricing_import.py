"""The pricing document's import in a real browser: a single-operator editor starts on
their operator, previews a file, and applies what they previewed without choosing the file
again (the file is kept on the server for the Apply)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from offers.models import Offer
from offers.services.config.exporting import export_pricing
from offers.services.config.format import dump
from tests.cpo_portal.browser.conftest import log_in, shoot
from tests.offers.conftest import deg_tariff, weekend_offer

pytestmark = pytest.mark.django_db(transaction=True)


def test_apply_imports_the_previewed_file_without_choosing_it_again(page, live_server, network):
    deg_tariff(network.op_a)
    offer = weekend_offer(network.op_a)
    document = export_pricing(network.op_a)
    document["offers"][0]["title"] = "Weekend, renamed"
    log_in(page, live_server, network.pricing_a.username)
    page.goto(live_server.url + reverse("admin:offers_pricing_import"))
    operator = page.locator("#id_operator")
    assert operator.locator("option:checked").inner_text() == str(network.op_a)
    assert operator.locator("option").all_inner_texts() == [str(network.op_a)]  # no "-----"
    page.set_input_files(
        "#id_file",
        files=[{"name": "a-pricing.yaml", "mimeType": "application/yaml",
                "buffer": dump(document).encode()}],
    )  # fmt: skip
    page.click("input[name=preview]")
    page.wait_for_selector("pre.pricing-plan")
    assert "title: " in page.inner_text("pre.pricing-plan")
    kept = page.locator(".form-row:has(#id_file) .help").inner_text()
    assert "Previewed: a-pricing.yaml" in kept and "Apply imports it" in kept
    assert page.locator("#id_operator option:checked").inner_text() == str(network.op_a)
    overflow = shoot(page, "pricing-import-preview")
    assert overflow["390"] == 0
    page.set_viewport_size({"width": 1366, "height": 768})
    page.click("input[name=apply]")  # no file chosen again
    page.wait_for_selector(".messagelist .success")
    assert "Imported pricing into" in page.inner_text(".messagelist")
    offer.refresh_from_db()
    assert offer.title == "Weekend, renamed"
    assert Offer.objects.filter(operator=network.op_a).count() == 1
