"""What-if runs in the admin: the form (from an offer's or a surge rule's page, or an
unsaved change posted from its change form), the list of runs, and each run's page with
its progress, its cancel button, the result's charts and tables and their CSV.

Any role at the operator may run one (a run writes only its own row) and cancel it;
operator admins may delete runs. Publishing stays on the offer's and the rule's own pages.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from analytics.admin.forms import WhatIfForm
from analytics.models import WhatIfRun
from analytics.models.candidates import surge_definition
from analytics.services.tables import csv_response
from analytics.services.whatif import report
from analytics.services.whatif.run import request_cancel
from cpo_portal import tenancy
from cpo_portal.admin.tenant import TenantAdmin
from cpo_portal.formatting.number_inputs import whole_number
from offers.models import Offer
from offers.services import terms_of

NOTICE = (
    "This replays the sessions that happened, priced again as they were recorded. A cheaper "
    "price might have brought more sessions, and a dearer one fewer: those are not in these "
    "figures."
)


def unsaved_change(request, subject) -> tuple[dict | None, list[str]]:
    """The subject's change form as posted, checked by that same form; its definition."""
    model_admin = admin.site.get_model_admin(type(subject))
    form_class = model_admin.get_form(request, subject, change=True)
    form = form_class(request.POST, request.FILES, instance=subject)
    if not form.is_valid():
        return None, [f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()]
    changed = form.save(commit=False)
    stations = [s.code for s in form.cleaned_data.get("stations") or ()]
    if isinstance(subject, Offer):
        chargers = [c.code for c in form.cleaned_data.get("chargers") or ()]
        return terms_of(changed, stations, chargers), []
    return surge_definition(changed, stations), []


class WhatIfRunAdmin(TenantAdmin):
    edit_roles = tenancy.ALL_ROLES  # run and cancel: analysts too
    list_display = [
        "__str__",
        "subject_kind",
        "subject_status",
        "status",
        "percent",
        "created_by",
        "created_at",
        "operator",
    ]
    list_filter = ["operator", "subject_kind", "status"]
    list_select_related = ["operator", "created_by"]
    search_fields = ["subject_code"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        return request.user.is_staff and tenancy.may(request.user, obj, tenancy.NETWORK_EDITORS)

    def get_urls(self):
        progress = self.admin_site.admin_view(self.progress_view)
        return [
            path("<int:pk>/progress/", progress, name="analytics_whatifrun_progress"),
            *super().get_urls(),
        ]

    def _context(self, request, title: str, **extra):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            **extra,
        }

    def _subject_from_query(self, request, form: WhatIfForm):
        for name in ("offer", "surge_rule"):
            pk = whole_number(request.GET.get(name, ""))
            if pk is not None:
                # a ModelChoiceField; the stubs type form.fields[...] as a plain Field
                return form.fields[name].queryset.filter(pk=pk).first()  # type: ignore[attr-defined]
        return None

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = WhatIfForm(user=request.user)
        subject = self._subject_from_query(request, form)
        problems: list[str] = []
        if request.method == "POST" and "_whatif_change" in request.POST and subject is not None:
            candidate, problems = unsaved_change(request, subject)
            key = "offer" if isinstance(subject, Offer) else "surge_rule"
            initial = {key: subject.pk, "candidate": json.dumps(candidate) if candidate else ""}
            form = WhatIfForm(user=request.user, initial=initial)
        elif request.method == "POST":
            form = WhatIfForm(request.POST, user=request.user)
            if form.is_valid():
                run = form.start(request.user)
                if run is not None:
                    messages.success(request, "The what-if run is queued.")
                    return HttpResponseRedirect(
                        reverse("admin:analytics_whatifrun_change", args=[run.pk])
                    )
        elif subject is not None:
            key = "offer" if isinstance(subject, Offer) else "surge_rule"
            initial = {key: subject.pk}
            share = whole_number(request.GET.get("presented_share", ""))
            if share is not None:
                initial["presented_share"] = share
            form = WhatIfForm(user=request.user, initial=initial)
        if subject is None and form.is_bound:
            subject = form.cleaned_data.get("subject") if hasattr(form, "cleaned_data") else None
        context = self._context(
            request,
            "What-if: replay past sessions",
            form=form,
            subject=subject,
            problems=problems,
            unsaved=bool(form.initial.get("candidate") or form.data.get("candidate")),
            notice=NOTICE,
            limits=self._limits(subject, form),
        )
        return TemplateResponse(request, "admin/analytics/whatifrun/new.html", context)

    @staticmethod
    def _limits(subject, form: WhatIfForm):
        """What the replay cannot do for the chosen subject (its unsaved change, if any)."""
        if subject is None:
            return []
        text = form.initial.get("candidate") or form.data.get("candidate") or ""
        return WhatIfForm.limits_for(subject, WhatIfForm.candidate_of(text))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        if run is None or not self.has_view_permission(request, run):
            raise Http404("No such what-if run.")
        if request.method == "POST":
            if not self.has_change_permission(request, run):
                raise PermissionDenied
            request_cancel(run)
            messages.info(request, "Cancel requested: the run stops at its next chunk.")
            return HttpResponseRedirect(request.path)
        tables = report.tables(run.result)
        export = request.GET.get("export")
        if export:
            table = next((t for t in tables if t.key == export), None)
            if table is None:
                raise Http404("No such table.")
            return csv_response(table, f"whatif-{run.pk}-{export}")
        context = self._context(
            request,
            str(run),
            run=run,
            summary=run.result.get("summary", {}),
            summary_rows=report.summary(run.result, run.subject_kind),
            outdated=report.outdated(run.result),
            limits=run.result.get("limits", []),
            needs_code=any(lim.get("key") == "code" for lim in run.result.get("limits", [])),
            rerun=self._rerun_url(run),
            exhausted=run.result.get("exhausted", []),
            incrementality=run.result.get("incrementality"),
            tables=tables,
            charts=report.charts(run.result),
            notice=NOTICE,
            may_cancel=not run.finished and self.has_change_permission(request, run),
            original=run,
        )
        return TemplateResponse(request, "admin/analytics/whatifrun/run.html", context)

    @staticmethod
    def _rerun_url(run: WhatIfRun) -> str:
        """The form again, for the same subject (its saved version)."""
        if run.subject_pk is None:
            return ""
        key = "offer" if run.subject_kind == "offer" else "surge_rule"
        return f"{reverse('admin:analytics_whatifrun_add')}?{key}={run.subject_pk}"

    def progress_view(self, request, pk: int):
        return _progress(request, get_object_or_404(self.get_queryset(request), pk=pk))


@require_GET
def _progress(request, run: WhatIfRun) -> JsonResponse:
    return JsonResponse(
        {
            "status": run.status,
            "done": run.progress_done,
            "total": run.progress_total,
            "percent": run.percent,
            "finished": run.finished,
        }
    )


admin.site.register(WhatIfRun, WhatIfRunAdmin)
