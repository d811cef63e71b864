"""Demo networks and groups for `seed_demo`: one group full with a waitlist, one active, one
forming with join requests the demo moderator (its second moderator) decides."""

from django.db import transaction

from groups import services
from groups.models import Group, Membership, Network, NetworkMembership
from impact.demo import DEMO_PASSWORD
from impact.models import User

DEMO_NETWORK = "Regenerative Futures"

FIRST_NAMES = [
    "Ada",
    "Bram",
    "Chloé",
    "Dev",
    "Elif",
    "Femi",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Lars",
    "Maya",
    "Nico",
    "Oona",
    "Pablo",
    "Qi",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wim",
    "Xena",
    "Yusuf",
    "Zoë",
    "Aiko",
    "Ben",
    "Cleo",
    "Dara",
]

GROUPS = [
    # name, purpose, members wanted (besides the moderator), policy
    (
        "Riverbank Restorers",
        "Bring the river back to life: plant native trees and clean the banks with neighbours.",
        18,
        Group.JoinPolicy.OPEN,
    ),
    (
        "Solar Neighbours",
        "Put solar panels on every roof in our street by helping each other through the paperwork.",
        6,
        Group.JoinPolicy.OPEN,
    ),
    (
        "Food Commons",
        "Grow and share food on unused city land.",
        2,
        Group.JoinPolicy.APPROVAL,
    ),
]


def _person(n: int) -> User:
    name = FIRST_NAMES[n % len(FIRST_NAMES)]
    username = f"demo{n:03d}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@example.org",
            "display_name": f"{name} {n:03d}"[: len(name) + 4],
        },
    )
    if created:
        user.display_name = f"{name} {'BCDFGHJKLMNPRSTVW'[(n * 7) % 17]}."
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _statement(group: Group) -> str:
    return f"I want to help: {group.purpose}"


@transaction.atomic
def seed_network(
    users: dict[str, User], *, name: str = DEMO_NETWORK, start: int = 0
) -> tuple[Network, int]:
    """One network with the demo organizer and three groups; returns it and the next filler index."""
    network = Network.objects.filter(name=name).first()
    if network is None:
        network = services.network_create(
            creator=users["organizer"],
            name=name,
            description=(
                "By 2045 our towns could be places where rivers are alive, energy is shared and "
                "food grows on every corner. What would it take for our neighbourhoods to lead the way?"
            ),
        )
    services.network_add_person(
        network=network, user=users["organizer"], role=NetworkMembership.Role.ORGANIZER
    )
    filler = start
    for index, (group_name, purpose, wanted, policy) in enumerate(GROUPS):
        group = Group.objects.filter(network=network, name=group_name).first()
        moderator = users["moderator"] if index == 0 else _person(filler + 100)
        if group is None:
            services.network_add_person(network=network, user=moderator)
            group = services.group_create(
                organizer=users["organizer"],
                network=network,
                name=group_name,
                purpose=purpose,
                join_policy=policy,
                moderator=moderator,
            )
        people = ([users["member"]] if index == 0 else []) + [
            _person(filler + i) for i in range(wanted - (1 if index == 0 else 0))
        ]
        filler += wanted
        for person in people:
            # Joining is idempotent: a second run finds everyone where the first left them.
            services.group_join(user=person, group=group, statement=_statement(group))
        if policy == Group.JoinPolicy.APPROVAL:
            _co_moderate(users["moderator"], group)
    return network, filler


def _co_moderate(person: User, group: Group) -> None:
    """Make the demo moderator a second moderator of a group that decides its join requests,
    so that their home has requests to decide (idempotent: each step only if not done)."""
    if Membership.objects.active().filter(group=group, user=person, role="moderator").exists():
        return
    first = Membership.objects.active().filter(group=group, role="moderator").first().user
    outcome = services.group_join(
        user=person, group=group, statement="I'd like to help this group take root."
    )
    if outcome.outcome == "pending":
        outcome = services.join_request_decide(
            actor=first, join_request=outcome.request, approve=True
        )
    if outcome is not None and outcome.outcome == "member":
        membership = Membership.objects.active().get(group=group, user=person)
        services.membership_set_role(actor=first, membership=membership, role="moderator")


def seed_groups(users: dict[str, User]) -> None:
    seed_network(users)
