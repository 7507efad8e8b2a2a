import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import translation

from accounts.models import Role, User
from sites.models import MembershipRole, Region, Site, SiteMembership, SiteStatus


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.ma")
    full_name = factory.Faker("name")
    role = Role.FOUNDER
    password = factory.PostGenerationMethodCall("set_password", settings.DEMO_PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        user.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class RegionFactory(factory.django.DjangoModelFactory):
    """Regions come from a data migration; tests reuse them by code."""

    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "MA-06"
    name_fr = "Casablanca-Settat"
    name_ar = "الدار البيضاء - سطات"
    name_en = "Casablanca-Settat"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    slug = factory.Sequence(lambda n: f"site-{n}")
    name_fr = factory.LazyAttribute(lambda site: f"Technopark {site.slug}")
    name_ar = factory.LazyAttribute(lambda site: f"تكنوبارك {site.slug}")
    name_en = factory.LazyAttribute(lambda site: f"Technopark {site.slug}")
    region = factory.SubFactory(RegionFactory)
    status = SiteStatus.OPERATIONAL
    opened_on = factory.Faker("date_between", start_date="-20y", end_date="-1y")
    city = "Casablanca"


class FrenchContentFactory(factory.django.DjangoModelFactory):
    """Models with content in French, Arabic and English (core.multilingual): `title="…"` is
    the French version whatever language a test's earlier request left active (the test
    client runs requests in the test's thread); `title_ar="…"` gives the Arabic one."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with translation.override("fr"):
            return super()._create(model_class, *args, **kwargs)


class SiteMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteMembership

    site = factory.SubFactory(SiteFactory)
    user = factory.SubFactory(UserFactory, role=Role.SITE_MANAGER)
    role = MembershipRole.MANAGER


# --- startups ------------------------------------------------------------------------------
import datetime  # noqa: E402

from django.utils import timezone  # noqa: E402

from startups.models import (  # noqa: E402
    Admission,
    AdmissionKind,
    Application,
    ApplicationStatus,
    Call,
    Declaration,
    Office,
    Startup,
    StartupMember,
    TeamRole,
)


class StartupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Startup

    legal_name = factory.Sequence(lambda n: f"Startup {n} SARL")
    brand_name = factory.Sequence(lambda n: f"Startup {n}")
    ice = factory.Sequence(lambda n: f"{n:015d}")
    legal_form = "sarl"
    founded_on = datetime.date(2020, 1, 15)


class StartupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StartupMember

    startup = factory.SubFactory(StartupFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamRole.FOUNDER


class CallFactory(FrenchContentFactory):
    class Meta:
        model = Call

    site = factory.SubFactory(SiteFactory)
    kind = AdmissionKind.RESIDENT
    title = factory.Sequence(lambda n: f"Call {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=20))
    questions = factory.LazyFunction(lambda: ["What problem do you solve?"])


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    site = factory.LazyAttribute(lambda application: application.call.site)
    startup = factory.SubFactory(StartupFactory)
    status = ApplicationStatus.SUBMITTED
    answers = factory.LazyAttribute(lambda application: dict.fromkeys(application.call.questions, "An answer."))
    submitted_at = factory.LazyFunction(timezone.now)


class AdmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Admission

    startup = factory.SubFactory(StartupFactory)
    site = factory.SubFactory(SiteFactory)
    kind = AdmissionKind.RESIDENT
    starts_on = datetime.date(2022, 1, 1)
    planned_end_on = datetime.date(2027, 1, 1)


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    site = factory.SubFactory(SiteFactory)
    number = factory.Sequence(lambda n: f"B-{n:03d}")
    floor = 1
    area_m2 = "16.00"
    seats = 4
    monthly_rent_mad = "1000.00"


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    startup = factory.SubFactory(StartupFactory)
    fiscal_year = 2024
    direct_jobs = 5
    indirect_jobs = 2
    revenue_mad = "1200000.00"
    export_revenue_mad = "300000.00"
    export_countries = factory.LazyFunction(lambda: ["SN", "FR"])


# --- services ------------------------------------------------------------------------------
from services.models import (  # noqa: E402
    Eligibility,
    Format,
    Programme,
    ProviderKind,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
)
from sites.models import Incubator, Partner  # noqa: E402


class PartnerFactory(FrenchContentFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    category = "bank"


class IncubatorFactory(FrenchContentFactory):
    class Meta:
        model = Incubator

    slug = factory.Sequence(lambda n: f"incubator-{n}")
    name = factory.Sequence(lambda n: f"Incubator {n}")
    affiliated_site = factory.SubFactory(SiteFactory)


class ServiceFactory(FrenchContentFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    site = factory.SubFactory(SiteFactory)
    title = factory.Sequence(lambda n: f"Service {n}")
    summary = "Hands-on support for startups."
    dimension = "skills"
    service_type = "training"
    provider_kind = ProviderKind.SITE_TEAM
    format = Format.ON_SITE
    eligibility = Eligibility.ADMITTED

    @factory.post_generation
    def languages(service, create, extracted, **kwargs):
        from sites.models import Language

        if create:
            service.languages.set(extracted or Language.objects.filter(code="fr"))


class ServiceSessionFactory(FrenchContentFactory):
    class Meta:
        model = ServiceSession

    service = factory.SubFactory(ServiceFactory)
    site = factory.LazyAttribute(lambda session: session.service.site)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + datetime.timedelta(hours=2))
    registration_deadline = factory.LazyAttribute(lambda session: session.starts_at - datetime.timedelta(hours=1))
    seats = 10
    location = "Salle de formation A"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(ServiceSessionFactory)
    site = factory.LazyAttribute(lambda registration: registration.session.site)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"participant{n}@example.ma")
    status = RegistrationStatus.CONFIRMED


class ProgrammeFactory(FrenchContentFactory):
    class Meta:
        model = Programme

    site = factory.SubFactory(SiteFactory)
    title = factory.Sequence(lambda n: f"Programme {n}")
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 12, 31)


# --- Mentors ---------------------------------------------------------------------------
class MentorProfileFactory(factory.django.DjangoModelFactory):
    """A published mentor offering video calls, in French, on financing; no notice, no
    buffer, a generous quota (tests set what they test). Add availability with
    WeeklyRuleFactory."""

    class Meta:
        model = "mentors.MentorProfile"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.MENTOR)
    headline = "Levée de fonds et finance d'entreprise"
    bio = "Vingt ans de capital-risque au Maroc et en Afrique."
    status = "published"
    offers_video = True
    video_url = "https://meet.example.ma/mentor"
    session_minutes = 60
    min_notice_hours = 0
    buffer_minutes = 0
    max_bookings_per_startup_month = 10

    @factory.post_generation
    def dimensions(profile, create, extracted, **kwargs):
        from mentors.models import MentorDimension

        if create:
            for dimension in extracted or ["financing"]:
                MentorDimension.objects.create(mentor=profile, dimension=dimension)

    @factory.post_generation
    def languages(profile, create, extracted, **kwargs):
        from sites.models import Language

        if create:
            profile.languages.set(extracted or Language.objects.filter(code="fr"))

    @factory.post_generation
    def sites(profile, create, extracted, **kwargs):
        if create and extracted:
            profile.sites.set(extracted)


class WeeklyRuleFactory(factory.django.DjangoModelFactory):
    """Mondays 10:00–12:00 (Casablanca time) by video."""

    class Meta:
        model = "mentors.WeeklyRule"

    mentor = factory.SubFactory(MentorProfileFactory)
    weekday = 0
    starts_at = datetime.time(10)
    ends_at = datetime.time(12)
    mode = "video"
    meeting_site = None


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed one-hour video booking written directly (no slot checks): for set-up.
    Give `startup` and `site` (the startup's home site)."""

    class Meta:
        model = "mentors.Booking"

    mentor = factory.SubFactory(MentorProfileFactory)
    starts_at = factory.LazyFunction(lambda: _next_hour() + datetime.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda booking: booking.starts_at + datetime.timedelta(hours=1))
    mode = "video"
    topic = "Préparer la levée de fonds"
    status = "confirmed"


def _next_hour() -> datetime.datetime:
    from django.utils import timezone

    return timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
