"""Pricing as a document, on the demo's pricing: export -> import into a fresh operator ->
export is identical; a dry run writes nothing and shows what a real run then does; rows
the document leaves out are retired only with prune; problems are one line each, named by
their place in the document, and nothing is written."""

from __future__ import annotations

import copy
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cpo_portal.models import Operator, Station
from offers.models import AddOn, Offer, OfferCode, OfferStatus, OfferUsage
from offers.services.config.diff import CREATE, UNCHANGED
from offers.services.config.exporting import export_pricing
from offers.services.config.format import dump, load
from offers.services.config.importing import import_pricing
from pricing.models import SurgeRule, Tariff
from tests.conftest import kept_world
from tests.security.write_surfaces import fingerprint, write_count

FRESH = "cpo9.example"


def copy_network(source: Operator, code: str) -> Operator:
    """Another operator with the same stations, chargers and add-ons (the document's
    prerequisites), and no pricing at all."""
    target = Operator.objects.create(code=code, name="Fresh", time_zone=source.time_zone)
    for station in Station.objects.filter(operator=source).prefetch_related("chargers"):
        chargers = list(station.chargers.all())
        station.pk = station.id = None
        station._state.adding, station.operator = True, target
        station.save()
        for charger in chargers:
            charger.pk = charger.id = None
            charger._state.adding, charger.operator, charger.station = True, target, station
            charger.save()
    for add_on in AddOn.objects.filter(operator=source):
        add_on.pk = add_on.id = None
        add_on._state.adding, add_on.operator = True, target
        add_on.save()
    return target


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with kept_world(django_db_blocker):
        call_command("seed_demo", "--no-progress", "--sessions", "0", stdout=StringIO())
        copy_network(Operator.objects.get(code="cpo1.com"), FRESH)
        yield


@pytest.fixture
def cpo1(world, db) -> Operator:
    return Operator.objects.get(code="cpo1.com")


@pytest.fixture
def fresh(world, db) -> Operator:
    return Operator.objects.get(code=FRESH)


def row(document: dict, section: str, code: str) -> dict:
    return next(r for r in document[section] if r["code"] == code)


def test_round_trip_into_a_fresh_operator_is_identical(cpo1, fresh):
    text = dump(export_pricing(cpo1))
    document = load(text)
    assert load(dump(document, "json")) == document  # JSON reads the same
    plan = import_pricing(fresh, document)
    assert plan.errors == []
    total = sum(len(document[k]) for k in ("tariffs", "surge_rules", "offers"))
    assert plan.count(CREATE) == total > 30
    again = export_pricing(fresh)
    assert again["operator"] == FRESH
    assert dump({**again, "operator": "cpo1.com"}) == text
    # The batch was generated afresh: same definition, none of the source's secrets.
    mine = set(OfferCode.objects.filter(operator=fresh, batch__isnull=False).values_list("code"))
    theirs = set(OfferCode.objects.filter(operator=cpo1, batch__isnull=False).values_list("code"))
    assert len(mine) == 50 and not mine & theirs
    # Importing it again finds nothing to do and writes nothing.
    before = write_count()
    again_plan = import_pricing(fresh, document)
    assert again_plan.errors == [] and again_plan.count(UNCHANGED) == total
    assert write_count() == before


def test_the_document_holds_definitions_never_state_or_secrets(cpo1):
    text = dump(export_pricing(cpo1))
    offer = Offer.objects.get(operator=cpo1, code="welcome-100")
    OfferUsage.objects.filter(offer=offer).update(uses=7, budget_spent="1234.50")
    code = OfferCode.objects.filter(offer=offer, batch__isnull=False).first()
    OfferCode.objects.filter(pk=code.pk).update(used_by="x" * 64, used_order="order-1")
    assert dump(export_pricing(cpo1)) == text
    assert code.code not in text and "budget_spent" not in text and "uses: 7" not in text
    document = load(text)
    assert row(document, "offers", "welcome-100")["code_batches"] == [
        {"prefix": "WELCOME", "count": 50}
    ]
    assert row(document, "offers", "weekend-discount-25")["multi_use_code"] == "WEEKEND25"
    assert "id" not in row(document, "tariffs", "cpo1-standard")
    codes = [r["code"] for r in document["offers"]]
    assert codes == sorted(codes)


