from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from impact import selectors, services
from impact.api.serializers import (
    MeSerializer,
    NotificationReadSerializer,
    NotificationSerializer,
    ReadCountSerializer,
    VerifiedAuthTokenSerializer,
)
from impact.models import Notification


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (send it as `Token <token>`)."""

    serializer_class = VerifiedAuthTokenSerializer
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    # For the schema (ImpactAutoSchema): what this endpoint can answer besides a token.
    error_codes = ["400", "401", "403", "429"]


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in person's profile: display name, time zone and language ("" for the
    browser's)."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        user = self.request.user
        services.user_update_profile(
            user=user,
            display_name=serializer.validated_data.get("display_name", user.display_name),
            time_zone=serializer.validated_data.get("time_zone", user.time_zone),
            language=serializer.validated_data.get("language", user.language),
        )


class NotificationListView(generics.ListAPIView):
    """My in-app notifications, newest first; `?unread=true` for the unread ones only."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        qs = selectors.notifications_for_user(user=self.request.user)
        unread = self.request.query_params.get("unread")
        if unread is not None:
            try:
                value = serializers.BooleanField().to_internal_value(unread)
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"unread": exc.detail}) from exc
            qs = qs.filter(read_at__isnull=value)
        return qs


class NotificationReadView(APIView):
    """Mark notifications read."""

    @extend_schema(request=NotificationReadSerializer, responses=ReadCountSerializer)
    def post(self, request):
        serializer = NotificationReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.notifications_mark_read(
            user=request.user, ids=serializer.validated_data.get("ids")
        )
        return Response({"marked_read": count}, status=status.HTTP_200_OK)
