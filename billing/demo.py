"""Demo invoicing (issue 21): a year of invoices and payments at each operational site, with
a few late payers.

At each operational site:
- its issuer identity: "MITC SA — <site name>" at the site's address, made-up IF (8 digits),
  ICE (15), RC, TP (8) and CNSS (7), a bank (CIH Bank, Bank of Africa, Attijariwafa bank,
  Société Générale Maroc) and a 24-digit RIB whose key is computed (validators.rib_key), a
  number prefix (CAS, RAB, TNG, AGA; another site: letters of its slug), 30 days' terms;
- managers' charges from twelve months ago to the current month: "Domiciliation
  e-Technopark" (half of the e-Technopark members) and "Accès coworking" (a fifth of them)
  every month they are members, "Frais de dossier d'admission" in the month a startup was
  admitted, now and then printing, a parking badge or a Demo Day stand for a resident;
- the twelve closed months before the current one billed as the monthly run bills them,
  with its own reads (selectors.owed: office rents prorated by day, room bookings beyond the
  free hours, then the month's charges, linked to their lines), one invoice per startup and
  month. The eleven older months are issued a few days after the month's end (a weekday),
  numbered PREFIX-YYYY-NNNNN from 1 per year in the order they were issued, as
  `invoice_issue` fills them (buyer, due date after the issuer's terms), and each series'
  `NumberSequence` holds its last number, so that the next real issue continues it. Last
  month is left as drafts for the manager to review and issue, except at one site (Agadir,
  or the last by slug) where it is issued too;
- one or two credit notes (through `credit_note_issue`: PREFIX-AV-YYYY-NNNNN) cancelling an
  unpaid invoice of three to nine months ago, a few days after its issue, with a reason;
- payments (transfers "VIR 2026-0412", cheques "CHQ 1234567", cash "Reçu de caisse n° 0012"):
  most invoices paid in full between their issue and due dates, about 15% paid 10 to 80 days
  late, about 8% partly paid; three to five late payers (residents billed six months or more)
  stopped paying their last three to five invoices, so that the arrears' ageing fills every column.
  A payment that would fall after today is not recorded (the invoice is unpaid so far); none
  is above its invoice's total including tax (billing.money).

Written directly in bulk (the seed is not a user action, and issuing five thousand invoices
one by one through the actions would take half a minute), deterministic per site and date
of the run, and idempotent: a site that has an issuer keeps it, a site that has invoices
gets none. Runs unscoped, inside the seed management command.
"""

import datetime
import random
import re
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from sites.models import MembershipRole, Site, SiteMembership
from sites.selectors import operational_sites
from startups.models import Admission, AdmissionKind, OfficeAllocation, Startup, StartupMember, TeamRole

from .actions import credit_note_issue, document_number
from .models import (
    Charge,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    IssuerProfile,
    NumberSequence,
    Payment,
    PaymentMethod,
)
from .money import totals
from .selectors.owed import charge_line, month_next, month_previous, rent_lines, room_lines
from .validators import rib_key

MONTHS = 12
PAYMENT_DAYS = 30
ISSUING_SITE = "agadir"  # where last month is issued; elsewhere it waits as drafts
# slug: prefix, (bank, bank code), locality code of the RIB
ISSUERS = {
    "casablanca": ("CAS", ("CIH Bank", "230"), "780"),
    "rabat": ("RAB", ("Bank of Africa", "011"), "810"),
    "tanger": ("TNG", ("Attijariwafa bank", "007"), "640"),
    "agadir": ("AGA", ("Société Générale Maroc", "022"), "010"),
}
BANKS = [bank for _prefix, bank, _locality in ISSUERS.values()]
VAT = Decimal("20")
# description, unit price excl. tax (MAD)
DOMICILIATION = ("Domiciliation e-Technopark", Decimal("450.00"))
COWORKING = ("Accès coworking — forfait 10 demi-journées", Decimal("600.00"))
ADMISSION_FEES = {AdmissionKind.RESIDENT: Decimal("2000.00"), AdmissionKind.ETECHNOPARK: Decimal("1000.00")}
EXTRAS = [  # (probability a month, description, quantity range, unit price)
    (0.06, "Impressions et photocopies (pages)", (200, 1500), Decimal("0.50")),
    (0.04, "Badge de parking supplémentaire", (1, 2), Decimal("150.00")),
    (0.03, "Demo Day — stand exposant", (1, 1), Decimal("1200.00")),
]
CREDIT_REASONS = [
    "Geste commercial : loyer du mois offert après les travaux de climatisation du bâtiment.",
    "Facture émise par erreur : le bureau avait été libéré au début du mois.",
    "Erreur de facturation sur la surface du bureau : facture annulée, régularisation au mois suivant.",
]
SHARE_LATE, SHARE_PARTIAL = 0.15, 0.08


