"""Pages of the spaces app. Each area keeps its routes next to its views (`urlpatterns` in
`spaces/views/<area>.py`); spaces/urls.py assembles them."""
