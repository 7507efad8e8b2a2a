"""Routes of the reports app. Each area keeps its routes next to its views
(`reports/views/<area>.py` defines `urlpatterns`); this module only assembles them."""

from .views import board, dashboards, public

app_name = "reports"

urlpatterns = [*public.urlpatterns, *dashboards.urlpatterns, *board.urlpatterns]
