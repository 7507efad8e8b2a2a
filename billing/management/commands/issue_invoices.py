"""The monthly invoicing run by hand: `manage.py issue_invoices --month 2026-11 [--site
casablanca] [--dry-run]` makes the month's draft invoices (a manager reviews and issues
them). Safe to run again: a startup invoiced for the month is skipped."""

from django.core.management.base import BaseCommand, CommandError

from billing.actions.run import monthly_run
from billing.selectors.owed import month_parse
from core.formatting import format_amount
from sites.models import Site


class Command(BaseCommand):
    help = "Make the draft invoices of a month (office rents, room bookings, charges) for every operational site."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The month billed, YYYY-MM (e.g. 2026-11).")
        parser.add_argument("--site", help="Only this site (its slug); by default every operational site.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be billed, write nothing.")

    def handle(self, *args, month: str, site: str | None = None, dry_run: bool = False, **options):
        try:
            first_day = month_parse(month)
        except ValueError as error:
            raise CommandError(f"--month: {error}.") from error
        chosen = None
        if site:
            chosen = Site.objects.filter(slug=site).first()
            if chosen is None:
                known = ", ".join(Site.objects.order_by("slug").values_list("slug", flat=True)) or "none"
                raise CommandError(f"--site: no site has the slug {site!r} (known: {known}).")
        report = monthly_run(actor=None, month=first_day, site=chosen, dry_run=dry_run)
        made = "would be created" if dry_run else "created"
        self.stdout.write(
            f"{first_day:%Y-%m}{' (dry run)' if dry_run else ''}: {report.startups} startups with something to bill, "
            f"{report.drafts} draft invoices {made} ({report.lines} lines, "
            f"{format_amount(report.excl_tax, language='en')} excl. tax), "
            f"{report.skipped} skipped (already invoiced for the month)."
        )
