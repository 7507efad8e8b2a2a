"""Forms of the site managers' application pipeline: calls, filters, reviewers, scores,
decisions. Choice lists that name people come from the request's tenant scope."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.multilingual_forms import TranslatedFieldsMixin
from sites.models import Site

from ..models import AdmissionKind, Application, ApplicationStatus, Call, Criterion, Decision, Review
from ..selectors.calls import reviewer_candidates

MAX_QUESTIONS = 20
MAX_QUESTION_LENGTH = 300
DATE_WIDGET = {"type": "date"}


def bootstrap(form: forms.Form) -> None:
    """Bootstrap classes on every widget (templates render fields one by one)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.CheckboxInput)):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def _translated_questions_field() -> forms.CharField:
    return forms.CharField(
        label=_("Questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One line per French question, in the same order. Leave empty to show the French questions."),
    )


class CallForm(TranslatedFieldsMixin, forms.ModelForm):
    """A call for applications: title, description and questions in French, Arabic and
    English, one tab per language (French required). The French questions key the answers;
    the Arabic and English ones are their translations, line for line."""

    translated_fields = ("title", "description", "questions_text")

    questions_text = forms.CharField(
        label=_("Questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One question per line; every applicant answers each of them."),
    )
    questions_text_ar = _translated_questions_field()
    questions_text_en = _translated_questions_field()

    class Meta:
        model = Call
        fields = [
            *(f"{name}_{language}" for name in ("title", "description") for language in ("fr", "ar", "en")),
            "kind",
            "opens_on",
            "closes_on",
            "target_sectors",
        ]
        widgets = {
            **{f"description_{language}": forms.Textarea(attrs={"rows": 4}) for language in ("fr", "ar", "en")},
            "opens_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "target_sectors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, network: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network
        if network:  # the network's calls are e-Technopark calls
            del self.fields["kind"]
            self.instance.kind = AdmissionKind.ETECHNOPARK
        self.fields["questions_text"].initial = "\n".join(self.instance.questions or [])
        for language in ("ar", "en"):
            self.fields[f"questions_text_{language}"].initial = "\n".join(
                getattr(self.instance, f"questions_{language}") or []
            )
        bootstrap(self)

    def clean_questions_text(self) -> list[str]:
        questions: list[str] = []
        for line in self.cleaned_data["questions_text"].splitlines():
            question = " ".join(line.split())
            if not question or question in questions:
                continue
            if len(question) > MAX_QUESTION_LENGTH:
                raise ValidationError(
                    _("Keep each question under %(limit)s characters.") % {"limit": MAX_QUESTION_LENGTH}
                )
            questions.append(question)
        if len(questions) > MAX_QUESTIONS:
            raise ValidationError(_("Ask at most %(limit)s questions.") % {"limit": MAX_QUESTIONS})
        return questions

    def _clean_translated_questions(self, name: str) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data[name].splitlines()]
        lines = [line for line in lines if line]
        if any(len(line) > MAX_QUESTION_LENGTH for line in lines):
            raise ValidationError(_("Keep each question under %(limit)s characters.") % {"limit": MAX_QUESTION_LENGTH})
        return lines

    def clean_questions_text_ar(self) -> list[str]:
        return self._clean_translated_questions("questions_text_ar")

    def clean_questions_text_en(self) -> list[str]:
        return self._clean_translated_questions("questions_text_en")

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The call cannot close before it opens."))
        if "questions_text" in cleaned:
            questions = self.instance.questions = cleaned["questions_text"]
            for language in ("ar", "en"):
                name = f"questions_text_{language}"
                versions = cleaned.get(name)
                if versions is None:
                    continue
                if versions and len(versions) != len(questions):
                    self.add_error(
                        name,
                        _("Give one line per French question, in the same order: %(count)s lines.")
                        % {"count": len(questions)},
                    )
                else:
                    setattr(self.instance, f"questions_{language}", versions)
        return cleaned


STATUS_CHOICES = [(value, label) for value, label in ApplicationStatus.choices if value != ApplicationStatus.DRAFT]


class ApplicationFilterForm(forms.Form):
    """The pipeline's filters; an invalid value is ignored rather than an error page."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All statuses")), *STATUS_CHOICES])
    q = forms.CharField(label=_("Startup name"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def filters(self) -> dict:
        """The filters as `selectors.applications_pipeline`'s arguments; none when one is invalid."""
        if not self.is_valid():
            return {}
        return {"status": self.cleaned_data["status"], "query": self.cleaned_data["q"].strip()}


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.get_full_name()} <{user.email}>" if user.full_name else user.email


class ReviewerAssignForm(forms.Form):
    """Reviewers are the site's managers and committee members (the request's site only)."""

    reviewer = ReviewerChoiceField(label=_("Reviewer"), queryset=None)  # set per application in __init__

    def __init__(self, *args, site: Site, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewer_candidates(site=site, application=application)
        bootstrap(self)


SCORE_CHOICES = [("", "—"), *[(value, str(value)) for value in range(6)]]


class ReviewScoreForm(forms.Form):
    """A score from 0 to 5 and a comment for each active criterion, then an overall comment."""

    comment = forms.CharField(label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, review: Review, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        existing = {score.criterion_id: score for score in review.scores.all()}
        self.fields["comment"].initial = review.comment
        for criterion in criteria:
            score = existing.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(criterion)s: score (0–5)") % {"criterion": criterion.name},
                choices=SCORE_CHOICES,
                coerce=int,
                initial=score.value if score else "",
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("%(criterion)s: comment") % {"criterion": criterion.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=score.comment if score else "",
            )
        # The overall comment comes last.
        self.fields["comment"] = self.fields.pop("comment")
        bootstrap(self)

    def criterion_rows(self):
        for criterion in self.criteria:
            yield criterion, self[f"score_{criterion.pk}"], self[f"comment_{criterion.pk}"]

    def scores(self) -> dict:
        return {
            criterion: (self.cleaned_data[f"score_{criterion.pk}"], self.cleaned_data[f"comment_{criterion.pk}"])
            for criterion in self.criteria
        }


MAX_REASON_LENGTH = 2000


class DecisionForm(forms.Form):
    """The decision and what goes with it. The application page posts it to the
    confirmation page (which only reads it), whose Confirm button posts the same values
    back with `CONFIRM`, and its Back button with `BACK` (`views.pipeline.application_decide`)."""

    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a rejection: the applicant will read it."),
    )
    starts_on = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text=_("For an admission; today when left empty."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.REJECT and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the rejection: the applicant will read it."))
        if cleaned.get("decision") not in (Decision.ADMIT_RESIDENT, Decision.ADMIT_ETECHNOPARK):
            cleaned["starts_on"] = None
        return cleaned

    def values(self) -> dict[str, str]:
        """The cleaned values as the form's fields read them back (the confirmation page's
        hidden fields)."""
        starts_on = self.cleaned_data.get("starts_on")
        return {
            "decision": self.cleaned_data["decision"],
            "reason": self.cleaned_data.get("reason", ""),
            "starts_on": starts_on.isoformat() if starts_on else "",
        }


# The names of the confirmation page's buttons: a decision is only taken when CONFIRM is
# posted; BACK brings the application page's form back with the values.
CONFIRM = "confirm"
BACK = "back"