def _edited(document: dict) -> dict:
    edited = copy.deepcopy(document)
    standard = row(edited, "tariffs", "cpo1-standard")
    standard["energy_rate_per_kwh"] = "20.00"
    standard["bands"][0]["rate_per_kwh"] = "15"
    newcomer = copy.deepcopy(row(edited, "offers", "happy-hour-20"))
    newcomer.update(code="happy-hour-25", percent="25", multi_use_code=None, code_batches=[],
                    title="Happy Hour - 25% Off")  # fmt: skip
    edited["offers"].append(newcomer)
    edited["offers"] = [o for o in edited["offers"] if o["code"] != "early-bird-15"]
    edited["surge_rules"] = [s for s in edited["surge_rules"] if s["code"] != "holiday"]
    return edited


def test_a_dry_run_writes_nothing_and_shows_what_the_real_run_does(cpo1):
    edited = _edited(export_pricing(cpo1))
    baseline = fingerprint()
    preview = import_pricing(cpo1, edited, dry_run=True, prune=True)
    assert fingerprint() == baseline
    assert preview.errors == []
    lines = preview.lines()
    assert lines[:3] == [
        "~ tariffs[cpo1-standard] update",
        "    energy_rate_per_kwh: 18 → 20",
        "    bands[off-peak].rate_per_kwh: 16 → 15",
    ]
    assert "+ offers[happy-hour-25] create" in lines
    assert "- offers[early-bird-15] pause (not in the document)" in lines
    assert "    status: active → paused" in lines
    assert "- surge_rules[holiday] pause (not in the document)" in lines

    applied = import_pricing(cpo1, edited, prune=True)
    assert applied.lines() == lines
    assert Tariff.objects.get(operator=cpo1, code="cpo1-standard").energy_rate_per_kwh == 20
    assert Offer.objects.get(operator=cpo1, code="early-bird-15").status == OfferStatus.PAUSED
    assert SurgeRule.objects.get(operator=cpo1, code="holiday").paused
    assert Offer.objects.get(operator=cpo1, code="happy-hour-25").percent == 25


def test_without_prune_rows_left_out_are_left_alone(cpo1):
    edited = _edited(export_pricing(cpo1))
    plan = import_pricing(cpo1, edited)
    assert "? offers[early-bird-15] left alone (not in the document; --prune would retire it)" in (
        plan.lines()
    )
    assert Offer.objects.get(operator=cpo1, code="early-bird-15").status == OfferStatus.ACTIVE
    assert not SurgeRule.objects.get(operator=cpo1, code="holiday").paused


def test_codes_and_batches_follow_the_document(cpo1):
    document = export_pricing(cpo1)
    weekend = row(document, "offers", "weekend-discount-25")
    weekend.update(multi_use_code="weekend30")
    welcome = row(document, "offers", "welcome-100")
    welcome["code_batches"] = [{"prefix": "EXTRA", "count": 3}]
    plan = import_pricing(cpo1, document)
    assert plan.errors == []
    assert plan.lines() == [
        "~ offers[weekend-discount-25] update",
        "    multi_use_code: WEEKEND25 → WEEKEND30",
        "~ offers[welcome-100] update (1 code batch(es) not in the document are kept)",
        "    code_batches: [{prefix: WELCOME, count: 50}]"
        " → [{prefix: EXTRA, count: 3}, {prefix: WELCOME, count: 50}]",
    ]
    assert next(r for r in plan.rows if r.code == "welcome-100").note == (
        "1 code batch(es) not in the document are kept"
    )
    weekend_codes = OfferCode.objects.filter(offer__code="weekend-discount-25", operator=cpo1)
    assert [c.code for c in weekend_codes] == ["WEEKEND30"]
    codes = OfferCode.objects.filter(offer__code="welcome-100", operator=cpo1)
    assert sorted({c.code[:6] for c in codes}) == ["EXTRA-", "WELCOM"]
    assert codes.count() == 53


