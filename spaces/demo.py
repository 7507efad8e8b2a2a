"""Demo rooms and bookings (issue 20): at each operational site a rooms policy (8 free hours a
month for a resident, free cancellation until 24 h before the start) and three to six rooms
named in French, Arabic and English (meeting rooms, the training room, the auditorium, the
coworking space, the podcast studio), open Monday to Friday 08:00–19:00 and Saturday
09:00–13:00, Casablanca time.

Then a month of bookings, from two weeks ago to three weeks ahead: the site's service sessions
held on site first (each in the smallest training room or auditorium that seats it, skipped
when none is free or the session falls outside the opening hours), then the residents' (and
now and then an e-Technopark member's) bookings of one to three hours on the half hour, a few
of them cancelled, and two or three outside organisations' requests awaiting approval. No two
bookings of a room overlap (computed here, per room); prices come from `booking_price`, with
the startup's free hours left in that month (residents only, as `selectors.bookings` counts
them: confirmed bookings and late cancellations).

Written directly (the seed is not a user action), deterministic per site and date of the run,
and idempotent: rooms are keyed by (site, French name); a site that has bookings gets no new
ones. Runs unscoped, inside the seed management command.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.local_time import LOCAL
from services.models import Format, ServiceSession, SessionStatus
from sites.models import Site
from sites.selectors import operational_sites
from startups.models import Admission, AdmissionKind, StartupMember

from .models import OpeningHours, Room, RoomBooking, RoomBookingStatus, RoomKind, SpacePolicy, Weekday
from .pricing import ZERO, booking_price

DAYS_BEFORE, DAYS_AFTER = 14, 21  # the window of bookings around today
MONTHLY_FREE_HOURS, FREE_CANCELLATION_HOURS = 8, 24
HALF_HOUR = datetime.timedelta(minutes=30)
OPENING = {
    **{day: (datetime.time(8), datetime.time(19)) for day in range(Weekday.MONDAY, Weekday.FRIDAY + 1)},
    Weekday.SATURDAY: (datetime.time(9), datetime.time(13)),
}

# The two meeting rooms of a site are named after a landmark of its region (fr, ar).
LANDMARKS = {
    "casablanca": [("Atlas", "أطلس"), ("Toubkal", "توبقال")],
    "rabat": [("Chellah", "شالة"), ("Oudayas", "الأوداية")],
    "tanger": [("Hercule", "هرقل"), ("Spartel", "سبارطيل")],
    "agadir": [("Oufella", "أوفلا"), ("Taghazout", "تغازوت")],
}
ROOM_COUNTS = {"casablanca": 6, "rabat": 5}  # the other sites have four

# kind, capacity, floor, (hour, half day, day) in MAD, for members, for outsiders,
# (name fr, ar, en), (equipment fr, ar, en). "{fr}"/"{ar}" take a landmark.
ROOMS = [
    (RoomKind.MEETING, 8, 1, (150, 500, 900), True, False,
     ("Salle de réunion {fr}", "قاعة الاجتماعات {ar}", "{fr} meeting room"),
     ("Écran 65 pouces, visioconférence, tableau blanc",
      "شاشة 65 بوصة، نظام مؤتمرات الفيديو، سبورة بيضاء",
      "65-inch screen, video conferencing, whiteboard")),
    (RoomKind.TRAINING, 24, 1, (300, 1000, 1800), True, True,
     ("Salle de formation", "قاعة التكوين", "Training room"),
     ("Vidéoprojecteur, 24 places, paperboard, sonorisation",
      "جهاز عرض، 24 مقعدا، لوح ورقي، نظام صوتي",
      "Projector, 24 seats, flip chart, sound system")),
    (RoomKind.AUDITORIUM, 150, 0, (1500, 5000, 9000), False, True,
     ("Auditorium", "المدرج", "Auditorium"),
     ("Scène, régie son et lumière, deux écrans géants, cabine de traduction simultanée",
      "منصة، غرفة التحكم في الصوت والإضاءة، شاشتان عملاقتان، مقصورة الترجمة الفورية",
      "Stage, sound and lighting desk, two giant screens, simultaneous interpretation booth")),
    (RoomKind.DESK, 6, 0, (60, 200, 350), True, False,
     ("Espace coworking", "فضاء العمل المشترك", "Coworking space"),
     ("Six postes, écrans 24 pouces, Wi-Fi fibre, casiers",
      "ستة مكاتب، شاشات 24 بوصة، إنترنت بالألياف البصرية، خزانات",
      "Six desks, 24-inch monitors, fibre Wi-Fi, lockers")),
    (RoomKind.MEETING, 12, 2, (200, 650, 1200), True, False,
     ("Salle de réunion {fr}", "قاعة الاجتماعات {ar}", "{fr} meeting room"),
     ("Écran interactif, visioconférence, table pour 12",
      "شاشة تفاعلية، نظام مؤتمرات الفيديو، طاولة لـ 12 شخصا",
      "Interactive screen, video conferencing, table for 12")),
    (RoomKind.STUDIO, 4, 2, (250, 800, 1400), True, False,
     ("Studio podcast", "استوديو البودكاست", "Podcast studio"),
     ("Quatre micros, table de mixage, isolation acoustique, fond vert",
      "أربعة ميكروفونات، طاولة مزج، عزل صوتي، خلفية خضراء",
      "Four microphones, mixing desk, acoustic insulation, green screen")),
]  # fmt: skip

# Per kind: how many startup bookings a room takes on a weekday (at most), and what for.
DAILY = {RoomKind.MEETING: 4, RoomKind.DESK: 3, RoomKind.STUDIO: 2, RoomKind.TRAINING: 1, RoomKind.AUDITORIUM: 1}
PURPOSES = {
    RoomKind.MEETING: [
        "Réunion client",
        "Entretien de recrutement",
        "Point d'équipe hebdomadaire",
        "Démo produit à un prospect",
        "Rendez-vous investisseur",
        "Atelier de conception",
        "Comité de direction",
    ],
    RoomKind.DESK: ["Journée de travail en équipe", "Sprint de développement", "Accueil d'un stagiaire"],
    RoomKind.STUDIO: ["Enregistrement podcast", "Tournage vidéo produit", "Webinaire client"],
    RoomKind.TRAINING: ["Formation interne", "Onboarding des nouvelles recrues", "Hackathon interne"],
    RoomKind.AUDITORIUM: ["Lancement de produit", "Séminaire clients"],
}
OUTSIDERS = [
    ("Association Maroc Numérique", "Assemblée générale annuelle"),
    ("Fédération des technologies de l'information (APEBI)", "Journée de formation des adhérents"),
    ("Lycée technique Al Khawarizmi", "Présentation des projets de fin d'année"),
    ("Chambre de commerce, d'industrie et de services", "Conférence régionale sur la transformation digitale"),
    ("Club des jeunes entrepreneurs", "Soirée pitch et réseautage"),
]


def _at(day: datetime.date, moment: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, moment, tzinfo=LOCAL)


def _hours(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    return Decimal(int((end - start).total_seconds())) / 3600


def _fits_opening(start: datetime.datetime, end: datetime.datetime) -> bool:
    first, last = start.astimezone(LOCAL), end.astimezone(LOCAL)
    hours = OPENING.get(first.weekday())
    return bool(hours) and first.date() == last.date() and hours[0] <= first.time() and last.time() <= hours[1]


class Taken:
    """The ranges each room is held for, so that no two bookings of a room overlap."""

    def __init__(self):
        self.ranges: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = defaultdict(list)

    def is_free(self, room: Room, start: datetime.datetime, end: datetime.datetime) -> bool:
        return all(end <= taken_start or taken_end <= start for taken_start, taken_end in self.ranges[room.pk])

    def hold(self, room: Room, start: datetime.datetime, end: datetime.datetime) -> None:
        self.ranges[room.pk].append((start, end))

    def free_start(self, rng, room, day: datetime.date, length: datetime.timedelta) -> datetime.datetime | None:
        """A random free start on the half hour for `length` within the day's opening hours."""
        if day.weekday() not in OPENING:
            return None
        opens, closes = (_at(day, moment) for moment in OPENING[day.weekday()])
        starts = []
        start = opens
        while start + length <= closes:
            if self.is_free(room, start, start + length):
                starts.append(start)
            start += HALF_HOUR
        return rng.choice(starts) if starts else None


