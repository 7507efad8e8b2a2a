"""What an attestation states, as one sentence in the active language: the same words on the
PDF, on the verification page and in its JSON. Names (a startup's, a programme's) are Latin
or Arabic text of their own: in HTML each is isolated (`<bdi>`) so that a Latin name keeps
its order inside an Arabic sentence."""

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core import formatting

from .models import Credential, CredentialKind

NAMES = ("startup", "programme", "person", "service")  # isolated and in bold in HTML


def issuer_name(credential: Credential) -> str:
    """The site that issued it, or the network for its e-Technopark programmes."""
    return credential.site.name if credential.site_id else _("the Technopark network")


def _sentence(credential: Credential) -> str:
    kind, ongoing = credential.kind, credential.ongoing
    if kind == CredentialKind.RESIDENCY:
        if ongoing:
            return _("%(startup)s has been a resident startup of %(site)s since %(start)s.")
        return _("%(startup)s was a resident startup of %(site)s from %(start)s to %(end)s.")
    if kind == CredentialKind.MEMBERSHIP:
        if ongoing:
            return _("%(startup)s has been a member of the e-Technopark offer, attached to %(site)s, since %(start)s.")
        return _("%(startup)s was a member of the e-Technopark offer, attached to %(site)s, from %(start)s to %(end)s.")
    if kind == CredentialKind.ATTENDANCE:
        return _("%(person)s, of %(startup)s, attended %(service)s, run by %(site)s on %(start)s.")
    if kind == CredentialKind.COMPLETION:
        return _(
            "%(startup)s completed the programme %(programme)s run by %(site)s from %(start)s to %(end)s, "
            "attending a session of each of its services."
        )
    if ongoing:
        return _("%(startup)s takes part in the programme %(programme)s run by %(site)s, from %(start)s to %(end)s.")
    return _("%(startup)s took part in the programme %(programme)s run by %(site)s, from %(start)s to %(end)s.")


def _values(credential: Credential) -> dict[str, str]:
    values = {
        "startup": credential.startup_name,
        "site": issuer_name(credential),
        "start": formatting.format_date(credential.starts_on),
        "end": formatting.format_date(credential.ends_on) if credential.ends_on else "",
    }
    if credential.programme_id:
        values["programme"] = credential.programme.title  # in the active language (modeltranslation)
    if credential.registration_id:
        service = credential.registration.session.service
        values["person"] = credential.holder_name
        values["service"] = f"{service.title} ({service.get_service_type_display()})"
    return values


def skills(credential: Credential) -> list[str]:
    """What a certificate's training covered: the support dimension and the type of the
    session's service; a programme's dimensions. None for an attestation."""
    if credential.kind == CredentialKind.ATTENDANCE:
        service = credential.registration.session.service
        return [service.get_dimension_display(), service.get_service_type_display()]
    if credential.kind == CredentialKind.COMPLETION:
        services = credential.programme.services.all()  # prefetched (passport.selectors)
        return sorted({str(service.get_dimension_display()) for service in services})
    return []


def statement_text(credential: Credential) -> str:
    """The sentence as plain text (the JSON of the verification)."""
    return _sentence(credential) % _values(credential)


def statement_html(credential: Credential) -> SafeString:
    """The sentence with each name isolated and in bold (the PDF, the verification page)."""
    values = {
        key: format_html("<strong><bdi>{}</bdi></strong>", value) if key in NAMES else escape(value)
        for key, value in _values(credential).items()
    }
    return mark_safe(escape(_sentence(credential)) % values)  # noqa: S308 — every part escaped above


def agreement_end(credential: Credential) -> str:
    """For an ongoing residency, when its agreement ends ("" otherwise)."""
    if credential.kind != CredentialKind.RESIDENCY or not credential.ongoing or not credential.ends_on:
        return ""
    return _("Its residency agreement runs until %(end)s.") % {"end": formatting.format_date(credential.ends_on)}
