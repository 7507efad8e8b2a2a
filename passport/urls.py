"""Routes of attestations (issue 22): each area keeps its routes next to its views."""

from .views import founder, manage, verify

app_name = "passport"

urlpatterns = [*founder.urlpatterns, *manage.urlpatterns, *verify.urlpatterns]
