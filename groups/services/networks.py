"""Networks, the people in them, and new groups."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from groups.models import (
    GROUP_HARD_CAP,
    Group,
    Membership,
    Network,
    NetworkMembership,
    capacity_problem,
)
from groups.permissions import (
    require_organizer,
)
from impact.models import User


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "network"
    slug, n = base, 2
    while Network.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def network_create(
    *, creator: User, name: str, description: str = "", is_public: bool = True
) -> Network:
    """Start a network; its creator becomes its first organizer."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the network a name.")})
    network = Network.objects.create(
        name=name, slug=_unique_slug(name), description=description.strip(), is_public=is_public
    )
    NetworkMembership.objects.create(
        network=network, user=creator, role=NetworkMembership.Role.ORGANIZER
    )
    return network


def network_add_person(
    *, network: Network, user: User, role: str = NetworkMembership.Role.PARTICIPANT
) -> NetworkMembership:
    """Make someone part of a network (an organizer role is never downgraded here)."""
    membership, created = NetworkMembership.objects.get_or_create(
        network=network, user=user, defaults={"role": role}
    )
    if not created and role == NetworkMembership.Role.ORGANIZER and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def duplicate_name_error() -> ValidationError:
    """A group name the network already has (checked here; the database's constraint says the
    same when two take it at once)."""
    return ValidationError(_("This network already has a group with that name."), code="unique")


def _validate_group_fields(
    *, network: Network, name: str, purpose: str, capacity: int, exclude: int | None = None
) -> None:
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the group a name.")
    elif (
        Group.objects.filter(network=network, name__iexact=name.strip())
        .exclude(pk=exclude)
        .exists()
    ):
        errors["name"] = duplicate_name_error()
    if not purpose.strip():
        errors["purpose"] = _("Say in a sentence what this group acts on together.")
    if problem := capacity_problem(capacity):
        errors["capacity"] = problem
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def group_create(
    *,
    organizer: User,
    network: Network,
    name: str,
    purpose: str,
    capacity: int = GROUP_HARD_CAP,
    join_policy: str = Group.JoinPolicy.OPEN,
    moderator: User | None = None,
) -> Group:
    """Create a group in a network (organizers only), optionally with its first moderator."""
    require_organizer(organizer, network)
    _validate_group_fields(network=network, name=name, purpose=purpose, capacity=capacity)
    if moderator is not None and not _in_network(moderator, network):
        raise ValidationError({"moderator": _not_in_network_message()})
    group = Group.objects.create(
        network=network,
        name=name.strip(),
        purpose=purpose.strip(),
        capacity=capacity,
        join_policy=join_policy,
    )
    if moderator is not None:
        network_add_person(network=network, user=moderator)
        Membership.objects.create(group=group, user=moderator, role=Membership.Role.MODERATOR)
    return group


def _in_network(user: User, network: Network) -> bool:
    return NetworkMembership.objects.filter(network=network, user=user).exists()


def _not_in_network_message() -> str:
    # Nobody is made a moderator of a network they never joined (the API takes any user id).
    return _("Choose someone who is part of this network.")
