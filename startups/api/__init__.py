"""REST API of the startups app: startups, calls, applications (with the founder's and the
manager's actions), admissions, offices and yearly declarations, one module per resource.

The flat `/api/v1/…` routes run in the tenant scope of the caller's visible sites (see
`sites.middleware`): site-owned querysets below are filtered by it, and the role rules
(founder, site staff, head office) are added on top. Writes go through `startups.actions`.

Query parameters are validated with small serializers (also exploded into the schema,
`core.filters`): junk is a 400, never a 500. Validation errors are flat
(`{"field": ["message", …]}`), as `core.api.VALIDATION_ERROR_SCHEMA` documents.
"""

from django.urls import path

from .admissions import AdmissionDetail, AdmissionList
from .applications import ApplicationDecide, ApplicationDetail, ApplicationList, ApplicationSubmit, ApplicationWithdraw
from .calls import CallDetail, CallList
from .declarations import DeclarationList
from .offices import OfficeList
from .startups import StartupDetail, StartupList

# Mounted under /api/v1/ (namespace "api") by technopark/urls.py.
api_urlpatterns = [
    path("startups/", StartupList.as_view(), name="startups"),
    path("startups/<int:pk>/", StartupDetail.as_view(), name="startup"),
    path("calls/", CallList.as_view(), name="calls"),
    path("calls/<int:pk>/", CallDetail.as_view(), name="call"),
    path("applications/", ApplicationList.as_view(), name="applications"),
    path("applications/<int:pk>/", ApplicationDetail.as_view(), name="application"),
    path("applications/<int:pk>/submit/", ApplicationSubmit.as_view(), name="application_submit"),
    path("applications/<int:pk>/withdraw/", ApplicationWithdraw.as_view(), name="application_withdraw"),
    path("applications/<int:pk>/decide/", ApplicationDecide.as_view(), name="application_decide"),
    path("admissions/", AdmissionList.as_view(), name="admissions"),
    path("admissions/<int:pk>/", AdmissionDetail.as_view(), name="admission"),
    path("offices/", OfficeList.as_view(), name="offices"),
    path("declarations/", DeclarationList.as_view(), name="declarations"),
]
