"""Issue 18: the audit trail and the import preview read as people read them: field labels,
choice labels, Yes/No, local time without microseconds, amounts, names of related records;
secrets stay as they were kept, and a field removed since keeps its raw key."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django_scopes import scopes_disabled

from accounts.models import User
from core.audit import audit_changes_display, audit_related_names, audited_save, changes_display, value_display
from core.models import AuditEntry
from startups.models import Admission, Declaration, Startup
from tests.factories import DeclarationFactory, StartupFactory

pytestmark = pytest.mark.django_db


def entry_of(model, changes: dict, action=AuditEntry.Action.UPDATE) -> AuditEntry:
    return AuditEntry(action=action, content_type=ContentType.objects.get_for_model(model), changes=changes)


def shown(entry, **kwargs) -> dict[str, tuple[str, str]]:
    return {label: (before, after) for label, before, after in audit_changes_display(entry, **kwargs)}


# The defect's own entry, as core.audit keeps it.
DECLARED = {
    "declared_at": [None, "2026-12-06 14:20:07.414065+00:00"],
    "exports_to_africa": [None, False],
    "revenue_mad": ["0.00", "3100000.50"],
    "export_countries": [[], ["SN", "FR"]],
    "funds_removed_field": [1, 2],
}


def test_labels_values_and_local_time_in_french():
    with translation.override("fr"):
        lines = shown(entry_of(Declaration, DECLARED))
    assert lines["Date de déclaration"] == ("", "06/12/2026 15:20")  # Casablanca: UTC+1 in December
    assert lines["Export vers l’Afrique"] == ("", "Non")
    assert lines["Chiffre d’affaires (MAD)"] == ("0,00", "3\xa0100\xa0000,50")
    assert lines["Destinations d’export"] == ("", "Sénégal, France")
    assert lines["funds_removed_field"] == ("1", "2")  # a field removed since: its raw key


def test_local_time_in_arabic_without_microseconds_nor_offset():
    with translation.override("ar"):
        lines = shown(entry_of(Declaration, DECLARED))
        label = "تاريخ التصريح"
        yes_no = lines["التصدير نحو إفريقيا"][1]
    after = lines[label][1]
    assert after.startswith("06/12/2026 15:20")  # the active language's format (technopark/formats/ar)
    assert "14:20" not in after and ".414065" not in after and "+00:00" not in after
    assert yes_no == "لا"


def test_choices_by_their_label_and_booleans_as_yes_no():
    entry = entry_of(Admission, {"kind": [None, "resident"], "exit_reason": ["", "moved_site"]})
    with translation.override("en"):
        assert shown(entry) == {"Kind": ("", "Resident"), "Exit reason": ("", "Moved to another site")}
    with translation.override("fr"):
        assert shown(entry)["Type"] == ("", "Résident")
        assert value_display(Declaration._meta.get_field("exports_to_africa"), True) == "Oui"


def test_secrets_are_shown_as_they_were_kept():
    kept = {
        "calendar_token": ["[redacted:0123456789abcdef]", "[redacted:fedcba9876543210]"],
        "password": ["", "[redacted]"],
    }
    lines = changes_display(model=User, changes=kept)
    assert [line[1:] for line in lines] == [
        ("[redacted:0123456789abcdef]", "[redacted:fedcba9876543210]"),
        ("", "[redacted]"),
    ]


def test_related_records_are_named_in_one_query_per_model(django_assert_num_queries):
    with scopes_disabled():
        startups = [StartupFactory(brand_name="", legal_name=f"Atlas {n}") for n in range(3)]
        entries = [entry_of(Declaration, {"startup": [None, startup.pk]}) for startup in startups]
        entries.append(entry_of(Declaration, {"startup": [startups[0].pk, 999999]}))  # one gone since
        with django_assert_num_queries(1):
            names = audit_related_names(entries)
    assert [shown(entry, names=names)["Startup"] for entry in entries] == [
        ("", "Atlas 0"),
        ("", "Atlas 1"),
        ("", "Atlas 2"),
        ("Atlas 0", "#999999"),
    ]
    # Without names at hand: the id.
    assert shown(entries[0])["Startup"] == ("", f"#{startups[0].pk}")


def test_a_real_audited_save_reads_without_raw_keys(staff):
    with scopes_disabled():
        declaration = audited_save(actor=staff, instance=DeclarationFactory.build(startup=StartupFactory()))
        entry = AuditEntry.objects.get(object_id=str(declaration.pk), content_type__model="declaration")
        names = audit_related_names([entry])
    with translation.override("fr"):
        lines = audit_changes_display(entry, names=names)
    text = " ".join(" ".join(line) for line in lines)
    assert "declared_at" not in text and "exports_to_africa" not in text
    assert "+00:00" not in text and "True" not in text and "False" not in text
    assert ("Startup", "", str(declaration.startup)) in lines


def test_the_import_preview_text_reads_the_same():
    with translation.override("fr"):
        lines = changes_display(
            model=Startup,
            changes={"legal_form": ["", "sarl_au"], "founded_on": ["", "2012-09-15"], "sectors": ["", "agritech;ict"]},
        )
    assert lines == [
        ("Forme juridique", "", "SARL AU (associé unique)"),
        ("Date de fondation", "", "15/09/2012"),
        ("Secteurs", "", "agritech, ict"),
    ]
