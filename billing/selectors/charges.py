"""Reads of the "other charges" page (issue 21): a site's charges with their state (to bill,
or billed on an invoice), and the startups a manager may charge there.

Run inside the request's site scope. A page of charges costs one query whatever its size
(the startup and the invoice that billed each charge are joined)."""

import datetime

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from sites.models import Site
from startups.models import Admission, Startup

from ..models import Charge
from ..money import line_amounts

TO_BILL = "to_bill"
BILLED = "billed"


def charges_filtered(*, site: Site, month: datetime.date | None = None, state: str = "") -> QuerySet[Charge]:
    """The site's charges, newest month first, then the newest added; `month`: of that
    month only; `state`: TO_BILL or BILLED (anything else: all)."""
    charges = Charge.objects.filter(site=site).select_related("startup", "invoice_line__invoice")
    if month is not None:
        charges = charges.filter(month=month)
    if state == TO_BILL:
        charges = charges.filter(invoice_line__isnull=True)
    elif state == BILLED:
        charges = charges.filter(invoice_line__isnull=False)
    return charges.order_by("-month", "-created_at", "-pk")


def charges_with_amounts(charges) -> list[Charge]:
    """`charges` (a page), each with its `excl_tax` (quantity × unit price, to the centime)
    and the `invoice` that billed it (None while it is to bill)."""
    rows = list(charges)
    for charge in rows:
        charge.excl_tax = line_amounts(
            quantity=charge.quantity, unit_price=charge.unit_price, vat_rate=charge.vat_rate
        ).excl_tax
        charge.invoice = charge.invoice_line.invoice if charge.invoice_line_id else None
    return rows


def charge_startups(*, site: Site) -> QuerySet[Startup]:
    """The startups a charge at `site` may bill: those ever admitted there (residents or
    e-Technopark members, ended or not: a last charge may follow an exit), by name."""
    admitted = Admission.objects.filter(site=site).values("startup_id")
    name = Lower(Coalesce(NullIf(F("brand_name"), Value("")), F("legal_name")))
    return Startup.objects.filter(pk__in=admitted).order_by(name, "pk")
