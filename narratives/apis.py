"""The narratives API: the same services and permission rules as the pages."""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from groups.models import Group, Network
from groups.permissions import group_for_user, network_for_user
from impact.api.serializers import ModelSerializer, StrictBooleanField, StrictCharField
from impact.ids import IdRelatedField
from narratives import services
from narratives.models import Answer, HelpRequest, HelpResponse, Initiative, Narrative, Question
from narratives.permissions import (
    help_for_user,
    initiative_for_user,
    narrative_for_user,
    question_for_user,
    visible_group_items,
    visible_help_requests,
    visible_narratives,
    visible_questions,
)


class NarrativeSerializer(ModelSerializer):
    network = serializers.SlugRelatedField(
        slug_field="slug", queryset=Network.objects.all(), required=False, allow_null=True
    )
    group = IdRelatedField(queryset=Group.objects.all(), required=False, allow_null=True)
    fear_words = serializers.SerializerMethodField(
        help_text="Threat-and-fear words the text leans on (a hint)."
    )

    class Meta:
        model = Narrative
        fields = [
            "id",
            "network",
            "group",
            "title",
            "horizon_year",
            "opportunity",
            "why_now",
            "call_to_action",
            "language",
            "status",
            "created_at",
            "updated_at",
            "fear_words",
        ]
        read_only_fields = ["id", "status", "created_at", "updated_at", "fear_words"]

    def get_fear_words(self, narrative) -> list[str]:
        return services.fear_words(
            narrative.title, narrative.opportunity, narrative.why_now, narrative.call_to_action
        )


class StatusSerializer(serializers.Serializer):
    status = StrictCharField()


class NarrativeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Opportunity narratives of networks and groups; drafts are seen by their authors only."""

    serializer_class = NarrativeSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["network", "group", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Narrative.objects.none()
        return visible_narratives(self.request.user).select_related("network", "group")

    def get_object(self):
        narrative, _access = narrative_for_user(self.request.user, self.kwargs["pk"])
        return narrative

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        network, group = data.pop("network", None), data.pop("group", None)
        if (network is not None and group is not None) or (network is None and group is None):
            raise serializers.ValidationError({"network": ["Give either a network or a group."]})
        if network is not None:
            network, _role = network_for_user(self.request.user, network.slug)
        else:
            group, _access = group_for_user(self.request.user, group.pk)
        serializer.instance = services.narrative_create(
            actor=self.request.user, network=network, group=group, **data
        )

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k not in ("network", "group")}
        serializer.instance = services.narrative_update(
            actor=self.request.user, narrative=serializer.instance, **data
        )

    @extend_schema(request=StatusSerializer, responses=NarrativeSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Publish a narrative, or take it back to draft."""
        narrative, _access = narrative_for_user(request.user, pk, need="edit")
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.narrative_set_status(
            actor=request.user, narrative=narrative, status=data.validated_data["status"]
        )
        return Response(NarrativeSerializer(narrative).data)


