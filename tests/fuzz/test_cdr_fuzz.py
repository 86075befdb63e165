"""CDR files and OCPI CDR pushes, fuzzed: files that mix good CDRs with mutated ones (a
hostile value at any field, a cut line, a byte that is not UTF-8), and push bodies made
the same way. Every good line is imported (0 lost), no push answers 5xx or OCPI's 3000,
and no import raises. The example counts follow the hypothesis profile (tests/conftest.py);
the totals are printed at the end of the module."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roaming.models import ReceivedCdr
from roaming.services import cdr_imports
from tests.roaming.cdr_data import START, cdr, dumps
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db
FIXTURES_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
RAW = "__RAW__"
COUNTS = {"files": 0, "lines": 0, "good lines": 0, "lost": 0, "bodies": 0, "5xx": 0}
_ids = itertools.count()

PATHS = [
    ("total_energy",), ("total_time",), ("total_cost", "excl_vat"), ("total_cost", "incl_vat"),
    ("start_date_time",), ("end_date_time",), ("last_updated",), ("cdr_token", "uid"),
    ("cdr_token",), ("cdr_location", "id"), ("cdr_location", "evse_uid"), ("currency",),
    ("id",), ("country_code",), ("charging_periods",),
    ("charging_periods", 0, "dimensions", 0, "volume"), ("charging_periods", 0, "start_date_time"),
    ("remark",), ("auth_method",),
]  # fmt: skip
RAW_VALUES = [
    "NaN", "Infinity", "-Infinity", "1e999", "-1E400", "1" + "0" * 150, "1e-999999",
    '"\\ud800"', '"\\udc00x"', '"a\\u0000"', '"\\ud83d\\ude00"', "[" * 40 + "]" * 40,
]  # fmt: skip
BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"]  # not UTF-8, a surrogate's UTF-8, NUL
VALUES = st.one_of(
    st.sampled_from(RAW_VALUES).map(lambda raw: (True, raw)),
    st.sampled_from([
        10**30, -1, 0, 1_000_000, 0.5, 1e300, "", None, [], {}, True, "x" * 70_000,
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-02-30T00:00:00Z",
        "2026-03-06T04:30:00Z", "1926-03-02T04:30:00Z", "2026-03-02T04:30:00",
    ]).map(lambda value: (False, value)),
    st.text(max_size=20).map(lambda value: (False, value)),
)  # fmt: skip


def good(prefix: str, n: int) -> dict[str, Any]:
    return cdr(f"{prefix}{n}", f"cpo1-st-{n % 2:03d}", f"cpo1-ch-{n % 2:03d}",
               start=START + dt.timedelta(hours=n))  # fmt: skip


def _put(data: Any, path: tuple, value: Any) -> None:
    *parents, last = path
    for key in parents:
        data = data[key]
    data[last] = value


@st.composite
def mutated(draw, prefix: str) -> bytes:
    """A CDR with one hostile value, or its text cut or with a byte that is not UTF-8."""
    data = good(prefix, draw(st.integers(0, 9)))
    kind = draw(st.sampled_from(["value", "value", "value", "cut", "byte"]))
    if kind == "value":
        raw, value = draw(VALUES)
        _put(data, draw(st.sampled_from(PATHS)), RAW if raw else value)
        text = dumps(data)
        return (text.replace(f'"{RAW}"', value) if raw else text).encode("utf-8", "replace")
    text = dumps(data).encode()
    at = draw(st.integers(0, len(text) - 1))
    if kind == "cut":
        return text[:at]
    return (
        text[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"])) + text[at:]
    )


@st.composite
def cdr_files(draw) -> tuple[bytes, set[str]]:
    """(a JSON lines file, the ids of its good CDRs)."""
    prefix = f"F{next(_ids):06d}-"
    goods = draw(st.integers(0, 12))
    lines = [dumps(good(prefix, n)).encode() for n in range(goods)]
    for _ in range(draw(st.integers(1, 8))):
        bad = draw(mutated(f"{prefix}M"))
        lines.insert(draw(st.integers(0, len(lines))), bad.replace(b"\n", b" "))
    return b"\n".join(lines) + b"\n", {f"{prefix}{n}" for n in range(goods)}


@pytest.fixture
def operator(settings):
    settings.OCPI_PUBLIC_URL = "http://testserver/ocpi"
    settings.OCPI_COUNTRY_CODE = "IN"
    return network(stations=2)


@pytest.fixture
def token(operator):
    return registered_partner(operator, party=("IN", "CPO"), role="CPO")[1]


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    sys.__stderr__.write(
        "\nCDR fuzz: {files} files, {lines} lines ({good lines} good, {lost} lost), "
        "{bodies} push bodies, {5xx} answered 5xx or 3000\n".format(**COUNTS)
    )


@FIXTURES_OK
@given(cdr_files())
def test_no_good_line_of_a_file_is_lost(operator, drawn):
    text, good_ids = drawn
    totals = cdr_imports.import_file(
        operator, text.decode(cdr_imports.ENCODING, cdr_imports.ERRORS).splitlines(True)
    )
    stored = set(ReceivedCdr.objects.filter(cdr_id__in=good_ids).values_list("cdr_id", flat=True))
    COUNTS["files"] += 1
    COUNTS["lines"] += totals.total
    COUNTS["good lines"] += len(good_ids)
    COUNTS["lost"] += len(good_ids - stored)
    assert stored == good_ids, totals.errors
    assert totals.imported + totals.duplicates + totals.refused == totals.total
    assert len(totals.errors) == totals.refused


@FIXTURES_OK
@given(st.one_of(mutated("P"), st.binary(max_size=200), st.builds(lambda: b"")))
def test_no_push_answers_5xx(client, token, body):
    reply = client.post("/ocpi/2.2.1/cdrs", body, content_type="application/json",
                        headers=auth(token))  # fmt: skip
    COUNTS["bodies"] += 1
    answer = json.loads(reply.content) if reply.content else {}
    failed = reply.status_code >= 500 or answer.get("status_code") == 3000
    COUNTS["5xx"] += failed
    assert not failed, reply.content[:500]
    assert answer["status_code"] in (1000, 2001), answer
    if answer["status_code"] == 2001:
        assert answer["status_message"]
