"""The audit trail: one function every staff write calls, in the same transaction, and how
its changes read (labels and values people read, shared with the history import's preview)."""

import datetime
import decimal
import functools
import uuid
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django_countries import countries
from django_countries.fields import Country, CountryField, MultipleCountriesDescriptor

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


# --- Reading the trail -----------------------------------------------------------------------
# A change as people read it: the field's label (its verbose_name, translated) and its values
# in the active language and time zone. The same formatting serves the audit trail (JSON
# values: dates as ISO text, foreign keys as ids, many-to-many as lists of ids) and the
# history import's preview (text values, lists joined by ";").
ChangeLine = tuple[str, str, str]  # (label, before, after); "" for no value
# Fields that name a record, in order of preference, read to show a foreign key by name.
NAME_FIELDS = ("name", "brand_name", "legal_name", "full_name", "title", "email", "slug", "code")


@functools.cache
def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    opts = model._meta
    return {field.name: field for field in (*opts.concrete_fields, *opts.many_to_many)}


@functools.cache
def _name_fields(model: type[models.Model], language: str) -> tuple[str, ...]:
    """The fields of `model` that hold its name (a translated name first): none, no query."""
    fields = _fields(model)
    wanted = (f"name_{language}", "name_fr", *NAME_FIELDS)
    return tuple(name for name in dict.fromkeys(wanted) if name in fields and not fields[name].is_relation)


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def _any_display(value) -> str:
    """A value without a known field (a field removed since, a JSON value): as it is, read."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return ", ".join(text for text in map(_any_display, value) if text)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_any_display(item)}" for key, item in value.items())
    return str(value)


def _moment_display(field: models.Field, value) -> str | None:
    """A date, datetime or time (or its ISO text) in the active format, datetimes in local
    time; None when `value` is not one."""
    if isinstance(field, models.DateTimeField):
        moment = value if isinstance(value, datetime.datetime) else parse_datetime(str(value))
        if moment is None:
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        day = value if isinstance(value, datetime.date) else parse_date(str(value))
        return None if day is None else formats.date_format(day, "SHORT_DATE_FORMAT")
    if isinstance(field, models.TimeField):
        moment = value if isinstance(value, datetime.time) else parse_time(str(value))
        return None if moment is None else formats.time_format(moment, "TIME_FORMAT")
    return None


def _one_display(field: models.Field, value, names: Mapping) -> str:
    if value is None or value == "":
        return ""
    if isinstance(field, CountryField):
        return str(countries.name(value) or value)
    if field.is_relation:
        label = (field.related_model._meta.label_lower, str(value))
        if label in names:
            return names[label]
        # An id without a name at hand; importer's text (a site's slug) is shown as it is.
        return f"#{value}" if isinstance(value, int) or str(value).isdigit() else str(value)
    if field.choices and not isinstance(value, (list, dict)):
        for key, label in field.flatchoices:
            if str(key) == str(value):
                return str(label)
    if isinstance(field, models.BooleanField) or isinstance(value, bool):
        return _any_display(value if isinstance(value, bool) else str(value).lower() in ("true", "1"))
    if isinstance(field, (models.DateField, models.TimeField)):
        shown = _moment_display(field, value)
        return str(value) if shown is None else shown
    if isinstance(field, models.DecimalField):
        try:
            amount = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            return str(value)
        return formats.number_format(amount, decimal_pos=field.decimal_places, force_grouping=True)
    return _any_display(value)


def value_display(field: models.Field | None, value, *, names: Mapping | None = None) -> str:
    """`value` of `field` as people read it, "" for none: a choice by its label, a boolean
    as Yes/No, a date or a datetime (local time) in the active language's format, an amount
    with its decimals, a country by its name, a related record by its name in `names`
    ({(model label, pk as text): name}, see `audit_related_names`) else as #id, a list
    (or the importer's "a;b" text) joined. `field` None: the value as it is."""
    if field is None:
        return _any_display(value)
    if field.many_to_many or getattr(field, "multiple", False):
        items = value.split(";") if isinstance(value, str) else value
        if isinstance(items, list):
            return ", ".join(text for text in (_one_display(field, item, names or {}) for item in items) if text)
    return _one_display(field, value, names or {})


def field_label(model: type[models.Model] | None, name: str) -> str:
    """The label of `model`'s field `name` (its verbose name, translated); the raw name for
    a field that is not (or no longer) on the model."""
    field = _fields(model).get(name) if model is not None else None
    return str(capfirst(field.verbose_name)) if field is not None else name


def changes_display(
    *, model: type[models.Model] | None, changes: Mapping, names: Mapping | None = None
) -> list[ChangeLine]:
    """{field: [before, after]} of `model` as (label, before, after) lines people read
    (`value_display`); secrets stay as they were kept (masked, or their fingerprint)."""
    fields = _fields(model) if model is not None else {}
    lines = []
    for name, change in changes.items():
        before, after = change if isinstance(change, list) and len(change) == 2 else (None, change)
        if is_secret_field(name):
            shown = (_any_display(before), _any_display(after))
        else:
            field = fields.get(name)
            shown = (value_display(field, before, names=names), value_display(field, after, names=names))
        lines.append((field_label(model, name), *shown))
    return lines


def audit_changes_display(entry: AuditEntry, *, names: Mapping | None = None) -> list[ChangeLine]:
    """The changes of `entry` as (label, before, after) lines; its related records named
    from `names` (`audit_related_names`), else shown as #id."""
    return changes_display(model=entry.content_type.model_class(), changes=entry.changes, names=names)


def audit_related_names(entries: Iterable[AuditEntry]) -> dict[tuple[str, str], str]:
    """The names of the records the entries' foreign keys and many-to-many fields point to,
    by (model label, pk as text): one query per related model that has a name field (not
    per entry), through its default manager, so in the caller's scope."""
    language = _language()
    wanted: dict[type[models.Model], set] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        if model is None:
            continue
        for name, change in entry.changes.items():
            field = _fields(model).get(name)
            if field is None or not field.is_relation or is_secret_field(name):
                continue
            related = field.related_model
            if not _name_fields(related, language):
                continue
            pks = wanted.setdefault(related, set())
            for value in change if isinstance(change, list) else [change]:
                for pk in value if isinstance(value, list) else [value]:
                    try:
                        pks.add(related._meta.pk.to_python(pk))
                    except (TypeError, ValueError, ValidationError):
                        continue  # not an id of that model (a value kept before a change of type)
    names = {}
    for model, pks in wanted.items():
        pks.discard(None)
        if not pks:
            continue
        label, name_fields = model._meta.label_lower, _name_fields(model, language)
        for pk, *values in model._default_manager.filter(pk__in=pks).values_list("pk", *name_fields):
            name = next((str(value) for value in values if value), "")
            if name:
                names[(label, str(pk))] = name
    return names