def _seed_rooms(site: Site) -> tuple[list[Room], int]:
    """The site's policy and rooms (with their opening hours); returns them and how many
    rooms are new."""
    SpacePolicy.objects.get_or_create(
        site=site,
        defaults={"monthly_free_hours": MONTHLY_FREE_HOURS, "free_cancellation_hours": FREE_CANCELLATION_HOURS},
    )
    landmarks = iter(LANDMARKS.get(site.slug, LANDMARKS["casablanca"]))
    rooms, created_count = [], 0
    for kind, capacity, floor, prices, members, outsiders, names, equipment in ROOMS[: ROOM_COUNTS.get(site.slug, 4)]:
        landmark_fr, landmark_ar = next(landmarks) if kind == RoomKind.MEETING else ("", "")
        name_fr, name_ar, name_en = (name.format(fr=landmark_fr, ar=landmark_ar) for name in names)
        room, created = Room.objects.get_or_create(
            site=site,
            name_fr=name_fr,
            defaults={
                "name_ar": name_ar,
                "name_en": name_en,
                "kind": kind,
                "capacity": capacity,
                "floor": floor,
                **dict(zip(("equipment_fr", "equipment_ar", "equipment_en"), equipment, strict=True)),
                "for_members": members,
                "for_outsiders": outsiders,
                **dict(
                    zip(("price_hour_mad", "price_half_day_mad", "price_day_mad"), map(Decimal, prices), strict=True)
                ),
            },
        )
        if created:
            created_count += 1
            OpeningHours.objects.bulk_create(
                OpeningHours(room=room, site=site, weekday=day, opens_at=opens, closes_at=closes)
                for day, (opens, closes) in OPENING.items()
            )
        rooms.append(room)
    return rooms, created_count


