from allauth.account import app_settings as allauth_settings
from allauth.account.utils import has_verified_email
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from impact.ids import IdField
from impact.models import Notification, User


class VerifiedAuthTokenSerializer(AuthTokenSerializer):
    """Username and password, refused like the sign-in page until the email is confirmed."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        mandatory = allauth_settings.EMAIL_VERIFICATION == (
            allauth_settings.EmailVerificationMethod.MANDATORY
        )
        if mandatory and not has_verified_email(attrs["user"]):
            raise serializers.ValidationError(
                _("Confirm your email address first: follow the link we emailed you."),
                code="unverified",
            )
        return attrs


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
        child=IdField(),
        required=False,
        help_text="Notifications to mark read; leave out to mark all read.",
    )


class ReadCountSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()