# --- Months and days -------------------------------------------------------------------------
def _months(today: datetime.date) -> list[datetime.date]:
    """The first days of the MONTHS closed months before today's, oldest first."""
    months = [month_previous(today)]
    while len(months) < MONTHS:
        months.insert(0, month_previous(months[0]))
    return months


def _weekday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _issue_day(rng: random.Random, month: datetime.date, today: datetime.date) -> datetime.date:
    """A weekday in the first days after the month, today at the latest."""
    return min(_weekday(month_next(month) + datetime.timedelta(days=rng.randint(0, 3))), today)


def _active(month: datetime.date, starts_on: datetime.date, ended_on: datetime.date | None) -> bool:
    return starts_on < month_next(month) and (ended_on is None or ended_on >= month)


# --- The issuer ------------------------------------------------------------------------------
def _prefix(site: Site, taken: set[str]) -> str:
    """The site's own prefix, or letters of its slug that no other issuer uses."""
    letters = re.sub(r"[^A-Z]", "", site.slug.upper()) or "TP"
    letters = (letters + "XX")[:5]
    candidates = [ISSUERS[site.slug][0]] if site.slug in ISSUERS else []
    candidates += [letters[:3], letters[:4], letters[:5]]
    candidates += [letters[:2] + chr(code) for code in range(ord("A"), ord("Z") + 1)]
    candidates += [letters[:3] + chr(code) for code in range(ord("A"), ord("Z") + 1)]
    return next(prefix for prefix in candidates if prefix not in taken)


def _seed_issuer(site: Site, index: int) -> IssuerProfile:
    issuer = IssuerProfile.objects.filter(site=site).first()
    if issuer is not None:
        return issuer
    rng = random.Random(f"billing-issuer-{site.slug}")
    _prefix_wanted, (bank, bank_code), locality = ISSUERS.get(site.slug, (None, BANKS[index % len(BANKS)], "780"))
    account = f"{rng.randint(0, 10**16 - 1):016d}"
    taken = set(IssuerProfile.objects.values_list("prefix", flat=True))
    issuer = IssuerProfile(
        site=site,
        legal_name=f"MITC SA — {site.name_fr or site.slug}",
        address=site.address or "Technopark",
        city=site.city or "Casablanca",
        if_number=str(rng.randint(10**7, 10**8 - 1)),
        ice=f"{rng.randint(1, 10**9 - 1):09d}0000{rng.randint(10, 99)}",
        rc=str(rng.randint(10**5, 10**6 - 1)),
        tp=str(rng.randint(10**7, 10**8 - 1)),
        cnss=str(rng.randint(10**6, 10**7 - 1)),
        bank_name=bank,
        rib=bank_code + locality + account + rib_key(bank_code, locality, account),
        prefix=_prefix(site, taken),
        payment_days=PAYMENT_DAYS,
    )
    issuer.full_clean()
    issuer.save()
    return issuer


