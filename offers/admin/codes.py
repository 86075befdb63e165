"""Single-use code batches: generated on 'add', read-only afterwards, exported as CSV."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from cpo_portal import tenancy
from cpo_portal.admin.tenant import TenantAdmin
from offers.models import CodeBatch
from offers.services.codes import batch_csv, generate_batch
from offers.tasks import generate_codes


def csv_response(batch: CodeBatch) -> HttpResponse:
    response = HttpResponse(batch_csv(batch), content_type="text/csv; charset=utf-8")
    name = f"{batch.offer.code}-codes-{batch.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin.register(CodeBatch)
class CodeBatchAdmin(TenantAdmin):
    view_roles = tenancy.ALL_ROLES
    edit_roles = tenancy.PRICING_EDITORS
    list_display = [
        "offer", "prefix", "count", "progress", "used", "created_at", "created_by", "download",
    ]  # fmt: skip
    list_filter = ["offer__operator"]
    list_select_related = ["offer", "created_by"]
    search_fields = ["offer__code", "prefix"]
    fields = ["offer", "prefix", "count"]
    autocomplete_fields = ["offer"]

    @admin.display(description="generated")
    def progress(self, batch: CodeBatch) -> str:
        if batch.generated >= batch.count:
            return "all"
        return f"{batch.generated:,} of {batch.count:,} (a worker is generating them)"

    @admin.display(description="used")
    def used(self, batch: CodeBatch) -> int:
        return batch.codes.filter(used_at__isnull=False).count()

    @admin.display(description="CSV")
    def download(self, batch: CodeBatch) -> str:
        url = reverse("admin:offers_codebatch_csv", args=[batch.pk])
        return format_html('<a href="{}">download</a>', url)

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else []

    def has_change_permission(self, request, obj=None):
        # A batch is generated once; afterwards it can be viewed, exported or deleted.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        batch = generate_batch(
            obj.offer, obj.count, obj.prefix, user=request.user, enqueue=generate_codes.delay
        )
        obj.pk = batch.pk

    def get_urls(self):
        view = self.admin_site.admin_view(self.csv_view)
        return [path("<int:pk>/csv/", view, name="offers_codebatch_csv"), *super().get_urls()]

    def csv_view(self, request, pk: int):
        batch = get_object_or_404(self.get_queryset(request).select_related("offer"), pk=pk)
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        return csv_response(batch)
