"""The forms of attestations: a founder's request (what to attest, in which language), a
site's filters and a revocation's reason."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import formatting

from .models import CredentialKind
from .selectors import State, Subject


def subject_label(subject: Subject) -> str:
    if subject.admission is not None:
        admission = subject.admission
        what = admission.get_kind_display()
        since = formatting.format_date(admission.starts_on)
        if admission.ended_on:
            return _("%(what)s at %(site)s, %(start)s – %(end)s") % {
                "what": what,
                "site": admission.site.name,
                "start": since,
                "end": formatting.format_date(admission.ended_on),
            }
        return _("%(what)s at %(site)s since %(start)s") % {"what": what, "site": admission.site.name, "start": since}
    programme = subject.participation.programme
    return _("Programme %(title)s (%(start)s – %(end)s)") % {
        "title": programme.title,
        "start": formatting.format_date(programme.starts_on),
        "end": formatting.format_date(programme.ends_on),
    }


class AttestationRequestForm(forms.Form):
    subject = forms.ChoiceField(label=_("What to attest"))
    language = forms.ChoiceField(label=_("Language of the attestation"), choices=settings.LANGUAGES)

    def __init__(self, *args, subjects: list[Subject], **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = {subject.key: subject for subject in subjects}
        self.fields["subject"].choices = [(subject.key, subject_label(subject)) for subject in subjects]

    def chosen(self) -> Subject:
        return self.subjects[self.cleaned_data["subject"]]


class CredentialFilterForm(forms.Form):
    q = forms.CharField(label=_("Startup or code"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *CredentialKind.choices])
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All")), (State.VALID, _("Not revoked")), (State.REVOKED, _("Revoked"))],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"kind": data["kind"], "state": data["state"], "search": data["q"]}


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it revoked?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the site's records; the verification page only says that it was revoked, and when."),
    )
