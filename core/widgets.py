"""Form widgets shared by the apps.

`CheckboxPicker` replaces a long `<select multiple>` (which needs Ctrl/⌘ to choose several
and is hard to use on a phone or with a screen reader): a list of checkboxes in a box that
scrolls, the chosen ones first, a summary of what is chosen above it and, with JavaScript
(static/js/checkbox-picker.js, which the page loads with its CSP nonce), a filter box that
hides the choices that do not match. Without JavaScript the filter stays hidden and the
checkboxes work as they are. The form field keeps validating the posted values against its
choices on the server.

Forms render it inside a fieldset whose legend is the field's label (`use_fieldset`, as
templates/_field.html does). `CountryPicker` is the one for countries (django_countries'
choices: names in the active language, sorted for it).
"""

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .formatting import format_list, list_separator


class CheckboxPicker(forms.CheckboxSelectMultiple):
    template_name = "core/widgets/checkbox_picker.html"
    texts = {
        "filter": _("Filter the list"),
        "none": _("Nothing selected yet."),
        # %(count)s and %(names)s are replaced in the browser too (checkbox-picker.js).
        "chosen": _("Selected (%(count)s): %(names)s"),
        "shown": _("Shown: %(count)s of %(total)s"),
    }

    def __init__(self, attrs=None, choices=(), texts: dict | None = None):
        super().__init__(attrs, choices)
        self.texts = {**self.texts, **(texts or {})}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        """Each checkbox's id ends with its value (`id_export_countries_FR`), not its position:
        the list is reordered (chosen first) and ids stay stable."""
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if attrs and attrs.get("id"):
            option["attrs"]["id"] = f"{attrs['id']}_{value}"
        option["attrs"].setdefault("class", "form-check-input")
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        options = [option for _group, group_options, _index in widget["optgroups"] for option in group_options]
        chosen = [option for option in options if option["selected"]]
        widget["options"] = chosen + [option for option in options if not option["selected"]]
        widget["texts"] = {key: str(text) for key, text in self.texts.items()}
        widget["total"] = len(options)
        widget["separator"] = list_separator()  # the script's summary joins the names with it too
        widget["summary"] = (
            widget["texts"]["chosen"]
            % {"count": len(chosen), "names": format_list(option["label"] for option in chosen)}
            if chosen
            else widget["texts"]["none"]
        )
        return context

    def _render(self, template_name, context, renderer=None):
        # The project's template engine (templates/), not the form renderer's own, which only
        # looks in Django's and the apps' folders.
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 (a template's escaped output)


class CountryPicker(CheckboxPicker):
    texts = {
        **CheckboxPicker.texts,
        "filter": _("Find a country"),
        "none": _("No country selected yet."),
        "shown": _("Countries shown: %(count)s of %(total)s"),
    }
