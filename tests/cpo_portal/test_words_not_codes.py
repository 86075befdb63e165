"""Words staff read, not the machine's codes: why a text is not JSON (what was expected and
where, never Python's parser's own message), a charger's categories in its form, and a
rollup's offer type by its label."""

from __future__ import annotations

import json

import pytest

from cpo_portal.web.jsonlimits import not_json


def reason(text: str | bytes) -> str:
    with pytest.raises(ValueError) as caught:
        json.loads(text)
    return not_json(caught.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "a value was expected at line 1, column 1"),
        ('{"a": 1,\n "b" 2}', "a colon was expected at line 2, column 6"),
        ('{"a": 1} x', "more follows the end of the JSON at line 1, column 10"),
        ('{"a": "open', "a text in quotes is not closed at line 1, column 7"),
        (b"\xff", "the file is not UTF-8 text"),
    ],
)
def test_a_text_that_is_not_json_says_why_in_words(text, words):
    said = reason(text)
    assert said == f"not JSON: {words}"
    assert "Expecting" not in said and "char" not in said


def test_a_chargers_categories_read_as_words_in_its_form():
    from cpo_portal.admin.forms import ChargerForm
    from cpo_portal.models import Charger

    form = ChargerForm(instance=Charger(categories=["ev-charger", "ultra_fast", "fleet-depot"]))
    assert dict(form.fields["categories"].choices) == {
        "ev-charger": "EV charger",
        "slow": "Slow",
        "normal": "Normal",
        "fast": "Fast",
        "ultra_fast": "Ultra fast",
        "fleet-depot": "Fleet depot",
    }


def test_a_rollups_offer_type_reads_by_its_label():
    from analytics.models import DailyRollup

    assert DailyRollup(offer_type="TIER_PRICING").get_offer_type_display() == "Tier-based pricing"
