"""The forms of roaming's admin pages: a CDR file upload, the price audit's filters."""

from __future__ import annotations

from typing import cast

from django import forms

from cpo_portal.admin.file_uploads import OperatorFileForm
from cpo_portal.models import Operator
from roaming.services.cdr_schema import MAX_CDR_BYTES


class CdrUploadForm(OperatorFileForm):
    """At most max_megabytes (OperatorFileForm's 20 MB: the request body limit,
    REQUEST_BODY_MAX_BYTES, is 24 MiB, which holds the file and its form)."""

    file = forms.FileField(
        help_text=f"OCPI 2.2.1 CDRs: JSON lines (one CDR a line) or a JSON array, at most "
        f"{OperatorFileForm.max_megabytes} MB (split a larger file), each CDR at most "
        f"{MAX_CDR_BYTES // 1024} kB. Imported in parts in the background; CDRs already "
        "imported are skipped, and a refused CDR is listed with its line and reason."
    )


class AuditFilterForm(forms.Form):
    operator = forms.ModelChoiceField(queryset=Operator.objects.none(), required=False,
                                      empty_label="All my operators")  # fmt: skip
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, operators, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["operator"]).queryset = operators

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return data
