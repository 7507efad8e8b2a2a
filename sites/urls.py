from django.urls import path

from . import views

app_name = "sites"

urlpatterns = [
    path("sites/", views.site_list, name="list"),
    path("sites/<slug:slug>/", views.site_detail, name="detail"),
    path("network/regions/", views.network_region_list, name="network_regions"),
    path("network/regions/<str:code>/edit/", views.network_region_edit, name="network_region_edit"),
    path("network/sites/", views.network_site_list, name="network_sites"),
    path("network/sites/new/", views.network_site_edit, name="network_site_new"),
    path("network/sites/<slug:slug>/edit/", views.network_site_edit, name="network_site_edit"),
    path("manage/<slug:site_slug>/", views.manage_home, name="manage_home"),
    path("manage/<slug:site_slug>/team/", views.manage_team, name="manage_team"),
    path("manage/<slug:site_slug>/team/<int:pk>/remove/", views.manage_team_remove, name="manage_team_remove"),
]
