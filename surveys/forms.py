"""The survey's form: the score from 0 to 10 (required), then what helped most, what to
improve and any other comment (optional, in any language: `dir="auto"`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields

from .models import QUESTION, SurveyAnswer


def _text(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "dir": "auto"})


class SurveyAnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        label=QUESTION,
        choices=[(score, str(score)) for score in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("0: not at all likely · 10: extremely likely"),
        error_messages={"required": _("Choose a score from 0 to 10.")},
    )
    helped_most = forms.CharField(
        label=_("Which services helped you most?"), required=False, max_length=1000, widget=_text(3)
    )
    to_improve = forms.CharField(label=_("What should we improve?"), required=False, max_length=1000, widget=_text(3))
    comment = forms.CharField(label=_("Any other comment"), required=False, max_length=2000, widget=_text(4))

    def __init__(self, *args, answer: SurveyAnswer | None = None, **kwargs):
        if answer is not None:
            kwargs.setdefault(
                "initial",
                {
                    "score": answer.score,
                    "helped_most": answer.helped_most,
                    "to_improve": answer.to_improve,
                    "comment": answer.comment,
                },
            )
        super().__init__(*args, **kwargs)
        style_fields(self)
