"""Customer keys: a salted hash of the normalised phone number or e-mail address.

HMAC-SHA256 keyed with settings.CUSTOMER_KEY_SALT, so the key cannot be reversed by
hashing a list of phone numbers without the salt. Phones are normalised to E.164 (+91 when
no country code is given) and e-mails lower-cased, so "+91-98765 43210", "09876543210" and
"9876543210" are one customer. The raw value is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

from cpo_portal.formatting.number_inputs import whole_number

DEFAULT_COUNTRY = "91"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_NOISE = re.compile(r"[\s\-().]")


class ContactError(ValueError):
    """A phone number or e-mail address that cannot identify a customer."""


def normalise_phone(phone: str, default_country: str = DEFAULT_COUNTRY) -> str:
    raw = _PHONE_NOISE.sub("", phone.strip())
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if raw.startswith("+"):
        digits = raw[1:]
    elif len(raw) == 11 and raw.startswith("0"):  # trunk prefix: 0 98765 43210
        digits = default_country + raw[1:]
    elif len(raw) == 10:
        digits = default_country + raw
    elif len(raw) == 12 and raw.startswith(default_country):
        digits = raw
    else:
        raise ContactError(f"{phone!r} is not a phone number we can read")
    if whole_number(digits) is None or not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise ContactError(f"{phone!r} is not a valid E.164 phone number")
    return "+" + digits


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if not _EMAIL.match(value):
        raise ContactError(f"{email!r} is not an e-mail address")
    return value


def customer_key(phone: str | None = None, email: str | None = None) -> str:
    """The customer's key (64 hex digits). The phone wins when both are given: DEG orders
    carry the phone in fulfillment.customer.contact."""
    if phone and phone.strip():
        identity = "tel:" + normalise_phone(phone)
    elif email and email.strip():
        identity = "mailto:" + normalise_email(email)
    else:
        raise ContactError("a customer key needs a phone number or an e-mail address")
    salt = settings.CUSTOMER_KEY_SALT.encode()
    return hmac.new(salt, identity.encode(), hashlib.sha256).hexdigest()