# --- Charges ---------------------------------------------------------------------------------
def _seed_charges(rng, site: Site, months: list[datetime.date], manager_id) -> list[Charge]:
    """The managers' charges of `months` and of the current month."""
    current = month_next(months[-1])
    every = [*months, current]
    admissions = (
        Admission.objects.filter(site=site, starts_on__lt=month_next(current))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=months[0]))
        .order_by("startup_id", "starts_on", "pk")
        .values_list("startup_id", "kind", "starts_on", "ended_on")
    )
    charges = []

    def charge(startup_id, month, description, unit_price, quantity=1):
        charges.append(
            Charge(
                site=site,
                startup_id=startup_id,
                description=description,
                quantity=Decimal(quantity),
                unit_price=unit_price,
                vat_rate=VAT,
                month=month,
                created_by_id=manager_id,
            )
        )

    for startup_id, kind, starts_on, ended_on in admissions:
        if months[0] <= starts_on < month_next(current):
            charge(startup_id, starts_on.replace(day=1), "Frais de dossier d'admission", ADMISSION_FEES[kind])
        if kind == AdmissionKind.ETECHNOPARK:
            subscriptions = [plan for plan, share in ((DOMICILIATION, 0.5), (COWORKING, 0.2)) if rng.random() < share]
            for month in every:
                for description, price in subscriptions if _active(month, starts_on, ended_on) else []:
                    charge(startup_id, month, description, price)
            continue
        for month in months:
            for share, description, (low, high), price in EXTRAS if _active(month, starts_on, ended_on) else []:
                if rng.random() < share:
                    charge(startup_id, month, description, price, rng.randint(low, high))
    return Charge.objects.bulk_create(charges, batch_size=500)


# --- The closed months, written directly -------------------------------------------------------
def _languages(startup_ids) -> dict[int, str]:
    """Each startup's document language: its first founder's, if Arabic; French otherwise."""
    languages: dict[int, str] = {}
    for startup_id, language in (
        StartupMember.objects.filter(startup_id__in=startup_ids, role=TeamRole.FOUNDER)
        .order_by("pk")
        .values_list("startup_id", "user__language")
    ):
        languages.setdefault(startup_id, "ar" if language == "ar" else "fr")
    return languages


def _owed_lines(site, month, charges: list[Charge], languages: dict[int, str]) -> dict[int, list[dict]]:
    """What each startup owes for `month`, as the run computes it (billing.selectors.owed:
    rents, rooms, then charges), in its language; only the seed's charges of that month (the
    run would add the unbilled ones of earlier months: there are none here)."""
    by_language = {
        language: (
            rent_lines(site=site, month=month, language=language),
            room_lines(site=site, month=month, language=language),
        )
        for language in sorted({"fr", *languages.values()})
    }
    owed: dict[int, list[dict]] = defaultdict(list)
    for startup_id in sorted(set().union(*(set(rents) | set(rooms) for rents, rooms in by_language.values()))):
        rents, rooms = by_language[languages.get(startup_id, "fr")]
        owed[startup_id] += rents.get(startup_id, []) + rooms.get(startup_id, [])
    for charge in charges:
        owed[charge.startup_id].append(
            charge_line(charge, month=month, language=languages.get(charge.startup_id, "fr"))
        )
    return owed


def _link_charges(rows: list[InvoiceLine]) -> None:
    """Each charge billed by `rows` points to its line, as the run leaves it: one UPDATE per
    charge sent at once (an ORM bulk_update of thousands of rows is several times slower)."""
    pairs = [(row.pk, int(row.source_ref.split(":")[1])) for row in rows if row.source_ref.startswith("charge:")]
    table, column = (connection.ops.quote_name(name) for name in (Charge._meta.db_table, "invoice_line_id"))
    with connection.cursor() as cursor:
        # Only quoted model names are interpolated; the values are parameters.
        cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE id = %s", pairs)  # noqa: S608


def _invoice(site, issuer, startup, month, *, issued_on, sequence, language, address, manager_id) -> Invoice:
    """A monthly invoice as the run makes it, and as `invoice_issue` fills it when issued
    (`issued_on`); a draft has no number, no dates and no buyer yet."""
    invoice = Invoice(site=site, startup=startup, month=month, language=language, created_by_id=manager_id)
    if issued_on is not None:
        invoice.status, invoice.year, invoice.sequence = InvoiceStatus.ISSUED, issued_on.year, sequence
        invoice.number = document_number(
            prefix=issuer.prefix, kind=DocumentKind.INVOICE, year=issued_on.year, sequence=sequence
        )
        invoice.buyer_name, invoice.buyer_address, invoice.buyer_ice = startup.legal_name, address, startup.ice or ""
        invoice.issued_on, invoice.due_on = issued_on, issued_on + datetime.timedelta(days=issuer.payment_days)
        invoice.issued_by_id = manager_id
    return invoice


