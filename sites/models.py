from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from core.multilingual import DefaultLanguageColumn, TranslatedManager
from core.validators import phone_validator, validate_logo


class TranslatedName(models.Model):
    """A name kept in the portal's three languages; `name` follows the active language."""

    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        return getattr(self, f"name_{language}", "") or self.name_fr


REGION_CODE_PATTERN = r"^MA-[0-9]{2}$"  # ISO 3166-2:MA, the form of a region's code


class Region(TranslatedName):
    """One of Morocco's 12 regions; `code` is the stable ISO 3166-2 code (MA-01 … MA-12)."""

    code = models.CharField(_("code"), max_length=5, unique=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]


class Sector(TranslatedName):
    """A sector of activity: a site's vocation, later a startup's sector."""

    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["code"]


class Language(TranslatedName):
    """A language a service is given in or a mentor speaks (fr, ar, en, zgh for Amazigh)."""

    code = models.CharField(_("code"), max_length=5, unique=True)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["code"]


class SiteStatus(models.TextChoices):
    OPERATIONAL = "operational", _("Operational")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    PLANNED = "planned", _("Planned")


class Site(TranslatedName):
    """A Technopark site: the tenant. Every site-owned table points here."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="sites", verbose_name=_("region"))
    status = models.CharField(_("status"), max_length=20, choices=SiteStatus.choices, default=SiteStatus.PLANNED)
    opened_on = models.DateField(_("opening date"), null=True, blank=True)
    vocations = models.ManyToManyField(Sector, blank=True, related_name="sites", verbose_name=_("vocation sectors"))
    city = models.CharField(_("city"), max_length=80)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # The site's public contact, shown on its public page (/sites/<slug>/).
    contact_email = models.EmailField(_("public contact email"), blank=True)
    contact_phone = models.CharField(_("public contact phone"), max_length=13, blank=True, validators=[phone_validator])
    area_m2 = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    capacity_startups = models.PositiveIntegerField(_("capacity (startups)"), null=True, blank=True)
    residency_max_years = models.PositiveSmallIntegerField(
        _("maximum residency (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("A residency's planned end, renewals included, may not go beyond this."),
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["opened_on", "slug"]

    def get_absolute_url(self):
        return reverse("sites:detail", kwargs={"slug": self.slug})


class MembershipRole(models.TextChoices):
    MANAGER = "manager", _("Site manager")
    COMMITTEE = "committee", _("Committee member")
    TEAM = "team", _("Site team")


class SiteMembership(models.Model):
    """A user's role at one site: what gives access to `/manage/<site>/`."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("site"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MANAGER)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager(site="site")

    class Meta:
        verbose_name = _("site membership")
        verbose_name_plural = _("site memberships")
        ordering = ["site", "user__email"]
        constraints = [models.UniqueConstraint(fields=["site", "user"], name="one_membership_per_user_and_site")]

    def __str__(self):
        return f"{self.user} @ {self.site.slug} ({self.get_role_display()})"


# --- Partners and partner incubators -----------------------------------------------------
# Partner incubators are tenants too (their managers see only their incubator), so they
# live with the sites; an incubator may belong to a partner organisation.
class PartnerCategory(models.TextChoices):
    BANK = "bank", _("Bank")
    FUND = "fund", _("Investment fund")
    CORPORATE = "corporate", _("Corporate")
    UNIVERSITY = "university", _("University")
    PUBLIC_AGENCY = "public_agency", _("Public agency")
    ASSOCIATION = "association", _("Association")
    INCUBATOR = "incubator", _("Incubator")


class Partner(DefaultLanguageColumn):
    """A national or international organisation the network runs programmes with. Its
    description is in French, Arabic and English (sites/translation.py)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_international = models.BooleanField(_("international"), default=False)
    category = models.CharField(_("category"), max_length=20, choices=PartnerCategory.choices)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="partners/logos/", blank=True, validators=[validate_logo])
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=13, blank=True, validators=[phone_validator])
    is_active = models.BooleanField(_("active"), default=True)

    objects = TranslatedManager()

    class Meta:
        db_table = "services_partner"  # named when it lived in services/
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Incubator(DefaultLanguageColumn):
    """A partner incubator affiliated to a site (and so to its region). A tenant of its own:
    its managers see and run only their incubator. Its description is in French, Arabic and
    English (sites/translation.py)."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    affiliated_site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="incubators", verbose_name=_("affiliated site")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="incubators", verbose_name=_("partner")
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TranslatedManager()

    class Meta:
        db_table = "services_incubator"  # named when it lived in services/
        verbose_name = _("incubator")
        verbose_name_plural = _("incubators")
        ordering = ["name"]

    def __str__(self):
        return self.name


class IncubatorMembership(models.Model):
    incubator = models.ForeignKey(Incubator, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incubator_memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(incubator="incubator")

    class Meta:
        db_table = "services_incubatormembership"  # named when it lived in services/
        verbose_name = _("incubator manager")
        verbose_name_plural = _("incubator managers")
        constraints = [models.UniqueConstraint(fields=["incubator", "user"], name="one_incubator_membership")]

    def __str__(self):
        return f"{self.user} @ {self.incubator}"
