"""The benchmark's large dataset, on PostgreSQL: the demo network (its 14 sites all hosting
startups, as once the network is complete) plus bench rows written by set-based SQL
(`generate_series`), deterministic for a given size and date.

Bench rows are marked so that a rerun can tell what is there: startups by an `rc_number`
starting with `BENCH-`, sessions by their `location`, mentor bookings by their `topic`.
Row counts at the default size (`Size()`): 100,000 startups with their sectors, admissions
and 4 to 6 yearly declarations each (about 500,000), 20,000 sessions with 50 registrations
each (1,000,000), and 4,000 past bookings per published mentor (about 200,000).
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models.functions import Coalesce

from sites.models import Site, SiteStatus
from startups.models import Startup

STARTUP_MARK = "BENCH-"
SESSION_MARK = "Bench room"
BOOKING_MARK = "Bench session"


@dataclass(frozen=True)
class Size:
    startups: int = 100_000
    sessions: int = 20_000
    registrations_per_session: int = 50
    bookings_per_mentor: int = 4_000
    declaration_years: int = 6  # fiscal years declared before today's, at most


def present(size: Size) -> bool:
    """Whether the bench rows of `size` are already in the database (call with the scopes
    disabled: the `bench` command does)."""
    return Startup.objects.filter(rc_number__startswith=STARTUP_MARK).count() == size.startups


def _run(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


STARTUPS = """
INSERT INTO startups_startup (legal_name, brand_name, ice, rc_number, legal_form, founded_on, closed_on,
                              stage, description, website, logo, contact_email, contact_phone, created_at)
SELECT 'Bench Startup ' || lpad(i::text, 6, '0'), '', NULL, %(startup_mark)s || i, 'sarl', f.founded,
       CASE WHEN i %% 6 = 0 THEN LEAST(f.founded + 400 + i %% 2500, %(today)s::date) END,
       'growth', '', '', '', 'contact' || i || '@bench.example', '', now()
FROM generate_series(1, %(startups)s) AS i,
     LATERAL (SELECT DATE '2000-01-01' + (i * 7919 %% (%(today)s::date - DATE '2000-01-01')) AS founded) AS f
"""

BENCH_STARTUPS = "SELECT id, founded_on, closed_on FROM startups_startup WHERE rc_number LIKE %(startup_mark)s || '%%'"

SECTORS = f"""
INSERT INTO startups_startup_sectors (startup_id, sector_id)
SELECT s.id, sec.ids[1 + s.id %% array_length(sec.ids, 1)]
FROM ({BENCH_STARTUPS}) AS s, (SELECT array_agg(id ORDER BY id) AS ids FROM tp_sites_sector) AS sec
UNION ALL
SELECT s.id, sec.ids[1 + (s.id + 1) %% array_length(sec.ids, 1)]
FROM ({BENCH_STARTUPS}) AS s, (SELECT array_agg(id ORDER BY id) AS ids FROM tp_sites_sector) AS sec
WHERE s.id %% 3 = 0
"""

# One admission per startup at one of the 14 sites, a third of them residents, starting
# after the founding (and not before the first site opened); three years long; a closed
# startup's admission ends on its closing.
ADMISSIONS = f"""
INSERT INTO startups_admission (startup_id, site_id, kind, application_id, starts_on, planned_end_on, ended_on,
                                exit_reason, exit_note, created_at)
SELECT s.id, sites.ids[1 + s.id %% array_length(sites.ids, 1)],
       CASE WHEN s.id %% 3 = 0 THEN 'resident' ELSE 'e-technopark' END, NULL,
       a.starts_on, a.starts_on + 1095,
       CASE WHEN s.closed_on IS NOT NULL THEN GREATEST(s.closed_on, a.starts_on)
            WHEN a.starts_on + 1095 < %(today)s::date THEN a.starts_on + 1095 END,
       CASE WHEN s.closed_on IS NOT NULL THEN 'closed'
            WHEN a.starts_on + 1095 < %(today)s::date THEN 'graduated' ELSE '' END,
       '', now()
