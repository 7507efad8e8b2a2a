"""The mentors API, its task, the booking checks and the data-rights hooks stay thin (issue
17): their ORM reads live in `mentors.selectors` and the models' querysets. The API's
FilterSets filter with the querysets' predicates."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The grep: a queryset built outside the selectors.
ORM_READ = re.compile(
    r"\.objects\.|\.filter\(|\.exclude\(|\.aggregate\(|\.annotate\(|Subquery|OuterRef|Exists\(|Count\("
)
# A write is no read: the data-rights hook blanks a profile in one UPDATE.
WRITE = re.compile(r"\.update\(")


def _thin_modules() -> list[Path]:
    mentors = ROOT / "mentors"
    return [
        *sorted((mentors / "api").glob("*.py")),
        *(mentors / name for name in ("tasks.py", "booking_checks.py", "privacy.py")),
    ]


def test_api_task_checks_and_privacy_build_no_queryset():
    found = [
        f"{file.relative_to(ROOT).as_posix()}:{number}: {line.strip()}"
        for file in _thin_modules()
        for number, line in enumerate(file.read_text().splitlines(), 1)
        if ORM_READ.search(line) and not WRITE.search(line)
    ]
    assert not found, "reads belong in mentors/selectors/:\n" + "\n".join(found)


def test_no_selectors_module_over_500_lines():
    for file in sorted((ROOT / "mentors" / "selectors").glob("*.py")):
        assert len(file.read_text().splitlines()) <= 500, file.name
