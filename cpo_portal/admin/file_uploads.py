"""The admin's file upload for one of the user's operators: the operator picker (on the
only one when there is one) and the file, refused above the form's size limit. The CDR
upload and the customer import subclass it with their own limit and help text."""

from __future__ import annotations

from typing import cast

from django import forms

from cpo_portal.models import Operator


class OperatorFileForm(forms.Form):
    max_megabytes = 20

    operator = forms.ModelChoiceField(queryset=Operator.objects.none())
    file = forms.FileField()

    def __init__(self, *args, operators, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["operator"]).queryset = operators
        if operators.count() == 1:
            self.fields["operator"].initial = operators.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_megabytes * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is larger than {self.max_megabytes} MB; split it."
            )
        return upload
