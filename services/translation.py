"""What the services app's staff write for the public, in French, Arabic and English
(django-modeltranslation; core.multilingual says how it is read, searched and sorted)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Programme, Service, ServiceSession


@register(Service)
class ServiceTranslation(TranslationOptions):
    fields = ("title", "summary", "description")
    required_languages = ("fr",)  # French where the field is required (the title)


@register(ServiceSession)
class ServiceSessionTranslation(TranslationOptions):
    fields = ("location",)
    required_languages = ("fr",)


@register(Programme)
class ProgrammeTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("fr",)
