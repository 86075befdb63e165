"""Hostile input for the two staff surfaces that parse documents: raw bodies to the DRF API
and pricing documents to the import. Never a 5xx, never an exception other than the
import's own FormatError.

- API: every POST endpoint of /api/schema/ gets bodies no schema-driven case writes:
  nesting thousands deep, numbers of thousands of digits, NaN, bytes that are not UTF-8,
  NUL and other control characters in strings, oversized bodies.
- Pricing: the operator's own exported document with one hostile value put in one place
  (any field of any row, or the document's top), written as YAML or JSON, or hostile text
  outright; read with `config_format.load`, then imported as a dry run.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

FAIL = "FAIL"

CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x0b", "\x1b", "\x7f", "\t", "\n"])
HOSTILE_TEXT = st.builds(
    lambda a, c, b: a + c + b, st.text(max_size=8), CONTROL, st.text(max_size=8)
)
LONG_DIGITS = st.integers(min_value=101, max_value=6000).map(lambda n: "9" * n)


def _nested(depth: int, opener: str) -> str:
    if opener == "{":
        return '{"a":' * depth + "1" + "}" * depth
    return "[" * depth + "]" * depth


def _body(pieces: tuple[str, str]) -> bytes:
    kind, value = pieces
    return {
        "deep": lambda: value.encode(),
        "number": lambda: ('{"offer": ' + value + ', "date_from": "2025-03-03"}').encode(),
        "constant": lambda: ('{"offer": 1, "percent": ' + value + "}").encode(),
        "text": lambda: json.dumps(
            {"offer": 1, "regions": [value], "candidate": {"title": value}}
        ).encode(),
        "bytes": lambda: b'{"offer": "\xff\xfe' + value.encode() + b'"}',
        "large": lambda: ('{"pad": "' + "x" * int(value) + '"}').encode(),
    }[kind]()


API_BODIES = st.one_of(
    st.tuples(st.just("deep"), st.integers(21, 5000).flatmap(
        lambda d: st.sampled_from([_nested(d, "["), _nested(d, "{")]))),
    st.tuples(st.just("number"), LONG_DIGITS),
    st.tuples(st.just("constant"), st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999"])),
    st.tuples(st.just("text"), HOSTILE_TEXT),
    st.tuples(st.just("bytes"), st.text(max_size=10)),
    st.tuples(st.just("large"), st.sampled_from(["1000001", "2000000"])),
).map(_body)  # fmt: skip


def post_paths(schema) -> list[str]:
    """The POST operations of the API schema (excluding Beckn, fuzzed on its own)."""
    paths = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.lower() == "post" and "{" not in operation.path:
            paths.append(operation.path)
    return sorted(set(paths))


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, label: str, detail: str = "") -> None:
        self.counts[label] += 1
        if label.startswith(FAIL):
            self.failures.append(f"{label}: {detail[:200]}")


def fire_api(client, path: str, raw: bytes, tally: Tally) -> None:
    try:
        response = client.post(path, data=raw, content_type="application/json")
        status = response.status_code
    except Exception as exc:  # the test client re-raises what the view raised
        tally.add(f"{FAIL} POST {path} raised {type(exc).__name__}", f"{exc} {raw[:80]!r}")
        return
    label = f"POST {path} -> {status // 100}xx"
    tally.add(f"{FAIL} {label} ({status})" if status >= 500 else label, repr(raw[:80]))


# -- pricing documents ---------------------------------------------------------------------

HOSTILE_VALUES: st.SearchStrategy[Any] = st.one_of(
    HOSTILE_TEXT,
    # as an int, at most the 4,300 digits Python converts between int and text
    st.integers(min_value=101, max_value=4300).map(lambda n: int("9" * n)),
    st.sampled_from([float("inf"), float("nan"), -1, 10**30, True, None, [], {}]),
    st.integers(21, 200).map(lambda d: json.loads(_nested(d, "["))),
    st.lists(st.fixed_dictionaries({"prefix": st.text(max_size=5), "count": st.integers()}),
             max_size=4),
)  # fmt: skip
HOSTILE_YAML = st.one_of(
    st.builds(lambda d: "version: 1\noffers:\n- percent: " + d + "\n", LONG_DIGITS),
    st.builds(lambda t: "version: 1\noffers:\n- code: x\n  title: " + json.dumps(t), HOSTILE_TEXT),
    st.integers(13, 3000).map(lambda d: "version: 1\nx: " + "[" * d + "]" * d + "\n"),
    st.just("version: 1\na: &x [1]\nb: *x\n"),
    st.text(max_size=60).map(lambda t: "version: 1\n" + t),
)  # fmt: skip


def document_cases(base: dict[str, Any]) -> st.SearchStrategy:
    """(text, format) of the base document with one hostile value somewhere, or hostile
    text outright."""
    rows = [(key, i) for key in ("tariffs", "surge_rules", "offers")
            for i in range(len(base.get(key) or []))]  # fmt: skip

    def place(choice, value, fmt):
        document = copy.deepcopy(base)
        if choice is None or not rows:
            document["version"] = value if fmt == "top" else document["version"]
        else:
            key, i = rows[choice[0] % len(rows)]
            row = document[key][i]
            names = sorted(row)
            row[names[choice[1] % len(names)]] = value
        return _text(document, fmt)

    mutated = st.builds(
        place,
        st.none() | st.tuples(st.integers(0, 999), st.integers(0, 999)),
        HOSTILE_VALUES,
        st.sampled_from(["yaml", "json", "top"]),
    )
    return st.one_of(mutated, HOSTILE_YAML)


def _text(document: dict[str, Any], fmt: str) -> str:
    from offers.services.config.format import dump

    try:
        return dump(document, "json" if fmt == "json" else "yaml")
    except (ValueError, TypeError, RecursionError):
        return json.dumps(document, default=str)


def fire_document(operator, text: str, tally: Tally) -> None:
    from offers.services.config.format import FormatError, load
    from offers.services.config.importing import import_pricing

    try:
        document = load(text)
    except FormatError:
        tally.add("pricing: refused when read (a line message)")
        return
    except Exception as exc:
        tally.add(f"{FAIL} pricing: load raised {type(exc).__name__}", f"{exc} {text[:120]!r}")
        return
    try:
        plan = import_pricing(operator, document, dry_run=True)
    except Exception as exc:
        tally.add(f"{FAIL} pricing: import raised {type(exc).__name__}", f"{exc} {text[:120]!r}")
        return
    tally.add("pricing: refused by the import (error lines)" if plan.errors
              else "pricing: accepted (dry run)")  # fmt: skip