class AnswerSerializer(ModelSerializer):
    author_name = StrictCharField(
        source="author.public_name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Answer
        fields = [
            "id",
            "question",
            "author",
            "author_name",
            "group",
            "body",
            "helpful",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "question",
            "author",
            "author_name",
            "group",
            "helpful",
            "created_at",
        ]


class QuestionSerializer(ModelSerializer):
    answer_count = serializers.IntegerField(read_only=True, default=0)
    group = IdRelatedField(queryset=Group.objects.all(), required=False, allow_null=True)
    narrative = IdRelatedField(queryset=Narrative.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "network",
            "group",
            "narrative",
            "text",
            "details",
            "asked_by",
            "posed_to_network",
            "status",
            "follow_up_of",
            "created_at",
            "answered_at",
            "answer_count",
        ]
        read_only_fields = [
            "id",
            "network",
            "asked_by",
            "status",
            "follow_up_of",
            "created_at",
            "answered_at",
        ]


class FollowUpsSerializer(serializers.Serializer):
    follow_ups = serializers.ListField(
        child=StrictCharField(max_length=300), required=False, default=list
    )


class HelpfulSerializer(serializers.Serializer):
    helpful = StrictBooleanField(default=True)


def _with_answer_count(question: Question) -> Question:
    # One question fetched on its own has no list annotation; without this it reads 0.
    question.answer_count = question.answers.count()
    return question


class QuestionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Powerful questions: a group's own, or posed to its network. Unanswered first."""

    serializer_class = QuestionSerializer
    filterset_fields = ["network", "group", "narrative", "status", "posed_to_network"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Question.objects.none()
        return (
            visible_questions(self.request.user)
            .annotate(answer_count=Count("answers"))
            .order_by("status", "answer_count", "-created_at")
        )

    def get_object(self):
        question, _access = question_for_user(self.request.user, self.kwargs["pk"])
        return _with_answer_count(question)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        group, narrative = data.pop("group", None), data.pop("narrative", None)
        if group is not None:
            group, _access = group_for_user(self.request.user, group.pk)
        elif narrative is not None:
            narrative, _access = narrative_for_user(self.request.user, narrative.pk)
        else:
            raise serializers.ValidationError(
                {"group": ["Ask a group's question, or a narrative's."]}
            )
        serializer.instance = services.question_ask(
            actor=self.request.user, group=group, narrative=narrative, **data
        )

    @extend_schema(methods=["get"], responses=AnswerSerializer(many=True))
    @extend_schema(methods=["post"], request=AnswerSerializer, responses={201: AnswerSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def answers(self, request, pk=None):
        question, _access = question_for_user(request.user, pk)
        if request.method == "GET":
            return Response(
                AnswerSerializer(question.answers.select_related("author"), many=True).data
            )
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.answer_create(
            actor=request.user, question=question, body=data.validated_data["body"]
        )
        return Response(AnswerSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FollowUpsSerializer, responses=QuestionSerializer(many=True))
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def answered(self, request, pk=None):
        """Mark the question answered, raising the follow-up questions it led to."""
        question, _access = question_for_user(request.user, pk)
        data = FollowUpsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.question_mark_answered(
            actor=request.user, question=question, follow_ups=data.validated_data["follow_ups"]
        )
        return Response(QuestionSerializer(created, many=True).data)

    @extend_schema(request=None, responses=QuestionSerializer)
    @action(detail=True, methods=["post"])
    def pose(self, request, pk=None):
        """Pose a group's question to the whole network."""
        question, _access = question_for_user(request.user, pk)
        services.question_pose_to_network(actor=request.user, question=question)
        return Response(QuestionSerializer(_with_answer_count(question)).data)

    @extend_schema(request=HelpfulSerializer, responses=AnswerSerializer)
    @action(detail=True, methods=["post"], url_path="answers/<id:answer_pk>/helpful")
    def helpful(self, request, pk=None, answer_pk=None):
        """The asker marks an answer helpful (or not)."""
        question, _access = question_for_user(request.user, pk)
        answer = get_object_or_404(Answer, pk=answer_pk, question=question)
        data = HelpfulSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.answer_mark_helpful(
            actor=request.user, answer=answer, helpful=data.validated_data["helpful"]
        )
        return Response(AnswerSerializer(answer).data)


class InitiativeSerializer(ModelSerializer):
    quadrant = StrictCharField(read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "id",
            "group",
            "title",
            "description",
            "impact",
            "speed",
            "starts_on",
            "ends_on",
            "status",
            "metrics",
            "quadrant",
            "created_at",
        ]
        read_only_fields = ["id", "quadrant", "created_at"]
        extra_kwargs = {"metrics": {"required": False}}


class InitiativeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A group's initiatives (at most three active at a time)."""

    serializer_class = InitiativeSerializer
    filterset_fields = ["group", "status", "impact", "speed"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Initiative.objects.none()
        return visible_group_items(Initiative, self.request.user).prefetch_related("metrics")

    def get_object(self):
        initiative, _access = initiative_for_user(self.request.user, self.kwargs["pk"])
        return initiative

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        group, _access = group_for_user(self.request.user, data.pop("group").pk)
        metrics = data.pop("metrics", [])
        serializer.instance = services.initiative_create(
            actor=self.request.user, group=group, metrics=metrics, **data
        )

    @extend_schema(request=StatusSerializer, responses=InitiativeSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Start, finish or drop an initiative (moderators)."""
        initiative, _access = initiative_for_user(request.user, pk)
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.initiative_set_status(
            actor=request.user, initiative=initiative, status=data.validated_data["status"]
        )
        return Response(InitiativeSerializer(initiative).data)


class HelpResponseSerializer(ModelSerializer):
    class Meta:
        model = HelpResponse
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class HelpRequestSerializer(ModelSerializer):
    class Meta:
        model = HelpRequest
        fields = [
            "id",
            "group",
            "asked_by",
            "summary",
            "details",
            "raised_to_network",
            "status",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = [
            "id",
            "asked_by",
            "raised_to_network",
            "status",
            "created_at",
            "resolved_at",
        ]


class HelpRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests for help in my groups (and those raised to my networks)."""

    serializer_class = HelpRequestSerializer
    filterset_fields = ["group", "status", "raised_to_network"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return HelpRequest.objects.none()
        return visible_help_requests(self.request.user)

    def get_object(self):
        help_request, _access = help_for_user(self.request.user, self.kwargs["pk"])
        return help_request

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        group, _access = group_for_user(self.request.user, data.pop("group").pk)
        serializer.instance = services.help_request_create(
            actor=self.request.user, group=group, **data
        )

    @extend_schema(methods=["get"], responses=HelpResponseSerializer(many=True))
    @extend_schema(
        methods=["post"], request=HelpResponseSerializer, responses={201: HelpResponseSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def responses(self, request, pk=None):
        help_request, _access = help_for_user(request.user, pk)
        if request.method == "GET":
            return Response(HelpResponseSerializer(help_request.responses.all(), many=True).data)
        data = HelpResponseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = services.help_respond(
            actor=request.user, help_request=help_request, body=data.validated_data["body"]
        )
        return Response(HelpResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=HelpRequestSerializer)
    @action(detail=True, methods=["post"], url_path="raise")
    def raise_to_network(self, request, pk=None):
        help_request, _access = help_for_user(request.user, pk)
        services.help_raise_to_network(actor=request.user, help_request=help_request)
        return Response(HelpRequestSerializer(help_request).data)

    @extend_schema(request=None, responses=HelpRequestSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        help_request, _access = help_for_user(request.user, pk)
        services.help_resolve(actor=request.user, help_request=help_request)
        return Response(HelpRequestSerializer(help_request).data)