def _seed_invoices(rng, site, issuer, months, today, charges, manager_id, *, drafts) -> list[tuple[Invoice, Decimal]]:
    """Each month's invoices with their lines, issued and numbered (the last month left as
    drafts when `drafts`), the charges they bill linked to their lines and the series' last
    numbers saved; returns each invoice and its total including tax."""
    languages = _languages(set(Admission.objects.filter(site=site).values_list("startup_id", flat=True)))
    address = ", ".join(part for part in (site.address, site.city) if part)
    last = dict(
        NumberSequence.objects.filter(site=site, kind=DocumentKind.INVOICE).values_list("year", "last")
    )  # none, unless numbers were given and their invoices removed
    by_month = defaultdict(list)
    for charge in charges:
        by_month[charge.month].append(charge)
    owed = {month: _owed_lines(site, month, by_month[month], languages) for month in months}
    startups = Startup.objects.in_bulk(list(set().union(*owed.values())))
    planned: list[tuple[Invoice, list[dict]]] = []
    for month in months:
        issued_on = None if drafts and month == months[-1] else _issue_day(rng, month, today)
        for startup_id, lines in sorted(owed[month].items()):
            sequence = None
            if issued_on is not None:
                sequence = last[issued_on.year] = last.get(issued_on.year, 0) + 1
            invoice = _invoice(
                site,
                issuer,
                startups[startup_id],
                month,
                issued_on=issued_on,
                sequence=sequence,
                language=languages.get(startup_id, "fr"),
                address=address,
                manager_id=manager_id,
            )
            if issued_on is not None:  # frozen with it, as invoice_issue does
                invoice.incl_tax = _lines_total(lines)
            planned.append((invoice, lines))
    Invoice.objects.bulk_create([invoice for invoice, _lines in planned], batch_size=500)
    rows = [
        InvoiceLine(invoice_id=invoice.pk, site=site, position=position, **line)
        for invoice, lines in planned
        for position, line in enumerate(lines)
    ]
    InvoiceLine.objects.bulk_create(rows, batch_size=500)
    _link_charges(rows)
    for year, number in last.items():
        NumberSequence.objects.update_or_create(
            site=site, kind=DocumentKind.INVOICE, year=year, defaults={"last": number}
        )
    return [(invoice, invoice.incl_tax or _lines_total(lines)) for invoice, lines in planned]


def _lines_total(lines: list[dict]) -> Decimal:
    return totals((line["quantity"], line["unit_price"], line["vat_rate"]) for line in lines).incl_tax


