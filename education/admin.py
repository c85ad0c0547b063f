from django.contrib import admin

from education.models import (
    ContentItem,
    ContentVersion,
    LearningPath,
    LearningPathItem,
    LearningProgress,
)


class ContentVersionInline(admin.StackedInline):
    model = ContentVersion
    extra = 0


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = ("slug", "kind", "topic", "level", "status", "agency", "updated_at")
    list_filter = ("kind", "topic", "level", "status")
    search_fields = ("slug", "versions__title", "agency")
    inlines = [ContentVersionInline]
    # Status moves through the ops page's transitions (education.services), not a free edit.
    readonly_fields = ("status", "published_at")


class LearningPathItemInline(admin.TabularInline):
    model = LearningPathItem
    extra = 1
    autocomplete_fields = ("item",)


@admin.register(LearningPath)
class LearningPathAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_es", "level", "published")
    list_filter = ("level", "published")
    search_fields = ("slug", "title_es", "title_en")
    inlines = [LearningPathItemInline]


@admin.register(LearningProgress)
class LearningProgressAdmin(admin.ModelAdmin):
    list_display = ("creator", "item", "percent", "visited_at", "completed_at")
    list_filter = ("item",)
    raw_id_fields = ("creator", "item", "delivery")
