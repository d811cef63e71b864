"""The groups API: the same services and permission rules as the pages."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from groups import selectors, services
from groups.models import (
    GROUP_HARD_CAP,
    GROUP_MIN_CAPACITY,
    Group,
    JoinRequest,
    Membership,
    Network,
    NetworkMembership,
)
from groups.permissions import Need, group_for_user, network_for_user, visible_networks_q
from impact.api.filters import FilterSet
from impact.api.serializers import ModelSerializer, StrictBooleanField, StrictCharField
from impact.ids import IdField, IdFilter, IdRelatedField
from impact.models import User


class NetworkSerializer(ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Network
        fields = ["id", "name", "slug", "description", "is_public", "created_at", "role"]
        read_only_fields = ["id", "slug", "created_at", "role"]

    def get_role(self, network) -> str | None:
        return getattr(network, "my_role", None)


class GroupSerializer(ModelSerializer):
    size = serializers.IntegerField(read_only=True)
    status = serializers.SerializerMethodField()
    waitlist_length = serializers.IntegerField(read_only=True)
    leaders_unleashed = serializers.IntegerField(source="leaders_unleashed_count", read_only=True)
    capacity = serializers.IntegerField(
        min_value=GROUP_MIN_CAPACITY, max_value=GROUP_HARD_CAP, default=GROUP_HARD_CAP
    )
    moderator = IdRelatedField(
        queryset=User.objects.all(), write_only=True, required=False, allow_null=True
    )

    class Meta:
        model = Group
        fields = [
            "id",
            "network",
            "name",
            "purpose",
            "capacity",
            "join_policy",
            "parent",
            "size",
            "status",
            "waitlist_length",
            "leaders_unleashed",
            "created_at",
            "moderator",
        ]
        read_only_fields = ["id", "parent", "created_at"]
        # The service checks the name (case-insensitively) and answers on the name field; the
        # validator DRF derives from the unique constraint would answer for the whole request.
        validators = []

    def get_status(self, group) -> str:
        return Group.status_for(group.size, group.capacity)


class GroupUpdateSerializer(serializers.Serializer):
    """The settings a moderator changes; fields left out stay as they are."""

    name = StrictCharField(max_length=120, required=False)
    purpose = StrictCharField(required=False)
    capacity = serializers.IntegerField(
        min_value=GROUP_MIN_CAPACITY, max_value=GROUP_HARD_CAP, required=False
    )
    join_policy = serializers.ChoiceField(choices=Group.JoinPolicy.choices, required=False)


class MemberSerializer(ModelSerializer):
    user = serializers.IntegerField(source="user_id")
    name = StrictCharField(source="user.public_name")

    class Meta:
        model = Membership
        fields = ["id", "user", "name", "role", "statement", "joined_at"]


class JoinRequestSerializer(ModelSerializer):
    user = serializers.IntegerField(source="user_id")
    name = StrictCharField(source="user.public_name")
    position = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = JoinRequest
        fields = ["id", "user", "name", "status", "statement", "created_at", "position"]


class JoinInputSerializer(serializers.Serializer):
    statement = StrictCharField(
        min_length=services.JOIN_STATEMENT_MIN_LENGTH,
        max_length=2000,
        help_text="Why you want to join, in a sentence or two.",
    )


class JoinOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["member", "pending", "waitlisted"])
    group = serializers.IntegerField(source="group.pk")
    waitlist_position = serializers.IntegerField(allow_null=True)


class SpinOutInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=120)
    purpose = StrictCharField(required=False, allow_blank=True, default="")
    moderator = IdRelatedField(queryset=User.objects.all())
    move = serializers.ListField(child=IdField(), required=False, default=list)
    take_waitlist = StrictBooleanField(default=True)


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    message = StrictCharField(required=False, allow_blank=True, default="", max_length=1000)


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)


class DecisionSerializer(serializers.Serializer):
    approve = StrictBooleanField()


def _outcome(outcome: services.JoinOutcome) -> Response:
    return Response(JoinOutcomeSerializer(outcome).data, status=status.HTTP_200_OK)


def _networks_visible_to(request) -> QuerySet[Network]:
    if request is None or not request.user.is_authenticated:
        return Network.objects.none()
    return Network.objects.filter(visible_networks_q(request.user))


def _groups_visible_to(request) -> QuerySet[Group]:
    return Group.objects.filter(network__in=_networks_visible_to(request))


class GroupFilter(FilterSet):
    # The list holds only groups this person may see, so filtering by a private network (or a
    # group in one) answers like filtering by one that does not exist: an empty list.
    network = IdFilter(field_name="network_id")
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = Group
        fields = ["network", "join_policy", "parent"]


class NetworkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Networks I am part of and public ones. Creating one makes me its organizer."""

    serializer_class = NetworkSerializer
    lookup_field = "slug"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Network.objects.none()
        return selectors.visible_networks(self.request.user)

    def get_object(self):
        network, role = network_for_user(self.request.user, self.kwargs["slug"])
        network.my_role = role
        return network

    def perform_create(self, serializer):
        serializer.instance = services.network_create(
            creator=self.request.user, **serializer.validated_data
        )
        serializer.instance.my_role = NetworkMembership.Role.ORGANIZER


class GroupViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Impact groups (5-15 people). Members and waitlists are visible to members and organizers."""

    serializer_class = GroupSerializer
    filterset_class = GroupFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Group.objects.none()
        return selectors.groups_with_counts(_groups_visible_to(self.request)).order_by(
            "network", "name"
        )

    def get_object(self):
        group, _access = group_for_user(self.request.user, self.kwargs["pk"])
        return selectors.groups_with_counts(Group.objects.filter(pk=group.pk)).get()

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "create":
            # A private network someone is not part of answers like one that does not exist.
            serializer.fields["network"].queryset = _networks_visible_to(self.request)
        return serializer

    def _group(self, need: Need) -> Group:
        group, _access = group_for_user(self.request.user, self.kwargs["pk"], need=need)
        return group

    def perform_create(self, serializer):
        data = serializer.validated_data
        group = services.group_create(
            organizer=self.request.user,
            network=data["network"],
            name=data["name"],
            purpose=data["purpose"],
            capacity=data.get("capacity", GROUP_HARD_CAP),
            join_policy=data.get("join_policy", Group.JoinPolicy.OPEN),
            moderator=data.get("moderator"),
        )
        serializer.instance = selectors.groups_with_counts(Group.objects.filter(pk=group.pk)).get()

    @extend_schema(request=GroupUpdateSerializer, responses=GroupSerializer)
    def partial_update(self, request, pk=None):
        """Change the group's name, purpose, capacity or join policy (moderators and organizers);
        the capacity never drops below the members it has."""
        group = self._group(Need.MODERATE)
        data = GroupUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.group_update(actor=request.user, group=group, **data.validated_data)
        return Response(GroupSerializer(self.get_object()).data)

    @extend_schema(request=JoinInputSerializer, responses=JoinOutcomeSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        """Ask to join: become a member, a pending request, or go on the waitlist (answered)."""
        group = self._group(Need.VIEW)
        data = JoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _outcome(
            services.group_join(
                user=request.user, group=group, statement=data.validated_data["statement"]
            )
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """Leave the group, or the waitlist; what you logged stays."""
        services.group_leave(user=request.user, group=self._group(Need.VIEW))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SpinOutInputSerializer, responses={201: GroupSerializer})
    @action(detail=True, methods=["post"], url_path="spin-out")
    def spin_out(self, request, pk=None):
        """Spin a new group out of this one (organizers)."""
        parent = self._group(Need.ORGANIZE)
        data = SpinOutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        child = services.group_spin_out(
            organizer=request.user,
            parent=parent,
            name=values["name"],
            purpose=values["purpose"],
            moderator=values["moderator"],
            move_user_ids=values["move"],
            take_waitlist=values["take_waitlist"],
        )
        child = selectors.groups_with_counts(Group.objects.filter(pk=child.pk)).get()
        return Response(GroupSerializer(child).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=MemberSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def members(self, request, pk=None):
        group = self._group(Need.SEE_MEMBERS)
        members = Membership.objects.active().filter(group=group).select_related("user")
        return Response(MemberSerializer(members, many=True).data)

    @extend_schema(responses=JoinRequestSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def waitlist(self, request, pk=None):
        waiting = selectors.waitlist(self._group(Need.SEE_MEMBERS))
        return Response(JoinRequestSerializer(waiting, many=True).data)

    @extend_schema(responses=JoinRequestSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def requests(self, request, pk=None):
        """Pending join requests (moderators and organizers)."""
        group = self._group(Need.MODERATE)
        pending = JoinRequest.objects.filter(group=group, status="pending").select_related("user")
        return Response(JoinRequestSerializer(pending, many=True).data)

    @extend_schema(request=DecisionSerializer, responses={200: JoinOutcomeSerializer, 204: None})
    @action(detail=True, methods=["post"], url_path="requests/<id:request_pk>/decide")
    def decide(self, request, pk=None, request_pk=None):
        """Accept or decline a pending request; accepting a full group puts them on the waitlist."""
        group = self._group(Need.MODERATE)
        join_request = get_object_or_404(JoinRequest, pk=request_pk, group=group)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.join_request_decide(
            actor=request.user, join_request=join_request, approve=data.validated_data["approve"]
        )
        if outcome is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return _outcome(outcome)

    @extend_schema(methods=["get"], responses=InvitationSerializer(many=True))
    @extend_schema(
        methods=["post"], request=InvitationInputSerializer, responses={201: InvitationSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def invitations(self, request, pk=None):
        """Invitations by email (moderators and organizers)."""
        group = self._group(Need.MODERATE)
        if request.method == "GET":
            return Response(InvitationSerializer(group.invitations.all()[:100], many=True).data)
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            actor=request.user, group=group, **data.validated_data
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationAcceptView(APIView):
    """Accept an invitation with its token: a seat if one is free, otherwise the waitlist."""

    @extend_schema(request=None, responses=JoinOutcomeSerializer)
    def post(self, request, token: str):
        try:
            services.invitation_for_token(token)
        except ValidationError as exc:
            # An unknown token is a missing resource, as on the invitation page.
            raise NotFound from exc
        return _outcome(services.invitation_accept(user=request.user, token=token))
