from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.demo import seed_accounts
from mentors.demo import seed_mentors
from reports.snapshots import snapshots_compute
from services.demo import seed_services
from sites.demo import seed_sites
from startups.demo import seed_startups


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
            # Today's KPI snapshots, so that the public figures and the dashboards' comparison
            # tables have data before the first nightly run (which also fills past year-ends).
            snapshots_compute(as_of=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(sites)} sites, "
                + ", ".join(f"{len(users)} {kind}" for kind, users in accounts.items())
                + f", {startups} new startups, {services} new services, {mentors} new mentor profiles"
                + f". Password for every demo account: {settings.DEMO_PASSWORD}"
            )
        )
