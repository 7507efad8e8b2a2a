"""Services back-office: a site's services and sessions (`/manage/<site_slug>/…`) and, for
head office, the network's e-Technopark offer (`/network/services/…`). This module holds what
the back-office's pages share (`backoffice_services.py`: services and sessions;
`backoffice_attendance.py`: attendance and check-in).

The two areas share the same views through an `Area`:
- a site's area runs inside that site's scope (opened by `SiteScopeMiddleware`, which also
  checked that the user works there, else 404) and reads only rows whose `site` is that
  site — the network's rows (site NULL) and other sites' are never found. Everybody working
  at the site reads; its managers (and head office) write: `SiteScopeMiddleware` refuses
  other roles' POSTs, and the form pages declare `manage` even to open (`sites.roles`).
- the network's area is for head office only; it runs inside `network_scope()` (explicit,
  greppable) and reads only rows whose `site` is NULL.
Writes go through `services.actions`.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sites.roles import MANAGE, can, head_office_required

from ..models import Eligibility, Service, ServiceSession
from ..selectors import backoffice as backoffice_selectors


# --- The two areas ------------------------------------------------------------------------
@dataclass(frozen=True)
class Area:
    """Where the back-office runs: one site (`site` set) or the network (`site` None)."""

    site: object | None
    can_write: bool

    @property
    def is_network(self) -> bool:
        return self.site is None

    @property
    def prefix(self) -> str:
        return "network" if self.site is None else "manage"

    @property
    def name(self) -> str:
        return str(gettext_lazy("e-Technopark (network)")) if self.site is None else self.site.name

    @property
    def home_url(self) -> str | None:
        return None if self.site is None else reverse("sites:manage_home", kwargs={"site_slug": self.site.slug})

    def url(self, name: str, **kwargs) -> str:
        if self.site is not None:
            kwargs = {"site_slug": self.site.slug, **kwargs}
        return reverse(f"services:{self.prefix}_{name}", kwargs=kwargs)


def site_area_view(core):
    """`/manage/<site_slug>/…`: scoped to `request.site` by the middleware."""

    @wraps(core)
    @login_required
    def view(request, site_slug, **kwargs):
        return core(request, Area(site=request.site, can_write=can(request, MANAGE)), **kwargs)

    return view


def network_area_view(core):
    """`/network/services/…`: head office, inside the reviewed network-wide scope."""

    @wraps(core)
    @head_office_required
    def view(request, **kwargs):
        return core(request, Area(site=None, can_write=True), **kwargs)

    return view


def area_render(request, area: Area, template: str, context: dict):
    return render(
        request,
        f"services/backoffice/{template}",
        {
            "area": area,
            "site": area.site,
            "can_write": area.can_write,
            "list_url": area.url("service_list"),
            **context,
        },
    )


def area_service(area: Area, pk: int) -> Service:
    return get_object_or_404(backoffice_selectors.backoffice_services(site=area.site), pk=pk)


def area_session(area: Area, pk: int) -> ServiceSession:
    return get_object_or_404(backoffice_selectors.backoffice_sessions(site=area.site), pk=pk)


def session_urls(area: Area, session: ServiceSession) -> dict:
    urls = {
        "service": area.url("service_detail", pk=session.service_id),
        "detail": area.url("session_detail", pk=session.pk),
        "edit": area.url("session_edit", pk=session.pk),
        "cancel": area.url("session_cancel", pk=session.pk),
        "held": area.url("session_held", pk=session.pk),
        "attendance": area.url("attendance", pk=session.pk),
    }
    if session.service.eligibility == Eligibility.PUBLIC:
        urls["checkin_csv"] = area.url("checkin_csv", pk=session.pk)
    return urls


# --- Routes ----------------------------------------------------------------------------------
def area_routes(routes: list[tuple]) -> list:
    """The URL patterns of `routes` — (name, path after the area's prefix, view, POST only) —
    in both areas: a site's back-office (scoped by SiteScopeMiddleware) at
    /manage/<site>/services/… and /manage/<site>/sessions/…, and head office's e-Technopark
    offer at /network/services/… and /network/services/sessions/…."""
    return [
        *_routes(routes, "manage/<slug:site_slug>/", site_area_view, "manage"),
        *_routes(routes, "network/services/", network_area_view, "network"),
    ]


def _routes(routes: list[tuple], prefix: str, wrap, name_prefix: str) -> list:
    patterns = []
    for name, route, core, post_only in routes:
        if prefix.endswith("services/"):  # no /network/services/services/
            route = route.removeprefix("services/")
        view = wrap(core)
        if post_only:
            view = require_POST(view)
        patterns.append(path(prefix + route, view, name=f"{name_prefix}_{name}"))
    return patterns
