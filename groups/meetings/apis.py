"""The meetings API: cadences, meetings, RSVPs, attendance, reflections, sessions, next actions."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

# DRF's version turns a malformed id (/api/meetings/abc/) into a 404 instead of a 500.
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from groups.meetings import services
from groups.meetings.models import (
    Cadence,
    Meeting,
    MeetingResponse,
    NextAction,
    Reflection,
    Session,
)
from groups.permissions import (
    Need,
    group_for_user,
    meeting_for_user,
    next_action_for_user,
    readable_group_ids,
    session_for_user,
)
from impact.api.serializers import ModelSerializer
from impact.ids import IdField


class CadenceSerializer(ModelSerializer):
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), source="weekday_list"
    )
    reminder_offsets = serializers.ListField(
        child=serializers.IntegerField(min_value=services.MIN_REMINDER_OFFSET, max_value=10080),
        source="offsets",
    )

    class Meta:
        model = Cadence
        fields = [
            "weekdays",
            "start_time",
            "time_zone",
            "duration_minutes",
            "location",
            "reminder_offsets",
            "prompt_hours_before",
        ]


class MeetingSerializer(ModelSerializer):
    class Meta:
        model = Meeting
        fields = [
            "id",
            "group",
            "starts_at",
            "duration_minutes",
            "location",
            "status",
            "is_reflection",
        ]
        read_only_fields = ["id", "status"]


class RsvpSerializer(serializers.Serializer):
    rsvp = serializers.ChoiceField(choices=MeetingResponse.Rsvp.choices)


class AttendanceSerializer(serializers.Serializer):
    attended = serializers.ListField(child=IdField(), help_text="User ids who came.")


class ReflectionSerializer(ModelSerializer):
    class Meta:
        model = Reflection
        fields = [
            "id",
            "meeting",
            "user",
            "impact_achieved",
            "learned",
            "new_questions",
            "need_help",
            *Reflection.PULSE_FIELDS,
            "share_pulse",
            "updated_at",
        ]
        read_only_fields = ["id", "meeting", "user", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        # Someone else's pulse is shown only when they chose to share it by name.
        if request is not None and instance.user_id != request.user.pk and not instance.share_pulse:
            for field in Reflection.PULSE_FIELDS:
                data[field] = None
        return data


class NextActionSerializer(ModelSerializer):
    class Meta:
        model = NextAction
        fields = ["id", "session", "group", "owner", "description", "due_on", "done_at"]
        read_only_fields = ["id", "session", "group", "done_at"]


class SessionSerializer(ModelSerializer):
    next_actions = NextActionSerializer(many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "meeting",
            "group",
            "started_at",
            "closed_at",
            "achieved",
            "learnings",
            "summary",
            "next_actions",
        ]
        # The notes and the summary are Markdown, as people typed them and mail renders them.
        extra_kwargs = {
            "achieved": {"help_text": "What the group achieved, in Markdown."},
            "learnings": {"help_text": "What the group learned, in Markdown."},
            "summary": {
                "help_text": "The summary sent to every member when the session closed, in "
                "Markdown (headings, the notes as typed, next actions as a list)."
            },
        }
        read_only_fields = [
            "id",
            "meeting",
            "group",
            "started_at",
            "closed_at",
            "summary",
            "next_actions",
        ]


class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings of my groups, soonest first. Moderators add, move and cancel them."""

    serializer_class = MeetingSerializer
    filterset_fields = {"group": ["exact"], "starts_at": ["gte", "lte"], "status": ["exact"]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return Meeting.objects.filter(group__in=readable_group_ids(self.request.user)).order_by(
            "starts_at"
        )

    def _meeting(self, need: Need = Need.SEE_MEMBERS) -> Meeting:
        meeting, _access = meeting_for_user(self.request.user, self.kwargs["pk"], need=need)
        return meeting

    def get_object(self):
        return self._meeting()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        group, _access = group_for_user(self.request.user, data.pop("group").pk)
        serializer.instance = services.meeting_add(actor=self.request.user, group=group, **data)

    @extend_schema(request=MeetingSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        meeting = self._meeting(Need.MODERATE)
        data = MeetingSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "starts_at" not in data.validated_data:
            raise serializers.ValidationError({"starts_at": ["Give the new start time."]})
        services.meeting_move(
            actor=request.user, meeting=meeting, starts_at=data.validated_data["starts_at"]
        )
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self._meeting(Need.MODERATE)
        services.meeting_cancel(actor=request.user, meeting=meeting)
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=RsvpSerializer, responses=RsvpSerializer)
    @action(detail=True, methods=["post"])
    def rsvp(self, request, pk=None):
        meeting = self._meeting(Need.MEMBER)
        data = RsvpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.rsvp_set(user=request.user, meeting=meeting, rsvp=data.validated_data["rsvp"])
        return Response(data.validated_data)

    @extend_schema(request=AttendanceSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        meeting = self._meeting(Need.MODERATE)
        data = AttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.attendance_record(
            actor=request.user, meeting=meeting, attended_user_ids=data.validated_data["attended"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["get"], responses=ReflectionSerializer)
    @extend_schema(methods=["put"], request=ReflectionSerializer, responses=ReflectionSerializer)
    @action(detail=True, methods=["get", "put"], url_path="my-reflection")
    def my_reflection(self, request, pk=None):
        """My reflection for this meeting; it can be changed until the session closes."""
        meeting = self._meeting(Need.MEMBER)
        if request.method == "GET":
            reflection = get_object_or_404(Reflection, meeting=meeting, user=request.user)
            return Response(ReflectionSerializer(reflection, context={"request": request}).data)
        data = ReflectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reflection = services.reflection_save(
            user=request.user, meeting=meeting, **data.validated_data
        )
        return Response(ReflectionSerializer(reflection, context={"request": request}).data)

    @extend_schema(responses=ReflectionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def reflections(self, request, pk=None):
        """Every member's reflection (visible inside the group only; pulses only when shared)."""
        meeting = self._meeting()
        rows = Reflection.objects.filter(meeting=meeting)
        return Response(ReflectionSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def session(self, request, pk=None):
        """The reflection session of this meeting; POST opens it (moderators)."""
        meeting = self._meeting(Need.MODERATE if request.method == "POST" else Need.SEE_MEMBERS)
        if request.method == "POST":
            session = services.session_open(actor=request.user, meeting=meeting)
        else:
            session = get_object_or_404(Session, meeting=meeting)
        return Response(SessionSerializer(session).data)


class SessionViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reflection sessions of my groups; moderators add next actions and close them."""

    serializer_class = SessionSerializer
    filterset_fields = ["group"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        return Session.objects.filter(
            group__in=readable_group_ids(self.request.user)
        ).prefetch_related("next_actions")

    def _session(self, need: Need = Need.SEE_MEMBERS) -> Session:
        session, _access = session_for_user(self.request.user, self.kwargs["pk"], need=need)
        return session

    def get_object(self):
        return self._session()

    @extend_schema(request=NextActionSerializer, responses={201: NextActionSerializer})
    @action(detail=True, methods=["post"], url_path="next-actions")
    def next_actions(self, request, pk=None):
        # Any member proposes next actions in the live room; the page and the API agree.
        session = self._session(Need.SEE_MEMBERS)
        data = NextActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.session_add_next_action(
            actor=request.user, session=session, **data.validated_data
        )
        return Response(NextActionSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SessionSerializer, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Save the session and send every member the summary."""
        session = self._session(Need.MODERATE)
        data = SessionSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        session = services.session_close(
            actor=request.user,
            session=session,
            achieved=data.validated_data.get("achieved"),
            learnings=data.validated_data.get("learnings"),
        )
        return Response(SessionSerializer(session).data)


class NextActionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """My next actions from reflection sessions, open ones first."""

    serializer_class = NextActionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NextAction.objects.none()
        return NextAction.objects.filter(owner=self.request.user).order_by(
            "done_at", "due_on", "id"
        )

    @extend_schema(request=None, responses=NextActionSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        item, _access = next_action_for_user(request.user, pk)
        services.next_action_done(user=request.user, next_action=item)
        return Response(NextActionSerializer(item).data)


class CadenceView(APIView):
    """A group's meeting cadence; moderators set it (the next four weeks are scheduled from it)."""

    @extend_schema(responses=CadenceSerializer)
    def get(self, request, pk: int):
        group, _access = group_for_user(request.user, pk, need=Need.SEE_MEMBERS)
        return Response(CadenceSerializer(get_object_or_404(Cadence, group=group)).data)

    @extend_schema(request=CadenceSerializer, responses=CadenceSerializer)
    def put(self, request, pk: int):
        group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
        data = CadenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        cadence = services.cadence_set(
            actor=request.user,
            group=group,
            weekdays=values.pop("weekday_list"),
            reminder_offsets=values.pop("offsets", [1440, 60]),
            # Optional in the schema, as on the model: left out, it is the model's default.
            time_zone=values.pop("time_zone", Cadence._meta.get_field("time_zone").default),
            **values,
        )
        return Response(CadenceSerializer(cadence).data)
