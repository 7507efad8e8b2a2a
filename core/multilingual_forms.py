"""Back-office forms of content in French, Arabic and English (core.multilingual): the
translated fields are shown together, one tab per language (Bootstrap's nav-tabs, served
locally), where the first of them stands in the form.

    class ServiceForm(TranslatedFieldsMixin, forms.ModelForm):
        translated_fields = ("title", "summary", "description")

        class Meta:
            fields = ["title_fr", "title_ar", "title_en", "summary_fr", …]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            style_fields(self)

and in the template, in place of the loop over the form's fields:

    {% for field in form.rows %}{% if field.language_tabs %}
      {% include "core/_language_tabs.html" with tabs=field field_template="_field.html" %}
    {% else %}{% include "_field.html" %}{% endif %}{% endfor %}

(or, where the template places each field itself, `tabs=form.language_tabs`).

Each language's input says its language and direction (`lang="ar" dir="rtl"`), its label is
the field's own (the tab names the language), French is required wherever the field is, the
other languages never. Validation is the form's, as before: a tab with errors is the one
shown, and says so.
"""

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .multilingual import DEFAULT_LANGUAGE, LANGUAGES, localized_name

DEFAULT_HELP = _(
    "Write in French first. Arabic and English are optional: where a field is empty, readers "
    "see the French text, with a note that it is not translated yet."
)


def direction(language: str) -> str:
    return "rtl" if get_language_info(language)["bidi"] else "ltr"


class LanguagePane:
    """One tab: a language and its version of every translated field."""

    def __init__(self, *, code: str, fields: list, tabs_id: str, active: bool):
        self.code = code
        self.name = capfirst(get_language_info(code)["name_local"])  # français, العربية, English
        self.dir = direction(code)
        self.fields = fields
        self.id = f"{tabs_id}-{code}"
        self.has_errors = any(field.errors for field in fields)
        self.active = active


class LanguageTabs:
    """The translated fields of a form, by language (`form.rows` yields it in their place)."""

    language_tabs = True  # what the templates test: `{% if field.language_tabs %}`

    def __init__(self, *, panes: list[LanguagePane], tabs_id: str, help_text):
        self.panes = panes
        self.id = tabs_id
        self.help_text = help_text
        self.field_names = {field.name for pane in panes for field in pane.fields}


class TranslatedFieldsMixin:
    """For a form with `translated_fields` (names without their language): each language's
    form field is `<name>_<language>`, or for French the field `<name>` itself when the form
    has no `<name>_fr` (a field translated by hand, such as a call's questions)."""

    translated_fields: tuple[str, ...] = ()
    language_tabs_help = DEFAULT_HELP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_languages()

    def language_field_name(self, name: str, language: str) -> str | None:
        localized = localized_name(name, language)
        if localized in self.fields:
            return localized
        if language == DEFAULT_LANGUAGE and name in self.fields:
            return name
        return None

    def _model_label(self, name: str):
        meta = getattr(self, "_meta", None)
        model = getattr(meta, "model", None)
        if model is None:
            return None
        try:
            return capfirst(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return None

    def setup_languages(self) -> None:
        """Labels, language and direction of the translated fields (after `__init__`)."""
        for name in self.translated_fields:
            french = self.language_field_name(name, DEFAULT_LANGUAGE)
            label = self._model_label(name) or (self.fields[french].label if french else None)
            for language in LANGUAGES:
                field_name = self.language_field_name(name, language)
                if field_name is None:
                    continue
                field = self.fields[field_name]
                if label:
                    field.label = label
                field.widget.attrs.update({"lang": language, "dir": direction(language)})

    @property
    def language_tabs(self) -> LanguageTabs:
        """The translated fields by language, the tab to show first: the first with errors."""
        prefix = f"{self.prefix}-" if self.prefix else ""
        tabs_id = f"{prefix}languages"
        by_language = {
            language: [
                self[field_name]
                for name in self.translated_fields
                if (field_name := self.language_field_name(name, language)) is not None
            ]
            for language in LANGUAGES
        }
        with_errors = [language for language in LANGUAGES if any(field.errors for field in by_language[language])]
        shown = with_errors[0] if with_errors else DEFAULT_LANGUAGE
        panes = [
            LanguagePane(code=language, fields=fields, tabs_id=tabs_id, active=language == shown)
            for language, fields in by_language.items()
            if fields
        ]
        return LanguageTabs(panes=panes, tabs_id=tabs_id, help_text=self.language_tabs_help)

    @property
    def rows(self) -> list:
        """The form's fields in order, the translated ones replaced by one LanguageTabs
        where the first of them stands."""
        tabs = self.language_tabs
        rows, placed = [], False
        for field in self:
            if field.name not in tabs.field_names:
                rows.append(field)
            elif not placed:
                rows.append(tabs)
                placed = True
        return rows