def test_a_code_batch_on_an_auto_applied_offer_is_refused(cpo1):
    document = export_pricing(cpo1)
    weekend = row(document, "offers", "weekend-discount-25")
    weekend["code_batches"] = [{"prefix": "EXTRA", "count": 3}]
    plan = import_pricing(cpo1, document)
    named = 'Offer "Weekend Special - 25% Off" (weekend-discount-25), code batch 1, offer: '
    assert [e for e in plan.errors if e.startswith(named)], plan.errors


def _index(document: dict, section: str, code: str) -> int:
    return next(i for i, r in enumerate(document[section]) if r["code"] == code)


def test_every_problem_is_one_line_naming_its_place_and_nothing_is_written(cpo1):
    document = _edited(export_pricing(cpo1))  # valid changes too: all or nothing
    o = _index(document, "offers", "weekend-discount-25")
    document["offers"][o]["percent"] = "150"
    document["offers"][o]["colour"] = "red"
    t = _index(document, "tariffs", "cpo1-standard")
    late = {"code": "late", "label": "late", "start": "23:00", "end": "23:30"}
    document["tariffs"][t]["bands"].append({**document["tariffs"][t]["bands"][0], **late})
    document["tariffs"][0]["energy_rate_per_kwh"] = True
    s = _index(document, "surge_rules", "congestion-evening")
    document["surge_rules"][s]["stations"] = ["nowhere"]
    document["surge_rules"][s]["window_start"] = 1080  # YAML's reading of an unquoted 18:00
    document["offers"].append(copy.deepcopy(document["offers"][0]))
    last, first = len(document["offers"]) - 1, document["offers"][0]["code"]
    baseline = fingerprint()
    plan = import_pricing(cpo1, document)
    assert fingerprint() == baseline
    weekend, title = (
        'Offer "Weekend Special - 25% Off" (weekend-discount-25)',
        document["offers"][0]["title"],
    )
    assert plan.errors == [  # the rows by name and code, the fields in words, each once
        'Tariff "DEG flagship charger" (cpo1-flagship), energy rate (per kWh): expected a number '
        '(in quotes, like "18.5"), not true',
        "Tariff \"CPO1 standard\" (cpo1-standard), tariff bands: Bands 'off-peak' and 'late' "
        "overlap (both apply on Monday 23:00): a time can have only one rate.",
        'Surge rule "Congestion Fee" (congestion-evening), local start: expected a local time in '
        'quotes, like "18:00", not 1080',
        'Surge rule "Congestion Fee" (congestion-evening), stations: cpo1.com has no station '
        "'nowhere'",
        f"{weekend}, colour: not a field of offer",
        f"Offer {last + 1} of the list, offer id: {first!r} is also the code of "
        f'Offer "{title}" ({first})',
        f"{weekend}, percent: A percentage is at most 100.",
    ]


def test_a_new_surge_rule_needs_the_operators_notice_as_in_the_admin(cpo1):
    voltgrid = Operator.objects.get(code="voltgrid.in")  # 24 hours' notice
    rule = row(export_pricing(cpo1), "surge_rules", "congestion-evening")
    document = {"version": 1, "surge_rules": [{**rule, "code": "new-peak", "stations": []}]}
    plan = import_pricing(voltgrid, document)
    assert len(plan.errors) == 1
    assert plan.errors[0].startswith(
        'Surge rule "Congestion Fee" (new-peak), effective from: A new surge rule needs notice. '
        "VoltGrid"
    )
    assert "24 hours notice of surge changes" in plan.errors[0]
    assert not SurgeRule.objects.filter(code="new-peak").exists()


