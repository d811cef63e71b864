"""Every database constraint speaks to a person: in the admin's forms and in the API."""

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from groups.models import Group, JoinRequest, Membership, NetworkMembership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_constraint_has_a_message_of_its_own():
    defaults = []
    for model in apps.get_models():
        if model._meta.app_label not in {"groups", "metrics", "narratives"}:
            continue
        for constraint in model._meta.constraints:
            if constraint.violation_error_message == constraint.default_violation_error_message:
                defaults.append(f"{model.__name__}.{constraint.name}")

    assert defaults == []


@pytest.mark.parametrize("model", [Group, Membership, JoinRequest, NetworkMembership])
def test_no_constraint_message_names_fields_like_a_database(model):
    for constraint in model._meta.constraints:
        message = str(constraint.get_violation_error_message())
        assert "must make a unique set" not in message
        assert "constraint" not in message.lower()


def test_the_api_names_the_field_when_a_group_name_is_taken(
    api, network, organizer, group, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = api(organizer).post(
            "/api/groups/",
            {"network": network.pk, "name": "river crew", "purpose": "Another crew."},
            format="json",
        )

    assert response.status_code == 409  # a conflict with what is stored, not a bad request
    body = response.json()
    assert body["code"] == "unique"
    assert body["fields"]["name"] == ["This network already has a group with that name."]
    assert "unique set" not in str(body)


def test_the_admin_explains_a_taken_group_name_in_words(
    client, network, group, django_assert_max_num_queries
):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    with django_assert_max_num_queries(20):
        response = client.post(
            reverse("admin:groups_group_add"),
            {
                "network": network.pk,
                "name": "River Crew",
                "purpose": "A copy.",
                "capacity": 15,
                "join_policy": Group.JoinPolicy.OPEN,
                "created_at_0": "2026-01-01",
                "created_at_1": "10:00:00",
                "memberships-TOTAL_FORMS": "0",
                "memberships-INITIAL_FORMS": "0",
            },
        )

    assert response.status_code == 200
    page = response.content.decode()
    assert "This network already has a group with that name." in page
    assert "must make a unique set" not in page
    assert Group.objects.filter(name="River Crew").count() == 1


def test_a_check_constraint_reads_as_a_sentence():
    capacity = next(
        c for c in Group._meta.constraints if c.name == "group_capacity_within_hard_cap"
    )
    assert isinstance(capacity, models.CheckConstraint)
    assert str(capacity.get_violation_error_message()) == "A group holds between 2 and 15 people."
