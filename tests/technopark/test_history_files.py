"""The history import benchmark's files (technopark/bench/history_files.py): valid in the
importer's formats on the demo network, deterministic, and imported all at once, then again
without a change."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from sites.models import Site
from startups.importer import import_history
from startups.models import Admission, Declaration, Startup
from technopark.bench.history_files import HISTORY_MARK, write_history_files


@pytest.mark.django_db
def test_the_history_files_import_on_the_demo_network(tmp_path):
    call_command("seed_demo", force=True, stdout=None)
    with scopes_disabled():
        startups_csv, declarations_csv = write_history_files(tmp_path / "a", startups=20, declarations=100)
        again = write_history_files(tmp_path / "b", startups=20, declarations=100)
        assert [path.read_bytes() for path in again] == [startups_csv.read_bytes(), declarations_csv.read_bytes()]

        report = import_history(startups_csv.read_bytes(), declarations_csv.read_bytes(), details=False)
        assert report.applied, report.errors[:5]
        assert report.counts == {
            "startup": {"created": 20, "updated": 0, "unchanged": 0},
            "admission": {"created": 20, "updated": 0, "unchanged": 0},
            "declaration": {"created": 100, "updated": 0, "unchanged": 0},
        }
        imported = Startup.objects.filter(legal_name__startswith=HISTORY_MARK)
        assert imported.count() == 20
        sites = set(Admission.objects.filter(startup__in=imported).values_list("site", flat=True))
        assert len(sites) > 1 and sites <= set(Site.objects.values_list("pk", flat=True))
        declarations = Declaration.objects.filter(startup__in=imported)
        per_startup = Counter(declarations.values_list("startup", flat=True))
        assert len(per_startup) == 20 and set(per_startup.values()) == {5}
        years = set(declarations.values_list("fiscal_year", flat=True))
        assert years == set(range(timezone.localdate().year - 5, timezone.localdate().year))

        report = import_history(startups_csv.read_bytes(), declarations_csv.read_bytes(), details=False)
        assert report.applied
        assert report.counts["startup"]["unchanged"] == 20
        assert report.counts["declaration"] == {"created": 0, "updated": 0, "unchanged": 100}
