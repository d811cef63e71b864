from django.contrib import admin

from narratives.models import (
    Adoption,
    Answer,
    HelpRequest,
    HelpResponse,
    Initiative,
    Narrative,
    NarrativeRevision,
    Question,
)


class RevisionInline(admin.TabularInline):
    model = NarrativeRevision
    extra = 0
    readonly_fields = ["editor", "edited_at", "before"]
    can_delete = False


@admin.register(Narrative)
class NarrativeAdmin(admin.ModelAdmin):
    list_display = ["title", "network", "group", "horizon_year", "status", "updated_at"]
    list_filter = ["status", "network"]
    search_fields = ["title", "opportunity"]
    raw_id_fields = ["network", "group", "created_by"]
    inlines = [RevisionInline]


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ["group", "narrative", "adopted_at"]
    raw_id_fields = ["group", "narrative"]
    list_select_related = ["group", "narrative"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    raw_id_fields = ["author", "group"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "network", "group", "posed_to_network", "status", "created_at"]
    list_filter = ["status", "posed_to_network", "network"]
    search_fields = ["text", "details"]
    raw_id_fields = ["network", "group", "narrative", "asked_by", "follow_up_of"]
    list_select_related = ["network", "group"]
    inlines = [AnswerInline]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "impact", "speed", "status", "starts_on", "ends_on"]
    list_filter = ["status", "impact", "speed"]
    search_fields = ["title", "description", "group__name"]
    raw_id_fields = ["group", "created_by"]
    list_select_related = ["group"]


class HelpResponseInline(admin.TabularInline):
    model = HelpResponse
    extra = 0
    raw_id_fields = ["author"]


@admin.register(HelpRequest)
class HelpRequestAdmin(admin.ModelAdmin):
    list_display = ["summary", "group", "asked_by", "raised_to_network", "status", "created_at"]
    list_filter = ["status", "raised_to_network"]
    search_fields = ["summary", "details", "group__name"]
    raw_id_fields = ["group", "asked_by"]
    list_select_related = ["group", "asked_by"]
    inlines = [HelpResponseInline]


@admin.register(NarrativeRevision)
class NarrativeRevisionAdmin(admin.ModelAdmin):
    list_display = ["narrative", "editor", "edited_at"]
    search_fields = ["narrative__title"]
    raw_id_fields = ["narrative", "editor"]
    readonly_fields = ["before"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["question", "author", "group", "helpful", "created_at"]
    list_filter = ["helpful"]
    search_fields = ["body", "question__text"]
    raw_id_fields = ["question", "author", "group"]
    list_select_related = ["question", "author", "group"]


@admin.register(HelpResponse)
class HelpResponseAdmin(admin.ModelAdmin):
    list_display = ["help_request", "author", "created_at"]
    search_fields = ["body", "help_request__summary"]
    raw_id_fields = ["help_request", "author"]
