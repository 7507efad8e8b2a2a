"""The public verification of an attestation (issue 22): `/verify/<code>/`, reached from the
QR code or typed from paper (`/verify/` asks for the code). Anyone may check; nobody needs an
account. The page (or its JSON, `Accept: application/json`) says whether the attestation is
valid, and shows what it states and nothing else; a revoked attestation shows only that it
was revoked, and when; an unknown, forged or altered code says "not valid" and nothing more
(a 404 alike). Each address may check 30 codes in 15 minutes (then a 429): with codes of 100
bits, 40 of them a signature, that is no way to find one. Never cached, never indexed."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.throttling import client_ip, over_limit

from .. import codes
from ..pdf import verify_url
from ..selectors import State, Verification, verification
from ..statements import agreement_end, issuer_name, skills, statement_html, statement_text

LIMIT, WINDOW = 30, 15 * 60  # checks per address and window (seconds)
JSON = "application/json"


def _wants_json(request) -> bool:
    return request.get_preferred_type(["text/html", JSON]) == JSON


def _too_many(request):
    if _wants_json(request):
        message = _("Too many checks from your address: try again in a quarter of an hour.")
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "429.html", status=429)
    response["Retry-After"] = str(WINDOW)
    return response


def _payload(result: Verification) -> dict:
    """What the JSON says: the state; what the attestation states only when it is valid
    or has ended; when it was revoked."""
    payload = {"valid": result.state == State.VALID, "state": result.state}
    credential = result.credential
    if result.state == State.REVOKED:
        payload["revoked_on"] = timezone.localtime(credential.revoked_at).date()
    if result.shows_statement:
        payload.update(
            {
                "code": credential.grouped_code,
                "kind": credential.kind,
                "kind_label": credential.get_kind_display(),
                "statement": " ".join(filter(None, [statement_text(credential), agreement_end(credential)])),
                "startup": credential.startup_name,
                "holder": credential.holder_name or None,
                "skills": [str(skill) for skill in skills(credential)],
                "ice": credential.startup_ice or None,
                "issuer": issuer_name(credential),
                "starts_on": credential.starts_on,
                "ends_on": credential.ends_on,
                "ongoing_at_issue": credential.ongoing,
                "issued_on": timezone.localtime(credential.issued_at).date(),
                "ended_on": result.ended_on,
                "url": verify_url(credential),
            }
        )
    return payload


@never_cache
def verify(request, code):
    if over_limit(f"passport:verify:{client_ip(request)}", limit=LIMIT, window=WINDOW):
        return _too_many(request)
    result = verification(code)
    status = 404 if result.state == State.NOT_VALID else 200
    if _wants_json(request):
        return JsonResponse(_payload(result), status=status)
    normalized = codes.normalized(code)
    context = {"result": result, "code": codes.grouped(normalized) if normalized else code[:40]}
    if result.shows_statement:
        credential = result.credential
        context |= {
            "statement": statement_html(credential),
            "agreement_end": agreement_end(credential),
            "issuer": issuer_name(credential),
            "skills": skills(credential),
        }
    return render(request, "passport/verify.html", context, status=status)


@never_cache
def verify_form(request):
    """`/verify/?code=…`: the page of that code; without one, the form asking for it."""
    typed = request.GET.get("code", "").strip()
    if typed:
        code = codes.normalized(typed)
        return redirect(reverse("passport:verify", kwargs={"code": codes.grouped(code) if code else "-"}))
    return render(request, "passport/verify_form.html")


urlpatterns = [
    path("verify/", verify_form, name="verify_form"),
    path("verify/<str:code>/", verify, name="verify"),
]
