"""The settings tables of the README and docs/ give each Beckn setting's default as
beckn.conf has it: a default changed in code and not in the prose fails here."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from beckn.conf import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\|\s*((?:`[A-Z0-9_/]+`(?:,\s*)?)+)\s*\|([^|]*)\|")
UNITS = {"KiB": 1024, "MiB": 1024 * 1024, "s": 1, "ms": 1}
WORDS = {"on": True, "off": False, "empty": ""}


def documented_defaults() -> list[tuple[str, str, str]]:
    """(where, setting, the default as written) for every Beckn setting in a table."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = ROW.match(line)
            if not match:
                continue
            names = re.findall(r"`([A-Z0-9_/]+)`", match.group(1))
            cell = match.group(2).strip()
            values = re.findall(r"`([^`]*)`", cell) or [v.strip() for v in cell.split(",")]
            where = f"{path.relative_to(ROOT)}:{number}"
            found += [(where, n, v) for n, v in zip(names, values, strict=False) if n in DEFAULTS]
    return found


def as_value(written: str) -> object:
    """'on' -> True, 'empty' -> '', '256 KiB' -> 262144, '2 s' -> 2, text as it is."""
    head = written.split(" (")[0].strip()
    if head in WORDS:
        return WORDS[head]
    number = re.fullmatch(r"(-?[0-9.]+)\s*([A-Za-z]*)", head)
    if number and (number.group(2) in UNITS or not number.group(2)):
        return Decimal(number.group(1)) * UNITS.get(number.group(2), 1)
    return head


def test_the_docs_name_many_beckn_defaults():
    assert len({name for _, name, _ in documented_defaults()}) >= 25


@pytest.mark.parametrize(("where", "name", "written"), documented_defaults())
def test_a_documented_default_is_the_code_s(where, name, written):
    value = DEFAULTS[name]
    documented = as_value(written)
    if isinstance(value, (bool, str)):
        assert documented == value, f"{where}: {name} is documented as {written!r}"
    else:
        assert documented == Decimal(str(value)), f"{where}: {name} is documented as {written!r}"
