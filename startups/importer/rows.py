"""Steps 1 and 2 of the import: parse the CSV text, validate each row (pure functions)."""

from __future__ import annotations

import csv
import datetime
import decimal
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django_countries import countries

from sites.models import Sector, Site

from ..legal_forms import accepted_legal_forms, legal_form_code
from ..models import AdmissionKind, ExitReason
from .report import RowError, Source

MAX_MAD = decimal.Decimal("999999999999.99")  # Declaration's DecimalField(max_digits=14, decimal_places=2)
ICE_PATTERN = re.compile(r"^[0-9]{15}$")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
LINE = re.compile(r".*?(?:\r\n|\r|\n)|.+", re.DOTALL)  # a line with its end, or the last one without


# --- 1. Parse -------------------------------------------------------------------------------
def _read_source(source: Source) -> bytes | str | None:
    if source is None or isinstance(source, bytes | str):
        return source
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def iter_csv(
    content: bytes | str, *, file: str, columns: tuple[str, ...], errors: list[RowError]
) -> Iterator[tuple[int, dict]]:
    """The data rows as (line number, {column: stripped text}), one at a time (a list of them
    all took more memory than the rest of the import); the errors of the file's shape are
    appended to `errors` as they are met."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            errors.append(RowError(file, line, "encoding", _("The file is not UTF-8 text (save it as CSV UTF-8).")))
            return
    else:
        text = content.removeprefix("\ufeff")
    # Lines as io.StringIO(text, newline="") gives them, without its copy of the text (4 bytes
    # a character: 10 MB for 50,000 declarations).
    reader = csv.reader(match.group() for match in LINE.finditer(text))
    try:
        header = next(reader)
    except StopIteration:
        errors.append(RowError(file, 1, "empty", _("The file is empty: a header row is expected.")))
        return
    except csv.Error as error:
        errors.append(RowError(file, 1, "csv", _("The header row cannot be read: %(error)s") % {"error": error}))
        return
    header = [name.strip().lower() for name in header]
    missing = [column for column in columns if column not in header]
    if missing:
        errors.append(
            RowError(
                file,
                1,
                "missing_columns",
                _("Missing columns: %(columns)s (expected: %(expected)s).")
                % {"columns": ", ".join(missing), "expected": ",".join(columns)},
            )
        )
        return
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(file, start, "csv", _("This line cannot be read: %(error)s") % {"error": error}))
            break
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue  # blank line
        while len(values) > len(header) and not values[-1].strip():
            values = values[:-1]  # trailing empty cells, as spreadsheets write them
        if len(values) != len(header):
            errors.append(
                RowError(
                    file,
                    start,
                    "column_count",
                    _("Expected %(expected)s values, found %(found)s.")
                    % {"expected": len(header), "found": len(values)},
                )
            )
            continue
        yield start, {name: value.strip() for name, value in zip(header, values, strict=True)}


def read_csv(
    content: bytes | str, *, file: str, columns: tuple[str, ...]
) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """`iter_csv`'s rows, all of them, and the errors of the file's shape."""
    errors: list[RowError] = []
    rows = list(iter_csv(content, file=file, columns=columns, errors=errors))
    return rows, errors


# --- 2. Validate (pure) ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StartupRow:
    line: int
    name: str
    ice: str | None
    legal_form: str | None
    sector: Sector | None
    founded_on: datetime.date | None
    closed_on: datetime.date | None
    site: Site | None
    kind: str | None
    start_on: datetime.date | None
    end_on: datetime.date | None
    exit_reason: str | None


@dataclass(frozen=True, slots=True)
class DeclarationRow:
    line: int
    ice: str | None
    name: str | None
    fiscal_year: int
    direct_jobs: int | None
    indirect_jobs: int | None
    revenue_mad: decimal.Decimal | None
    export_revenue_mad: decimal.Decimal | None
    export_countries: tuple[str, ...] | None


Problems = list[tuple[str, str]]  # (code, message)


def _date(value: str, column: str, problems: Problems) -> datetime.date | None:
    if not value:
        return None
    if DATE_PATTERN.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(
        (
            "bad_date",
            _("%(column)s: “%(value)s” is not a date in the form YYYY-MM-DD.") % {"column": column, "value": value},
        )
    )
    return None


def _ice(value: str, problems: Problems) -> str | None:
    value = value.replace(" ", "")
    if not value:
        return None
    if not ICE_PATTERN.match(value):
        problems.append(("bad_ice", _("ice: “%(value)s” is not an ICE (exactly 15 digits).") % {"value": value}))
        return None
    return value


def _choice(value: str, column: str, choices, code: str, problems: Problems) -> str | None:
    value = value.lower()
    if not value:
        return None
    if value not in choices.values:
        problems.append(
            (
                code,
                _("%(column)s: “%(value)s” is not one of %(choices)s.")
                % {"column": column, "value": value, "choices": ", ".join(choices.values)},
            )
        )
        return None
    return value


def _legal_form(value: str, problems: Problems) -> str | None:
    """A code, or a label as people write it: "SARL AU", "s.a.r.l.", "Auto-entrepreneur"."""
    if not value:
        return None
    code = legal_form_code(value)
    if code is None:
        problems.append(
            (
                "unknown_legal_form",
                _(
                    "legal_form: “%(value)s” is not a legal form we know. Write one of: %(choices)s "
                    "(any case, with or without dots and spaces)."
                )
                % {"value": value, "choices": accepted_legal_forms()},
            )
        )
    return code


def validate_startup_row(
    line: int, raw: dict, *, sites: dict[str, Site], sectors: dict[str, Sector], today: datetime.date
) -> tuple[StartupRow | None, Problems]:
    """One row of startups.csv, typed, or the reasons it is refused."""
    problems: Problems = []
    name = raw["name"]
    if not name:
        problems.append(("missing_name", _("name is required.")))
    elif len(name) > 200:
        problems.append(("long_name", _("name is longer than 200 characters.")))
    ice = _ice(raw["ice"], problems)
    legal_form = _legal_form(raw["legal_form"], problems)
    sector = None
    if raw["sector"]:
        sector = sectors.get(raw["sector"].lower())
        if sector is None:
            problems.append(
                ("unknown_sector", _("sector: no sector has the code “%(value)s”.") % {"value": raw["sector"]})
            )
    founded_on = _date(raw["founded_on"], "founded_on", problems)
    closed_on = _date(raw["closed_on"], "closed_on", problems)
    if founded_on and founded_on > today:
        problems.append(("future_date", _("founded_on is in the future.")))
    if founded_on and closed_on and closed_on < founded_on:
        problems.append(("closed_before_founded", _("closed_on comes before founded_on.")))

    site = None
    if raw["site"]:
        site = sites.get(raw["site"].lower())
        if site is None:
            problems.append(("unknown_site", _("site: no site has the slug “%(value)s”.") % {"value": raw["site"]}))
    kind = _choice(raw["kind"], "kind", AdmissionKind, "unknown_kind", problems)
    start_on = _date(raw["start_on"], "start_on", problems)
    end_on = _date(raw["end_on"], "end_on", problems)
    exit_reason = _choice(raw["exit_reason"], "exit_reason", ExitReason, "unknown_exit_reason", problems)
    admission_columns = [raw["site"], raw["kind"], raw["start_on"], raw["end_on"], raw["exit_reason"]]
    if any(admission_columns):
        if not (raw["site"] and raw["kind"] and raw["start_on"]):
            problems.append(("incomplete_admission", _("An admission needs its site, kind and start_on.")))
        if start_on and end_on and end_on < start_on:
            problems.append(("end_before_start", _("end_on comes before start_on.")))
        if start_on and start_on > today:
            problems.append(("future_date", _("start_on is in the future.")))
        if raw["end_on"] and not raw["exit_reason"]:
            problems.append(("missing_exit_reason", _("exit_reason is required when end_on is set.")))
        if raw["exit_reason"] and not raw["end_on"]:
            problems.append(("exit_reason_without_end", _("exit_reason is set but end_on is empty.")))
    if problems:
        return None, problems
    return (
        StartupRow(
            line=line,
            name=name,
            ice=ice,
            legal_form=legal_form,
            sector=sector,
            founded_on=founded_on,
            closed_on=closed_on,
            site=site,
            kind=kind,
            start_on=start_on,
            end_on=end_on,
            exit_reason=exit_reason,
        ),
        [],
    )


def _count(value: str, column: str, problems: Problems) -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) > 2_000_000_000:
        problems.append(
            ("bad_number", _("%(column)s: “%(value)s” is not a whole number ≥ 0.") % {"column": column, "value": value})
        )
        return None
    return int(value)


def _money(value: str, column: str, problems: Problems) -> decimal.Decimal | None:
    value = value.replace(" ", "").replace("\u00a0", "")
    if not value:
        return None
    try:
        amount = decimal.Decimal(value)
    except decimal.InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > MAX_MAD or amount != round(amount, 2):
        problems.append(
            (
                "bad_amount",
                _("%(column)s: “%(value)s” is not an amount in MAD (≥ 0, at most two decimals, a dot as separator).")
                % {"column": column, "value": value},
            )
        )
        return None
    return amount.quantize(decimal.Decimal("0.01"))


def validate_declaration_row(line: int, raw: dict, *, today: datetime.date) -> tuple[DeclarationRow | None, Problems]:
    """One row of declarations.csv, typed, or the reasons it is refused."""
    problems: Problems = []
    ice = _ice(raw["ice"], problems)
    name = raw["name"] or None
    if not raw["ice"] and not name:
        problems.append(("missing_name", _("Give the startup's ICE or its name.")))
    fiscal_year = None
    if not raw["fiscal_year"]:
        problems.append(("missing_fiscal_year", _("fiscal_year is required.")))
    elif not raw["fiscal_year"].isdigit() or not 1990 <= int(raw["fiscal_year"]) <= 2100:
        problems.append(
            ("bad_fiscal_year", _("fiscal_year: “%(value)s” is not a year.") % {"value": raw["fiscal_year"]})
        )
    elif int(raw["fiscal_year"]) >= today.year:
        problems.append(("fiscal_year_not_over", _("fiscal_year: a year can be declared once it is over.")))
    else:
        fiscal_year = int(raw["fiscal_year"])
    direct_jobs = _count(raw["direct_jobs"], "direct_jobs", problems)
    indirect_jobs = _count(raw["indirect_jobs"], "indirect_jobs", problems)
    revenue = _money(raw["revenue_mad"], "revenue_mad", problems)
    exports = _money(raw["export_revenue_mad"], "export_revenue_mad", problems)
    export_countries = None
    if raw["export_countries"]:
        codes = [code.strip().upper() for code in raw["export_countries"].split(";") if code.strip()]
        unknown = [code for code in codes if code not in countries]
        if unknown:
            problems.append(
                (
                    "unknown_country",
                    _(
                        "export_countries: unknown country codes %(codes)s (use ISO 3166 two-letter codes such as SN;FR)."
                    )
                    % {"codes": ", ".join(unknown)},
                )
            )
        else:
            export_countries = tuple(sorted(set(codes)))
    if problems:
        return None, problems
    return (
        DeclarationRow(
            line=line,
            ice=ice,
            name=name,
            fiscal_year=fiscal_year,
            direct_jobs=direct_jobs,
            indirect_jobs=indirect_jobs,
            revenue_mad=revenue,
            export_revenue_mad=exports,
            export_countries=export_countries,
        ),
        [],
    )
