"""Why a text is not JSON, as staff read it: what was expected and where, never Python's
parser's own message."""

from __future__ import annotations

import json

import pytest

from cpo_portal.jsonlimits import not_json


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
