"""Filters of the network and site dashboards (GET). Every field is optional: an empty form
is valid and means "today, the whole scope, the 12 months ending today". Bad values are
form errors shown on the page, never a 500.

After validation `cleaned_data` always holds `as_of`, `date_from` and `date_to` (defaults
filled in) and `sector` (None for all); the network form also `region` and `site`."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from reports.kpis import anniversary
from reports.selectors import region_choices
from sites.selectors import sector_choices, site_choices

FIRST_DAY = datetime.date(2001, 1, 1)  # the network's first site opened in 2001
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return f"{region.name} ({region.code})"


class SiteDashboardForm(forms.Form):
    """The site dashboard's filters: the date of the figures, a sector, the activity period."""

    as_of = forms.DateField(
        label=_("Figures as of"), required=False, widget=DATE_WIDGET, help_text=_("Default: today.")
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=sector_choices(),
        to_field_name="code",
        required=False,
        empty_label=_("All sectors"),
    )
    date_from = forms.DateField(
        label=_("Activity from"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Default: the 12 months ending on the date of the figures."),
    )
    date_to = forms.DateField(label=_("Activity to"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        style_fields(self, small=True)
        for name in ("as_of", "date_from", "date_to"):
            self.fields[name].widget.attrs.update(min=FIRST_DAY.isoformat(), max=today.isoformat())

    def _check_day(self, name: str, day: datetime.date) -> bool:
        if day > self.today:
            self.add_error(name, _("The figures of a future date are not known yet."))
            return False
        if day < FIRST_DAY:
            self.add_error(name, _("The network's history starts on 1 January 2001."))
            return False
        return True

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in ("as_of", "date_from", "date_to")):
            return data
        as_of = data.get("as_of") or self.today
        if not self._check_day("as_of", as_of):
            return data
        # The activity period: the 12 months ending on the date of the figures by default.
        date_to = data.get("date_to") or as_of
        date_from = data.get("date_from") or anniversary(date_to, -1) + datetime.timedelta(days=1)
        if not (self._check_day("date_to", date_to) and self._check_day("date_from", date_from)):
            return data
        if date_from > date_to:
            self.add_error("date_from", _("The period must start on or before its last day."))
            return data
        data.update(as_of=as_of, date_from=date_from, date_to=date_to)
        return data

    def query(self) -> dict[str, str]:
        """The valid filters as query parameters (for export links)."""
        data = self.cleaned_data
        params = {
            "as_of": data["as_of"].isoformat(),
            "date_from": data["date_from"].isoformat(),
            "date_to": data["date_to"].isoformat(),
        }
        if data.get("sector"):
            params["sector"] = data["sector"].code
        for name in ("region", "site"):
            if data.get(name):
                params[name] = data[name].code if name == "region" else data[name].slug
        return params


class NetworkDashboardForm(SiteDashboardForm):
    """The network dashboard's filters: also a region or a site (a site of that region)."""

    region = RegionChoiceField(
        label=_("Region"),
        queryset=region_choices(),
        to_field_name="code",
        required=False,
        empty_label=_("All regions"),
    )
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=site_choices(),
        to_field_name="slug",
        required=False,
        empty_label=_("All sites"),
    )

    field_order = ["as_of", "region", "site", "sector", "date_from", "date_to"]

    def clean(self):
        data = super().clean()
        region, site = data.get("region"), data.get("site")
        if region is not None and site is not None and site.region_id != region.pk:
            self.add_error("site", _("This site is not in the chosen region."))
        return data
