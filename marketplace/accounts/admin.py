"""Users in the admin. Only superusers manage staff: staff flags, groups and permissions, staff accounts."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User

# Fields that grant power: only a superuser may change them.
STAFF_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone", "language", "time_zone")}),
        (_("Permissions"), {"fields": ("is_active", *STAFF_FIELDS)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_active", "is_superuser", "groups")
    search_fields = ("email", "first_name", "last_name", "phone")
    ordering = ("-date_joined",)
    filter_horizontal = ("groups", "user_permissions")
    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        readonly = ("last_login", "date_joined")
        if obj is not None:
            # The address changes through allauth (verified, kept in sync with EmailAddress), not here.
            readonly += ("email",)
        if not request.user.is_superuser:
            readonly += STAFF_FIELDS
        return readonly

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # A staff member with "change user" may edit buyers, but never a staff account (password included):
        # otherwise a manager could take over an administrator.
        if obj is not None and (obj.is_staff or obj.is_superuser) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Accounts are anonymised (accounts.services.delete_account), not deleted: orders and reviews keep them.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            services.register_admin_created_user(user=obj, actor=request.user)
