from django.contrib import admin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from core.admin import AuditedModelAdmin, ReadOnlyModelAdmin

from .actions import api_tokens_revoke_all
from .models import ApiToken, TokenRevocation, User


class UserCreationForm(AdminUserCreationForm):
    """Django's admin form for a new user, for the email-login User: email, name, role and
    language, then a password typed twice, or none ("Disabled": the person chooses their own
    with "Forgot your password?" on the sign-in page, which also proves the address)."""

    class Meta:
        model = User
        fields = ["email", "full_name", "role", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["usable_password"].help_text = _(
            "Disabled: the person sets their own password with “Forgot your password?” on the sign-in page."
        )


@admin.register(User)
class UserAdmin(AuditedModelAdmin):
    """Head office edits accounts here (the "Head office" group's `change_user`); what
    makes someone a superuser or gives rights beyond their role stays with superusers."""

    list_display = ["email", "full_name", "role", "is_active", "is_staff", "date_joined"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    # Adding a user (as django.contrib.auth's UserAdmin does): the password is set by the
    # form, so that the model's validation (`password` is required) passes; access rights
    # are given on the change page that follows.
    add_form = UserCreationForm
    add_form_template = "admin/auth/user/add_form.html"
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "role", "language", "usable_password", "password1", "password2"],
            },
        ),
    ]

    # Read-only for anyone but a superuser: with them, changing a user would be a way to
    # more rights (one's own included). The head-office group follows the role anyway.
    superuser_only_fields = ["is_superuser", "groups", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if request.user.is_superuser else [*readonly, *self.superuser_only_fields]

    def has_change_permission(self, request, obj=None):
        # A superuser's account (its address, its password reset) is theirs and other
        # superusers' to change: nobody else takes it over.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    @method_decorator(sensitive_post_parameters("password1", "password2"))
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        # On to the change page (roles, access), unless the admin asked for another form.
        if "_addanother" not in request.POST and "_popup" not in request.POST:
            request.POST = request.POST.copy()
            request.POST["_continue"] = 1
        return super().response_add(request, obj, post_url_continue)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyModelAdmin):
    """Read-only (keys are not stored): who holds which token, and an action to revoke them
    all for the selected tokens' users (a lost laptop, someone leaving)."""

    list_display = ["name", "key_prefix", "user", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_select_related = ["user"]
    list_filter = ["revoked_reason"]
    search_fields = ["user__email", "name", "key_prefix"]
    readonly_fields = [
        field.name for field in ApiToken._meta.fields if field.name not in ("key_hash", "role_fingerprint")
    ]
    actions = ["revoke_users_tokens"]

    @admin.action(description=_("Revoke every token of these tokens' users"))
    def revoke_users_tokens(self, request, queryset):
        users = User.objects.filter(pk__in=queryset.values("user"))
        count = sum(
            api_tokens_revoke_all(user=user, actor=request.user, reason=TokenRevocation.ADMIN) for user in users
        )
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": count})
