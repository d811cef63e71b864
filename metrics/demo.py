"""Demo metrics and three months of plausible actions for `seed_demo`, so the charts tell a story."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from groups.demo import DEMO_NETWORK, HISTORY_DAYS
from groups.models import Group, Membership, Network
from impact.models import User
from metrics import services
from metrics.models import Action, MetricDefinition

# The demo's units for one, where the word changes ("1 tree"; "1 kg" stays).
UNIT_SINGULAR = {"trees": "tree", "roofs": "roof", "people": "person"}

DEMO_METRICS = {
    "Riverbank Restorers": [
        (
            "Trees planted",
            "trees",
            "sum",
            600,
            ["Planted saplings by the bridge", "Watered the new trees", "Planted a hedge row"],
        ),
        (
            "Litter removed",
            "kg",
            "sum",
            400,
            ["Cleaned the east bank", "Litter pick with the school"],
        ),
    ],
    "Solar Neighbours": [
        (
            "Roofs with solar",
            "roofs",
            "latest",
            40,
            ["Helped a neighbour with the permit", "Street meeting about panels"],
        ),
    ],
}


@transaction.atomic
def seed_metrics(users: dict[str, User], *, days: int = HISTORY_DAYS) -> None:
    """Idempotent: metrics are created once, actions only for a group that has none yet."""
    rng = random.Random(42)  # demo data: reproducible on purpose
    today = timezone.localdate()
    shared = None
    network = Network.objects.filter(name=DEMO_NETWORK).first()
    if network is not None:
        shared = MetricDefinition.objects.filter(
            network=network, name="Neighbours involved"
        ).first()
        if shared is None:
            shared = services.network_metric_define(
                actor=users["organizer"],
                network=network,
                name="Neighbours involved",
                unit="people",
                unit_singular=UNIT_SINGULAR["people"],
                description="People from outside the group who joined in an action.",
            )
    for group_name, metrics in DEMO_METRICS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        moderator = (
            Membership.objects.active()
            .filter(group=group, role="moderator")
            .select_related("user")
            .first()
        )
        if moderator is None:
            continue
        defined = []
        for name, unit, aggregation, target, descriptions in metrics:
            metric = MetricDefinition.objects.filter(
                group=group, name=name, archived_at__isnull=True
            ).first()
            if metric is None:
                metric = services.metric_define(
                    actor=moderator.user,
                    group=group,
                    name=name,
                    unit=unit,
                    unit_singular=UNIT_SINGULAR.get(unit, ""),
                    aggregation=aggregation,
                    target=target,
                    target_date=today + timedelta(days=180),
                )
            defined.append((metric, descriptions))
        adopted = (
            services.metric_adopt(actor=moderator.user, group=group, network_metric=shared)
            if shared
            else None
        )
        # Demo data seeded before metrics had a unit for one gets it on the next seed.
        for metric in [m for m, _descriptions in defined] + [adopted]:
            if metric is not None and not metric.unit_singular and metric.unit in UNIT_SINGULAR:
                services.metric_update(
                    actor=moderator.user, metric=metric, unit_singular=UNIT_SINGULAR[metric.unit]
                )
        if Action.objects.filter(group=group).exists():
            continue
        members = [
            m.user for m in Membership.objects.active().filter(group=group).select_related("user")
        ]
        # The demo's history goes back `days`: the group has existed that long (the log refuses
        # days before a group started; groups.demo founded it, and seated its members, earlier).
        started = timezone.now() - timedelta(days=days + 1)
        if group.created_at > started:
            Group.objects.filter(pk=group.pk).update(created_at=started)
            group.created_at = started
        roofs = 3
        for offset in range(days, -1, -1):
            day = today - timedelta(days=offset)
            # Momentum grows over the months: more actions and more impact per action.
            for _ in range(rng.randint(0, 1 + (days - offset) // 30)):
                metric, descriptions = rng.choice(defined)
                if metric.aggregation == "latest":
                    roofs += rng.random() < 0.3
                    value = roofs
                else:
                    value = rng.randint(1, 6 + (days - offset) // 15)
                impacts = [(metric.pk, value)]
                if adopted is not None and rng.random() < 0.4:
                    impacts.append((adopted.pk, rng.randint(1, 3 + (days - offset) // 20)))
                person = rng.choice(members)
                services.action_log(
                    user=person,
                    group=group,
                    description=rng.choice(descriptions),
                    # Today on the server can be tomorrow for someone west of it (New York
                    # just after midnight UTC); the log refuses days in the future.
                    happened_on=min(day, timezone.localtime(timezone.now(), person.zone).date()),
                    effort_minutes=rng.choice([20, 30, 45, 60, 90, 120]),
                    impacts=impacts,
                )
