"""Celery tasks of the yearly satisfaction survey (thin: call the action)."""

from celery import shared_task
from django.utils import timezone

from sites.scoping import network_scope

from . import actions, campaign, selectors


@shared_task
def send_survey_invitations() -> int:
    """Every day of a campaign (Celery beat, October to December): invite the founders of
    every startup with a running admission not invited for its site and the year yet;
    returns the number of emails queued (`actions.survey_invitations_send`: one invitation
    per startup, site and year, whatever the number of runs)."""
    today = timezone.localdate()
    year = campaign.campaign_year(today)
    if year is None:
        return 0
    with network_scope():  # every site's startups due an invitation
        admissions = selectors.invitations_due(year=year, today=today)
        return actions.survey_invitations_send(admissions=admissions, year=year)
