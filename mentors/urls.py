"""Routes of the mentors app. Each area keeps its routes next to its views
(`mentors/views/<area>.py` defines `urlpatterns`); this module only assembles them."""

from .views import backoffice, directory, mentor_space

app_name = "mentors"

urlpatterns = [*directory.urlpatterns, *mentor_space.urlpatterns, *backoffice.urlpatterns]
