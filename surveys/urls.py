"""Routes of the yearly satisfaction survey (issue 22): its form, opened by a signed link."""

from .views import urlpatterns as view_urlpatterns

app_name = "surveys"

urlpatterns = [*view_urlpatterns]
