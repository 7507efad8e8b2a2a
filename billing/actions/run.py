"""The writes of the monthly invoicing run (issue 21): charges a manager adds, the run that
makes each startup's draft invoice of the month, and issuing a month's drafts at once.

The run is idempotent and survives being killed: every startup's draft is made in its own
transaction, a startup that already has its invoice of the month (at that site) is skipped,
and the database's one-invoice-per-startup-site-and-month constraint settles two runs at
once (the loser's Conflict counts as skipped). The run makes drafts; a manager reviews and
issues them (`drafts_issue_all`)."""

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import AuditEntry, audit_record, instance_values
from core.errors import Conflict
from sites.models import Site
from sites.scoping import site_scope
from sites.selectors import operational_sites
from startups.models import Admission, Startup

from ..models import Charge, DocumentKind, Invoice, InvoiceStatus
from ..selectors.documents import site_issuer
from ..selectors.owed import Owed, invoiced_startup_ids, lines_excl_tax, owed_at_site
from .invoices import invoice_draft_create, invoice_issue


# --- Charges -------------------------------------------------------------------------------
@transaction.atomic
def charge_add(
    *,
    actor,
    site: Site,
    startup: Startup,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    vat_rate: Decimal = Decimal("20"),
    month: datetime.date,
) -> Charge:
    """A charge for a startup admitted at `site`, billed by the month's run (or the next one
    if that month is already invoiced)."""
    errors = {}
    if month.day != 1:
        errors["month"] = _("Give the month's first day.")
    if not Admission.objects.filter(site=site, startup=startup).exists():
        errors["startup"] = _("This startup has never been admitted at this site.")
    for name, value in (("quantity", quantity), ("unit_price", unit_price), ("vat_rate", vat_rate)):
        if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
            errors[name] = _("Give an exact number (no float).")
    if errors:
        raise ValidationError(errors)
    charge = Charge(
        site=site,
        startup=startup,
        description=(description or "").strip(),
        quantity=quantity,
        unit_price=unit_price,
        vat_rate=vat_rate,
        month=month,
        created_by=actor,
    )
    charge.full_clean()
    charge.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=charge)
    return charge


# --- The monthly run -----------------------------------------------------------------------
@dataclass
class RunReport:
    """What a run did (or, dry, would do): the startups with something to bill, the drafts
    made, their lines and total excluding tax, and the startups skipped because their
    invoice of the month exists already."""

    month: datetime.date
    dry_run: bool = False
    startups: int = 0
    drafts: int = 0
    lines: int = 0
    skipped: int = 0
    excl_tax: Decimal = Decimal("0.00")
    invoice_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-friendly (a Celery task's result)."""
        values = asdict(self)
        return values | {"month": self.month.isoformat(), "excl_tax": str(self.excl_tax)}


def _count(report: RunReport, lines: list[dict]) -> None:
    report.drafts += 1
    report.lines += len(lines)
    report.excl_tax += lines_excl_tax(lines)


@transaction.atomic
def _startup_bill(
    *, actor, site: Site, startup: Startup, month: datetime.date, owed: Owed, language: str
) -> tuple[Invoice | None, list[dict]]:
    """One startup's draft and the charges it bills, all or nothing, and the lines billed:
    no invoice when nothing is left to bill (its charges were billed meanwhile by another
    run)."""
    charges = {}
    if owed.charges:
        # Locked: a run of another month at the same time cannot bill them too.
        locked = Charge.objects.select_for_update().filter(pk__in=owed.charges.values(), invoice_line__isnull=True)
        charges = {f"charge:{charge.pk}": charge for charge in locked}
    lines = [line for line in owed.lines if line["source_ref"] not in owed.charges or line["source_ref"] in charges]
    if not lines:
        return None, []
    invoice = invoice_draft_create(
        actor=actor, site=site, startup=startup, lines=lines, month=month, language=language
    )  # a Conflict if the startup's invoice of the month was made meanwhile
    if charges:
        for line in invoice.lines.filter(source_ref__in=charges):
            charge = charges[line.source_ref]
            before = instance_values(charge)
            charge.invoice_line = line
            charge.save(update_fields=["invoice_line"])
            audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=charge, before=before)
    return invoice, lines


def _site_run(*, actor, site: Site, month: datetime.date, dry_run: bool, language: str, report: RunReport) -> None:
    owed = owed_at_site(site=site, month=month, language=language)
    invoiced = invoiced_startup_ids(site=site, month=month)
    report.startups += len(owed)
    to_bill = [entry for entry in owed if entry.startup_id not in invoiced]
    report.skipped += len(owed) - len(to_bill)
    if dry_run:
        for entry in to_bill:
            _count(report, entry.lines)
        return
    startups = Startup.objects.in_bulk([entry.startup_id for entry in to_bill])
    for entry in to_bill:
        try:
            invoice, lines = _startup_bill(
                actor=actor, site=site, startup=startups[entry.startup_id], month=month, owed=entry, language=language
            )
        except Conflict:  # another run made it first
            report.skipped += 1
            continue
        if invoice is not None:
            _count(report, lines)
            report.invoice_ids.append(invoice.pk)


def monthly_run(
    *, actor, month: datetime.date, site: Site | None = None, dry_run: bool = False, language: str = "fr"
) -> RunReport:
    """Make the draft invoice of `month` of every startup that owes something, at every
    operational site (or at `site`). Not one transaction: each startup's draft is its own,
    so a run killed midway keeps what it did and a rerun makes only the rest. Opens each
    site's scope itself (a command or a Celery task calls it with no scope open).
    `dry_run`: computes and counts, writes nothing."""
    month = month.replace(day=1)
    report = RunReport(month=month, dry_run=dry_run)
    sites = [site] if site is not None else list(operational_sites().order_by("slug"))
    for each in sites:
        with site_scope(each):
            _site_run(actor=actor, site=each, month=month, dry_run=dry_run, language=language, report=report)
    return report


# --- Issuing a month's drafts ------------------------------------------------------------
@transaction.atomic
def drafts_issue_all(*, actor, site: Site, month: datetime.date, today: datetime.date | None = None) -> list[Invoice]:
    """Issue every draft invoice of `site` for `month`, in the order the run made them, so
    their numbers follow one another; all or none (the first refusal undoes the others)."""
    if site_issuer(site.pk) is None:
        raise ValidationError(_("Fill in the site's issuer details (legal name, IF, ICE, RC, RIB) before issuing."))
    drafts = Invoice.objects.filter(
        site=site, kind=DocumentKind.INVOICE, month=month.replace(day=1), status=InvoiceStatus.DRAFT
    ).order_by("pk")
    return [invoice_issue(actor=actor, invoice=draft, today=today) for draft in drafts]
