"""CSV exports never hand a spreadsheet a formula: every export surface (the admin's
"Export selected rows as CSV" on every model admin that offers it, code batch downloads, the
dashboards' exports) is fed hostile text, and every CSV writer in the project is the one in
cpo_portal/formatting/csvsafe.py."""

from __future__ import annotations

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from analytics.services.tables import Column, Table, csv_response
from cpo_portal.formatting import csvsafe
from offers.models import Offer, OfferCode
from offers.models.ledger import AppendOnlyError
from offers.services.codes import batch_csv, generate_batch
from tests.security import tenant_world as tw
from tests.support.admin import action_names, registered

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("beckn", "cpo_portal", "offers", "pricing")
pytestmark = pytest.mark.django_db
HOSTILE = ["=HYPERLINK(1)", "+1+2", "-1+cmd", "@SUM(1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_a_spreadsheet_would_run_is_quoted(text):
    assert csvsafe.cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "written"),
    [(Decimal("-3.50"), Decimal("-3.50")), (-3, -3), (-0.5, -0.5), ("-3.50", "-3.50"),
     ("+12", "+12"), ("-1.5e3", "-1.5e3"), ("plain", "plain"), ("a=b", "a=b"), (None, None),
     (Decimal("-Infinity"), "'-Infinity"), ("-", "'-"), ("--1", "'--1"), ("-1-1", "'-1-1")],
)  # fmt: skip
def test_numbers_stay_numbers_and_the_rest_is_text(value, written):
    assert csvsafe.cell(value) == written


def test_the_writer_quotes_every_cell_of_every_row():
    out = io.StringIO()
    writer = csvsafe.writer(out)
    for row in [["=1", Decimal("-2.00"), "ok"], ["@x", "-7", None]]:
        writer.writerow(row)
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1", "-2.00", "ok"],
        ["'@x", "-7", ""],
    ]


def test_no_module_writes_csv_but_through_csvsafe():
    """One helper for every CSV writer: csv.writer and csv.DictWriter appear nowhere else."""
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "cpo_portal" / "formatting" / "csvsafe.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if _writes_csv(node):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def _writes_csv(node: ast.AST) -> bool:
    writers = {"writer", "DictWriter"}
    if isinstance(node, ast.Attribute) and node.attr in writers:
        return isinstance(node.value, ast.Name) and node.value.id == "csv"
    if isinstance(node, ast.ImportFrom) and node.module == "csv":
        return bool({a.name for a in node.names} & writers)
    return False


# -- every export surface, fed hostile text ----------------------------------------------------


@pytest.fixture(scope="module")
def side(django_db_setup, django_db_blocker):
    """One operator with an object of every tenant-owned model (the dashboards' rollups
    included), the free text of one of each made hostile."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = tw._build_side("a")
        tw._collect(built)
        for model, pks in built.pks.items():
            fields = [f for f in tw.free_text_fields(model) if (f.max_length or 99) >= 13]
            fields = [f for f in fields if not f.unique and f.name not in ("key", "code")]
            if fields and pks:
                _make_hostile(model, pks, {f.attname: "=HYPERLINK(1)" for f in fields})
        yield built
        transaction.set_rollback(True)


def _make_hostile(model, pks: set, text: dict) -> None:
    rows = model._default_manager.filter(pk=min(pks))
    try:
        rows.update(**text)
    except AppendOnlyError:  # the ledger: a new row says it instead
        unique = {f.attname: "=HYPERLINK(2)" for f in tw.free_text_fields(model) if f.unique}
        values = {**rows.values()[0], **text, **unique}
        del values[model._meta.pk.attname]
        pks.add(model._default_manager.create(**values).pk)


def _rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv"), response.status_code
    return list(csv.reader(io.StringIO(response.content.decode())))


def _formulas(rows: list[list[str]]) -> list[str]:
    return [c for row in rows for c in row if c.startswith(csvsafe.FORMULA_STARTS)
            and not csvsafe.NUMBER.fullmatch(c)]  # fmt: skip


def _exporting_admins():
    return [m for m, a in registered().items() if "export_csv" in action_names(a)]


def test_every_admin_export_neutralises_formulas(client, side):
    superuser = get_user_model().objects.create_superuser("root", "r@example.com", "pw")
    client.force_login(superuser)
    checked = []
    for model in _exporting_admins():
        pks = sorted(side.pks.get(model, ()))
        if not pks:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        body = {"action": "export_csv", "_selected_action": pks, "index": "0"}
        rows = _rows(client.post(url, body))
        assert len(rows) == len(pks) + 1
        assert _formulas(rows) == [], model._meta.label
        if any("'=HYPERLINK(1)" in row for row in rows):
            checked.append(model._meta.label)
    for label in ("offers.Offer", "cpo_portal.Station", "pricing.SurgeRule", "offers.Customer"):
        assert label in checked


def test_a_code_batch_export_quotes_a_bap_given_order_id(side):
    offer = Offer.objects.get(pk=min(side.pks[Offer]))
    batch = generate_batch(offer, 2)
    OfferCode.objects.filter(batch=batch).update(used_order="=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(batch_csv(batch))))
    assert [row[3] for row in rows[1:]] == ["'=HYPERLINK(1)"] * 2


def test_a_dashboard_export_quotes_text_and_keeps_negative_money():
    """Every dashboard export is a Table written by csv_response (end to end with a hostile
    offer title: tests/analytics/test_exports_api.py)."""
    columns = [Column("name", "Name"), Column("net", "Net", kind="money")]
    table = Table("t", "T", columns, rows=[{"name": "@SUM(1)", "net": Decimal("-3.5")}])
    assert _rows(csv_response(table, "t"))[1] == ["'@SUM(1)", "-3.50"]
