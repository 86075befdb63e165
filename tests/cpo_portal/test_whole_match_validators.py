"""A code's pattern holds the whole value: RegexValidator searches, and `$` matches before a
final line break, so "pe-charging-01\n" passed every `^...$` code pattern (admin forms
strip it, but the Beckn key id a command installs, an import or a shell write do not)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from beckn.models.registry import id_validator
from cpo_portal.models.network import code_validator
from cpo_portal.models.operators import Operator, provider_id_validator
from offers.models.codes import code_text, prefix_text
from offers.models.customers import key_text
from pricing.models.validators import slug_code

GSTIN = next(v for v in Operator._meta.get_field("gstin").validators)

GOOD = [
    (code_validator, "pe-charging-01"),
    (slug_code, "peak-evening"),
    (provider_id_validator, "cpo1.com"),
    (GSTIN, "29ABCDE1234F1Z5"),
    (code_text, "WELCOME-25"),
    (prefix_text, "FLEET"),
    (key_text, "a" * 64),
    (id_validator, "cpo1.com:key-1"),
]


@pytest.mark.parametrize(("validator", "value"), GOOD)
def test_a_code_with_a_final_line_break_is_refused(validator, value):
    validator(value)
    with pytest.raises(ValidationError):
        validator(f"{value}\n")