def _bookers(site: Site, first: datetime.date, today: datetime.date) -> dict[str, list[int]]:
    """The startups that may book at the site throughout the window, by admission kind
    (residents and e-Technopark members admitted there before its first day, still there)."""
    admissions = (
        Admission.objects.filter(site=site, starts_on__lte=first, startup__closed_on__isnull=True)
        .active_on(today)
        .order_by("startup_id")
        .values_list("kind", "startup_id")
    )
    bookers = {AdmissionKind.RESIDENT: [], AdmissionKind.ETECHNOPARK: []}
    for kind, startup_id in admissions:
        bookers[kind].append(startup_id)
    residents = set(bookers[AdmissionKind.RESIDENT])
    bookers[AdmissionKind.ETECHNOPARK] = [pk for pk in bookers[AdmissionKind.ETECHNOPARK] if pk not in residents]
    return bookers


def _session_bookings(site, rooms, taken, first, last) -> list[RoomBooking]:
    """A booking of the smallest free training room or auditorium that seats each of the
    site's sessions held on site in the window."""
    halls = sorted(
        (room for room in rooms if room.kind in (RoomKind.TRAINING, RoomKind.AUDITORIUM)),
        key=lambda room: (room.capacity, room.pk),
    )
    sessions = (
        ServiceSession.objects.filter(
            site=site,
            service__site=site,
            starts_at__gte=_at(first, datetime.time(0)),
            starts_at__lt=_at(last + datetime.timedelta(days=1), datetime.time(0)),
            room_booking__isnull=True,
        )
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(service__format__in=[Format.REMOTE, Format.LIVE_STREAM])
        .select_related("service")
        .order_by("starts_at", "pk")
    )
    bookings = []
    for session in sessions:
        if not _fits_opening(session.starts_at, session.ends_at):
            continue
        fitting = [room for room in halls if room.capacity >= session.seats] or halls[-1:]
        room = next((room for room in fitting if taken.is_free(room, session.starts_at, session.ends_at)), None)
        if room is None:
            continue
        taken.hold(room, session.starts_at, session.ends_at)
        # The session's place reads the room's name, as when a manager picks it.
        ServiceSession.objects.filter(pk=session.pk).update(
            **{f"location_{code}": getattr(room, f"name_{code}") or room.name_fr for code in ("fr", "ar", "en")}
        )
        bookings.append(
            RoomBooking(
                room=room,
                site=site,
                session=session,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                purpose=session.service.title_fr[:200],
                status=RoomBookingStatus.CONFIRMED,
            )
        )
    return bookings


