"""`manage.py board_report`: one board report written to a file, on the spot.

    python manage.py board_report --scope site:casablanca --month 2026-05 --language ar \\
        --output board-report-casablanca-2026-05-ar.pdf

The document is the page's (reports.board: the same content builder, the same PDF and XLSX
renderers, in the same language), built synchronously in this process. No BoardReport row is
created or read, and no email is sent: the file is the command's only output. So it also
covers what the page does not (a region: `region:<code>`) and never competes with the
workers for a report's row.
"""

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from reports.board.content import (
    REPORT_LANGUAGES,
    board_content,
    check_language,
    check_month,
    region_scope,
    report_scope,
)
from reports.board.pdf import render_pdf
from reports.board.xlsx import render_xlsx

RENDERERS = {".pdf": render_pdf, ".xlsx": render_xlsx}


def _message(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


class Command(BaseCommand):
    help = "Write one board report (PDF or XLSX) of a scope and month, in a language, to a file."

    def add_arguments(self, parser):
        parser.add_argument("--scope", required=True, help="network, region:<code> (e.g. region:MA-06) or site:<slug>")
        parser.add_argument("--month", required=True, help="the month reported on, YYYY-MM (a month that is over)")
        parser.add_argument("--language", default="fr", help=f"{' | '.join(REPORT_LANGUAGES)} (default fr)")
        parser.add_argument("--output", required=True, help="the file to write: FILE.pdf or FILE.xlsx")

    def handle(self, *args, scope: str, month: str, language: str, output: str, **options):
        output_path = Path(output)
        renderer = RENDERERS.get(output_path.suffix.lower())
        if renderer is None:
            raise CommandError(f"--output must end in .pdf or .xlsx, not {output!r}.")
        if not output_path.parent.is_dir():
            raise CommandError(f"No such folder for --output: {output_path.parent}")
        try:
            first_day = datetime.datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise CommandError(f"--month must be a month as YYYY-MM, e.g. 2026-05, not {month!r}.") from None
        try:
            check_language(language)
        except ValidationError:
            raise CommandError(f"--language must be one of {', '.join(REPORT_LANGUAGES)}, not {language!r}.") from None
        with translation.override("en"):  # the command speaks English, its report the language asked
            try:
                first_day = check_month(first_day)
            except ValidationError as error:
                raise CommandError(f"--month {month}: {_message(error)}") from None

        with translation.override(language):
            kpi_scope, scope_name = self._scope(scope)
            content = board_content(kpi_scope, scope_name=scope_name, month=first_day)
            data = renderer(content)
        output_path.write_bytes(data)
        self.stdout.write(f"Wrote {output_path} ({len(data)} bytes): {kpi_scope.label}, {month}, {language}")

    def _scope(self, label: str):
        """The KPI scope named by `label` and its name in the active language."""
        kind, _separator, key = label.partition(":")
        if kind == "region" and key:
            found = region_scope(key)
            if found is None:
                raise CommandError(f"--scope {label}: no region has the code {key!r}.")
            kpi_scope, region = found
            return kpi_scope, region.name
        try:
            kpi_scope, site = report_scope(label)
        except ValidationError:
            raise CommandError(
                f"--scope must be network, region:<code> or site:<slug> of an existing region or site, not {label!r}."
            ) from None
        return kpi_scope, _("Technopark network") if site is None else site.name
