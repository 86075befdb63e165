"""Rules of a CDR's values that its JSON Schema (cdr_schema.SCHEMA) does not state: ids a
partner can write into a URL, charging periods whose energy is the session's, and no
credit CDR (credit_problem, checked before the schema). Each
answers None, or the problem in one sentence, as cdr_schema.schema_problem does;
cdr_schema.read refuses the CDR with it. Both read a CDR the schema accepted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cpo_portal.db.values import ocpi_id_problem
from cpo_portal.web.schema_errors import shown

# The CDR's ids (OCPI CiStrings), each one a partner can write into a URL as it is
# (cpo_portal.db.values.OCPI_ID, the rule the connector ids we publish are held to), and
# each charging period's tariff_id. Checked here, not as schema patterns: Python's `$`
# also matches before a final line break, so the schema's two validators would disagree
# on "C1\n" (and the reference's verdict, taking it, counts).
ID_FIELDS = [
    ("id",), ("session_id",), ("authorization_reference",), ("cdr_token", "uid"),
    ("cdr_token", "contract_id"), ("cdr_location", "id"), ("cdr_location", "evse_uid"),
    ("cdr_location", "evse_id"), ("cdr_location", "connector_id"),
]  # fmt: skip
# OCPI states ENERGY to the Wh (its step_size). A charging system that rounds each period's
# energy and the total to the Wh puts their sum off by half a Wh a figure at most: the
# periods and total_energy may differ by that much (1 Wh for one period), never more. A
# meter counts Wh, so a system that takes each period from its readings differs by none.
HALF_WH = Decimal("0.0005")


def id_problem(data: dict[str, Any]) -> str | None:
    """The first id of the CDR that holds what no OCPI id can (a space, a control
    character, non-ASCII, / ? # %...), naming the character; None when every id is one."""
    named = [(".".join(path), _at(data, path)) for path in ID_FIELDS]
    for n, period in enumerate(data["charging_periods"]):
        named.append((f"charging_periods[{n}].tariff_id", period.get("tariff_id")))
    for where, value in named:
        problem = None if value is None else ocpi_id_problem(value)
        if problem is not None:
            return f"{where} {problem}"
    return None


def _at(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    found: Any = data
    for key in path:
        found = found.get(key) if isinstance(found, dict) else None
    return found


def energy_problem(data: dict[str, Any], total: Decimal) -> str | None:
    """Why the charging periods' ENERGY (the kWh charged in each) does not add up to
    total_energy, within rounding each figure to the Wh (HALF_WH a figure); None when it
    does, or when no period states ENERGY (TIME only, as the OCPI spec's example CDR)."""
    volumes = [
        Decimal(str(dimension["volume"]))
        for period in data["charging_periods"]
        for dimension in period["dimensions"]
        if dimension["type"] == "ENERGY"
    ]
    if not volumes:
        return None
    added, most = sum(volumes, Decimal(0)), HALF_WH * (len(volumes) + 1)
    if abs(added - total) <= most:
        return None
    return (
        f"the charging periods' ENERGY adds up to {_kwh(added)} kWh, but total_energy is "
        f"{_kwh(total)} kWh: more than rounding each to the Wh explains ({_kwh(most)} kWh)"
    )


def _kwh(value: Decimal) -> str:
    return f"{value.normalize():f}"


def credit_problem(data: Any) -> str | None:
    """Why a credit CDR (OCPI 2.2.1 `credit: true`: it reverses the CDR its
    `credit_reference_id` names, its costs negative) is not taken; None for any other CDR.
    A CDR taken here is a session fact of the operator's analytics and the price audit,
    kept as it was billed: nothing there nets a reversal out (a count of sessions, kWh by
    hour, a price compared with our tariff's), so a credit would be refused by its negative
    costs, or, sent with positive ones, counted as a second session."""
    if not isinstance(data, dict) or data.get("credit") is not True:
        return None
    named = data.get("credit_reference_id")
    reversed_cdr = f"CDR {shown(named)}" if isinstance(named, str) else "the CDR it reverses"
    return (
        f"credit: credit CDRs are not accepted; {reversed_cdr} stays counted as it was "
        "billed. Settle the credit in the charging system's own billing, not here"
    )
