"""The public catalogue of services, registration to sessions, "my registrations" (with
each session's calendar file) and the personal calendar feed.

The catalogue spans every site and the network's e-Technopark offer (rows without a site),
which the request's site scope hides: every read of services, sessions and registrations
here runs inside `network_scope()` explicitly, and registration actions are called in that
same scope. What a viewer may then do is decided per object: eligibility
(`catalogue_selectors.is_eligible` / `eligible_startups`), the registration's owner, or the secret
token in the URL (cancel links, calendar feed).
"""

import datetime
import hashlib
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.extensions import CALENDAR_SOURCES
from core.errors import Conflict
from core.ics import calendar_response
from core.throttling import client_ip, over_limit
from sites.scoping import network_scope
from startups.selectors.visibility import startups_of_member

from .. import actions, ics
from ..forms.catalogue import CatalogueFilterForm, FeedbackForm, PublicRegistrationForm, StartupChoiceForm
from ..models import Attendance, Eligibility, Registration, RegistrationStatus, SessionStatus
from ..selectors import catalogue as catalogue_selectors

# Tokens (cancel links, calendar feeds) are `secrets.token_urlsafe` strings: anything else
# is unknown without asking the database (which may refuse some characters, e.g. NUL).
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
PAGE_SIZE = 24
PAST_PAGE_SIZE = 25
FEED_DAYS_BACK = 90
# Public registration (no account needed): at most this many attempts per hour for one
# address from one IP, and per IP whatever the address (filling seats with fake names).
PUBLIC_LIMIT_PER_EMAIL = 10
PUBLIC_LIMIT_PER_IP = 50
PUBLIC_LIMIT_WINDOW = 60 * 60


# --- Catalogue and service page ---------------------------------------------------------
def _public_page_key(request) -> str:
    """What tells an anonymous page's cached body apart: its language, path and query string
    (in a stable order)."""
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    return f"{get_language()}|{request.path}?{query}"


def catalogue(request):
    form = SimpleLazyObject(lambda: CatalogueFilterForm(request.GET))  # its choices are queries
    # Reviewed network-wide read: the public catalogue of every site and of e-Technopark.
    with network_scope():
        # For anonymous visitors the page's body is a cached fragment (Django's own
        # `{% cache %}`, CATALOGUE_CACHE_SECONDS) per language and URL: the form and the page
        # of services are only built when it is missing or stale. Never cached when signed in.
        page = SimpleLazyObject(
            lambda: Paginator(
                catalogue_selectors.services_filtered(catalogue_selectors.catalogue_services(), **form.filters()),
                PAGE_SIZE,
            ).get_page(request.GET.get("page"))
        )
        return render(
            request,
            "services/catalogue/catalogue.html",
            {
                "form": form,
                "page": page,
                "cache_seconds": 0 if request.user.is_authenticated else settings.CATALOGUE_CACHE_SECONDS,
                "cache_key": _public_page_key(request),
            },
        )


def service_detail(request, pk):
    user = request.user
    # Reviewed network-wide read: one published service of any site or of the network.
    with network_scope():
        service = get_object_or_404(catalogue_selectors.published_services(), pk=pk)
        sessions = list(
            catalogue_selectors.sessions_with_seats_left(catalogue_selectors.upcoming_sessions(service=service))
        )
        mine = {}
        startups = []
        if user.is_authenticated:
            mine = {r.session_id: r for r in catalogue_selectors.live_registrations_of(user=user, sessions=sessions)}
            startups = list(catalogue_selectors.eligible_startups(user=user, service=service).order_by("legal_name"))
        eligible = service.eligibility == Eligibility.PUBLIC or bool(startups)
        now = timezone.now()
        for session in sessions:
            session.mine = mine.get(session.pk)
            session.open = session.is_open_for_registration(now)
        return render(
            request,
            "services/catalogue/detail.html",
            {"service": service, "sessions": sessions, "eligible": eligible, "startups": startups},
        )


# --- Registration -----------------------------------------------------------------------
def public_registration_throttled(request, email: str) -> bool:
    """Public registration's rate limit: per IP and address, and per IP."""
    ip = client_ip(request)
    digest = hashlib.sha256(f"{ip}|{email.lower()}".encode()).hexdigest()
    over_email = over_limit(
        f"services:public-registration:{digest}", limit=PUBLIC_LIMIT_PER_EMAIL, window=PUBLIC_LIMIT_WINDOW
    )
    over_ip = over_limit(f"services:public-registration-ip:{ip}", limit=PUBLIC_LIMIT_PER_IP, window=PUBLIC_LIMIT_WINDOW)
    return over_email or over_ip


