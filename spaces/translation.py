"""What a site's staff write about their rooms, in French, Arabic and English
(django-modeltranslation; core.multilingual says how it is read)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Room


@register(Room)
class RoomTranslation(TranslationOptions):
    fields = ("name", "equipment")
    required_languages = ("fr",)
