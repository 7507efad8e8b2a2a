"""The public directory of published mentors: list (with filters) and detail."""

from django.db.models import QuerySet
from django.urls import reverse
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from core.api import error_responses
from core.filters import Param, TrueFalseField
from core.serializers import id_parameter, read_only_choice
from services.models import Dimension

from ..models import MentorKind, MentorProfile
from ..selectors.directory import mentor_search, published_mentors


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


class MentorFilterSet(FilterSet):
    """The directory's filters; a code or slug that names nothing matches nobody."""

    q = Param(
        serializers.CharField(
            allow_blank=True,
            max_length=100,
            help_text="Part of the name, headline, biography, organisation or an expertise tag.",
        ),
        method="search",
    )
    dimension = Param(serializers.ChoiceField(choices=Dimension.choices), field_name="dimension_rows__dimension")
    sector = Param(serializers.SlugField(max_length=40, help_text="A sector code."), field_name="sectors__code")
    language = Param(
        serializers.SlugField(max_length=5, help_text="A language code: fr, ar, en, zgh…"), field_name="languages__code"
    )
    site = Param(
        serializers.SlugField(max_length=50, help_text="The slug of a site where the mentor meets startups in person."),
        field_name="sites__slug",
    )
    remote = Param(
        TrueFalseField(help_text="`true`: mentors offering video calls; `false`: in person only."),
        field_name="offers_video",
    )
    kind = Param(serializers.ChoiceField(choices=MentorKind.choices))
    tag = Param(
        serializers.CharField(max_length=40, help_text="An expertise tag (whole name, any case)."), method="search"
    )

    def search(self, mentors: QuerySet[MentorProfile], name: str, value: str) -> QuerySet[MentorProfile]:
        return mentor_search(mentors, **{name: value})  # tags are matched with EXISTS (no duplicates)


@extend_schema(tags=["mentors"], responses={200: MentorSerializer, **error_responses(400, 401, 404)})
class MentorList(generics.ListAPIView):
    """The published mentors and experts of the network: public."""

    permission_classes = [AllowAny]
    serializer_class = MentorSerializer
    filterset_class = MentorFilterSet

    def get_queryset(self):
        return published_mentors().order_by("user__full_name", "pk")


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
