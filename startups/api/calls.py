"""Calls for applications: open ones are public across the network."""

from django.db.models import QuerySet
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from core.api import error_responses
from core.filters import Param, TrueFalseField
from core.multilingual import translated_order

from ..models import AdmissionKind, Call
from ..selectors.visibility import call_open_q, calls_visible_to
from .common import today


class CallSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Empty for a network-wide e-Technopark call."
    )
    target_sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    questions = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The questions, in French: the keys of an application's `answers`.",
    )
    question_labels = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The same questions, line for line, in the language asked (`lang`), or in French where not translated.",
    )
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "site",
            "kind",
            "title",
            "description",
            "opens_on",
            "closes_on",
            "is_open",
            "target_sectors",
            "questions",
            "question_labels",
        ]

    def get_is_open(self, call) -> bool:
        return call.is_open()


class CallFilterSet(FilterSet):
    site = Param(serializers.SlugField(max_length=50, help_text="A site's slug."), field_name="site__slug")
    kind = Param(serializers.ChoiceField(choices=AdmissionKind.choices))
    open = Param(TrueFalseField(help_text="`true`: open today; `false`: closed or not open yet."), method="open_today")

    def open_today(self, calls: QuerySet[Call], name: str, is_open: bool) -> QuerySet[Call]:
        return calls.filter(call_open_q(today())) if is_open else calls.exclude(call_open_q(today()))


@extend_schema(tags=["calls"], responses={200: CallSerializer, **error_responses(400, 401, 404)})
class CallList(generics.ListAPIView):
    """Calls for applications. Anyone, signed in or not, sees the calls open today across
    the network; signed-in users also see the past calls of the sites they may see."""

    permission_classes = [AllowAny]
    serializer_class = CallSerializer
    filterset_class = CallFilterSet

    def get_queryset(self):
        calls = calls_visible_to(self.request.user).select_related("site").prefetch_related("target_sectors")
        return calls.order_by("-opens_on", translated_order("title"), "pk")


@extend_schema(tags=["calls"], responses={200: CallSerializer, **error_responses(401, 404)})
class CallDetail(generics.RetrieveAPIView):
    """One call: open calls are public like their list; others need the list's rights."""

    permission_classes = [AllowAny]
    serializer_class = CallSerializer

    def get_queryset(self):
        return calls_visible_to(self.request.user).select_related("site").prefetch_related("target_sectors")