def _registered_message(request, registration: Registration) -> None:
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(
            request, _("Your seat is confirmed. We have sent you an email with a calendar file and a cancel link.")
        )
    else:
        messages.info(
            request,
            _("The session is full: you are on the waitlist. If a seat frees up, it is yours and we will email you."),
        )


def _register_page(request, session, context, *, status=200):
    return render(
        request,
        "services/catalogue/register.html",
        {"session": session, "service": session.service, **context},
        status=status,
    )


def session_register(request, pk):
    # Reviewed network-wide read: a session of any site or of the network; the action runs
    # in the same scope.
    with network_scope():
        session = get_object_or_404(catalogue_selectors.published_sessions_with_seats(), pk=pk)
        service = session.service
        if service.eligibility == Eligibility.PUBLIC:
            return _register_public(request, session)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        startups = catalogue_selectors.eligible_startups(user=user, service=service).order_by("legal_name")
        if not startups.exists():
            return render(
                request,
                "services/catalogue/not_eligible.html",
                {"service": service, "session": session, "has_startup": startups_of_member(user).exists()},
                status=403,
            )
        form = StartupChoiceForm(request.POST or None, startups=startups)
        if request.method == "POST" and form.is_valid():
            try:
                registration = actions.registration_create(
                    session=session,
                    name=user.full_name or user.email,
                    email=user.email,
                    language=user.language,
                    user=user,
                    startup=form.cleaned_data["startup"],
                )
            except Conflict as conflict:
                messages.error(request, conflict.message)
                return redirect(service)
            _registered_message(request, registration)
            return redirect(service)
        return _register_page(request, session, {"form": form})


