from django.contrib import admin

from metrics.models import (
    Action,
    EntryRevision,
    GroupRanking,
    Measurement,
    MetricChange,
    MetricDefinition,
)


class MetricChangeInline(admin.TabularInline):
    model = MetricChange
    extra = 0
    readonly_fields = ["changed_by", "changed_at", "changes"]
    can_delete = False


@admin.register(MetricDefinition)
class MetricDefinitionAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "unit",
        "group",
        "network",
        "aggregation",
        "direction",
        "target",
        "archived_at",
    ]
    list_filter = ["aggregation", "direction", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "unit", "group__name", "network__name"]
    raw_id_fields = ["group", "network", "source"]
    list_select_related = ["group", "network"]
    inlines = [MetricChangeInline]


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0
    raw_id_fields = ["metric", "group", "user"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["description", "group", "user", "happened_on", "effort_minutes", "initiative"]
    list_filter = ["group__network", "happened_on"]
    search_fields = ["description", "notes", "user__username", "group__name"]
    raw_id_fields = ["group", "user", "initiative"]
    list_select_related = ["group", "user", "initiative"]
    date_hierarchy = "happened_on"
    inlines = [MeasurementInline]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["metric", "value", "group", "user", "measured_on"]
    list_filter = ["metric__group__network"]
    search_fields = ["metric__name", "group__name", "user__username"]
    raw_id_fields = ["metric", "group", "user", "action"]
    list_select_related = ["metric", "group", "user"]
    date_hierarchy = "measured_on"


@admin.register(EntryRevision)
class EntryRevisionAdmin(admin.ModelAdmin):
    list_display = ["kind", "entry_id", "group", "editor", "operation", "at"]
    list_filter = ["kind", "operation"]
    raw_id_fields = ["group", "editor"]
    readonly_fields = ["before"]


@admin.register(GroupRanking)
class GroupRankingAdmin(admin.ModelAdmin):
    list_display = ["group", "ranked", "changed_at"]
    list_filter = ["ranked"]
    raw_id_fields = ["group"]


@admin.register(MetricChange)
class MetricChangeAdmin(admin.ModelAdmin):
    list_display = ["metric", "changed_by", "changed_at"]
    search_fields = ["metric__name"]
    raw_id_fields = ["metric", "changed_by"]
    readonly_fields = ["changes"]
