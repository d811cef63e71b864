from django.contrib import admin

from groups.models import (
    AuditEvent,
    Group,
    Invitation,
    JoinRequest,
    Membership,
    Network,
    NetworkMembership,
)


class NetworkMembershipInline(admin.TabularInline):
    model = NetworkMembership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_public", "created_at"]
    list_filter = ["is_public"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NetworkMembershipInline]


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "network", "role", "joined_at"]
    list_filter = ["role", "network"]
    search_fields = ["user__username", "user__display_name", "network__name"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "network"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "group"
    raw_id_fields = ["user", "unleashed_from"]
    extra = 0
    # Adding people here would bypass the 15-member cap; the app's join and invite flows
    # (which lock the group) are the way in.
    readonly_fields = ["user", "joined_at"]
    can_delete = False
    has_add_permission = lambda self, request, obj=None: False  # noqa: E731


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "capacity", "join_policy", "parent", "created_at"]
    list_filter = ["join_policy", "network"]
    search_fields = ["name", "purpose", "network__name"]
    raw_id_fields = ["parent"]
    list_select_related = ["network", "parent"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "role", "joined_at", "left_at", "unleashed_from"]
    list_filter = ["role", ("left_at", admin.EmptyFieldListFilter), "group__network"]
    search_fields = ["user__username", "user__display_name", "group__name"]
    raw_id_fields = ["user", "group", "unleashed_from"]
    list_select_related = ["user", "group", "unleashed_from"]

    def has_add_permission(self, request):
        return False


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "status", "created_at", "decided_at"]
    list_filter = ["status", "group__network"]
    search_fields = ["user__username", "user__display_name", "group__name", "statement"]
    raw_id_fields = ["user", "group", "decided_by"]
    list_select_related = ["user", "group"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "group",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["group__network", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "group__name"]
    raw_id_fields = ["group", "invited_by", "accepted_by"]
    readonly_fields = ["token"]
    list_select_related = ["group", "invited_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "network", "group", "actor", "verb", "target"]
    list_filter = ["verb", "network"]
    search_fields = ["target", "actor__username", "group__name"]
    raw_id_fields = ["network", "group", "actor"]
    list_select_related = ["network", "group", "actor"]
    readonly_fields = ["details"]

    def has_change_permission(self, request, obj=None):
        return False
