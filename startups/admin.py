from django.contrib import admin

from core.admin import AuditedModelAdmin
from core.validators import MAX_LOGO_BYTES, MAX_PITCH_DECK_BYTES

from .models import (
    Admission,
    Application,
    Call,
    Criterion,
    Declaration,
    Office,
    OfficeAllocation,
    Startup,
    StartupMember,
)


class StartupMemberInline(admin.TabularInline):
    model = StartupMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Startup)
class StartupAdmin(AuditedModelAdmin):
    upload_max_bytes = MAX_LOGO_BYTES  # core.limits: the request size cap of its pages
    list_display = ["legal_name", "brand_name", "ice", "founded_on", "closed_on"]
    search_fields = ["legal_name", "brand_name", "ice", "rc_number"]
    list_filter = ["legal_form", "stage", "sectors"]
    inlines = [StartupMemberInline]


@admin.register(Call)
class CallAdmin(AuditedModelAdmin):
    list_display = ["title", "site", "kind", "opens_on", "closes_on"]
    list_select_related = ["site"]  # nullable (network calls): the admin's default join skips it
    list_filter = ["kind", "site"]
    # Title and description are edited per language (title_fr, title_ar, title_en: core.multilingual).
    exclude = ["title", "description"]


@admin.register(Application)
class ApplicationAdmin(AuditedModelAdmin):
    upload_max_bytes = MAX_PITCH_DECK_BYTES
    list_display = ["startup", "call", "site", "status", "submitted_at"]
    list_filter = ["status", "site"]
    search_fields = ["startup__legal_name"]
    raw_id_fields = ["startup", "call"]


@admin.register(Admission)
class AdmissionAdmin(AuditedModelAdmin):
    list_display = ["startup", "site", "kind", "starts_on", "planned_end_on", "ended_on", "exit_reason"]
    list_filter = ["kind", "site", "exit_reason"]
    search_fields = ["startup__legal_name", "startup__ice"]
    raw_id_fields = ["startup", "application"]


@admin.register(Office)
class OfficeAdmin(AuditedModelAdmin):
    list_display = ["number", "site", "floor", "area_m2", "seats", "monthly_rent_mad", "is_active"]
    list_filter = ["site", "is_active"]


@admin.register(OfficeAllocation)
class OfficeAllocationAdmin(AuditedModelAdmin):
    list_display = ["office", "admission", "starts_on", "ends_on"]
    list_filter = ["site"]
    raw_id_fields = ["office", "admission"]


@admin.register(Declaration)
class DeclarationAdmin(AuditedModelAdmin):
    list_display = ["startup", "fiscal_year", "direct_jobs", "indirect_jobs", "revenue_mad", "exports_to_africa"]
    list_filter = ["fiscal_year", "exports_to_africa"]
    search_fields = ["startup__legal_name", "startup__ice"]
    raw_id_fields = ["startup"]


@admin.register(Criterion)
class CriterionAdmin(AuditedModelAdmin):
    list_display = ["code", "name_fr", "weight", "position", "is_active"]
