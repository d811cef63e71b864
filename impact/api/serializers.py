from rest_framework import serializers

from impact.models import Notification, User


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "display_name", "time_zone"]
        read_only_fields = ["id", "username", "email"]


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.BooleanField(source="is_unread", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "unread"]
        read_only_fields = fields


class NotificationReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Notifications to mark read; leave out to mark all read.",
    )


class ReadCountSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()
