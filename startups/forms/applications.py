"""Forms of the founder's side of calls and applications."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import validate_pdf
from sites.selectors import operational_site_choices

from ..models import AdmissionKind, Call
from ..selectors.visibility import startups_of_member

MAX_ANSWER_LENGTH = 5000


class CallFilterForm(forms.Form):
    """Filters of the public list of open calls; an invalid value is simply ignored."""

    NETWORK = "network"

    site = forms.ChoiceField(label=_("Site"), required=False)
    kind = forms.ChoiceField(
        label=_("Admission offered"), required=False, choices=[("", _("All kinds")), *AdmissionKind.choices]
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [
            ("", _("All sites")),
            (self.NETWORK, _("Network-wide (e-Technopark)")),
            *[(site.slug, site.name) for site in sites],
        ]

    def filters(self) -> dict:
        """The valid filters as `selectors.open_calls_listed`'s arguments."""
        self.is_valid()  # an invalid filter is left out of cleaned_data: ignored
        site, kind = self.cleaned_data.get("site"), self.cleaned_data.get("kind")
        network_only = site == self.NETWORK
        return {"network_only": network_only, "site_slug": "" if network_only else site or "", "kind": kind or ""}


class ApplicationStartForm(forms.Form):
    startup = forms.ModelChoiceField(label=_("Startup"), queryset=None, empty_label=None)
    home_site = forms.ModelChoiceField(
        label=_("Your home site"),
        queryset=operational_site_choices(),
        required=False,
        help_text=_("The site of your region: it reviews your application and follows your startup."),
    )

    def __init__(self, *args, user, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["startup"].queryset = startups_of_member(user, founders_only=True).order_by("legal_name")
        if call.site_id is not None:
            del self.fields["home_site"]
        else:
            self.fields["home_site"].required = True


class ApplicationForm(forms.Form):
    """The draft: one answer per question of the call, and the pitch deck. Nothing is
    required here, so a draft can be saved half-done; `application_submit` checks."""

    pitch_deck = forms.FileField(
        label=_("Pitch deck (PDF)"),
        required=False,
        validators=[validate_pdf],
        help_text=_("A PDF document of at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        # Answers are kept by question (French); each is labelled in the reader's language.
        questions = application.call.questions_with_labels()
        self.questions = [question for question, _label in questions]
        answers = application.answers or {}
        fields = {}
        for index, (question, label) in enumerate(questions):
            fields[self.answer_field(index)] = forms.CharField(
                label=label,
                required=False,
                max_length=MAX_ANSWER_LENGTH,
                initial=answers.get(question, ""),
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.fields = {**fields, "pitch_deck": self.fields["pitch_deck"]}

    @staticmethod
    def answer_field(index: int) -> str:
        return f"answer_{index}"

    def answers(self) -> dict:
        return {
            question: self.cleaned_data.get(self.answer_field(index), "").strip()
            for index, question in enumerate(self.questions)
        }

    def mark_missing_answers(self, message) -> None:
        for index, _question in enumerate(self.questions):
            name = self.answer_field(index)
            if not (self.cleaned_data.get(name) or "").strip():
                self.add_error(name, message)
