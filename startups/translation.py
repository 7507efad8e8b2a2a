"""Calls for applications in French, Arabic and English (django-modeltranslation;
core.multilingual). Their questions are translated by hand (`Call.questions_ar`,
`Call.questions_en`): the French questions key the answers."""

from modeltranslation.translator import TranslationOptions, register

from .models import Call


@register(Call)
class CallTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("fr",)
