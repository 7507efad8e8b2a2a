"""Routes of the services app. Each area keeps its routes next to its views
(`services/views/<area>.py` defines `urlpatterns`); this module only assembles them."""

from .views import backoffice, catalogue, partners

app_name = "services"

urlpatterns = [*catalogue.urlpatterns, *backoffice.urlpatterns, *partners.urlpatterns]
