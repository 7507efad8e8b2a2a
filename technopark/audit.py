"""The audit trail: one function every staff write calls, in the same transaction."""

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django_countries.fields import Country, MultipleCountriesDescriptor

from .models import AuditEntry


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


# Secrets never enter the audit trail.
SECRET_FIELDS = frozenset({"password", "token", "key", "secret"})


def instance_values(instance: models.Model) -> dict:
    """The instance's field values as JSON-safe data: the 'before' and 'after' of a change."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        values[field.name] = _plain(field.value_from_object(instance))
    if instance.pk:
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
    before = before or {}
    after = after if after is not None else (instance_values(instance) if action != AuditEntry.Action.DELETE else {})
    changes = {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
    if action == AuditEntry.Action.UPDATE and not changes:
        return None
    site_id = getattr(instance, "site_id", None)
    return AuditEntry.objects.create(
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
