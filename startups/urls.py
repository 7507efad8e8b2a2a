"""Routes of the startups app. Each area keeps its routes next to its views
(`startups/views/<area>.py` defines `urlpatterns`); this module only assembles them."""

from .views import applications, check_ins, declarations, history, offices, pipeline, profile, residents

app_name = "startups"

urlpatterns = [
    *profile.urlpatterns,
    *applications.urlpatterns,
    *pipeline.urlpatterns,
    *residents.urlpatterns,
    *offices.urlpatterns,
    *declarations.urlpatterns,
    *check_ins.urlpatterns,
    *history.urlpatterns,
]
