from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .audit import audit_record, audited_delete, audited_save, instance_values
from .models import AuditEntry, OutboxMessage


class AuditedModelAdmin(admin.ModelAdmin):
    """Every save and delete made in the admin goes through the audit trail."""

    def save_model(self, request, obj, form, change):
        audited_save(actor=request.user, instance=obj)

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields and inlines are saved after the object: record them too.
        before = instance_values(form.instance)
        super().save_related(request, form, formsets, change)
        form.instance.refresh_from_db()
        audit_record(actor=request.user, action=AuditEntry.Action.UPDATE, instance=form.instance, before=before)

    def delete_model(self, request, obj):
        audited_delete(actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audited_delete(actor=request.user, instance=obj)


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Records the portal writes itself: listed and read here, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "actor_email", "action", "content_type", "object_repr", "site"]
    list_select_related = ["content_type", "site"]  # `site` is nullable: the admin's default join skips it
    show_full_result_count = False  # a filtered page does not count the whole trail again
    list_filter = ["action", "content_type", "site"]
    search_fields = ["actor_email", "object_repr", "object_id"]
    date_hierarchy = "created_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyModelAdmin):
    """Read-only: head office sees what was sent, what waits and what failed (and why)."""

    list_display = ["created_at", "recipients", "subject", "status", "attempts", "available_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # a filtered page does not count every message again
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    @admin.display(description=_("recipients"))
    def recipients(self, obj):
        return ", ".join(obj.to)
