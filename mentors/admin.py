from django.contrib import admin

from core.admin import AuditedModelAdmin
from core.validators import MAX_LOGO_BYTES

from .models import Booking, MentorProfile, Tag, WeeklyRule


class WeeklyRuleInline(admin.TabularInline):
    model = WeeklyRule
    extra = 0


@admin.register(MentorProfile)
class MentorProfileAdmin(AuditedModelAdmin):
    upload_max_bytes = MAX_LOGO_BYTES  # the photo (core.limits)
    list_display = ["__str__", "kind", "status", "offers_video", "session_minutes"]
    list_select_related = ["user"]  # the profile's name is its user's
    list_filter = ["status", "kind", "offers_video", "sites"]
    search_fields = ["user__full_name", "user__email", "headline"]
    raw_id_fields = ["user", "reviewed_by"]
    inlines = [WeeklyRuleInline]


@admin.register(Booking)
class BookingAdmin(AuditedModelAdmin):
    list_display = ["mentor", "startup", "site", "starts_at", "status", "attendance", "rating"]
    list_filter = ["status", "attendance", "site"]
    raw_id_fields = ["mentor", "startup", "booked_by", "cancelled_by", "attendance_marked_by", "rescheduled_from"]


admin.site.register(Tag, AuditedModelAdmin)
