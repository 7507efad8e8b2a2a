"""The attestations part of the isolation matrix's `world` (tests/conftest.py): an attestation
of founder_a's residency at site A, and one of the other startup's at site B. Issued through
the action, so that their codes are real."""

from passport.actions import attestation_issue


def credential_world(*, admission_a, admission_b, founder_a) -> dict:
    """Call with scopes disabled."""
    credential_a, _new = attestation_issue(
        actor=founder_a, startup=admission_a.startup, language="fr", admission=admission_a
    )
    credential_b, _new = attestation_issue(
        actor=None, startup=admission_b.startup, language="ar", admission=admission_b
    )
    return {
        "credential_a": credential_a.pk,
        "credential_a_code": credential_a.grouped_code,
        "credential_b": credential_b.pk,
        "credential_b_code": credential_b.grouped_code,
    }
