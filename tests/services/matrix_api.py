"""Isolation matrix: the services API (`/api/v1/…`).

The catalogue (services, sessions), partners and incubators are public. Registering needs
an account: founder_a is already registered for session_a (409); nobody else has an
eligible startup (403). A registration is cancelled only by its owner: anyone else gets
the 404 of a missing one."""

from tests.matrix import API_PUBLIC, API_SIGNED_IN, Route

#                    anonymous outsider founder_a manager_a manager_b staff
REGISTER_SESSION_A = (401, 403, 409, 403, 403, 403)
OWNER_ONLY = (401, 404, 200, 404, 404, 404)

MATRIX: dict[str, Route] = {
    "api:services": Route("/api/v1/services/", API_PUBLIC),
    "api:service": Route("/api/v1/services/{service_network}/", API_PUBLIC),
    "api:sessions": Route("/api/v1/sessions/", API_PUBLIC),
    "api:session": Route("/api/v1/sessions/{session_a}/", API_PUBLIC),
    "api:session_register": Route("/api/v1/sessions/{session_a}/register/", REGISTER_SESSION_A, "post"),
    "api:registrations": Route("/api/v1/registrations/", API_SIGNED_IN),
    "api:registration_cancel": Route("/api/v1/registrations/{registration_a}/cancel/", OWNER_ONLY, "post"),
    "api:programmes": Route("/api/v1/programmes/", API_SIGNED_IN),
    "api:partners": Route("/api/v1/partners/", API_PUBLIC),
    "api:incubators": Route("/api/v1/incubators/", API_PUBLIC),
}
