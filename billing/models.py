"""Invoicing in MAD for each site (issue 21): the site's legal identity as an issuer, invoices
and credit notes numbered without gaps per site, kind and year, their lines, and payments.

Site-owned like the rest (django-scopes). A draft has no number; issuing it takes the next
number of its series (`NumberSequence`, row-locked in the issuing transaction) and freezes
it: an issued document is never edited nor deleted, a credit note corrects it. Amounts are
Decimal in MAD; totals are computed from the lines by billing.money (VAT per rate)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from core.validators import ice_validator
from sites.models import Site
from startups.models import Startup

from .validators import validate_cnss, validate_if, validate_rc, validate_rib, validate_tp

MONEY = {"max_digits": 14, "decimal_places": 2}
PREFIX_VALIDATOR = RegexValidator(r"^[A-Z]{2,5}$", _("Two to five capital letters, e.g. CAS."))


class IssuerProfile(models.Model):
    """The operator's legal entity that invoices a site's startups: what a Moroccan invoice
    must state about its seller, and the bank account it is paid to."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="issuer", verbose_name=_("site"))
    legal_name = models.CharField(_("legal name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    city = models.CharField(_("city"), max_length=100)
    if_number = models.CharField(_("tax identifier (IF)"), max_length=8, validators=[validate_if])
    ice = models.CharField(_("ICE"), max_length=15, validators=[ice_validator])
    rc = models.CharField(_("trade register (RC)"), max_length=10, validators=[validate_rc])
    tp = models.CharField(_("business tax (TP)"), max_length=8, validators=[validate_tp])
    cnss = models.CharField(_("CNSS"), max_length=7, blank=True, validators=[validate_cnss])
    bank_name = models.CharField(_("bank"), max_length=100)
    rib = models.CharField(
        _("bank account (RIB)"), max_length=24, validators=[validate_rib], help_text=_("24 digits, key included.")
    )
    prefix = models.CharField(
        _("number prefix"),
        max_length=5,
        validators=[PREFIX_VALIDATOR],
        help_text=_("Starts every number of the site's invoices: CAS-2026-00042."),
    )
    payment_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=30, validators=[MaxValueValidator(120)]
    )

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("invoice issuer")
        verbose_name_plural = _("invoice issuers")
        constraints = [models.UniqueConstraint(fields=["prefix"], name="issuer_prefix_unique")]

    def __str__(self):
        return self.legal_name


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class NumberSequence(models.Model):
    """The last number given in one series (a site, a kind, a year): issuing locks its row,
    so that two managers issuing at once get consecutive numbers, never a gap nor a twin."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    objects = ScopedManager(site="site")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "kind", "year"], name="one_sequence_per_series")]

    def __str__(self):
        return f"{self.site_id} {self.kind} {self.year}: {self.last}"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled by a credit note")


class Invoice(models.Model):
    """An invoice or a credit note of a site to a startup. `month` is the period a monthly
    run billed (its first day): one invoice per startup, site and month, whatever happens."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("site"))
    startup = models.ForeignKey(Startup, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("startup"))
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices, default=DocumentKind.INVOICE)
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    number = models.CharField(_("number"), max_length=24, null=True, blank=True, unique=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    month = models.DateField(_("billed month"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("corrected invoice"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    buyer_name = models.CharField(_("customer"), max_length=200, blank=True)
    buyer_address = models.CharField(_("customer's address"), max_length=300, blank=True)
    buyer_ice = models.CharField(_("customer's ICE"), max_length=15, blank=True)
    language = models.CharField(_("language of the document"), max_length=2, default="fr")
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # Frozen with the document when it is issued (billing.money's total: VAT per rate), so
    # that sums over many documents are one SQL query; a draft's total is its lines'.
    incl_tax = models.DecimalField(_("total incl. tax"), null=True, blank=True, editable=False, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-sequence", "-pk"]
        constraints = [
            # A number exactly when issued (a cancelled invoice keeps its number).
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True, sequence__isnull=True, issued_on__isnull=True)
                | (~Q(status="draft") & Q(number__isnull=False, sequence__isnull=False, issued_on__isnull=False)),
                name="invoice_number_iff_issued",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", incl_tax__isnull=True) | (~Q(status="draft") & Q(incl_tax__isnull=False)),
                name="invoice_total_iff_issued",
            ),
            models.UniqueConstraint(fields=["site", "kind", "year", "sequence"], name="invoice_sequence_unique"),
            # The monthly run's idempotency: one invoice per startup, site and month.
            models.UniqueConstraint(
                fields=["site", "startup", "month"],
                condition=Q(kind="invoice", month__isnull=False),
                name="one_monthly_invoice",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", corrects__isnull=True) | Q(kind="credit_note", corrects__isnull=False),
                name="credit_note_corrects_an_invoice",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "status", "due_on"]),
            models.Index(fields=["startup", "issued_on"]),
        ]

    def __str__(self):
        return self.number or f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT


class LineSource(models.TextChoices):
    RENT = "rent", _("Office rent")
    ROOM = "room", _("Room booking")
    OTHER = "other", _("Other charge")


class InvoiceLine(models.Model):
    """A line: quantity × unit price excluding tax, at a VAT rate (a percentage). `source_ref`
    names what it bills (an office allocation and month, a room booking) so that a rerun of
    the monthly run bills nothing twice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField(
        _("unit price excl. tax (MAD)"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    source = models.CharField(_("source"), max_length=6, choices=LineSource.choices, default=LineSource.OTHER)
    source_ref = models.CharField(max_length=60, blank=True)

    objects = ScopedManager(site="site")

    class Meta:
        ordering = ["invoice", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "source_ref"], condition=~Q(source_ref=""), name="one_line_per_source"
            )
        ]

    def __str__(self):
        return self.description


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (MAD)"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_is_positive")]

    def __str__(self):
        return f"{self.invoice} · {self.amount} · {self.paid_on}"


class Charge(models.Model):
    """Something a site's manager bills a startup besides rent and rooms (printing, an
    event, a parking badge…), for a month: the next monthly run puts it on the startup's
    invoice and links the line, so it is billed once (a deleted draft frees it again)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    startup = models.ForeignKey(
        Startup, on_delete=models.PROTECT, related_name="billing_charges", verbose_name=_("startup")
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField(
        _("unit price excl. tax (MAD)"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    month = models.DateField(_("month"), help_text=_("The month it is billed for (its first day)."))
    invoice_line = models.OneToOneField(
        InvoiceLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="charge",
        verbose_name=_("invoice line"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["month", "pk"]
        indexes = [models.Index(fields=["site", "month"])]

    def __str__(self):
        return self.description

    @property
    def is_billed(self) -> bool:
        return self.invoice_line_id is not None


class ReminderStage(models.TextChoices):
    DUE = "due", _("On the due date")
    D15 = "d15", _("15 days after the due date")
    D30 = "d30", _("30 days after the due date")


class Reminder(models.Model):
    """A reminder emailed to a startup's founders about an unpaid invoice (billing.reminders):
    one row per invoice and stage, claimed in the transaction that queues the emails, so
    that a stage is never sent twice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=3, choices=ReminderStage.choices)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        ordering = ["invoice", "sent_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["invoice", "stage"], name="one_reminder_per_stage")]

    def __str__(self):
        return f"{self.invoice} · {self.stage}"
