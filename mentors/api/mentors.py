"""The public directory of published mentors: list (with filters) and detail."""

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from core.api import error_responses
from core.filters import BooleanFilter, filters
from services.models import Dimension
from sites.models import Language, Sector, Site

from ..models import MentorKind, MentorProfile
from ..selectors import mentor_search, published_mentors
from .fields import id_parameter, read_only_choice


class MentorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    kind = read_only_choice(MentorKind.choices)
    photo_url = serializers.SerializerMethodField(help_text="An absolute URL; null without a photo.")
    dimensions = serializers.SerializerMethodField(help_text="The support dimensions the mentor's expertise covers.")
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    sites = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="The sites where the mentor meets startups in person."
    )
    offers_video = serializers.BooleanField(read_only=True, help_text="Video calls, open to startups of every site.")

    class Meta:
        model = MentorProfile
        fields = [
            "id",
            "name",
            "kind",
            "headline",
            "bio",
            "organisation",
            "photo_url",
            "dimensions",
            "languages",
            "sectors",
            "tags",
            "sites",
            "offers_video",
            "session_minutes",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, mentor) -> str | None:
        if not mentor.photo:
            return None
        url = reverse("mentors:photo", kwargs={"pk": mentor.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Dimension.choices)))
    def get_dimensions(self, mentor) -> list[str]:
        return sorted(row.dimension for row in mentor.dimension_rows.all())


class MentorFilters(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Part of the name, headline, biography, organisation or an expertise tag.",
    )
    dimension = serializers.ChoiceField(choices=Dimension.choices, required=False)
    sector = serializers.SlugField(required=False, max_length=40, help_text="A sector code.")
    language = serializers.SlugField(required=False, max_length=5, help_text="A language code: fr, ar, en, zgh…")
    site = serializers.SlugField(
        required=False, max_length=50, help_text="The slug of a site where the mentor meets startups in person."
    )
    remote = BooleanFilter(help_text="`true`: mentors offering video calls; `false`: in person only.")
    kind = serializers.ChoiceField(choices=MentorKind.choices, required=False)
    tag = serializers.CharField(required=False, max_length=40, help_text="An expertise tag (whole name, any case).")


def mentor_list(params: dict) -> QuerySet[MentorProfile]:
    """The published mentors matching `params` (a code or slug that names nothing matches
    nobody)."""
    mentors = published_mentors()
    related = {}
    for name, model, field in (("sector", Sector, "code"), ("language", Language, "code"), ("site", Site, "slug")):
        if value := params.get(name):
            related[name] = model.objects.filter(**{field: value}).first()
            if related[name] is None:
                return mentors.none()
    remote = params.get("remote")
    mentors = mentor_search(
        mentors,
        q=params.get("q", ""),
        dimension=params.get("dimension", ""),
        remote=remote == "true",
        kind=params.get("kind", ""),
        tag=params.get("tag", ""),
        **related,
    )
    if remote == "false":
        mentors = mentors.filter(offers_video=False)
    if params.get("tag"):  # "SaaS" and "saas" may both be tags of one mentor
        mentors = mentors.distinct()
    return mentors.order_by("user__full_name", "pk")


@extend_schema(
    tags=["mentors"],
    parameters=[MentorFilters],
    responses={200: MentorSerializer, **error_responses(400, 401, 404)},
)
class MentorList(generics.ListAPIView):
    """The published mentors and experts of the network: public."""

    permission_classes = [AllowAny]
    serializer_class = MentorSerializer

    def get_queryset(self):
        return mentor_list(filters(self.request, MentorFilters))


@extend_schema(
    tags=["mentors"],
    parameters=[id_parameter("A mentor")],
    responses={200: MentorSerializer, **error_responses(401, 404)},
)
class MentorDetail(generics.RetrieveAPIView):
    """One published mentor: public."""

    permission_classes = [AllowAny]
    serializer_class = MentorSerializer

    def get_queryset(self):
        return published_mentors()
