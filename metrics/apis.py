"""The metrics API: actions, measurements and metric definitions, through the same services."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import capfirst
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.views import APIView

from groups.permissions import Need, group_for_user, readable_group_ids
from impact.api.filters import FilterSet
from impact.api.serializers import ModelSerializer, StrictCharField, StrictDecimalField
from impact.ids import IdField, IdFilter
from metrics import services
from metrics.models import MAX_EFFORT_MINUTES, Action, Measurement, MetricDefinition
from metrics.services.definitions import unit_singular_too_long
from metrics.views.exports import my_data_response


def _impact_errors_on_impacts(exc: ValidationError) -> ValidationError:
    """The service names a value's field as the page's form does (impact_<metric id>); in the
    API the values come in `impacts`."""
    if not hasattr(exc, "error_dict"):
        return exc
    fields: dict[str, list] = {}
    for name, errors in exc.error_dict.items():
        fields.setdefault("impacts" if name.startswith("impact_") else name, []).extend(errors)
    return ValidationError(fields)


class LogPagination(CursorPagination):
    page_size = 50
    ordering = ("-created_at", "-id")


class ImpactInputSerializer(serializers.Serializer):
    metric = IdField()
    value = StrictDecimalField(max_digits=14, decimal_places=2)


def _described_as_in(model, name: str) -> dict:
    """A plain serializer field's label and help text, taken from the model field as a
    ModelSerializer would (the API docs show them)."""
    field = model._meta.get_field(name)
    return {"label": capfirst(field.verbose_name), "help_text": field.help_text or None}


class MeasurementSerializer(ModelSerializer):
    # The group by id: the view fetches it through the access check, once. (An id that cannot
    # exist is bad input, not a group one may not see.)
    group = IdField(source="group_id")

    class Meta:
        model = Measurement
        fields = ["id", "metric", "group", "user", "action", "value", "measured_on", "created_at"]
        read_only_fields = ["id", "user", "action", "created_at"]


class ActionSerializer(serializers.Serializer):
    """An action someone took for the group, with the impact measured with it."""

    # A plain serializer: a ModelSerializer rebuilds its fields from the model on every request,
    # more than half of this serializer's time when logging an action. Limits, labels and help
    # texts still come from the model.
    id = serializers.IntegerField(read_only=True)
    group = IdField(source="group_id")  # as on measurements
    user = serializers.IntegerField(source="user_id", read_only=True)
    description = StrictCharField(
        max_length=Action._meta.get_field("description").max_length,
        **_described_as_in(Action, "description"),
    )
    notes = StrictCharField(required=False, allow_blank=True, **_described_as_in(Action, "notes"))
    happened_on = serializers.DateField(**_described_as_in(Action, "happened_on"))
    effort_minutes = serializers.IntegerField(
        min_value=1, max_value=MAX_EFFORT_MINUTES, **_described_as_in(Action, "effort_minutes")
    )
    impacts = ImpactInputSerializer(many=True, write_only=True, required=False)
    measurements = MeasurementSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True, **_described_as_in(Action, "created_at"))


class MetricSerializer(ModelSerializer):
    # As on actions: by id, fetched through the access check. Through this API every metric
    # belongs to a group (the model also allows a network metric without one).
    group = IdField(source="group_id")

    class Meta:
        model = MetricDefinition
        fields = ["id", "group", *services.METRIC_FIELDS, "created_at"]
        read_only_fields = ["id", "created_at"]
        # Lazy: said in the reader's language when a request is validated.
        extra_kwargs = {
            "unit_singular": {"error_messages": {"max_length": lazy(unit_singular_too_long, str)()}}
        }


class LogFilter(FilterSet):
    group = IdFilter(field_name="group_id")
    user = IdFilter(field_name="user_id")


class ActionFilter(LogFilter):
    since = django_filters.DateFilter(field_name="happened_on", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="happened_on", lookup_expr="lte")

    class Meta:
        model = Action
        fields = ["group", "user", "since", "until"]


class MeasurementFilter(LogFilter):
    metric = IdFilter(field_name="metric_id")
    since = django_filters.DateFilter(field_name="measured_on", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="measured_on", lookup_expr="lte")

    class Meta:
        model = Measurement
        fields = ["group", "user", "metric", "since", "until"]


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    pattern=rf"^{services.CLIENT_KEY.pattern}$",
    description=(
        "A key the client makes up for this entry (a UUID, say). Sending the same request "
        "again with the same key, after an answer that never arrived, returns the entry the "
        "first send made (with `Idempotent-Replayed: true`) instead of making a second. The "
        "same key with different contents is refused with 409."
    ),
)


class IdempotentCreateMixin(mixins.CreateModelMixin):
    """Creates that honour the Idempotency-Key header (through the service's `client_key`)."""

    @extend_schema(parameters=[IDEMPOTENCY_KEY])
    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        if getattr(response.data.serializer.instance, "replayed", False):
            response["Idempotent-Replayed"] = "true"
        return response

    def client_key(self) -> str | None:
        return self.request.headers.get("Idempotency-Key")


class ActionViewSet(mixins.ListModelMixin, IdempotentCreateMixin, viewsets.GenericViewSet):
    """Actions in my groups (and, for organizers, their networks' groups), newest first."""

    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    pagination_class = LogPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        return Action.objects.filter(
            group__in=readable_group_ids(self.request.user)
        ).prefetch_related("measurements")

    def perform_create(self, serializer):
        data = serializer.validated_data
        group, access = group_for_user(self.request.user, data["group_id"], need=Need.MEMBER)
        impacts = [(item["metric"], item["value"]) for item in data.get("impacts", [])]
        try:
            action = services.action_log(
                user=self.request.user,
                group=group,
                description=data["description"],
                notes=data.get("notes", ""),
                happened_on=data["happened_on"],
                effort_minutes=data["effort_minutes"],
                impacts=impacts,
                seat=access.membership,
                client_key=self.client_key(),
            )
        except ValidationError as exc:
            raise _impact_errors_on_impacts(exc) from exc
        if not impacts:
            # Nothing was measured with it: answer without reading its measurements back, by
            # leaving it as prefetch_related would (an evaluated, empty queryset).
            # prefetch_related_objects() itself, or evaluating none(), costs more than that.
            measured = Measurement.objects.none()
            measured._result_cache, measured._prefetch_done = [], True
            action._prefetched_objects_cache = {"measurements": measured}
        serializer.instance = action


class MeasurementViewSet(mixins.ListModelMixin, IdempotentCreateMixin, viewsets.GenericViewSet):
    """Measurements in my groups, newest first; log one on its own with POST."""

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    pagination_class = LogPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Measurement.objects.none()
        return Measurement.objects.filter(group__in=readable_group_ids(self.request.user))

    def perform_create(self, serializer):
        data = serializer.validated_data
        group, access = group_for_user(self.request.user, data["group_id"], need=Need.MEMBER)
        serializer.instance = services.measurement_log(
            user=self.request.user,
            group=group,
            metric=data["metric"],
            value=data["value"],
            measured_on=data["measured_on"],
            seat=access.membership,
            client_key=self.client_key(),
        )


class MetricViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The metrics of my groups; moderators add and change them (every change is recorded)."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    serializer_class = MetricSerializer
    filterset_fields = ["group"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MetricDefinition.objects.none()
        return MetricDefinition.objects.filter(
            group__in=readable_group_ids(self.request.user), archived_at__isnull=True
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        group, _access = group_for_user(self.request.user, data.pop("group_id"), need=Need.MODERATE)
        serializer.instance = services.metric_define(actor=self.request.user, group=group, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("group_id", None)  # a metric stays in its group
        serializer.instance = services.metric_update(
            actor=self.request.user, metric=serializer.instance, **data
        )


class MyDataExportView(APIView):
    """Everything the signed-in person wrote and everything about them, as the profile's
    "Download my data" gives it: a zip with README.txt and each kind of data as CSV and JSON
    (docs/export-schema.md), streamed as it is written."""

    def perform_content_negotiation(self, request, force=False):
        # The answer is a zip whatever was asked for (errors are JSON): no 406 for a client
        # that asks for application/zip.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request):
        return my_data_response(request.user)
