from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from impact import services
from impact.models import EmailOptOut, Notification, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "email", "time_zone", "is_staff", "date_joined"]
    list_filter = [*BaseUserAdmin.list_filter, "time_zone"]
    search_fields = ["username", "display_name", "email", "first_name", "last_name"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Profile"), {"fields": ["display_name", "time_zone"]}),
    ]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "channel",
        "address",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient__username", "recipient__email", "to_email", "title", "dedupe_key"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = ["dedupe_key", "attempts", "last_error", "created_at", "sent_at", "read_at"]
    actions = ["retry_delivery"]

    @admin.action(description=_("Send the selected failed or pending emails again"))
    def retry_delivery(self, request, queryset):
        count = services.notifications_retry(ids=queryset.values_list("id", flat=True))
        self.message_user(request, _("%d queued for delivery.") % count, messages.SUCCESS)


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
