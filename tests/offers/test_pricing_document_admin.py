"""The pricing document in the admin: pricing editors export and import their own
operator's pricing (preview first, then apply), analysts and other operators' staff never;
a value the admin form refuses is refused by the import with the same message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from offers.models import Offer, PricingDraft
from offers.models.pricing_drafts import DRAFT_LIFETIME
from offers.services.config.exporting import export_pricing
from offers.services.config.format import dump, load
from offers.services.config.importing import import_pricing
from pricing.models import Tariff
from tests.offers.conftest import deg_tariff, weekend_offer
from tests.pricing.admin_posts import tariff_post
from tests.support.admin import offer_post

pytestmark = pytest.mark.django_db
EXPORT = reverse("admin:offers_pricing_export")
IMPORT = reverse("admin:offers_pricing_import")


@pytest.fixture
def deg_world(network):
    deg_tariff(network.op_a)
    network.offer_a = weekend_offer(network.op_a)
    network.offer_b = weekend_offer(network.op_b, code="b-only-offer", title="B's secret offer")
    return network


def upload(document: dict, name: str = "pricing.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, dump(document).encode(), "application/yaml")


def test_analysts_and_other_operators_staff_never_reach_a_pricing(client, deg_world):
    document = export_pricing(deg_world.op_a)
    document["offers"][0]["title"] = "Changed"
    client.force_login(deg_world.analyst_a)
    assert client.get(EXPORT, {"operator": deg_world.op_a.pk}).status_code == 403
    assert client.get(IMPORT).status_code == 403
    body = {"operator": deg_world.op_a.pk, "file": upload(document), "apply": "Apply"}
    assert client.post(IMPORT, body).status_code == 403
    page = client.get(reverse("admin:offers_offer_changelist")).content.decode()
    assert "Import pricing" not in page and "Export pricing" not in page
    client.force_login(deg_world.pricing_b)
    exported = client.get(EXPORT, {"operator": deg_world.op_a.pk})
    assert exported.context["form"].errors["operator"]
    body["file"] = upload(document)
    assert client.post(IMPORT, body).context["form"].errors["operator"]
    assert Offer.objects.get(pk=deg_world.offer_a.pk).title != "Changed"


def test_an_editor_exports_only_their_own_operator(client, deg_world):
    client.force_login(deg_world.pricing_a)
    assert "Export pricing" in client.get(reverse("admin:offers_offer_changelist")).content.decode()
    response = client.get(EXPORT, {"operator": deg_world.op_a.pk, "format": "yaml"})
    assert response["Content-Disposition"] == 'attachment; filename="cpo-a.example-pricing.yaml"'
    document = load(response.content)
    assert document["operator"] == "cpo-a.example"
    assert [o["code"] for o in document["offers"]] == [deg_world.offer_a.code]
    refused = client.get(EXPORT, {"operator": deg_world.op_b.pk, "format": "json"})
    assert refused.status_code == 200 and "b-only-offer" not in refused.content.decode()
    assert refused.context["form"].errors["operator"]


def test_preview_then_apply(client, deg_world):
    client.force_login(deg_world.pricing_a)
    document = export_pricing(deg_world.op_a)
    document["offers"][0]["title"] = "Weekend, renamed"
    preview = client.post(IMPORT, {"operator": deg_world.op_a.pk, "file": upload(document)})
    assert preview.status_code == 200
    assert preview.context["plan_lines"] == [
        f"~ offers[{deg_world.offer_a.code}] update",
        f"    title: {deg_world.offer_a.title} → Weekend, renamed",
    ]
    assert Offer.objects.get(pk=deg_world.offer_a.pk).title == deg_world.offer_a.title
    confirm = preview.context["form"].initial
    response = client.post(IMPORT, {**confirm, "apply": "Apply"})
    assert response.status_code == 302
    assert Offer.objects.get(pk=deg_world.offer_a.pk).title == "Weekend, renamed"


def test_a_preview_gone_stale_is_shown_again_not_applied(client, deg_world):
    client.force_login(deg_world.pricing_a)
    document = export_pricing(deg_world.op_a)
    document["tariffs"][0]["service_fee"] = "12"
    preview = client.post(IMPORT, {"operator": deg_world.op_a.pk, "file": upload(document)})
    Tariff.objects.filter(operator=deg_world.op_a).update(name="Edited meanwhile")
    response = client.post(IMPORT, {**preview.context["form"].initial, "apply": "Apply"})
    assert response.status_code == 200
    assert "changed since the preview" in response.content.decode()
    assert Tariff.objects.get(operator=deg_world.op_a).service_fee == 10


def test_an_editor_cannot_import_into_another_operator(client, deg_world):
    client.force_login(deg_world.pricing_a)
    document = export_pricing(deg_world.op_b)
    document["offers"][0]["title"] = "Hijacked"
    response = client.post(
        IMPORT, {"operator": deg_world.op_b.pk, "file": upload(document), "apply": "Apply"}
    )
    assert response.status_code == 200 and response.context["form"].errors["operator"]
    assert Offer.objects.get(pk=deg_world.offer_b.pk).title == "B's secret offer"


def test_problems_are_listed_and_nothing_is_applied(client, deg_world):
    client.force_login(deg_world.admin_a)
    document = export_pricing(deg_world.op_a)
    document["offers"][0]["max_uses"] = "many"
    response = client.post(IMPORT, {"operator": deg_world.op_a.pk, "file": upload(document)})
    assert response.context["plan"].errors == [
        'Offer "Weekend Special - 25% Off" (weekend-discount-25), maximum total uses: '
        'expected a whole number, not "many"'
    ]
    assert 'name="apply"' not in response.content.decode()


@pytest.mark.parametrize(
    ("field", "form_value", "document_value"),
    [
        ("percent", "150", "150"),
        ("percent", "", None),
        ("window_end", "", None),
        ("base", "service_fee", "service_fee"),
    ],
)
def test_an_offer_value_is_refused_as_the_admin_form_refuses_it(
    client, deg_world, field, form_value, document_value
):
    client.force_login(deg_world.pricing_a)
    created = client.post(reverse("admin:offers_offer_add"), offer_post(deg_world.op_a))
    assert created.status_code == 302
    offer = Offer.objects.get(code="happy-hour")
    change = reverse("admin:offers_offer_change", args=[offer.pk])
    form = client.post(change, offer_post(deg_world.op_a, **{field: form_value}))
    admin_says = form.context["adminform"].form.errors[field]

    document = export_pricing(deg_world.op_a)
    i = next(i for i, o in enumerate(document["offers"]) if o["code"] == "happy-hour")
    document["offers"][i][field] = document_value
    plan = import_pricing(deg_world.op_a, document, dry_run=True)
    named = f'Offer "{document["offers"][i]["title"]}" (happy-hour)'
    label = Offer._meta.get_field(field).verbose_name
    assert plan.errors == [f"{named}, {label}: {admin_says[0]}"]  # the first, once


def test_a_tariff_value_is_refused_as_the_admin_form_refuses_it(client, deg_world):
    client.force_login(deg_world.pricing_a)
    form = client.post(
        reverse("admin:pricing_tariff_add"),
        tariff_post(deg_world.op_a, tax_rate="150"),  # 150 % in the admin
    )
    admin_says = form.context["adminform"].form.errors["tax_rate"]
    document = export_pricing(deg_world.op_a)
    document["tariffs"][0]["tax_rate"] = "1.5"
    plan = import_pricing(deg_world.op_a, document, dry_run=True)
    named = f'Tariff "{document["tariffs"][0]["name"]}" ({document["tariffs"][0]["code"]})'
    assert plan.errors == [f"{named}, GST rate: {admin_says[0]}"]


def test_a_kept_ocpi_tariff_must_pass_the_ocpi_parser(deg_world):
    document = export_pricing(deg_world.op_a)
    document["tariffs"][0]["ocpi"] = {"id": "T1", "currency": "INR"}
    plan = import_pricing(deg_world.op_a, document, dry_run=True)
    assert len(plan.errors) == 1
    assert plan.errors[0].startswith('Tariff "Standard" (standard), OCPI tariff, elements: ')
    assert "not valid OCPI 2.2.1: " in plan.errors[0]


def test_a_superuser_copies_one_operators_pricing_to_another(client, deg_world):
    client.force_login(deg_world.superuser)
    document = export_pricing(deg_world.op_a)
    preview = client.post(IMPORT, {"operator": deg_world.op_b.pk, "file": upload(document)})
    assert preview.context["plan"].errors == [  # B's own offer has that code
        'Offer "Weekend Special - 25% Off" (weekend-discount-25), multi-use code: '
        "Offer code with this Operator and Code already exists."
    ]
    document["offers"][0]["multi_use_code"] = "WEEKEND-A"
    preview = client.post(IMPORT, {"operator": deg_world.op_b.pk, "file": upload(document)})
    assert "Exported from cpo-a.example, imported into cpo-b.example." in (preview.content.decode())
    assert "+ tariffs[standard] create" in preview.context["plan_lines"]
    response = client.post(IMPORT, {**preview.context["form"].initial, "apply": "Apply"})
    assert response.status_code == 302
    assert Tariff.objects.filter(operator=deg_world.op_b, code="standard").exists()


def test_apply_imports_the_previewed_file_kept_on_the_server(client, deg_world):
    """Apply needs no second upload and carries no document: the preview's file is kept on
    the server, so a file larger than a form field may be (1 MB) applies as previewed."""
    client.force_login(deg_world.pricing_a)
    document = export_pricing(deg_world.op_a)
    document["offers"][0]["title"] = "Weekend, renamed"
    padded = ("# " + "x" * 1_200_000 + "\n" + dump(document)).encode()  # a long comment
    file = SimpleUploadedFile("big-pricing.yaml", padded, "application/yaml")
    preview = client.post(IMPORT, {"operator": deg_world.op_a.pk, "file": file})
    assert preview.status_code == 200
    confirm = preview.context["form"].initial
    assert "big-pricing.yaml" in preview.content.decode()  # the page names the kept file
    assert all(len(str(v)) < 100 for v in confirm.values())  # a token, not the document
    response = client.post(IMPORT, {**confirm, "apply": "Apply"})
    assert response.status_code == 302
    assert Offer.objects.get(pk=deg_world.offer_a.pk).title == "Weekend, renamed"
    assert not PricingDraft.objects.exists()  # applied: no longer kept


def test_a_kept_file_is_the_uploaders_alone_and_expires(client, deg_world):
    client.force_login(deg_world.pricing_a)
    document = export_pricing(deg_world.op_a)
    document["offers"][0]["title"] = "Weekend, renamed"
    preview = client.post(IMPORT, {"operator": deg_world.op_a.pk, "file": upload(document)})
    confirm = {**preview.context["form"].initial, "apply": "Apply"}
    draft = PricingDraft.objects.get()
    assert str(draft.token) == str(confirm["draft"]) and draft.created_by == deg_world.pricing_a
    # another editor of the same operator holding the token gets nothing
    client.force_login(deg_world.admin_a)
    refused = client.post(IMPORT, confirm)
    assert refused.status_code == 200
    assert "no longer kept" in refused.context["form"].errors["file"][0]
    # the uploader, after the draft's lifetime
    client.force_login(deg_world.pricing_a)
    PricingDraft.objects.update(created_at=timezone.now() - DRAFT_LIFETIME - dt.timedelta(1))
    expired = client.post(IMPORT, confirm)
    assert "choose it again" in expired.context["form"].errors["file"][0]
    # a token that is not one, or a path, is refused as a form error, never opened
    for bogus in ("../../etc/passwd", "/tmp/pricing.yaml"):
        response = client.post(IMPORT, {**confirm, "draft": bogus})
        assert response.status_code == 200 and response.context["form"].errors["draft"]
    assert Offer.objects.get(pk=deg_world.offer_a.pk).title == deg_world.offer_a.title
    # a new preview clears expired drafts
    client.post(IMPORT, {"operator": deg_world.op_a.pk, "file": upload(document)})
    assert PricingDraft.objects.count() == 1


def test_the_import_starts_on_a_single_operator_users_operator(client, deg_world):
    client.force_login(deg_world.pricing_a)
    page = client.get(IMPORT)
    field = page.context["form"]["operator"]
    assert field.value() == deg_world.op_a.pk
    assert "---------" not in str(field)