# --- Late payers, credit notes, payments -------------------------------------------------------
def _late_payers(rng, site: Site, issued: list[tuple[Invoice, Decimal]]) -> set[int]:
    """Three to five residents billed at least six months up to the latest that stopped paying
    their last three to five invoices (the first one five): those invoices' ids."""
    residents = set(OfficeAllocation.objects.filter(site=site).values_list("admission__startup_id", flat=True))
    by_startup: dict[int, list[Invoice]] = defaultdict(list)
    for invoice, _total in issued:
        if invoice.startup_id in residents:
            by_startup[invoice.startup_id].append(invoice)
    latest = max((invoice.month for invoice, _total in issued), default=None)
    candidates = sorted(
        startup_id
        for startup_id, invoices in by_startup.items()
        if len(invoices) >= 6 and max(invoice.month for invoice in invoices) == latest
    )
    chosen = rng.sample(candidates, min(rng.randint(3, 5), max(1, len(candidates) // 3), len(candidates)))
    unpaid = set()
    for index, startup_id in enumerate(chosen):
        stopped = 5 if index == 0 else rng.randint(3, 5)
        invoices = sorted(by_startup[startup_id], key=lambda invoice: invoice.month, reverse=True)
        unpaid.update(invoice.pk for invoice in invoices[:stopped])
    return unpaid


def _seed_credit_notes(rng, history, months, unpaid, today, manager) -> set[int]:
    """One or two credit notes cancelling unpaid invoices of three to nine months ago, a few
    days after their issue; returns the cancelled invoices' ids."""
    window = set(months[-9:-2])
    candidates = [invoice for invoice, _total in history if invoice.month in window and invoice.pk not in unpaid]
    chosen = rng.sample(candidates, min(rng.randint(1, 2), len(candidates)))
    notes = sorted(
        ((min(invoice.issued_on + datetime.timedelta(days=rng.randint(3, 20)), today), invoice) for invoice in chosen),
        key=lambda note: (note[0], note[1].pk),
    )  # in date order: the credit notes' series follows the calendar
    for day, invoice in notes:
        credit_note_issue(actor=manager, invoice=invoice, reason=rng.choice(CREDIT_REASONS), today=day)
    return {invoice.pk for _day, invoice in notes}


def _payments(rng, site, issued, skip: set[int], today, manager_id) -> list[Payment]:
    """Most invoices paid in full by their due date, some late, some in part; none dated after
    today, none above the invoice's total."""
    payments, counters = [], defaultdict(int)  # (method, year) → transfers or receipts so far
    for invoice, total in sorted(issued, key=lambda pair: (pair[0].issued_on, pair[0].pk)):
        if invoice.pk in skip or total <= 0:
            continue
        draw = rng.random()
        amount = total
        if draw < SHARE_PARTIAL:
            share = total * Decimal(rng.randint(30, 70)) / 100
            part = (share / 100).to_integral_value(rounding=ROUND_DOWN) * 100  # a round sum
            amount = part.quantize(Decimal("0.01")) if 0 < part < total else total
            paid_on = invoice.issued_on + datetime.timedelta(days=rng.randint(3, _terms(invoice)))
        elif draw < SHARE_PARTIAL + SHARE_LATE:
            paid_on = invoice.due_on + datetime.timedelta(days=rng.randint(10, 80))
        else:
            paid_on = invoice.issued_on + datetime.timedelta(days=rng.randint(2, _terms(invoice)))
        if paid_on > today:
            continue  # not paid yet
        method = rng.choices(PaymentMethod.values, weights=[70, 25, 5])[0]
        counters[method, paid_on.year] += 1
        if method == PaymentMethod.TRANSFER:
            reference = f"VIR {paid_on.year}-{counters[method, paid_on.year]:04d}"
        elif method == PaymentMethod.CHEQUE:
            reference = f"CHQ {rng.randint(10**6, 10**7 - 1)}"
        else:
            reference = f"Reçu de caisse n° {counters[method, paid_on.year]:04d}"
        payments.append(
            Payment(
                invoice=invoice,
                site=site,
                amount=amount,
                paid_on=paid_on,
                method=method,
                reference=reference,
                recorded_by_id=manager_id,
            )
        )
    return Payment.objects.bulk_create(payments, batch_size=500)


def _terms(invoice: Invoice) -> int:
    return max(2, (invoice.due_on - invoice.issued_on).days)


# --- One site, every site ----------------------------------------------------------------------
def _seed_site(site: Site, index: int, *, issuing: bool, today: datetime.date) -> int:
    issuer = _seed_issuer(site, index)
    if Invoice.objects.filter(site=site).exists():
        return 0
    rng = random.Random(f"billing-{site.slug}-{today.isoformat()}")
    membership = (
        SiteMembership.objects.filter(site=site, role=MembershipRole.MANAGER).select_related("user").order_by("pk")
    ).first()
    manager = membership.user if membership else None
    manager_id = manager.pk if manager else None
    months = _months(today)
    charges = _seed_charges(rng, site, months, manager_id)
    invoices = _seed_invoices(rng, site, issuer, months, today, charges, manager_id, drafts=not issuing)
    issued = [(invoice, total) for invoice, total in invoices if not invoice.is_draft]
    unpaid = _late_payers(rng, site, issued)
    cancelled = _seed_credit_notes(rng, issued, months, unpaid, today, manager)
    _payments(rng, site, issued, unpaid | cancelled, today, manager_id)
    return len(invoices)


@transaction.atomic
def seed_billing() -> int:
    """Every operational site's issuer if it has none, and its year of invoices, credit notes
    and payments if it has no invoice yet; returns how many invoices were created."""
    today = timezone.localdate()
    sites = list(operational_sites().order_by("slug"))
    slugs = [site.slug for site in sites]
    issuing = ISSUING_SITE if ISSUING_SITE in slugs else (slugs[-1] if slugs else None)
    return sum(_seed_site(site, index, issuing=site.slug == issuing, today=today) for index, site in enumerate(sites))
