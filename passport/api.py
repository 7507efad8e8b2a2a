"""REST API of attestations (issue 22): a startup's attestations, for its team and head office
(all of them) and for the staff of a site where it was admitted (their sites'). Their public
verification is the page `/verify/<code>/`, which answers JSON to `Accept: application/json`
(passport.views.verify): it needs no account and is not under /api/."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers

from core.api import error_responses
from core.serializers import id_parameter, read_only_choice

from .models import CredentialKind
from .pdf import verify_url
from .selectors import credential_state, credentials_visible_to
from .statements import skills


class DocumentSerializer(serializers.Serializer):
    """Read from a credential fetched by `credentials_visible_to` (its site and admission
    along): no query of its own."""

    id = serializers.IntegerField(read_only=True)
    kind = read_only_choice(CredentialKind.choices)
    code = serializers.CharField(
        read_only=True, source="grouped_code", help_text="As printed: XXXX-XXXX-XXXX-XXXX-XXXX."
    )
    language = serializers.CharField(read_only=True)
    site = serializers.SlugField(read_only=True, allow_null=True, source="site.slug", help_text="None: the network.")
    programme = serializers.IntegerField(read_only=True, allow_null=True, source="programme_id")
    startup_name = serializers.CharField(read_only=True, help_text="As stated at issue.")
    holder_name = serializers.CharField(
        read_only=True, help_text="A certificate of attendance's participant; else empty."
    )
    skills = serializers.SerializerMethodField(help_text="A certificate's support dimensions and session type.")
    starts_on = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True, allow_null=True)
    ongoing_at_issue = serializers.BooleanField(read_only=True, source="ongoing")
    issued_at = serializers.DateTimeField(read_only=True)
    state = serializers.SerializerMethodField(help_text="valid; ended (the residency it attests ended since); revoked.")
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    verify_url = serializers.SerializerMethodField()

    def get_state(self, credential) -> str:
        return credential_state(credential).state

    def get_skills(self, credential) -> list[str]:
        return [str(skill) for skill in skills(credential)]

    def get_verify_url(self, credential) -> str:
        return verify_url(credential)


@extend_schema(
    tags=["attestations"],
    parameters=[id_parameter("A startup")],
    responses={200: DocumentSerializer, **error_responses(401, 404)},
)
class StartupDocuments(generics.ListAPIView):
    """A startup's attestations, newest first: all of them for its team and head office,
    those of your sites for a site's staff. Anyone else gets a 404."""

    serializer_class = DocumentSerializer

    def get_queryset(self):
        credentials = credentials_visible_to(self.request.user, self.kwargs["pk"])
        if credentials is None:
            raise exceptions.NotFound()
        return credentials


api_urlpatterns = [path("startups/<int:pk>/documents/", StartupDocuments.as_view(), name="startup_documents")]
