import base64
import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beckn.protocol import errors
from beckn.protocol.signing import (
    SignatureError,
    SignatureFailure,
    digest,
    generate_keypair,
    parse_authorization,
    sign_request,
    signing_key,
    signing_string,
    verify_request,
)

# The worked example of BECKN-006 (docs/BECKN-006-Signing-Beckn-APIs-In-HTTP.md).
SPEC_BODY = (
    b'{"context":{"domain":"nic2004:60212","country":"IND","city":"Kochi","action":"search",'
    b'"core_version":"0.9.1","bap_id":"bap.stayhalo.in","bap_uri":'
    b'"https://8f9f-49-207-209-131.ngrok.io/protocol/","transaction_id":'
    b'"e6d9f908-1d26-4ff3-a6d1-3af3d3721054","message_id":"a2fe6d52-9fe4-4d1a-9d0b-dccb8b48522d",'
    b'"timestamp":"2022-01-04T09:17:55.971Z","ttl":"P1M"},"message":{"intent":{"fulfillment":'
    b'{"start":{"location":{"gps":"10.108768, 76.347517"}},"end":{"location":'
    b'{"gps":"10.102997, 76.353480"}}}}}}'
)
SPEC_PRIVATE = (
    "lP3sHA+9gileOkXYJXh4Jg8tK0gEEMbf9yCPnFpbldhrAY+NErqL9WD+Vav7TE5tyVXGXBle9ONZi2W7o144eQ=="
)
SPEC_PUBLIC = "awGPjRK6i/Vg/lWr+0xObclVxlwZXvTjWYtlu6NeOHk="
SPEC_DIGEST = (
    "BLAKE-512="
    "b6lf6lRgOweajukcvcLsagQ2T60+85kRh/Rd2bdS+TG/5ALebOEgDJfyCrre/1+BMu5nA94o4DT3pTFXuUg7sw=="
)
SPEC_HEADER = (
    'Signature keyId="example-bap.com|ae3ea24b-cfec-495e-81f8-044aaef164ac|ed25519",'
    'algorithm="ed25519",created="1641287875",expires="1641291475",'
    'headers="(created) (expires) digest",'
    'signature="cjbhP0PFyrlSCNszJM1F/YmHDVAWsZqJUPzojnE/7TJU3fJ/rmIlgaUHEr5E0/2PIyf0tpSnWtT6cyNNlpmoAQ=="'
)

BODY = b'{"context":{"action":"select"},"message":{"order":{"id":"o-1"}}}'
PRIVATE, PUBLIC = generate_keypair()
OTHER_PRIVATE, OTHER_PUBLIC = generate_keypair()
CREATED, EXPIRES = 1_727_172_000, 1_727_172_300


def registry(keys):
    calls = []

    def lookup(subscriber_id, key_id):
        calls.append((subscriber_id, key_id))
        return keys.get((subscriber_id, key_id))

    lookup.calls = calls
    return lookup


LOOKUP = registry({("bap.example.com", "k1"): PUBLIC})


def signed(body=BODY, **kwargs):
    params = {
        "subscriber_id": "bap.example.com",
        "key_id": "k1",
        "private_key_b64": PRIVATE,
        "created": CREATED,
        "expires": EXPIRES,
    }
    return sign_request(body, **{**params, **kwargs})


def refused(body, header, *, lookup=LOOKUP, now=CREATED + 10, **kwargs):
    with pytest.raises(SignatureError) as caught:
        verify_request(body, header, lookup=lookup, now=now, **kwargs)
    return caught.value.reason


def test_blake2b_512_matches_the_spec_examples():
    fox = b"The quick brown fox jumps over the lazy dog"
    assert digest(fox) == (
        "BLAKE-512=qK3Uvd39k+SHfSdG5igXsRY2Sh+nvBSNlQkLxzM7NnP4JAHPeqLkyx7NkCluPxTLVBP47Xe+cwRbE5FM3NapGA=="
    )
    assert digest(SPEC_BODY) == SPEC_DIGEST


