"""What the startups app's actions share: dates, founders, emails."""

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model

from core.emails import email_render, email_send_on_commit

from ..models import Startup, TeamRole


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def email_users(users: Iterable, *, template: str, context: dict) -> None:
    for user in users:
        subject, body = email_render(template=template, context={**context, "user": user}, language=user.language)
        email_send_on_commit(to=[user.email], subject=subject, body=body)


def founders_of(startup: Startup):
    return get_user_model().objects.filter(
        startup_memberships__startup=startup, startup_memberships__role=TeamRole.FOUNDER, is_active=True
    )
