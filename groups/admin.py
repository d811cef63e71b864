from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from groups import services
from groups.meetings.models import (
    Cadence,
    CalendarFeed,
    Meeting,
    MeetingResponse,
    NextAction,
    Reflection,
    Room,
    RoomPresence,
    Session,
)
from groups.models import (
    AuditEvent,
    Group,
    Invitation,
    JoinRequest,
    Membership,
    Network,
    NetworkMembership,
)
from impact.exceptions import Conflict


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
    # (which lock the group) are the way in. Clearing "left" would be a way back in, too.
    readonly_fields = ["user", "joined_at", "left_at"]
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

    def get_readonly_fields(self, request, obj=None):
        # A group stays in the network it was made in (spin-outs make a new group); the page
        # cache and the audit log rely on it.
        return ["network"] if obj is not None else []


class MembershipAddForm(forms.ModelForm):
    """Staff seat someone in a group: checked here for a clear message, added by the service."""

    class Meta:
        model = Membership
        fields = ["user", "group", "role"]

    def clean(self):
        data = super().clean()
        if data.get("group") and data.get("user"):
            problem = services.membership_add_problem(group=data["group"], user=data["user"])
            if problem is not None:
                raise forms.ValidationError(problem)
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "role", "joined_at", "left_at", "unleashed_from"]
    list_filter = ["role", ("left_at", admin.EmptyFieldListFilter), "group__network"]
    search_fields = ["user__username", "user__display_name", "group__name"]
    raw_id_fields = ["user", "group", "unleashed_from"]
    list_select_related = ["user", "group", "unleashed_from"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipAddForm
            kwargs["fields"] = MembershipAddForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return MembershipAddForm.Meta.fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # A seat never moves to another group or person, and is not re-opened by clearing
        # "left": each of those would put someone in a group without its lock and cap.
        if obj is not None:
            return ["user", "group", "joined_at", "left_at", "unleashed_from", "statement"]
        return []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # Every way into a group goes through the service that locks it and holds the cap.
        added = services.membership_add_by_staff(
            actor=request.user,
            group=form.cleaned_data["group"],
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
        )
        obj.pk = added.pk
        obj.joined_at = added.joined_at
        form.instance = added

    # Not add_view: a URL's view defined here would count as a groups page in the walks.
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Conflict as exc:
            # Someone took the last seat between the check and the add (rolled back).
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


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


class NextActionInline(admin.TabularInline):
    model = NextAction
    extra = 0
    raw_id_fields = ["owner", "group"]


@admin.register(Cadence)
class CadenceAdmin(admin.ModelAdmin):
    list_display = ["group", "weekdays", "start_time", "time_zone", "duration_minutes", "active"]
    list_filter = ["active", "time_zone"]
    search_fields = ["group__name"]
    raw_id_fields = ["group"]
    list_select_related = ["group"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = [
        "group",
        "starts_at",
        "duration_minutes",
        "status",
        "is_reflection",
        "from_cadence",
    ]
    list_filter = ["status", "is_reflection", "from_cadence"]
    search_fields = ["group__name", "location"]
    raw_id_fields = ["group"]
    list_select_related = ["group"]
    date_hierarchy = "starts_at"


@admin.register(MeetingResponse)
class MeetingResponseAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "rsvp", "attended"]
    list_filter = ["rsvp", "attended"]
    search_fields = ["user__username", "user__display_name", "meeting__group__name"]
    raw_id_fields = ["meeting", "user"]


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "excited", "stuck", "share_pulse", "updated_at"]
    list_filter = ["share_pulse"]
    search_fields = ["user__username", "meeting__group__name"]
    raw_id_fields = ["meeting", "user"]
    list_select_related = ["meeting__group", "user"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["meeting", "group", "started_at", "closed_at", "closed_by"]
    list_filter = [("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["group__name", "summary", "learnings"]
    raw_id_fields = ["meeting", "group", "closed_by"]
    list_select_related = ["meeting", "group", "closed_by"]
    inlines = [NextActionInline]


@admin.register(NextAction)
class NextActionAdmin(admin.ModelAdmin):
    list_display = ["description", "owner", "group", "due_on", "done_at"]
    list_filter = [("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["description", "owner__username", "group__name"]
    raw_id_fields = ["session", "group", "owner"]
    list_select_related = ["owner", "group"]


class RoomPresenceInline(admin.TabularInline):
    model = RoomPresence
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    """The live rooms, to look at (and, if a meeting is stuck, to hand its facilitation on)."""

    list_display = ["session", "step", "facilitator", "version", "updated_at"]
    raw_id_fields = ["session", "facilitator", "stand_in"]
    list_select_related = ["session__meeting__group", "facilitator"]
    inlines = [RoomPresenceInline]


@admin.register(RoomPresence)
class RoomPresenceAdmin(admin.ModelAdmin):
    list_display = ["user", "room", "screens", "ready_on", "joined_at"]
    raw_id_fields = ["room", "user"]
    list_select_related = ["user", "room"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["token"]


# The webhooks' admin lives beside them; importing it registers it.
from groups.webhooks import admin as webhooks_admin  # noqa: E402, F401