FROM ({BENCH_STARTUPS}) AS s,
     (SELECT array_agg(id ORDER BY id) AS ids FROM tp_sites_site) AS sites,
     LATERAL (SELECT LEAST(GREATEST(s.founded_on + (s.id %% 365)::int, DATE '2001-10-01'), %(today)s::date) AS starts_on) AS a
"""

# A declaration for each fiscal year the startup lived through among the last ones.
DECLARATIONS = f"""
INSERT INTO startups_declaration (startup_id, fiscal_year, direct_jobs, indirect_jobs, revenue_mad,
                                  export_revenue_mad, export_countries, exports_to_africa, funds_raised_mad,
                                  from_check_in, declared_by_id, declared_at)
SELECT s.id, y, 1 + (s.id + y) %% 25, (s.id * y) %% 10, r.revenue,
       CASE WHEN (s.id + y) %% 4 = 0 THEN round(r.revenue * 0.3, 2) ELSE 0 END,
       CASE WHEN (s.id + y) %% 8 = 0 THEN 'SN,FR' WHEN (s.id + y) %% 4 = 0 THEN 'FR' ELSE '' END,
       (s.id + y) %% 8 = 0, 0, false, NULL, now()
FROM ({BENCH_STARTUPS}) AS s,
     LATERAL generate_series(GREATEST(extract(year FROM s.founded_on)::int, %(first_year)s),
                             LEAST(coalesce(extract(year FROM s.closed_on)::int, 9999), %(last_year)s)) AS y,
     LATERAL (SELECT ((s.id * 37 + y * 11) %% 5000000)::numeric(14, 2) AS revenue) AS r
"""

# Sessions of every service, spread from three years ago to two months ahead.
SESSIONS = """
INSERT INTO services_servicesession (service_id, site_id, starts_at, ends_at, location, join_url, seats,
                                     registration_deadline, status, cancel_reason)
SELECT sv.ids[1 + i %% array_length(sv.ids, 1)], sv.sites[1 + i %% array_length(sv.ids, 1)],
       t.starts_at, t.starts_at + interval '2 hours', %(session_mark)s, '', %(seats)s, t.starts_at - interval '1 day',
       CASE WHEN t.starts_at < %(now)s THEN 'held' ELSE 'scheduled' END, ''
FROM generate_series(1, %(sessions)s) AS i,
     (SELECT array_agg(id ORDER BY id) AS ids, array_agg(site_id ORDER BY id) AS sites FROM services_service) AS sv,
     LATERAL (SELECT date_trunc('hour', %(now)s - interval '1095 days'
                                       + (i::float / %(sessions)s) * interval '1155 days') AS starts_at) AS t
"""

# The startups numbered from 0, to pick one by arithmetic with a hash join (indexing a
# 100,000-element array instead would detoast it for every row).
NUMBERED_STARTUPS = f"""
numbered AS MATERIALIZED (SELECT row_number() OVER (ORDER BY id) - 1 AS rn, id FROM ({BENCH_STARTUPS}) AS s),
total AS (SELECT count(*) AS n FROM numbered)
"""

REGISTRATIONS = f"""
INSERT INTO services_registration (session_id, site_id, user_id, startup_id, name, email, organisation, language,
                                   status, created_at, waitlisted_at, cancelled_at, token, attendance, checked_in_at,
                                   rating, comment, reminded_at)
WITH {NUMBERED_STARTUPS}
SELECT ss.id, ss.site_id, NULL, st.id,
       'Bench participant ' || k, 'participant' || k || '.s' || ss.id || '@bench.example', '', 'fr',
       'confirmed', ss.starts_at - interval '3 days', NULL, NULL, md5(ss.id || ':' || k) || md5(k || ':' || ss.id),
       CASE WHEN ss.starts_at >= %(now)s THEN '' WHEN k %% 5 = 0 THEN 'no_show' ELSE 'present' END,
       NULL, CASE WHEN ss.starts_at < %(now)s AND k %% 3 = 0 THEN 1 + k %% 5 END, '', NULL
