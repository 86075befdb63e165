"""Credentials tokens: Base64 in the header, hashed when we issue them, sealed when we
must send them, and still readable after SECRET_KEY is rotated."""

from __future__ import annotations

import base64

import pytest

from roaming.services import tokens


def test_the_header_carries_the_token_in_base64():
    assert tokens.header("example-token") == "Token ZXhhbXBsZS10b2tlbg=="
    assert tokens.candidates("Token ZXhhbXBsZS10b2tlbg==") == [
        "example-token",
        "ZXhhbXBsZS10b2tlbg==",
    ]


def test_the_specs_own_example_with_a_trailing_newline_is_read():
    encoded = base64.b64encode(b"example-token\n").decode()
    assert tokens.candidates(f"token {encoded}")[0] == "example-token"


def test_a_plain_token_is_read_as_written():
    assert tokens.candidates("Token plain-token_with-dashes") == ["plain-token_with-dashes"]


@pytest.mark.parametrize("header", ["", "Token", "Token ", "Basic abc", "Token a b"])
def test_headers_without_a_token(header):
    assert tokens.candidates(header) == []


def test_a_sealed_token_opens_after_a_key_rotation(settings):
    settings.SECRET_KEY = "old-key-" + "x" * 40
    sealed = tokens.seal("their-token-b")
    assert "their-token-b" not in sealed
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "new-key-" + "y" * 40
    assert tokens.unseal(sealed) == "their-token-b"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(tokens.TokenError):
        tokens.unseal(sealed)


def test_issued_tokens_are_long_random_and_hashed():
    token = tokens.new_token()
    assert len(token) == 43 and tokens.valid_token(token)
    assert tokens.digest(token) != token and len(tokens.digest(token)) == 64