def test_signing_string_is_three_lines_without_a_trailing_newline():
    assert signing_string(1641287875, 1641291475, SPEC_DIGEST) == (
        f"(created): 1641287875\n(expires): 1641291475\ndigest: {SPEC_DIGEST}"
    )


def test_we_reproduce_the_beckn_006_header_byte_for_byte():
    header = sign_request(
        SPEC_BODY,
        subscriber_id="example-bap.com",
        key_id="ae3ea24b-cfec-495e-81f8-044aaef164ac",
        private_key_b64=SPEC_PRIVATE,
        created=1641287875,
        expires=1641291475,
    )
    assert header == SPEC_HEADER


def test_we_verify_the_beckn_006_header():
    lookup = registry({("example-bap.com", "ae3ea24b-cfec-495e-81f8-044aaef164ac"): SPEC_PUBLIC})
    verified = verify_request(SPEC_BODY, SPEC_HEADER, lookup=lookup, now=1641288000)
    assert (verified.subscriber_id, verified.key_id) == (
        "example-bap.com",
        "ae3ea24b-cfec-495e-81f8-044aaef164ac",
    )
    assert (verified.created, verified.expires) == (1641287875, 1641291475)


def test_generated_keys_are_raw_32_byte_seed_and_public_key():
    assert len(base64.b64decode(PRIVATE)) == 32
    assert len(base64.b64decode(PUBLIC)) == 32
    assert base64.b64encode(bytes(signing_key(PRIVATE).verify_key)).decode() == PUBLIC


def test_64_byte_private_keys_work_and_must_be_consistent():
    seed_and_public = base64.b64encode(base64.b64decode(PRIVATE) + base64.b64decode(PUBLIC))
    assert signed(private_key_b64=seed_and_public.decode()) == signed()
    mismatched = base64.b64encode(base64.b64decode(PRIVATE) + base64.b64decode(OTHER_PUBLIC))
    with pytest.raises(ValueError, match="public half"):
        signing_key(mismatched.decode())
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError):
            signing_key(bad)


def test_round_trip_returns_the_signer_for_the_bap_id_check():
    header = signed()
    assert header.startswith('Signature keyId="bap.example.com|k1|ed25519",algorithm="ed25519",')
    assert f'created="{CREATED}",expires="{EXPIRES}"' in header
    verified = verify_request(BODY, header, lookup=LOOKUP, now=CREATED + 10)
    assert (verified.subscriber_id, verified.key_id) == ("bap.example.com", "k1")


def test_the_registry_is_asked_for_the_subscriber_and_key_in_the_key_id():
    lookup = registry({("bap.example.com", "k1"): PUBLIC})
    verify_request(BODY, signed(), lookup=lookup, now=CREATED)
    assert lookup.calls == [("bap.example.com", "k1")]


def test_default_created_and_validity():
    header = sign_request(
        BODY, subscriber_id="bap.example.com", key_id="k1", private_key_b64=PRIVATE
    )
    params = parse_authorization(header)
    assert params.expires - params.created == 300


