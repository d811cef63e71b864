import re

from allauth.account import app_settings as allauth_settings
from allauth.account.utils import has_verified_email
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from impact.ids import IdField, IdRelatedField
from impact.models import Notification, User


class StrictBooleanField(serializers.BooleanField):
    """`true` or `false`, as JSON spells them, and nothing else: REST framework's own field also
    takes "0", "yes", 1 and "on", which the schema (`type: boolean`) does not allow."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class StrictCharField(serializers.CharField):
    """Text is a JSON string: REST framework's own field also takes 0 and turns it into "0",
    which the schema (`type: string`) does not allow."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    """A decimal is a JSON string of digits ("12.5", "-3", ".25"), within the field's digits:
    exactly what `pattern` says in the schema. (REST framework's own field also takes numbers,
    "1e3", "+5" and " 5", which the schema does not allow.)"""

    default_error_messages = {
        "not_digits": _('Send the number as a string of digits, like "12.5".'),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        whole, places = self.max_digits - self.decimal_places, self.decimal_places
        self.pattern = (
            rf"^-?(?:[0-9]{{1,{whole}}}(?:\.[0-9]{{0,{places}}})?|\.[0-9]{{1,{places}}})$"
        )

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
            self.fail("not_digits")
        return super().to_internal_value(data)


# The base of every model serializer of the API: a model's booleans and text are strict, and its
# foreign keys are ids (IdRelatedField). (A comment, not a docstring: the schema would show a
# base class's docstring as the description of every serializer that has none of its own.)
class ModelSerializer(serializers.ModelSerializer):
    serializer_related_field = IdRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.DecimalField: StrictDecimalField,
    }


class VerifiedAuthTokenSerializer(AuthTokenSerializer):
    """Username and password, refused like the sign-in page until the email is confirmed.

    A username and password that do not match is a 401 (who is asking is not established), an
    account whose email is not confirmed a 403 (known, but not allowed yet): both requests are
    well formed, so neither is a 400."""

    username = StrictCharField(label=_("Username"), write_only=True)
    password = StrictCharField(
        label=_("Password"),
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )

    def validate(self, attrs):
        try:
            attrs = super().validate(attrs)
        except serializers.ValidationError as exc:
            raise exceptions.AuthenticationFailed(
                _("Unable to log in with provided credentials.")
            ) from exc
        mandatory = allauth_settings.EMAIL_VERIFICATION == (
            allauth_settings.EmailVerificationMethod.MANDATORY
        )
        if mandatory and not has_verified_email(attrs["user"]):
            raise exceptions.PermissionDenied(
                _("Confirm your email address first: follow the link we emailed you."),
                code="unverified",
            )
        return attrs


class MeSerializer(ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "display_name", "time_zone", "language"]
        read_only_fields = ["id", "username", "email"]


class NotificationSerializer(ModelSerializer):
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
