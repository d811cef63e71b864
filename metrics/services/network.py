"""Metrics shared across a network, their adoption by groups, and the leaderboard's opt-out."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.models import Group, Network
from groups.permissions import Need, require, require_organizer
from impact.models import User
from metrics.models import (
    GroupRanking,
    MetricChange,
    MetricDefinition,
)
from metrics.services.definitions import (
    METRIC_FIELDS,
    METRICS_DENIED,
    UNIT_SINGULAR_MAX,
    _metric_snapshot,
    metric_define,
    unit_singular_too_long,
)


@transaction.atomic
def network_metric_define(
    *, actor: User, network: Network, **fields: str | bool | None
) -> MetricDefinition:
    """A metric every group of the network can adopt, so groups compare like with like."""
    require_organizer(
        actor, network, message=_("Only the network's organizers can define shared metrics.")
    )
    values = {
        "direction": fields.get("direction") or MetricDefinition.Direction.HIGHER,
        "aggregation": fields.get("aggregation") or MetricDefinition.Aggregation.SUM,
        "name": (fields.get("name") or "").strip(),
        "unit": (fields.get("unit") or "").strip(),
        "unit_singular": (fields.get("unit_singular") or "").strip(),
        "description": fields.get("description") or "",
        "allow_negative": bool(fields.get("allow_negative")),
    }
    errors = {}
    if not values["name"]:
        errors["name"] = _("Give the metric a name.")
    elif MetricDefinition.objects.filter(
        network=network, name__iexact=values["name"], archived_at__isnull=True
    ).exists():
        errors["name"] = _("The network already shares a metric with that name.")
    if not values["unit"]:
        errors["unit"] = _("Say what you count, for example trees or kWh.")
    if len(values["unit_singular"]) > UNIT_SINGULAR_MAX:
        errors["unit_singular"] = unit_singular_too_long()
    if errors:
        raise ValidationError(errors)
    metric = MetricDefinition.objects.create(network=network, **values)
    MetricChange.objects.create(
        metric=metric, changed_by=actor, changes={"created": _metric_snapshot(metric)}
    )
    return metric


@transaction.atomic
def metric_adopt(
    *, actor: User, group: Group, network_metric: MetricDefinition
) -> MetricDefinition:
    """A group takes on one of its network's shared metrics (idempotent)."""
    require(actor, group, Need.MODERATE, message=METRICS_DENIED)
    if network_metric.network_id != group.network_id or network_metric.archived_at is not None:
        raise ValidationError({"metric": _("That is not a shared metric of this group's network.")})
    existing = MetricDefinition.objects.filter(
        group=group, source=network_metric, archived_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return metric_define(
        actor=actor,
        group=group,
        source=network_metric,
        **{key: getattr(network_metric, key) for key in METRIC_FIELDS},
    )


def group_ranking_set(*, actor: User, group: Group, ranked: bool) -> None:
    """Take the group off the network leaderboard, or back on (moderators)."""
    require(actor, group, Need.MODERATE)

    GroupRanking.objects.update_or_create(group=group, defaults={"ranked": ranked})