@pytest.mark.parametrize("position", [0, 10, len(BODY) // 2, len(BODY) - 1])
def test_tampering_with_one_byte_breaks_the_signature(position):
    tampered = bytearray(BODY)
    tampered[position] ^= 0x01
    assert refused(bytes(tampered), signed()) is SignatureFailure.BAD_SIGNATURE


def test_expired_signatures_are_refused_after_the_skew():
    assert verify_request(BODY, signed(), lookup=LOOKUP, now=EXPIRES + 300)
    assert refused(BODY, signed(), now=EXPIRES + 301) is SignatureFailure.EXPIRED
    assert refused(BODY, signed(), now=EXPIRES + 1, max_skew=0) is SignatureFailure.EXPIRED


def test_signatures_created_in_the_future_are_refused_beyond_the_skew():
    assert verify_request(BODY, signed(), lookup=LOOKUP, now=CREATED - 300)
    assert refused(BODY, signed(), now=CREATED - 301) is SignatureFailure.NOT_YET_VALID
    assert refused(BODY, signed(), now=CREATED - 1, max_skew=0) is SignatureFailure.NOT_YET_VALID


def test_expires_must_be_after_created():
    header = SPEC_HEADER.replace('expires="1641291475"', 'expires="1641287875"')
    assert refused(SPEC_BODY, header, now=1641287875) is SignatureFailure.EXPIRES_BEFORE_CREATED
    with pytest.raises(ValueError):
        signed(expires=CREATED)


def test_a_signature_by_another_key_is_refused():
    header = signed(private_key_b64=OTHER_PRIVATE)
    assert refused(BODY, header) is SignatureFailure.BAD_SIGNATURE


def test_changing_created_or_expires_breaks_the_signature():
    header = signed().replace(f'expires="{EXPIRES}"', f'expires="{EXPIRES + 600}"')
    assert refused(BODY, header) is SignatureFailure.BAD_SIGNATURE


def test_a_signature_valid_for_longer_than_the_maximum_is_refused():
    ten_years = signed(expires=CREATED + 10 * 365 * 86400)
    with pytest.raises(SignatureError) as caught:
        verify_request(BODY, ten_years, lookup=LOOKUP, now=CREATED + 10)
    assert caught.value.reason is SignatureFailure.LIFETIME_TOO_LONG
    assert "valid for 315360000s (expires - created); at most 3600s" in str(caught.value)
    assert refused(BODY, signed(expires=CREATED + 3601)) is SignatureFailure.LIFETIME_TOO_LONG
    assert verify_request(BODY, signed(expires=CREATED + 3600), lookup=LOOKUP, now=CREATED)
    shorter = signed(expires=CREATED + 301)
    assert refused(BODY, shorter, max_lifetime=300) is SignatureFailure.LIFETIME_TOO_LONG


def test_unknown_subscribers_and_keys_are_refused():
    assert refused(BODY, signed(key_id="k2")) is SignatureFailure.UNKNOWN_KEY
    assert refused(BODY, signed(subscriber_id="bap.evil.com")) is SignatureFailure.UNKNOWN_KEY
    broken_registry = registry({("bap.example.com", "k1"): "bm90IGEga2V5"})
    assert refused(BODY, signed(), lookup=broken_registry) is SignatureFailure.UNKNOWN_KEY


def test_every_failure_is_a_401_nack_with_code_30016():
    with pytest.raises(SignatureError) as caught:
        verify_request(BODY, "Basic abc", lookup=LOOKUP, now=CREATED)
    assert caught.value.error is errors.INVALID_SIGNATURE
    assert (caught.value.error.code, caught.value.error.http_status) == ("30016", 401)
    assert str(caught.value).startswith("malformed: ")


def test_parse_accepts_the_variations_peers_send():
    sig = parse_authorization(signed()).signature
    sig_b64 = base64.b64encode(sig).decode()
    header = (
        "signature keyid=bap.example.com|k1|ED25519, Algorithm = ed25519 ,  "
        f'created={CREATED},expires="{EXPIRES}", headers="(created)(expires)digest",'
        f' signature="{sig_b64}"'
    )
    params = parse_authorization(header)
    assert (params.subscriber_id, params.key_id, params.created, params.expires) == (
        "bap.example.com",
        "k1",
        CREATED,
        EXPIRES,
    )
    assert params.signature == sig
    assert verify_request(BODY, header, lookup=LOOKUP, now=CREATED)
    no_headers_param = signed().replace('headers="(created) (expires) digest",', "")
    assert verify_request(BODY, no_headers_param, lookup=LOOKUP, now=CREATED)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda h: "", SignatureFailure.MALFORMED),
        (lambda h: "Signature", SignatureFailure.MALFORMED),
        (lambda h: h.replace(",", " "), SignatureFailure.MALFORMED),
        (
            lambda h: h.replace('keyId="bap.example.com|k1|ed25519",', ""),
            SignatureFailure.MALFORMED,
        ),
        (lambda h: h.replace("|k1|", "|"), SignatureFailure.MALFORMED),
        (lambda h: h.replace("|k1|", "||"), SignatureFailure.MALFORMED),
        (lambda h: h.replace(f'created="{CREATED}"', 'created="soon"'), SignatureFailure.MALFORMED),
        (lambda h: h.replace(f'created="{CREATED}"', 'created="-5"'), SignatureFailure.MALFORMED),
        (lambda h: h.replace(f'expires="{EXPIRES}"', 'expires="1e9"'), SignatureFailure.MALFORMED),
        (lambda h: h + f',created="{CREATED}"', SignatureFailure.MALFORMED),
        (lambda h: h.replace("(expires) digest", "(expires)"), SignatureFailure.MALFORMED),
        (lambda h: h.replace('signature="', 'signature="!!'), SignatureFailure.MALFORMED),
        (lambda h: h.replace('signature="', 'signature="AAAA'), SignatureFailure.MALFORMED),
        (lambda h: h.replace('",algorithm', '" algorithm'), SignatureFailure.MALFORMED),
        (lambda h: h[:-1], SignatureFailure.MALFORMED),  # unterminated quote
        (lambda h: h + "x" * 5000, SignatureFailure.MALFORMED),
        (
            lambda h: h.replace('algorithm="ed25519"', 'algorithm="rsa-sha256"'),
            SignatureFailure.UNSUPPORTED_ALGORITHM,
        ),
        (
            lambda h: h.replace("|k1|ed25519", "|k1|hmac-sha256"),
            SignatureFailure.UNSUPPORTED_ALGORITHM,
        ),
    ],
)
def test_malformed_headers_say_why(mutate, reason):
    header = mutate(signed())
    with pytest.raises(SignatureError) as caught:
        parse_authorization(header)
    assert caught.value.reason is reason
    assert caught.value.detail


