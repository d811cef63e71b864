"""Webhooks in the admin: to look at, not to edit (their owners change them on their pages,
through the services). The secret is never shown."""

from django.contrib import admin

from groups.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ["host", "format", "network", "group", "created_by", "is_active", "created_at"]
    list_filter = ["format", "is_active"]
    raw_id_fields = ["network", "group", "created_by"]
    list_select_related = ["network", "group", "created_by"]
    exclude = ["secret"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "network", "group", "uid"]
    list_filter = ["kind"]
    raw_id_fields = ["network", "group"]
    list_select_related = ["network", "group"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "hook", "event", "status", "attempts", "last_error"]
    list_filter = ["status"]
    raw_id_fields = ["hook", "event"]
    list_select_related = ["hook", "event"]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdmin):
    list_display = ["at", "hook", "delivery", "number", "status_code", "error", "duration_ms"]
    raw_id_fields = ["hook", "delivery"]
    list_select_related = ["hook", "delivery__event"]
