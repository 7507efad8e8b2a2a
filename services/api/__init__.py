"""REST API of the services app: the catalogue and its sessions (public), registration and
cancellation (signed in), the caller's registrations, programmes, partners and partner
incubators, one module per resource.

The catalogue is the network's: services and sessions of every site *and* of the
e-Technopark offer (rows without a site, hidden by the site scope of site staff and
founders). Those public reads, and the registration actions on what they show, run
inside `sites.scoping.network_scope()` on purpose (grep for it when reviewing); their
querysets filter what is public (published services) explicitly. Per-user reads
(registrations, programmes) also run network-wide, with the user's filter written out.

A list's filters are a FilterSet whose parameters are validated by serializer fields
(`core.filters`): junk is a 400, never a 500. Writes go through `services.actions`; a
Conflict is a 409.
"""

from django.urls import path

from .partners import IncubatorList, PartnerList
from .programmes import ProgrammeList
from .registrations import RegistrationCancel, RegistrationList, SessionRegister
from .services import ServiceDetail, ServiceList
from .sessions import SessionDetail, SessionList

# Mounted under /api/v1/ (namespace "api") by technopark/urls.py.
api_urlpatterns = [
    path("services/", ServiceList.as_view(), name="services"),
    path("services/<int:pk>/", ServiceDetail.as_view(), name="service"),
    path("sessions/", SessionList.as_view(), name="sessions"),
    path("sessions/<int:pk>/", SessionDetail.as_view(), name="session"),
    path("sessions/<int:pk>/register/", SessionRegister.as_view(), name="session_register"),
    path("registrations/", RegistrationList.as_view(), name="registrations"),
    path("registrations/<int:pk>/cancel/", RegistrationCancel.as_view(), name="registration_cancel"),
    path("programmes/", ProgrammeList.as_view(), name="programmes"),
    path("partners/", PartnerList.as_view(), name="partners"),
    path("incubators/", IncubatorList.as_view(), name="incubators"),
]
