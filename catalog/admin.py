"""Moderator and manager tools in Django admin; every change goes through catalogue services."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalog import services
from catalog.forms import AttributeAdminForm, CategoryAdminForm
from catalog.models import Attribute, Brand, Category, ForbiddenWord, RejectionReason
from catalog.text import slugify_ru


class AttributeInline(admin.TabularInline):
    model = Attribute
    form = AttributeAdminForm
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryAdminForm
    inlines = [AttributeInline]
    list_display = ["indented_name", "slug", "commission_percent", "return_class", "is_active", "position"]
    list_filter = ["is_active", "depth", "return_class"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    ordering = ["path"]
    list_per_page = 100

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Category) -> str:
        return "\u2003" * obj.depth + obj.name

    def save_model(self, request, obj, form, change):
        services.save_category(category=obj, actor=request.user)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["slug"]

    def save_model(self, request, obj, form, change):
        if not obj.slug:
            obj.slug = services.unique_slug(Brand, slugify_ru(obj.name))
        super().save_model(request, obj, form, change)


@admin.register(ForbiddenWord)
class ForbiddenWordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["phrase"]


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["title", "position"]
    search_fields = ["title", "text"]