def _register_public(request, session):
    user = request.user
    initial = {"name": user.full_name, "email": user.email} if user.is_authenticated else {}
    form = PublicRegistrationForm(request.POST or None, initial=initial)
    if user.is_authenticated:
        form.fields["email"].disabled = True  # registered with the account's address
        form.fields["email"].help_text = _("The address of your account.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if public_registration_throttled(request, data["email"]):
            return render(request, "services/catalogue/throttled.html", {"service": session.service}, status=429)
        try:
            registration = actions.registration_create(
                session=session,
                name=data["name"],
                email=data["email"],
                organisation=data["organisation"],
                language=user.language if user.is_authenticated else request.LANGUAGE_CODE,
                user=user if user.is_authenticated else None,
            )
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            _registered_message(request, registration)
            return redirect(session.service)
    return _register_page(request, session, {"form": form, "public": True})


# --- Cancel by token (no account needed: the token is the secret) ----------------------
def registration_cancel(request, token):
    if not TOKEN.fullmatch(token):
        raise Http404
    # Reviewed network-wide read: the token designates one registration anywhere.
    with network_scope():
        registration = get_object_or_404(catalogue_selectors.registrations_with_service(), token=token)
        session = registration.session
        if request.method == "POST":
            try:
                actions.registration_cancel(registration=registration)
            except Conflict as conflict:
                messages.error(request, conflict.message)
            else:
                messages.success(request, _("Your registration is cancelled. Thank you for freeing your seat."))
            if request.user.is_authenticated and catalogue_selectors.is_registration_of(
                user=request.user, registration=registration
            ):
                return redirect("services:my_registrations")
            return redirect("services:registration_cancel", token=token)
        return render(
            request,
            "services/catalogue/cancel.html",
            {
                "registration": registration,
                "session": session,
                "service": session.service,
                "is_cancelled": registration.status == RegistrationStatus.CANCELLED,
                "has_started": session.starts_at <= timezone.now(),
            },
        )


# --- My registrations and feedback ------------------------------------------------------
def _my_registrations_response(request, *, bound_form=None, bound_pk=None):
    user = request.user
    now = timezone.now()
    # Reviewed network-wide read: the user's own registrations, at any site or e-Technopark.
    with network_scope():
        upcoming_rows, past_rows = catalogue_selectors.registrations_upcoming_and_past(user=user, now=now)
        upcoming = list(upcoming_rows)
        page = Paginator(past_rows, PAST_PAGE_SIZE).get_page(request.GET.get("page"))
        for registration in page:
            registration.can_rate = (
                registration.status == RegistrationStatus.CONFIRMED
                and registration.attendance != Attendance.NO_SHOW
                and registration.session.status != SessionStatus.CANCELLED
            )
            if registration.can_rate:
                if registration.pk == bound_pk:
                    registration.feedback_form = bound_form
                else:
                    registration.feedback_form = FeedbackForm(
                        auto_id=f"id_r{registration.pk}_%s",
                        initial={"rating": registration.rating, "comment": registration.comment},
                    )
        feed_url = request.build_absolute_uri(reverse("services:calendar_feed", kwargs={"token": user.calendar_token}))
        return render(
            request,
            "services/catalogue/my_registrations.html",
            {"upcoming": upcoming, "page": page, "feed_url": feed_url, "now": now},
        )


@login_required
def my_registrations(request):
    return _my_registrations_response(request)


@require_POST
@login_required
def feedback(request, pk):
    with network_scope():
        registration = get_object_or_404(
            catalogue_selectors.registrations_of(user=request.user).select_related("session"), pk=pk
        )
        form = FeedbackForm(request.POST, auto_id=f"id_r{registration.pk}_%s")
        if not form.is_valid():
            return _my_registrations_response(request, bound_form=form, bound_pk=registration.pk)
        try:
            actions.feedback_give(
                registration=registration, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except Conflict as conflict:
            messages.error(request, conflict.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you for your feedback."))
        return redirect("services:my_registrations")


# --- Calendar: one session's file, the personal feed -------------------------------------
@login_required
def registration_ics(request, pk):
    """The session of one of the user's registrations (a seat or a place on the waitlist) as
    an `.ics` file to add to their calendar, with the UID the feed gives it; the join link
    only with a confirmed seat, as in the feed. Anyone else's registration: 404."""
    # Reviewed network-wide read: one of the user's own registrations, at any site or e-Technopark.
    with network_scope():
        registration = catalogue_selectors.registration_for_calendar(user=request.user, pk=pk)
        if registration is None:
            raise Http404
        session = registration.session
        event = ics.session_event(session, with_link=registration.status == RegistrationStatus.CONFIRMED)
    return calendar_response(ics.calendar([event]), filename=f"session-{session.pk}.ics")


def calendar_feed(request, token):
    """The user's confirmed sessions and what the other apps add (mentor sessions, room
    bookings: accounts.extensions.CALENDAR_SOURCES), the last 90 days and upcoming, as
    iCalendar. No login: calendar apps fetch it on their own; the token in the URL is the
    secret."""
    if not TOKEN.fullmatch(token):
        raise Http404
    user = catalogue_selectors.user_for_calendar_token(token=token)
    if user is None:
        raise Http404
    since = timezone.now() - datetime.timedelta(days=FEED_DAYS_BACK)
    # Reviewed network-wide read: the sessions this one user is confirmed at, and what the
    # other apps hold for them (each filters by the user), at any site.
    with network_scope():
        registrations = catalogue_selectors.calendar_registrations(user=user, since=since)
        with override(user.language):
            events = [
                (registration.session.starts_at, ics.session_event(registration.session, with_link=True))
                for registration in registrations
            ]
            for source in CALENDAR_SOURCES:
                events += source.events(user, since)
            events.sort(key=lambda pair: pair[0])
            content = ics.calendar([event for _start, event in events], name=_("Technopark — my sessions"))
    response = calendar_response(content, filename="technopark.ics", inline=True)
    # Personal, like a signed-in page (core.middleware.PrivateCacheMiddleware): the
    # token in the URL signs the request in. Calendar apps fetch it again on their schedule.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@login_required
def calendar_regenerate(request):
    actions.calendar_token_regenerate(user=request.user)
    messages.success(
        request, _("Your calendar link has changed: the old one no longer works. Add the new one to your calendar.")
    )
    return redirect("services:my_registrations")


urlpatterns = [
    path("services/", catalogue, name="catalogue"),
    path("services/<int:pk>/", service_detail, name="detail"),
    path("sessions/<int:pk>/register/", session_register, name="register"),
    path("registrations/<str:token>/cancel/", registration_cancel, name="registration_cancel"),
    path("me/registrations/", my_registrations, name="my_registrations"),
    path("me/registrations/<int:pk>/feedback/", feedback, name="feedback"),
    path("me/registrations/<int:pk>/session.ics", registration_ics, name="registration_ics"),
    path("me/calendar/regenerate/", calendar_regenerate, name="calendar_regenerate"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
