"""Pages of invoicing, one module per area, each defining its `urlpatterns`."""
