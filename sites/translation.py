"""What head office writes for the public about partners, in French, Arabic and English
(django-modeltranslation; core.multilingual). Regions, sectors, languages and sites keep
their hand-made `name_fr`, `name_ar` and `name_en` (sites.models.TranslatedName)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Incubator, Partner


@register(Partner)
class PartnerTranslation(TranslationOptions):
    fields = ("description",)
    required_languages = ("fr",)


@register(Incubator)
class IncubatorTranslation(TranslationOptions):
    fields = ("description",)
    required_languages = ("fr",)
