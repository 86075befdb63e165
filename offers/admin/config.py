"""Pricing as a document in the admin: download an operator's pricing (YAML or JSON), and
import one: upload, see the dry run's plan, confirm to apply. Pricing editors only, each
to their own operators (analysts never)."""

from __future__ import annotations

import hashlib
from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from cpo_portal import formatting, tenancy
from cpo_portal.models import Operator
from offers.models import PricingDraft
from offers.services.config.diff import ImportPlan
from offers.services.config.exporting import export_pricing
from offers.services.config.format import MAX_BYTES, FormatError, dump, load
from offers.services.config.importing import import_pricing
from offers.tasks import generate_codes

ROLES = tenancy.PRICING_EDITORS
TEMPLATE = "admin/offers/offer/pricing_import.html"


def editable_operators(request: HttpRequest) -> QuerySet[Operator]:
    return tenancy.scope(Operator.objects.all(), request.user, ROLES)


def _refuse_unless_editor(request: HttpRequest) -> None:
    if not (request.user.is_staff and tenancy.may(request.user, None, ROLES)):
        raise PermissionDenied


class _OperatorForm(forms.Form):
    """A form on one of the user's operators: a single-operator user starts on theirs."""

    operator = forms.ModelChoiceField(queryset=Operator.objects.none())

    def __init__(self, *args, operators: QuerySet[Operator], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["operator"])
        field.queryset = operators
        if operators.count() == 1:
            field.initial, field.empty_label = operators.get().pk, None


class ExportForm(_OperatorForm):
    format = forms.ChoiceField(choices=[("yaml", "YAML"), ("json", "JSON")], initial="yaml")


class ImportForm(_OperatorForm):
    file = forms.FileField(label="Pricing document (YAML or JSON)", required=False)
    prune = forms.BooleanField(
        required=False,
        label="Retire what the document does not name",
        help_text="Deactivate tariffs, pause surge rules and active offers that are not in "
        "the document. Nothing is deleted.",
    )
    # The previewed file, kept on the server (PricingDraft): its token, looked up with the
    # user, so that Apply needs no second upload.
    draft = forms.UUIDField(required=False, widget=forms.HiddenInput)
    digest = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.kept = PricingDraft.find(user, self.initial.get("draft"))
        if self.kept is not None:
            self.fields["file"].help_text = (
                f"Previewed: {self.kept.file_name}, kept until "
                f"{formatting.local_time(self.kept.expires_at)}. Apply imports it; "
                "choose a file only to preview another."
            )

    def clean(self):
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            text, name = upload.read(MAX_BYTES + 1), upload.name
        else:
            kept = PricingDraft.find(self.user, data.get("draft"))
            if kept is None and data.get("draft"):
                self.add_error(
                    "file",
                    "The previewed file is no longer kept (an hour has passed, or another "
                    "file was previewed since): choose it again.",
                )
                return data
            text, name = (kept.text, kept.file_name) if kept else ("", "")
            data["kept"] = kept
        if not text:
            self.add_error("file", "Choose a pricing document to import.")
            return data
        try:
            data["parsed"] = load(text)
        except FormatError as exc:
            self.add_error("file", str(exc))
            return data
        data["text"] = text.decode("utf-8") if isinstance(text, bytes) else text
        data["name"] = name
        return data


def plan_digest(plan: ImportPlan, operator: Operator, prune: bool) -> str:
    """What the preview showed: a confirm applies only if the import would do the same."""
    seen = "\n".join([str(operator.pk), str(prune), *plan.lines(unchanged=True)])
    return hashlib.sha256(seen.encode()).hexdigest()


def _page(request: HttpRequest, model_admin, title: str, form, **more) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "form": form,
        **more,
    }
    return TemplateResponse(request, TEMPLATE, context)


def export_view(model_admin):
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        _refuse_unless_editor(request)
        bound = request.GET if "operator" in request.GET else None
        form = ExportForm(bound, operators=editable_operators(request))
        if form.is_bound and form.is_valid():
            operator, fmt = form.cleaned_data["operator"], form.cleaned_data["format"]
            text = dump(export_pricing(operator), fmt)
            kind = "application/json" if fmt == "json" else "application/yaml"
            response = HttpResponse(text, content_type=f"{kind}; charset=utf-8")
            name = f"{operator.code}-pricing.{fmt}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return _page(request, model_admin, "Export pricing", form, exporting=True)

    return view


def import_view(model_admin):
    def view(request: HttpRequest) -> HttpResponse:
        _refuse_unless_editor(request)
        operators = editable_operators(request)
        form = ImportForm(
            request.POST or None, request.FILES or None, operators=operators, user=request.user
        )
        plan, source = None, ""
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            operator, prune, document = data["operator"], data["prune"], data["parsed"]
            if document.get("operator") not in (None, operator.code):
                source = f"Exported from {document['operator']}, imported into {operator.code}."
            confirming = "apply" in request.POST and not request.FILES
            plan = import_pricing(operator, document, dry_run=True, prune=prune)
            digest = plan_digest(plan, operator, prune)
            kept = data.get("kept")
            if confirming and not plan.errors and digest == data.get("digest"):
                applied = import_pricing(
                    operator, document, prune=prune, user=request.user,
                    enqueue_codes=generate_codes.delay,
                )  # fmt: skip
                if not applied.errors:
                    if kept is not None:
                        kept.delete()
                    model_admin.message_user(
                        request,
                        f"Imported pricing into {operator.code}: {applied.summary()}.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:offers_offer_changelist"))
                plan = applied
            elif confirming and not plan.errors:
                model_admin.message_user(
                    request,
                    "The pricing changed since the preview: check the plan again.",
                    messages.WARNING,
                )
            if kept is None:  # a new upload: kept for the Apply that follows its preview
                kept = PricingDraft.keep(request.user, data["name"], data["text"])
            form = ImportForm(
                initial={"operator": operator.pk, "prune": prune, "draft": kept.token,
                         "digest": digest},
                operators=operators, user=request.user,
            )  # fmt: skip
        lines = plan.lines() if plan is not None else []
        return _page(
            request,
            model_admin,
            "Import pricing",
            form,
            plan=plan,
            source=source,
            plan_lines=lines,
        )

    return view


def pricing_document_urls(model_admin) -> list:
    """The registration hook: the offer admin adds these to its URLs."""
    wrap = model_admin.admin_site.admin_view
    return [
        path("pricing/export/", wrap(export_view(model_admin)), name="offers_pricing_export"),
        path("pricing/import/", wrap(import_view(model_admin)), name="offers_pricing_import"),
    ]
