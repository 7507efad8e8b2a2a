from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from billing import api as billing_api
from core import health
from mentors import api as mentors_api
from passport import api as passport_api
from reports import api as reports_api
from reports.views.audit import audit_list
from reports.views.home import home
from services import api as services_api
from sites import api as sites_api
from spaces import api as spaces_api
from startups import api as startups_api

# Every login path goes through allauth (rate limits, MFA): the admin's own login form
# redirects to it.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Technopark"

api_v1 = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    *accounts_api.api_urlpatterns,
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("regions/", sites_api.RegionList.as_view(), name="regions"),
    path("sites/", sites_api.SiteList.as_view(), name="sites"),
    path("sites/<slug:slug>/", sites_api.SiteDetail.as_view(), name="site"),
    path("manage/<slug:site_slug>/members/", sites_api.SiteMembershipList.as_view(), name="site_members"),
    *startups_api.api_urlpatterns,
    *services_api.api_urlpatterns,
    *mentors_api.api_urlpatterns,
    *spaces_api.api_urlpatterns,
    *billing_api.api_urlpatterns,
    *passport_api.api_urlpatterns,
    *reports_api.api_urlpatterns,
]

urlpatterns = [
    path("", home, name="home"),
    # Load balancers and probes: public, not throttled, never cached (core/health.py).
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health_live"),
    path("", include("sites.urls")),
    path("", include("accounts.urls")),
    path("", include("startups.urls")),
    path("", include("services.urls")),
    path("", include("mentors.urls")),
    path("", include("spaces.urls")),
    path("", include("billing.urls")),
    path("", include("passport.urls")),
    path("", include("surveys.urls")),
    path("", include("reports.urls")),
    path("network/audit/", audit_list, name="audit_list"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
]

# Under /api/, a URL that matches no route answers JSON rather than the HTML 404 page.
handler404 = "core.api.handler404"
# A body over DATA_UPLOAD_MAX_MEMORY_SIZE read outside a view (the CSRF check): 413, not 400.
handler400 = "core.api.handler400"
