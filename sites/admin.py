from django.contrib import admin

from core.admin import AuditedModelAdmin

from .models import Region, Sector, Site, SiteMembership


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ["code", "name_fr", "name_ar", "name_en"]


@admin.register(Sector)
class SectorAdmin(AuditedModelAdmin):
    list_display = ["code", "name_fr", "name_ar", "name_en"]


@admin.register(Site)
class SiteAdmin(AuditedModelAdmin):
    list_display = ["slug", "name_fr", "region", "status", "opened_on"]
    list_select_related = ["region"]
    list_filter = ["status", "region"]
    search_fields = ["slug", "name_fr", "city"]
    filter_horizontal = ["vocations"]


@admin.register(SiteMembership)
class SiteMembershipAdmin(AuditedModelAdmin):
    list_display = ["user", "site", "role", "created_at"]
    list_select_related = ["user", "site"]
    list_filter = ["role", "site"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]
