"""Routes of the billing app. Each area keeps its routes next to its views
(`billing/views/<area>.py` defines `urlpatterns`); this module only assembles them."""

from .views import charges, documents, founder, manage

app_name = "billing"

urlpatterns = [*charges.urlpatterns, *documents.urlpatterns, *founder.urlpatterns, *manage.urlpatterns]
