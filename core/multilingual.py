"""Content that head office and site staff write for the public, in French, Arabic and
English (issue 19), with django-modeltranslation.

- An app lists a model's public text fields in `<app>/translation.py`: modeltranslation adds
  one column per language (`title_fr`, `title_ar`, `title_en`) and `obj.title` reads the
  active language's version, or the French one where it is empty
  (MODELTRANSLATION_FALLBACK_LANGUAGES). French is required wherever the field is.
- Queries on `title` are rewritten to the active language's column, without fallback: a
  search looks in every language (`any_language_q`) and a sort uses the version the reader
  sees (`translated_order`).
- The base column (`title`) keeps the French version (`DefaultLanguageColumn`), for the
  queries that are not rewritten (lookups across a relation, raw SQL); the data migrations
  copied it into `title_fr` (`copy_to_language`).
- Pages say when they show French for want of the reader's language:
  `{% load multilingual %}{% fallback_note service "title" "description" %}`.
- The API serves the language of `?lang=` or of `Accept-Language` (core.middleware).

A field that modeltranslation does not handle may follow the same naming by hand: `questions`
(the French version) with `questions_ar` and `questions_en` (startups.models.Call).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

DEFAULT_LANGUAGE: str = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)

# What a page says when it shows the French version for want of the reader's.
SHOWN_IN_FRENCH = {
    "ar": _("Not available in Arabic yet: shown in French."),
    "en": _("Not available in English yet: shown in French."),
}


def content_language() -> str:
    """The active language if content is written in it (fr, ar, en), else French."""
    language = (translation.get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def localized_name(field: str, language: str) -> str:
    """`title` → `title_ar`; a lookup path keeps its relations (`service__title_ar`)."""
    return f"{field}_{language}"


def _filled(value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value not in (None, [], {})


def version(obj, field: str, language: str):
    """`obj`'s `field` in `language`, as stored (no fallback). The French version of a field
    translated by hand is the field itself (`questions`, beside `questions_ar`)."""
    name = localized_name(field, language)
    if language == DEFAULT_LANGUAGE and not hasattr(type(obj), name):
        name = field
    return getattr(obj, name, None)


def is_shown_in_default(obj, field: str, language: str | None = None) -> bool:
    """True when `obj` shows the French version of `field` to a reader of `language` (the
    active one): it has a French version and none in that language."""
    language = language or content_language()
    if language == DEFAULT_LANGUAGE:
        return False
    return _filled(version(obj, field, DEFAULT_LANGUAGE)) and not _filled(version(obj, field, language))


def shown_in_default(obj, *fields: str, language: str | None = None) -> bool:
    """True when one of `fields` of `obj` is shown in French for want of `language`."""
    return obj is not None and any(is_shown_in_default(obj, field, language) for field in fields)


def fallback_message(language: str | None = None):
    """'Not available in Arabic yet: shown in French.' for the reader's language."""
    return SHOWN_IN_FRENCH.get(
        language or content_language(), _("Not available in your language yet: shown in French.")
    )


def any_language_q(field: str, lookup: str, value) -> Q:
    """`field` matches `value` in any language: `any_language_q("title", "icontains", q)`."""
    query = Q()
    for language in LANGUAGES:
        query |= Q(**{f"{localized_name(field, language)}__{lookup}": value})
    return query


def translated_value(field: str, language: str | None = None):
    """The version of `field` a reader of `language` (the active one) sees, as an SQL
    expression: theirs, or the French one where theirs is empty."""
    language = language or content_language()
    default = F(localized_name(field, DEFAULT_LANGUAGE))
    if language == DEFAULT_LANGUAGE:
        return default
    # The language columns are distinct field classes (modeltranslation's): say the type.
    return Coalesce(NullIf(F(localized_name(field, language)), Value("")), default, output_field=models.TextField())


def translated_order(field: str, *, descending: bool = False):
    """`order_by(translated_order("title"), "pk")`: by the version the reader sees (the
    rewritten `order_by("title")` would put every row without a translation together)."""
    expression = translated_value(field)
    return expression.desc() if descending else expression.asc()


class TranslatedQuerySet(models.QuerySet):
    """The queryset of a model with translated fields (modeltranslation mixes its own in).

    modeltranslation's turns the model's `Meta.ordering` into an explicit `order_by()` each
    time a queryset is built, clones included: the ordering columns then land in the GROUP
    BY of `values(…).annotate(Count(…))` and come back after `order_by()` cleared them
    (deschler/django-modeltranslation#559), which splits the groups. Here `Meta.ordering`
    stays Django's default ordering (on the base columns, which hold French); an explicit
    `order_by("title")` is still rewritten to the reader's language."""

    def _post_init(self) -> None:  # modeltranslation's MultilingualQuerySet hook
        self._rewrite = True
        self._populate = None


TranslatedManager = models.Manager.from_queryset(TranslatedQuerySet)


class DefaultLanguageColumn(models.Model):
    """For models with translated fields: saved with French active, so that the base column
    (`title`) holds the French version whatever the language of the page that saved it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with translation.override(DEFAULT_LANGUAGE):
            super().save(*args, **kwargs)

    save.alters_data = True


API_LANGUAGE_PARAMETER = "lang"


def api_language(request) -> str | None:
    """The language an API request asks for: `?lang=` (fr, ar or en), else the first
    language of its `Accept-Language` header that the portal speaks; None when it names
    none (the portal's usual choice applies: its language cookie, the user's preference,
    French). An unknown `?lang=` (or an empty one) is a ValidationError."""
    if API_LANGUAGE_PARAMETER in request.GET:
        asked = request.GET[API_LANGUAGE_PARAMETER]
        if asked not in LANGUAGES:
            # DRF's words for a choice parameter (core.filters), already translated.
            from rest_framework.fields import ChoiceField

            raise ValidationError(ChoiceField.default_error_messages["invalid_choice"].format(input=asked))
        return asked
    for accepted, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if accepted == "*":
            break
        try:
            return translation.get_supported_language_variant(accepted)
        except LookupError:
            continue
    return None


def copy_to_language(model, fields: list[str], language: str) -> None:
    """Data migrations: copy each base column of `fields` into its `language` column where
    that is empty (`title` → `title_fr`), so that nothing written before is lost."""
    for field in fields:  # the base manager: never scoped (django-scopes scopes `objects`)
        target = localized_name(field, language)
        rows = model._base_manager.filter(Q(**{f"{target}__isnull": True}) | Q(**{target: ""}))
        if hasattr(rows, "rewrite"):  # a registered model's: `F("title")` must stay the base column
            rows = rows.rewrite(False)
        rows.update(**{target: F(field)})
