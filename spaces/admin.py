"""The admin of rooms and their bookings (head office). Every change goes through the audit
trail (core.admin.AuditedModelAdmin); bookings are read here, made and cancelled on the
portal (their prices and holds are decided by spaces.actions)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedModelAdmin, ReadOnlyModelAdmin
from core.validators import MAX_LOGO_BYTES

from .models import OpeningHours, Room, RoomBooking, SpacePolicy


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    fields = ["weekday", "opens_at", "closes_at"]


@admin.register(Room)
class RoomAdmin(AuditedModelAdmin):
    upload_max_bytes = MAX_LOGO_BYTES  # the photo (core.limits)
    list_display = ["name", "site", "kind", "capacity", "floor", "price_hour_mad", "is_active"]
    list_select_related = ["site"]
    list_filter = ["site", "kind", "is_active"]
    search_fields = ["name_fr", "name_ar", "name_en"]
    # Name and equipment are edited per language (name_fr, name_ar, name_en: core.multilingual).
    exclude = ["name", "equipment"]
    inlines = [OpeningHoursInline]

    def save_formset(self, request, form, formset, change):
        # An opening-hours row belongs to its room's site (the scoped manager's key).
        for row in formset.save(commit=False):
            row.site_id = form.instance.site_id
            row.save()
        for row in formset.deleted_objects:
            row.delete()


@admin.register(SpacePolicy)
class SpacePolicyAdmin(AuditedModelAdmin):
    list_display = ["site", "monthly_free_hours", "free_cancellation_hours"]
    list_select_related = ["site"]


@admin.register(RoomBooking)
class RoomBookingAdmin(ReadOnlyModelAdmin):
    """Read-mostly: listed and read; bookings change on the portal, with their rules."""

    list_display = ["room", "site", "starts_at", "ends_at", "holder_name", "status", "price_mad"]
    list_select_related = ["room", "site", "startup", "session__service"]
    list_filter = ["status", "site"]
    search_fields = ["organisation", "startup__legal_name", "startup__brand_name", "purpose"]
    date_hierarchy = "starts_at"
    show_full_result_count = False

    @admin.display(description=_("held by"))
    def holder_name(self, obj):
        return obj.holder
