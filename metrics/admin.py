from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from metrics import services
from metrics.models import (
    Action,
    EntryRevision,
    GroupRanking,
    Measurement,
    MetricChange,
    MetricDefinition,
)


def _add_errors(form: forms.ModelForm, check) -> None:
    try:
        check()
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)


class MetricDefinitionAdminForm(forms.ModelForm):
    """Staff edits meet the target rules of the pages and the API (metrics.services)."""

    class Meta:
        model = MetricDefinition
        fields = [
            "group",
            "network",
            "source",
            *services.METRIC_FIELDS,
            "created_at",
            "archived_at",
        ]

    def clean(self):
        data = super().clean()
        target_changed = not self.instance.pk or {"target", "target_date"} & set(self.changed_data)
        errors = services.check_target(
            target=data.get("target"),
            target_date=data.get("target_date"),
            allow_negative=bool(data.get("allow_negative")),
            today=timezone.localdate() if target_changed else None,
        )
        for name, message in errors.items():
            self.add_error(name, message)
        return data


class DatedEntryAdminForm(forms.ModelForm):
    """An action or measurement edited by staff: the day and value rules of the service."""

    day_field = ""

    def clean(self):
        data = super().clean()
        group, user, day = data.get("group"), data.get("user"), data.get(self.day_field)
        if group and user and day and (not self.instance.pk or self.day_field in self.changed_data):
            _add_errors(
                self,
                lambda: services.check_entry_day(
                    user=user, group=group, day=day, field=self.day_field
                ),
            )
        metric, value = data.get("metric"), data.get("value")
        if metric is not None and value is not None:
            _add_errors(
                self, lambda: services.check_value_sign(metric=metric, value=value, field="value")
            )
        return data


class MeasurementAdminForm(DatedEntryAdminForm):
    day_field = "measured_on"

    class Meta:
        model = Measurement
        fields = ["metric", "group", "user", "action", "value", "measured_on", "created_at"]


class ActionAdminForm(DatedEntryAdminForm):
    day_field = "happened_on"

    class Meta:
        model = Action
        fields = [
            "group",
            "user",
            "description",
            "notes",
            "happened_on",
            "initiative",
            "effort_minutes",
            "created_at",
        ]


class MetricChangeInline(admin.TabularInline):
    model = MetricChange
    extra = 0
    readonly_fields = ["changed_by", "changed_at", "changes"]
    can_delete = False


@admin.register(MetricDefinition)
class MetricDefinitionAdmin(admin.ModelAdmin):
    form = MetricDefinitionAdminForm
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
    search_fields = ["name", "unit", "unit_singular", "group__name", "network__name"]
    raw_id_fields = ["group", "network", "source"]
    list_select_related = ["group", "network"]
    inlines = [MetricChangeInline]


class MeasurementInline(admin.TabularInline):
    model = Measurement
    form = MeasurementAdminForm
    extra = 0
    raw_id_fields = ["metric", "group", "user"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    form = ActionAdminForm
    list_display = ["description", "group", "user", "happened_on", "effort_minutes", "initiative"]
    list_filter = ["group__network", "happened_on"]
    search_fields = ["description", "notes", "user__username", "group__name"]
    raw_id_fields = ["group", "user", "initiative"]
    list_select_related = ["group", "user", "initiative"]
    date_hierarchy = "happened_on"
    inlines = [MeasurementInline]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    form = MeasurementAdminForm
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
