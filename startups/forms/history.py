"""The head-office history upload: two CSV files, each optional but not both, 5 MB at most."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..importer import MAX_FILE_BYTES


class HistoryUploadForm(forms.Form):
    startups = forms.FileField(
        label=_("Startups and admissions (startups.csv)"),
        required=False,
        help_text=_(
            "Columns: name, ice, legal_form, sector, founded_on, closed_on, site, kind, start_on, end_on, "
            "exit_reason — one row per admission. legal_form as you write it: SARL, SARL AU, S.A., SAS, "
            "Auto-entrepreneur… (any case, with or without dots)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv", "class": "form-control"}),
    )
    declarations = forms.FileField(
        label=_("Yearly declarations (declarations.csv)"),
        required=False,
        help_text=_(
            "Columns: ice, name, fiscal_year, direct_jobs, indirect_jobs, revenue_mad, export_revenue_mad, "
            "export_countries (ISO codes separated by “;”)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv", "class": "form-control"}),
    )

    def _clean_file(self, name):
        upload = self.cleaned_data.get(name)
        if upload is not None and upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                _("This file weighs %(size)s: the limit is %(limit)s per file. Split it and import the parts in turn.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_FILE_BYTES)},
                code="too_large",
            )
        return upload

    def clean_startups(self):
        return self._clean_file("startups")

    def clean_declarations(self):
        return self._clean_file("declarations")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("startups") and not cleaned.get("declarations"):
            raise ValidationError(_("Choose at least one file to import."), code="no_file")
        return cleaned


class ConfirmImportForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
