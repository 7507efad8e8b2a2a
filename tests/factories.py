import factory
from allauth.account.models import EmailAddress
from django.conf import settings

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


class SiteMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteMembership

    site = factory.SubFactory(SiteFactory)
    user = factory.SubFactory(UserFactory, role=Role.SITE_MANAGER)
    role = MembershipRole.MANAGER
