from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from impact.models import User

PASSWORD = "a-good-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    display_name = factory.Faker("first_name")
    time_zone = "Europe/Berlin"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


# Groups ------------------------------------------------------------------------------------
# These write rows directly: fast set-up for the state a test starts from. Tests of the rules
# themselves go through groups.services.


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.Network"

    name = factory.Sequence(lambda n: f"Network {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")
    description = "Towns where rivers are alive and food grows on every corner."
    is_public = True


class NetworkMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.NetworkMembership"
        django_get_or_create = ("network", "user")

    network = factory.SubFactory(NetworkFactory)
    user = factory.SubFactory(UserFactory)
    role = "participant"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.Group"

    network = factory.SubFactory(NetworkFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    purpose = "Plant native trees along the river with our neighbours."
    capacity = 15
    join_policy = "open"


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active seat; the person is also made part of the group's network."""

    class Meta:
        model = "groups.Membership"
        skip_postgeneration_save = True

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"
    statement = "I want to help the river come back to life."

    @factory.post_generation
    def in_network(obj, create, extracted, **kwargs):
        if create:
            NetworkMembershipFactory(network=obj.group.network, user=obj.user)


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.JoinRequest"
        skip_postgeneration_save = True

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    statement = "I would love to plant trees with you."
    status = "waitlisted"
    waitlisted_at = factory.LazyAttribute(
        lambda r: timezone.now() if r.status == "waitlisted" else None
    )

    @factory.post_generation
    def in_network(obj, create, extracted, **kwargs):
        if create:
            NetworkMembershipFactory(network=obj.group.network, user=obj.user)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.Invitation"

    group = factory.SubFactory(GroupFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
