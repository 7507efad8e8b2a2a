"""The free slots of a published mentor between two days: public."""

import datetime

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from core.filters import query_params
from core.serializers import id_parameter

from ..availability import MAX_RANGE_DAYS
from ..models import MeetingMode, MentorProfile
from ..selectors.directory import published_mentor
from ..selectors.slots import free_slots
from .fields import local_today

DEFAULT_DAYS = 7  # the slots of a week when `to` is not given


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="Moroccan local time with its UTC offset.")
    end = serializers.DateTimeField(help_text="Moroccan local time with its UTC offset.")
    mode = serializers.ChoiceField(choices=MeetingMode.choices)
    site = serializers.SlugField(
        allow_null=True, help_text="For an in-person slot: the slug of the site where it happens."
    )


class SlotRange(serializers.Serializer):
    """The days to list free slots for: the inputs of the computation, not filters of rows."""

    def get_fields(self):
        fields = super().get_fields()  # `from` is a Python keyword: declared here
        fields["from"] = serializers.DateField(
            required=False, help_text="The first day (YYYY-MM-DD, Moroccan time); default: today."
        )
        fields["to"] = serializers.DateField(
            required=False,
            help_text=f"The last day, included (YYYY-MM-DD); default: six days after `from`. "
            f"At most {MAX_RANGE_DAYS} days in all.",
        )
        return fields

    def validate(self, attrs):
        first = attrs.get("from") or local_today()
        last = attrs.get("to")
        if last is None:  # a week, or up to the end of the calendar
            last = first + min(datetime.timedelta(days=DEFAULT_DAYS - 1), datetime.date.max - first)
        if last < first:
            raise serializers.ValidationError({"to": [_("The end date must not be before the start date.")]})
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError({"to": [_("Ask for %(days)d days at most.") % {"days": MAX_RANGE_DAYS}]})
        return {"from": first, "to": last}


def slots_of(mentor: MentorProfile, *, first: datetime.date, last: datetime.date) -> list[dict]:
    """The free slots of `mentor` from `first` to `last`, ready to serialize. Days before
    today have none (a slot must start in the future): they are not expanded."""
    first = max(first, local_today())
    # `availability.windows` steps one day past `last`: the calendar's last day has no slots.
    last = min(last, datetime.date.max - datetime.timedelta(days=1))
    if last < first:
        return []
    slugs = {site.pk: site.slug for site in mentor.sites.all()}
    return [
        {
            "start": slot.local_start.isoformat(),
            "end": slot.local_end.isoformat(),
            "mode": slot.mode,
            "site": slugs.get(slot.site_id),
        }
        for slot in free_slots(mentor, date_from=first, date_to=last)
    ]


@extend_schema(
    tags=["mentors"],
    parameters=[id_parameter("A mentor"), SlotRange],
    # 400: a malformed date, `to` before `from`, or too long a range.
    responses={200: SlotSerializer(many=True), **error_responses(400, 401, 404)},
)
class MentorSlots(APIView):
    """The free slots of a published mentor between two days (Moroccan time): in their
    weekly and one-off windows, not blocked, at least their minimum notice ahead and clear
    of their other sessions. Public; book one with `POST /api/v1/mentor-bookings/`."""

    permission_classes = [AllowAny]

    def get(self, request, pk: int):
        mentor = published_mentor(pk=pk)
        if mentor is None:
            raise exceptions.NotFound()
        params = query_params(request, SlotRange)
        return Response(slots_of(mentor, first=params["from"], last=params["to"]))
