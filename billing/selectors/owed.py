"""What the monthly invoicing run bills (issue 21): for a site and a month, what each startup
owes, as invoice lines. Reads only; the run's writes are in billing.actions.run.

- Office rents: every allocation of the site that stands (not cancelled) and overlaps the
  month, prorated by day for a partial month (days covered / days in the month).
- Room bookings beyond the free allowance: those starting in the month (Casablanca time),
  confirmed or cancelled too late, with a price.
- Charges a manager added, for that month or an earlier one, not billed yet.

A few queries per site whatever the number of startups. Each line's `source_ref` names what
it bills, so that nothing is billed twice on an invoice."""

import calendar
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from core.formatting import format_month, format_number, format_short_datetime, format_time
from core.local_time import local_midnight
from sites.models import Site
from spaces.models import RoomBooking, RoomBookingStatus
from startups.models import OfficeAllocation

from ..models import Charge, DocumentKind, Invoice, LineSource
from ..money import prorata, totals

VAT_RATE = Decimal("20")
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


# --- Months --------------------------------------------------------------------------------
def month_parse(text: str) -> datetime.date:
    """ "2026-11" → 1 November 2026; anything else is a ValueError."""
    match = MONTH_PATTERN.match((text or "").strip())
    if not match:
        raise ValueError(f"a month is written YYYY-MM (e.g. 2026-11), not {text!r}")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 2000:
        raise ValueError(f"no such month: {text!r}")
    return datetime.date(year, month, 1)


def month_previous(today: datetime.date) -> datetime.date:
    """The first day of the month before `today`'s."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def month_next(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_days(month: datetime.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


# --- What a startup owes -------------------------------------------------------------------
@dataclass
class Owed:
    """A startup's lines for the month at a site (the `lines` argument of
    actions.invoice_draft_create) and the charges they bill, by `source_ref`."""

    startup_id: int
    lines: list[dict] = field(default_factory=list)
    charges: dict[str, int] = field(default_factory=dict)


def lines_excl_tax(lines: list[dict]) -> Decimal:
    return totals((line["quantity"], line["unit_price"], line["vat_rate"]) for line in lines).excl_tax


def _line(description: str, unit_price: Decimal, source: str, source_ref: str, *, quantity=Decimal("1"), vat=VAT_RATE):
    return {
        "description": description[:300],
        "quantity": quantity,
        "unit_price": unit_price,
        "vat_rate": vat,
        "source": source,
        "source_ref": source_ref,
    }


def rent_lines(*, site: Site, month: datetime.date, language: str = "fr") -> dict[int, list[dict]]:
    """Each startup's office rents for the month, one line per allocation (one query)."""
    first, following = month, month_next(month)
    days_in_month = month_days(month)
    allocations = (
        OfficeAllocation.objects.not_cancelled()
        .filter(site=site, starts_on__lt=following)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=first))
        .select_related("office", "admission")
        .order_by("starts_on", "pk")
    )
    by_startup: dict[int, list[dict]] = defaultdict(list)
    with translation.override(language):
        month_text = format_month(month)
        for allocation in allocations:
            start = max(allocation.starts_on, first)
            end = min(allocation.ends_on or following, following)
            days = (end - start).days
            rent = prorata(monthly=allocation.office.monthly_rent_mad, days=days, days_in_month=days_in_month)
            if rent <= 0:
                continue
            values = {"office": allocation.office.number, "month": month_text}
            if days < days_in_month:
                values |= {"days": days, "days_in_month": days_in_month}
                description = _("Office %(office)s rent — %(month)s (%(days)s of %(days_in_month)s days)") % values
            else:
                description = _("Office %(office)s rent — %(month)s") % values
            by_startup[allocation.admission.startup_id].append(
                _line(description, rent, LineSource.RENT, f"allocation:{allocation.pk}:{month:%Y-%m}")
            )
    return by_startup


def room_lines(*, site: Site, month: datetime.date, language: str = "fr") -> dict[int, list[dict]]:
    """Each startup's room bookings starting in the month and charged beyond its free hours:
    confirmed ones and those cancelled too late (one query)."""
    bookings = (
        RoomBooking.objects.filter(
            site=site,
            startup__isnull=False,
            starts_at__gte=local_midnight(month),
            starts_at__lt=local_midnight(month_next(month)),
            price_mad__gt=0,
        )
        .filter(Q(status=RoomBookingStatus.CONFIRMED) | Q(status=RoomBookingStatus.CANCELLED, late_cancellation=True))
        .select_related("room")
        .order_by("starts_at", "pk")
    )
    by_startup: dict[int, list[dict]] = defaultdict(list)
    with translation.override(language):
        for booking in bookings:
            description = _("%(room)s — %(when)s (%(hours)s h charged)") % {
                "room": booking.room.name,
                "when": f"{format_short_datetime(booking.starts_at)}–{format_time(booking.ends_at)}",
                "hours": format_number(booking.charged_hours, -2),
            }
            by_startup[booking.startup_id].append(
                _line(description, booking.price_mad, LineSource.ROOM, f"room-booking:{booking.pk}")
            )
    return by_startup


def unbilled_charges(*, site: Site, month: datetime.date) -> list[Charge]:
    """The charges of `month`, or of an earlier month (added after its run), not billed yet."""
    return list(Charge.objects.filter(site=site, month__lte=month, invoice_line__isnull=True).order_by("month", "pk"))


def charge_line(charge: Charge, *, month: datetime.date, language: str = "fr") -> dict:
    description = charge.description
    if charge.month != month:  # a late charge: say which month it belongs to
        description = f"{description} — {format_month(charge.month, language=language)}"
    return _line(
        description,
        charge.unit_price,
        LineSource.OTHER,
        f"charge:{charge.pk}",
        quantity=charge.quantity,
        vat=charge.vat_rate,
    )


def owed_at_site(*, site: Site, month: datetime.date, language: str = "fr") -> list[Owed]:
    """What each startup owes at `site` for `month`, for the startups that owe something, in
    the order of their ids (three queries). Call inside the site's scope."""
    owed: dict[int, Owed] = {}

    def of(startup_id: int) -> Owed:
        return owed.setdefault(startup_id, Owed(startup_id=startup_id))

    for startup_id, lines in rent_lines(site=site, month=month, language=language).items():
        of(startup_id).lines.extend(lines)
    for startup_id, lines in room_lines(site=site, month=month, language=language).items():
        of(startup_id).lines.extend(lines)
    for charge in unbilled_charges(site=site, month=month):
        line = charge_line(charge, month=month, language=language)
        entry = of(charge.startup_id)
        entry.lines.append(line)
        entry.charges[line["source_ref"]] = charge.pk
    return [owed[startup_id] for startup_id in sorted(owed)]


def invoiced_startup_ids(*, site: Site, month: datetime.date) -> set[int]:
    """The startups that already have their invoice of `month` at `site` (draft, issued or
    cancelled: the run never makes a second one)."""
    return set(
        Invoice.objects.filter(site=site, kind=DocumentKind.INVOICE, month=month).values_list("startup_id", flat=True)
    )