FROM services_servicesession AS ss
CROSS JOIN generate_series(1, %(per_session)s) AS k
CROSS JOIN total
JOIN numbered AS st ON st.rn = (ss.id * 53 + k) %% total.n
WHERE ss.location = %(session_mark)s
"""

# Past hour-long video sessions of every published mentor, 8 a day, ending long before
# the demo's own bookings (so no overlap), each with a startup admitted somewhere.
BOOKINGS = f"""
INSERT INTO mentors_booking (mentor_id, site_id, startup_id, booked_by_id, starts_at, ends_at, mode, meeting_site_id,
                             topic, questions, status, cancelled_at, cancelled_by_id, cancel_reason,
                             rescheduled_from_id, attendance, attendance_marked_by_id, note, note_updated_at, rating,
                             rating_comment, rated_at, reminded_at, created_at)
WITH {NUMBERED_STARTUPS}
SELECT m.id, a.site_id, a.startup_id, NULL, t.starts_at, t.starts_at + interval '1 hour',
       'video', NULL, %(booking_mark)s, '', 'confirmed', NULL, NULL, '', NULL,
       CASE WHEN k %% 10 = 0 THEN 'startup_no_show' ELSE 'held' END, NULL, '', NULL,
       CASE WHEN k %% 4 = 0 THEN 1 + k %% 5 END, '', NULL, NULL, t.starts_at - interval '2 days'
FROM mentors_mentorprofile AS m
CROSS JOIN generate_series(0, %(per_mentor)s - 1) AS k
CROSS JOIN total
JOIN numbered AS st ON st.rn = (m.id * 7919 + k * 104729) %% total.n
JOIN startups_admission AS a ON a.startup_id = st.id
CROSS JOIN LATERAL (SELECT %(first_day)s::timestamptz + (k / 8) * interval '1 day' + (k %% 8) * interval '1 hour'
                       AS starts_at) AS t
WHERE m.status = 'published'
"""


def build(*, size: Size, today: datetime.date, now: datetime.datetime, log=print) -> None:
    """Write the bench rows on top of the demo network (`seed_demo` first), with the scopes
    disabled (the `bench` command does: the rows span every site). One transaction: a failed
    build leaves the database as it was."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The benchmark dataset is built on PostgreSQL.")
    first_booking_day = datetime.datetime.combine(
        today - datetime.timedelta(days=size.bookings_per_mentor // 8 + 400), datetime.time(8), datetime.UTC
    )
    params = {
        "startup_mark": STARTUP_MARK,
        "session_mark": SESSION_MARK,
        "booking_mark": BOOKING_MARK,
        "today": today,
        "now": now,
        "startups": size.startups,
        "first_year": today.year - size.declaration_years,
        "last_year": today.year - 1,
        "sessions": size.sessions,
        "seats": size.registrations_per_session + 10,
        "per_session": size.registrations_per_session,
        "per_mentor": size.bookings_per_mentor,
        "first_day": first_booking_day,
    }
    steps = [
        ("startups", STARTUPS),
        ("startup sectors", SECTORS),
        ("admissions", ADMISSIONS),
        ("yearly declarations", DECLARATIONS),
        ("sessions", SESSIONS),
        ("registrations", REGISTRATIONS),
        ("mentor bookings", BOOKINGS),
    ]
    with transaction.atomic():
        # The network as planned: every site open and hosting startups.
        Site.objects.exclude(status=SiteStatus.OPERATIONAL).update(
            status=SiteStatus.OPERATIONAL, opened_on=Coalesce("opened_on", datetime.date(2001, 10, 1))
        )
        for label, sql in steps:
            started = datetime.datetime.now()
            count = _run(sql, params)
            log(f"  {label}: {count:,} rows ({(datetime.datetime.now() - started).total_seconds():.1f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
