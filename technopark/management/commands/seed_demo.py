from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.demo import seed_accounts
from billing.demo import seed_billing
from mentors.demo import seed_mentors
from passport.demo import seed_passport
from reports.snapshots import month_ends_backfill, snapshots_compute, year_ends_backfill
from services.demo import seed_services
from sites.demo import seed_sites
from spaces.demo import seed_spaces
from startups.demo import seed_startups
from surveys.demo import seed_surveys


class Command(BaseCommand):
    help = "Create or refresh the demo network (idempotent). Refuses with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Seed even though DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed demo data anyway.")
        with transaction.atomic(), scopes_disabled():
            sites = seed_sites()
            accounts = seed_accounts()
            startups = seed_startups(accounts["founders"])
            services = seed_services()
            mentors = seed_mentors(accounts["mentors"])
            rooms, bookings = seed_spaces()  # books rooms for the startups and the sessions above
            invoices = seed_billing()  # bills the offices, the rooms booked above and charges
            attestations = seed_passport()  # the founders' attestations, the certificates of past sessions
            answers = seed_surveys()  # last year's satisfaction survey, and this year's once open
            # Today's KPI snapshots, every past year end and the month ends since January of
            # last year (the nightly run fills the older ones), so that the public figures,
            # the dashboards' comparison tables and trends and a recent month end are reads
            # from the very first open.
            today = timezone.localdate()
            snapshots_compute(as_of=today)
            year_ends_backfill(today=today)
            month_ends_backfill(today=today, first_year=today.year - 1)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(sites)} sites, "
                + ", ".join(f"{len(users)} {kind}" for kind, users in accounts.items())
                + f", {startups} new startups, {services} new services, {mentors} new mentor profiles"
                + f", {rooms} new rooms, {bookings} new room bookings, {invoices} new invoices"
                + f", {attestations} new attestations and certificates"
                + f", {answers} new survey answers"
                + f". Password for every demo account: {settings.DEMO_PASSWORD}"
            )
        )