def test_commands_export_and_import_with_one_line_errors(cpo1, fresh, tmp_path):
    path = tmp_path / "cpo1.json"
    call_command("pricing_export", "--operator", "cpo1.com", "--format", "json", "-o", str(path),
                 stderr=StringIO())  # fmt: skip
    exported = json.loads(path.read_text())
    assert exported == export_pricing(cpo1)
    path.write_text(json.dumps({**exported, "surge_rules": [], "offers": []}))  # quicker
    out = StringIO()
    call_command("pricing_import", str(path), "--operator", FRESH, "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "+ tariffs[cpo1-flagship] create",
        "+ tariffs[cpo1-metro-inclusive] create",
        "+ tariffs[cpo1-standard] create",
        f"Would apply to {FRESH}: 3 create.",
    ]
    assert not Tariff.objects.filter(operator=fresh).exists()

    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ntariffs:\n- code: t1\n  energy_rate_per_kwh: lots\n")
    err = StringIO()
    with pytest.raises(CommandError, match=r"^1 problem\(s\); nothing was changed\.$"):
        call_command("pricing_import", str(bad), "--operator", FRESH, stderr=err)
    assert (
        err.getvalue()
        == "Tariff t1, energy rate (per kWh): “lots” value must be a decimal number.\n"
    )
    for text, message in [
        ("version: 2\n", "version: this product reads version 1, not 2."),
        ("a: &x [1]\nb: *x\n", "YAML aliases (*name) are not accepted: write values out."),
        ("[1, 2\n", "not JSON or YAML: "),
    ]:
        bad.write_text(text)
        with pytest.raises(CommandError) as caught:
            call_command("pricing_import", str(bad), "--operator", FRESH)
        assert str(caught.value).startswith(f"{bad}: {message}")
        assert "\n" not in str(caught.value)
    with pytest.raises(CommandError, match=r"Unknown operator 'nobody\.example'"):
        call_command("pricing_export", "--operator", "nobody.example")


def test_a_moment_outside_the_years_is_a_problem_not_a_500(cpo1):
    """Year 1 in an offer's window: a problem line, as the admin's form error (a zone
    carried it past what Python holds when the preview wrote it back)."""
    document = export_pricing(cpo1)
    o = _index(document, "offers", "weekend-discount-25")
    document["offers"][o]["valid_from"] = "0001-01-01T00:00:00+05:30"
    baseline = fingerprint()
    plan = import_pricing(cpo1, document)
    assert fingerprint() == baseline
    assert plan.errors == [
        'Offer "Weekend Special - 25% Off" (weekend-discount-25), valid from: '
        "Give a date from 2000-01-01 to 2099-12-31."
    ]


def test_null_for_a_list_is_the_empty_list_as_the_format_says(cpo1):
    """The format writes an empty value as null: an offer's regions, segments, slabs or
    time-of-day rates and a surge rule's exempt segments and tiers given as null are empty lists,
    not a row the database refuses; written over the empty lists stored, nothing changes."""
    document = export_pricing(cpo1)
    offer = row(document, "offers", "happy-hour-20")
    for name in ("region_codes", "segments", "secondary_ids", "slabs", "tod_rates"):
        assert offer[name] == []
        offer[name] = None
    offer["conditions"] = None
    surge = row(document, "surge_rules", "congestion-evening")
    assert surge["exempt_segments"] == surge["exempt_tiers"] == []
    surge["exempt_segments"] = surge["exempt_tiers"] = None
    plan = import_pricing(cpo1, document, dry_run=True)
    assert plan.errors == []
    assert not [line for line in plan.lines() if "happy-hour-20" in line]
    assert not [line for line in plan.lines() if "congestion-evening" in line]