def _startup_plan(rng, rooms, taken, bookers, first, last) -> list[tuple]:
    """(room, start, end, startup id, admission kind, cancelled) of the startups' bookings, day
    by day; a cancelled booking does not hold its room."""
    residents, members = bookers[AdmissionKind.RESIDENT], bookers[AdmissionKind.ETECHNOPARK]
    # A quarter of the residents book often (and go beyond their free hours).
    regulars = set(rng.sample(residents, len(residents) // 4))
    weights = [5 if pk in regulars else 1 for pk in residents]
    plan = []
    day = first
    while day <= last:
        for room in rooms:
            most = DAILY[room.kind] if day.weekday() < Weekday.SATURDAY else min(1, DAILY[room.kind])
            if room.kind == RoomKind.AUDITORIUM and rng.random() < 0.8:
                most = 0  # a startup rarely needs the auditorium
            for _attempt in range(rng.randint(0, most)):
                length = HALF_HOUR * rng.choice([2, 2, 3, 4, 4, 5, 6])
                start = taken.free_start(rng, room, day, length)
                member = bool(members) and room.for_members and (not residents or rng.random() < 0.15)
                if start is None or not (residents or member):
                    continue
                if member:
                    startup_id, kind = rng.choice(members), AdmissionKind.ETECHNOPARK
                else:
                    startup_id, kind = rng.choices(residents, weights=weights)[0], AdmissionKind.RESIDENT
                cancelled = rng.random() < 0.07
                if not cancelled:
                    taken.hold(room, start, start + length)
                plan.append((room, start, start + length, startup_id, kind, cancelled))
        day += datetime.timedelta(days=1)
    return plan


def _startup_bookings(rng, site, plan, users, now) -> list[RoomBooking]:
    """The planned bookings priced in the order they start, each with the free hours the
    startup has left that month (residents only); cancellations before the deadline are
    free, late ones keep their price."""
    used = defaultdict(Decimal)  # (startup id, year, month) → free hours used
    deadline = datetime.timedelta(hours=FREE_CANCELLATION_HOURS)
    bookings = []
    for room, start, end, startup_id, kind, cancelled in sorted(plan, key=lambda row: (row[1], row[0].pk)):
        month = (startup_id, start.year, start.month)
        left = Decimal(MONTHLY_FREE_HOURS) - used[month] if kind == AdmissionKind.RESIDENT else ZERO
        price = booking_price(room, hours=_hours(start, end), free_hours_left=left)
        booking = RoomBooking(
            room=room,
            site=site,
            startup_id=startup_id,
            booked_by_id=users.get(startup_id),
            starts_at=start,
            ends_at=end,
            purpose=rng.choice(PURPOSES[room.kind]),
            status=RoomBookingStatus.CANCELLED if cancelled else RoomBookingStatus.CONFIRMED,
            allowance_hours=price.allowance_hours,
            charged_hours=price.charged_hours,
            price_mad=price.price_mad,
        )
        if cancelled:
            ahead = datetime.timedelta(hours=rng.choice([3, 10, 20, 30, 50, 72]))
            booking.cancelled_at = min(start - ahead, now - datetime.timedelta(hours=rng.randint(1, 12)))
            booking.cancelled_by_id = booking.booked_by_id
            booking.late_cancellation = start - booking.cancelled_at < deadline
            if not booking.late_cancellation:
                booking.allowance_hours = booking.charged_hours = booking.price_mad = ZERO
        used[month] += booking.allowance_hours
        bookings.append(booking)
    return bookings


def _outsider_requests(rng, site, rooms, taken, today) -> list[RoomBooking]:
    """Two or three outside organisations asking for the training room or the auditorium,
    on weekdays of the next three weeks, awaiting approval."""
    open_rooms = [room for room in rooms if room.for_outsiders]
    requests = []
    for organisation, purpose in rng.sample(OUTSIDERS, rng.randint(2, 3)) if open_rooms else []:
        room = rng.choice(open_rooms)
        for _attempt in range(10):
            day = today + datetime.timedelta(days=rng.randint(3, DAYS_AFTER))
            length = HALF_HOUR * rng.choice([4, 6, 8])
            start = taken.free_start(rng, room, day, length) if day.weekday() < Weekday.SATURDAY else None
            if start is None:
                continue
            taken.hold(room, start, start + length)
            price = booking_price(room, hours=_hours(start, start + length), free_hours_left=ZERO)
            requests.append(
                RoomBooking(
                    room=room,
                    site=site,
                    organisation=organisation,
                    starts_at=start,
                    ends_at=start + length,
                    purpose=purpose,
                    status=RoomBookingStatus.REQUESTED,
                    charged_hours=price.charged_hours,
                    price_mad=price.price_mad,
                )
            )
            break
    return requests


def _seed_bookings(site: Site, rooms: list[Room], today: datetime.date, now: datetime.datetime) -> int:
    first, last = today - datetime.timedelta(days=DAYS_BEFORE), today + datetime.timedelta(days=DAYS_AFTER)
    rng = random.Random(f"spaces-{site.slug}-{today.isoformat()}")
    taken = Taken()
    bookers = _bookers(site, first, today)
    users = {}
    for startup_id, user_id in (
        StartupMember.objects.filter(startup__in=bookers[AdmissionKind.RESIDENT] + bookers[AdmissionKind.ETECHNOPARK])
        .order_by("role", "pk")  # founders first ("founder" < "member")
        .values_list("startup_id", "user_id")
    ):
        users.setdefault(startup_id, user_id)
    bookings = _session_bookings(site, rooms, taken, first, last)
    plan = _startup_plan(rng, rooms, taken, bookers, first, last)
    bookings += _startup_bookings(rng, site, plan, users, now)
    bookings += _outsider_requests(rng, site, rooms, taken, today)
    created = RoomBooking.objects.bulk_create(bookings, batch_size=500)
    # When each booking was made (`created_at` is set on insert): some days before its start,
    # yesterday at the latest, and before any cancellation.
    for booking in created:
        made = [booking.starts_at - datetime.timedelta(days=rng.randint(2, 12)), now - datetime.timedelta(days=1)]
        if booking.cancelled_at:
            made.append(booking.cancelled_at - datetime.timedelta(hours=1))
        booking.created_at = min(made)
    RoomBooking.objects.bulk_update(created, ["created_at"], batch_size=500)
    return len(created)


@transaction.atomic
def seed_spaces() -> tuple[int, int]:
    """Create the operational sites' rooms that do not exist yet, and a month of bookings at
    the sites that have none; returns how many rooms and bookings were created."""
    today, now = timezone.localdate(), timezone.now()
    rooms_created = bookings_created = 0
    for site in operational_sites().order_by("slug"):
        rooms, created = _seed_rooms(site)
        rooms_created += created
        if not RoomBooking.objects.filter(site=site).exists():
            bookings_created += _seed_bookings(site, [room for room in rooms if room.is_active], today, now)
    return rooms_created, bookings_created
