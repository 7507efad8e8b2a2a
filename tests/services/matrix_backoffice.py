"""Isolation matrix: the services back-office — a site's services and sessions under
/manage/site-a/ (its manager and head office get in, everybody else the 404 of a site that
does not exist, anonymous visitors are sent to sign in) and head office's e-Technopark offer
under /network/services/ (head office only).

The session pages use session_a (a site-A training); the check-in CSV exists only for public
events (session_public at site A; the network's session_network is not public: 404). The form pages need `manage` even to
open (read-only roles get 403)."""

from tests.matrix import HEAD_OFFICE, SITE_A, Route

# Marking a session "held" before it is over is refused with a message: back to the page.
SITE_A_POST_REDIRECT = (302, 404, 404, 302, 404, 302)
HEAD_OFFICE_POST_REDIRECT = (302, 403, 403, 403, 403, 302)
HEAD_OFFICE_NOT_PUBLIC = (302, 403, 403, 403, 403, 404)

MATRIX: dict[str, Route] = {
    # Site back-office
    "services:manage_service_list": Route("/manage/site-a/services/", SITE_A),
    "services:manage_service_create": Route("/manage/site-a/services/new/", SITE_A, action="manage"),
    "services:manage_service_detail": Route("/manage/site-a/services/{service_a}/", SITE_A),
    "services:manage_service_edit": Route("/manage/site-a/services/{service_a}/edit/", SITE_A, action="manage"),
    "services:manage_session_create": Route(
        "/manage/site-a/services/{service_a}/sessions/new/", SITE_A, action="manage"
    ),
    "services:manage_session_detail": Route("/manage/site-a/sessions/{session_a}/", SITE_A),
    "services:manage_session_edit": Route("/manage/site-a/sessions/{session_a}/edit/", SITE_A, action="manage"),
    "services:manage_session_cancel": Route("/manage/site-a/sessions/{session_a}/cancel/", SITE_A, action="manage"),
    "services:manage_session_held": Route("/manage/site-a/sessions/{session_a}/held/", SITE_A_POST_REDIRECT, "post"),
    "services:manage_attendance": Route("/manage/site-a/sessions/{session_a}/attendance/", SITE_A),
    "services:manage_checkin_csv": Route("/manage/site-a/sessions/{session_public}/checkin.csv", SITE_A),
    # Head office: the network's e-Technopark services
    "services:network_service_list": Route("/network/services/", HEAD_OFFICE),
    "services:network_service_create": Route("/network/services/new/", HEAD_OFFICE),
    "services:network_service_detail": Route("/network/services/{service_network}/", HEAD_OFFICE),
    "services:network_service_edit": Route("/network/services/{service_network}/edit/", HEAD_OFFICE),
    "services:network_session_create": Route("/network/services/{service_network}/sessions/new/", HEAD_OFFICE),
    "services:network_session_detail": Route("/network/services/sessions/{session_network}/", HEAD_OFFICE),
    "services:network_session_edit": Route("/network/services/sessions/{session_network}/edit/", HEAD_OFFICE),
    "services:network_session_cancel": Route("/network/services/sessions/{session_network}/cancel/", HEAD_OFFICE),
    "services:network_session_held": Route(
        "/network/services/sessions/{session_network}/held/", HEAD_OFFICE_POST_REDIRECT, "post"
    ),
    "services:network_attendance": Route("/network/services/sessions/{session_network}/attendance/", HEAD_OFFICE),
    "services:network_checkin_csv": Route(
        "/network/services/sessions/{session_network}/checkin.csv", HEAD_OFFICE_NOT_PUBLIC
    ),
}
