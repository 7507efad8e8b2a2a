"""The audit trail: one function every staff write calls, in the same transaction."""

import datetime
import decimal
import functools
import uuid
from collections.abc import Mapping

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.crypto import salted_hmac
from django_countries.fields import Country, MultipleCountriesDescriptor

from .models import AuditEntry
from .redaction import is_secret_name, mask, redact


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Country):
        return value.code
    if isinstance(value, MultipleCountriesDescriptor):  # CountryField(multiple=True)
        return [country.code for country in value]
    if isinstance(value, FieldFile):  # `.url` raises ValueError on an empty one: no hasattr()
        return value.name or None
    return value


# Secrets never enter the audit trail. A field or JSON key is secret when its name matches
# core.redaction.SECRET_WORDS (token, secret, password, key, totp, otp, code,
# recovery…, by substring: calendar_token, session_key, key, password, postal_code too).
# Its change is still recorded, as {name: ["[redacted]", "[redacted]"]} ("" and None stay,
# so that setting or clearing it shows), never its value.
# One exception, by exact name: a field (or JSON key) called `code` is the identifier of
# reference data in this project (region "MA-01", sector and criterion slugs, language "fr"),
# edited by head office, and stays readable. (In logs, a bare `code` is a 2FA form's
# one-time code, and is masked.)
AUDIT_READABLE_FIELDS = frozenset({"code"})


@functools.lru_cache(maxsize=4096)  # a few hundred field names; called for every value audited
def is_secret_field(name: object) -> bool:
    return name not in AUDIT_READABLE_FIELDS and is_secret_name(name)


def _fingerprint(value):
    """Stands for a secret in `instance_values`: tells a change apart, shows nothing (keyed
    with SECRET_KEY, so a short code cannot be guessed from it), never stored."""
    if value is None or value == "":
        return value
    return "[redacted:" + salted_hmac("core.audit.secret", str(value)).hexdigest()[:16] + "]"


def _fingerprint_once(value):
    if isinstance(value, str) and value.startswith("[redacted"):
        return value
    return _fingerprint(value)


def _stored(name: str, before, after) -> list:
    """A change as the audit trail keeps it: secrets masked, at any depth."""
    if is_secret_field(name):
        return [mask(before), mask(after)]
    return redact([before, after], is_secret=is_secret_field, hide=mask)


def audit_changes_redact(changes: dict) -> dict:
    """`changes` of an audit row with its secrets masked: for rows written before the
    pattern above (`manage.py redact_audit_secrets`)."""
    return {
        key: _stored(key, *value)
        if isinstance(value, list) and len(value) == 2
        else redact({key: value}, is_secret=is_secret_field)[key]
        for key, value in changes.items()
    }


def instance_values(instance: models.Model, *, m2m: dict | None = None) -> dict:
    """The instance's field values as JSON-safe data: the 'before' and 'after' of a change.
    Secret fields (and secret keys inside JSON values) are replaced by fingerprints.
    `m2m` ({field: pks}), when given, stands for the many-to-many values (no query)."""
    values = {}
    for field in instance._meta.concrete_fields:
        value = _plain(field.value_from_object(instance))
        if is_secret_field(field.name):
            value = _fingerprint(value)
        elif isinstance(value, (dict, list)):
            value = redact(value, is_secret=is_secret_field, hide=_fingerprint)
        values[field.name] = value
    if m2m is not None:
        values.update((name, sorted(pks)) for name, pks in m2m.items())
    elif instance.pk:
        for field in instance._meta.many_to_many:
            values[field.name] = sorted(related.pk for related in getattr(instance, field.name).all())
    return values


def audit_record(
    *,
    actor,
    action: str,
    instance: models.Model,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry | None:
    """Write an audit entry for `instance`. For updates, only the fields that changed are
    kept, as {field: [before, after]}; an update that changed nothing writes nothing."""
    entry = audit_entry(actor=actor, action=action, instance=instance, before=before, after=after)
    if entry is not None:
        entry.save()
    return entry


_NESTED = (Mapping, list, tuple)  # what `redact` looks into


def audit_entry(
    *,
    actor,
    action: str,
    instance: models.Model,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry | None:
    """`audit_record`'s entry, not saved yet: for bulk writers (the history import), which
    insert their entries with `bulk_create`. None for an update that changed nothing."""
    before = before or {}
    after = after if after is not None else (instance_values(instance) if action != AuditEntry.Action.DELETE else {})
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        # Secrets are compared as fingerprints (a caller's own dict may hold a raw one), stored
        # masked. Plain values, nearly all of them, need no redaction: bulk writers (the
        # history import) audit tens of thousands of records.
        plain = not is_secret_field(key) and not isinstance(old, _NESTED) and not isinstance(new, _NESTED)
        if not plain:
            old, new = (
                redact({key: value}, is_secret=is_secret_field, hide=_fingerprint_once)[key] for value in (old, new)
            )
        if old != new:
            changes[key] = [old, new] if plain else _stored(key, old, new)
    if action == AuditEntry.Action.UPDATE and not changes:
        return None
    site_id = getattr(instance, "site_id", None)
    return AuditEntry(
        actor=actor if actor and actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        site_id=site_id,
        changes=changes,
    )


def audited_save(*, actor, instance: models.Model, m2m: dict | None = None) -> models.Model:
    """Validate and save `instance` (and set its many-to-many fields from `m2m`), recording
    a create or an update with the values before and after. Call inside a transaction."""
    creating = instance._state.adding
    before = {} if creating else instance_values(type(instance)._base_manager.get(pk=instance.pk))
    instance.full_clean()
    instance.save()
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        instance=instance,
        before=before,
    )
    return instance


def audited_delete(*, actor, instance: models.Model) -> None:
    """Delete `instance`, recording its last values. Call inside a transaction."""
    before = instance_values(instance)
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=instance, before=before, after={})
    instance.delete()
