"""Customer keys: one key per person however the contact is written, never reversible
without the salt, and no raw contact stored on import."""

from __future__ import annotations

import hashlib
import hmac
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from offers.customer_keys import ContactError, customer_key, normalise_email, normalise_phone
from offers.models import Customer
from offers.services.customer_import import import_customers


@pytest.mark.parametrize(
    "raw",
    [
        "+91-9876543210",
        "+91 98765 43210",
        "9876543210",
        "09876543210",
        "919876543210",
        "0091 9876543210",
        "(+91) 98765-43210",
    ],
)
def test_indian_numbers_normalise_to_one_e164(raw):
    assert normalise_phone(raw) == "+919876543210"


def test_foreign_numbers_keep_their_country():
    assert normalise_phone("+1 (415) 555-0100") == "+14155550100"


@pytest.mark.parametrize("raw", ["12345", "+91 98765 4321x", "call me", "+0123456789"])
def test_unreadable_numbers_are_refused(raw):
    with pytest.raises(ContactError):
        normalise_phone(raw)


def test_email_is_lower_cased_and_checked():
    assert normalise_email("  Sarah.Johnson@Email.COM ") == "sarah.johnson@email.com"
    with pytest.raises(ContactError):
        normalise_email("not-an-email")


def test_key_is_hmac_sha256_of_the_normalised_phone(settings):
    settings.CUSTOMER_KEY_SALT = "pepper"
    expected = hmac.new(b"pepper", b"tel:+919876543210", hashlib.sha256).hexdigest()
    assert customer_key(phone="+91-9876543210") == expected
    assert customer_key(phone="09876543210") == expected
    assert len(expected) == 64


def test_key_depends_on_the_salt(settings):
    settings.CUSTOMER_KEY_SALT = "one"
    first = customer_key(email="a@b.in")
    settings.CUSTOMER_KEY_SALT = "two"
    assert customer_key(email="a@b.in") != first


def test_phone_wins_over_email_and_email_is_case_blind():
    assert customer_key(phone="9876543210", email="x@y.in") == customer_key(phone="9876543210")
    assert customer_key(email="Sarah@Example.com") == customer_key(email="sarah@example.com")
    assert customer_key(phone="9876543210") != customer_key(email="sarah@example.com")
    with pytest.raises(ContactError):
        customer_key()


CSV = """phone,email,segment,tier,member,referred,joined_on
+91-9876543210,,commuter,gold,yes,no,2023-05-01
,Fleet@Example.com,fleet,,no,yes,
98765 43210,,commuter,platinum,yes,no,2023-05-01
12,,x,,,,
,bad,x,,,,
9999999999,,x,,maybe,,
"""


@pytest.mark.django_db
def test_import_hashes_contacts_and_never_stores_them(network):
    result = import_customers(network.op_a, io.StringIO(CSV))
    assert (result.created, result.updated, result.skipped, result.merged) == (2, 0, 3, 1)
    assert result.errors == [
        "line 4: the same customer as line 2; this line's values replace that one's",
        "line 5: no valid phone number or e-mail address",
        "line 6: no valid phone number or e-mail address",
        "line 7: member must be yes or no",
    ]
    sarah = Customer.objects.get(key=customer_key(phone="9876543210"))
    # the later line for the same person wins
    assert (sarah.segment, sarah.tier, sarah.member, str(sarah.joined_on)) == (
        "commuter",
        "platinum",
        True,
        "2023-05-01",
    )
    fleet = Customer.objects.get(key=customer_key(email="fleet@example.com"))
    assert fleet.referred and fleet.joined_on is None
    stored = " ".join(str(v) for v in Customer.objects.values_list().all())
    for raw in ("9876543210", "fleet@example.com", "Fleet@Example.com"):
        assert raw not in stored
    assert sarah.history.count() == 1  # imports are audited like edits


@pytest.mark.django_db
def test_reimport_updates_only_the_columns_given(network):
    import_customers(network.op_a, io.StringIO(CSV))
    result = import_customers(network.op_a, io.StringIO("phone,tier\n9876543210,silver\n"))
    assert (result.created, result.updated) == (0, 1)
    sarah = Customer.objects.get(key=customer_key(phone="9876543210"))
    assert (sarah.segment, sarah.tier) == ("commuter", "silver")
    assert Customer.objects.filter(operator=network.op_b).count() == 0


@pytest.mark.django_db
def test_import_command(network, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CSV)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_customers", str(path), operator=network.op_b.code, stdout=out, stderr=err)
    assert "2 created, 0 updated, 3 skipped" in out.getvalue()
    assert "line 7" in err.getvalue()
    assert Customer.objects.filter(operator=network.op_b).count() == 2
    with pytest.raises(CommandError, match="No operator"):
        call_command("import_customers", str(path), operator="nobody.example")
    (tmp_path / "x.csv").write_text("name\nx\n")
    with pytest.raises(CommandError, match="phone or an email column"):
        call_command("import_customers", str(tmp_path / "x.csv"), operator=network.op_b.code)