def test_non_string_headers_are_malformed():
    with pytest.raises(SignatureError):
        parse_authorization(None)  # type: ignore[arg-type]


FRAGMENTS = [
    "Signature ",
    "keyId=",
    "algorithm=",
    "created=",
    "expires=",
    "headers=",
    "signature=",
    '"',
    "'",
    ",",
    " ",
    "=",
    "|",
    "\\",
    "ed25519",
    "bap.example.com",
    "k1",
    "1727172000",
    "(created)",
    "(expires)",
    "digest",
    "AAAA",
    "==",
    "\n",
    "\x00",
    "é",
]


@given(st.text(max_size=300))
def test_parse_never_raises_anything_but_signature_error_on_text(text):
    with contextlib.suppress(SignatureError):
        parse_authorization(text)


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_parse_never_raises_anything_but_signature_error_on_near_headers(text):
    with contextlib.suppress(SignatureError):
        parse_authorization(text)


@given(st.integers(min_value=0, max_value=len(SPEC_HEADER) - 1), st.characters())
def test_verify_of_a_mutated_spec_header_fails_cleanly(position, char):
    header = SPEC_HEADER[:position] + char + SPEC_HEADER[position + 1 :]
    lookup = registry({("example-bap.com", "ae3ea24b-cfec-495e-81f8-044aaef164ac"): SPEC_PUBLIC})
    try:
        verified = verify_request(SPEC_BODY, header, lookup=lookup, now=1641288000)
    except SignatureError:
        return
    # Only harmless edits survive: case or spacing the parser forgives, never the signed parts.
    assert (verified.created, verified.expires) == (1641287875, 1641291475)
