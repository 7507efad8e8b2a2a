"""Routes of the services app. Each area keeps its routes next to its views
(`services/views/<area>.py` defines `urlpatterns`); this module only assembles them."""

from .views import (
    backoffice_attendance,
    backoffice_services,
    catalogue,
    incubator_backoffice,
    partners_network,
    partners_public,
    programmes_manage,
)

app_name = "services"

urlpatterns = [
    *catalogue.urlpatterns,
    *backoffice_services.urlpatterns,
    *backoffice_attendance.urlpatterns,
    *partners_public.urlpatterns,
    *partners_network.urlpatterns,
    *programmes_manage.urlpatterns,
    *incubator_backoffice.urlpatterns,
]
