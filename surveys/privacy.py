"""A person's data in the surveys app, for accounts.privacy (law 09-08): the survey answers
they gave for their startups. When the account goes, the answers stay the startup's (the
figures count them) without saying who gave them. Registered in SurveysConfig.ready()."""

from accounts.extensions import PersonalData

from .models import SurveyAnswer


def export(user) -> dict:
    answers = (
        SurveyAnswer.objects.filter(answered_by=user).select_related("startup", "site").order_by("answered_at", "pk")
    )
    return {
        "survey_answers": [
            {
                "year": answer.year,
                "site": answer.site.slug,
                "startup": str(answer.startup),
                "score": answer.score,
                "helped_most": answer.helped_most,
                "to_improve": answer.to_improve,
                "comment": answer.comment,
                "answered_at": answer.answered_at.isoformat(),
            }
            for answer in answers
        ]
    }


def anonymise(user, new_email: str) -> None:
    SurveyAnswer.objects.filter(answered_by=user).update(answered_by=None)


PART = PersonalData(export=export, anonymise=anonymise)
