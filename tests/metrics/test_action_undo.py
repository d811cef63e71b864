"""Deleting an action takes one click and can be undone for ten minutes, impact and all."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from impact.exceptions import Conflict
from metrics import services
from metrics.models import Action, EntryRevision, Measurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(member, group, trees, litter):
    return services.action_log(
        user=member,
        group=group,
        description="Planted 12 oaks",
        happened_on=timezone.localdate() - timedelta(days=3),
        effort_minutes=45,
        notes="By the *old* mill.",
        impacts=[(trees.pk, "12"), (litter.pk, "2.5")],
    )


def impact_of(action_pk: int) -> list[tuple[int, str]]:
    return sorted(
        (m.metric_id, str(m.value)) for m in Measurement.objects.filter(action_id=action_pk)
    )


def test_a_deleted_action_comes_back_with_its_measurements(planted, member, trees, litter):
    created_at = planted.created_at
    revision = services.action_delete(user=member, action=planted)
    assert not Action.objects.filter(pk=planted.pk).exists()
    assert impact_of(planted.pk) == []

    restored = services.action_restore(user=member, revision=revision)

    restored.refresh_from_db()
    assert restored.pk == planted.pk
    assert (restored.description, restored.notes, restored.effort_minutes) == (
        "Planted 12 oaks",
        "By the *old* mill.",
        45,
    )
    assert (restored.happened_on, restored.user, restored.group_id) == (
        planted.happened_on,
        member,
        planted.group_id,
    )
    assert restored.created_at == created_at
    assert impact_of(planted.pk) == [(trees.pk, "12.00"), (litter.pk, "2.50")]
    assert set(
        Measurement.objects.filter(action=restored).values_list("measured_on", flat=True)
    ) == {planted.happened_on}


def test_undo_is_refused_after_ten_minutes(planted, member, time_machine):
    revision = services.action_delete(user=member, action=planted)
    time_machine.move_to(revision.at + timedelta(minutes=10, seconds=1), tick=False)

    with pytest.raises(ValidationError, match="can no longer be undone"):
        services.action_restore(user=member, revision=revision)
    assert not Action.objects.filter(pk=planted.pk).exists()


def test_undo_twice_brings_the_action_back_once(planted, member):
    revision = services.action_delete(user=member, action=planted)
    services.action_restore(user=member, revision=revision)

    with pytest.raises(Conflict):
        services.action_restore(user=member, revision=revision)
    assert Action.objects.filter(pk=planted.pk).count() == 1
    assert Measurement.objects.filter(action_id=planted.pk).count() == 2


def test_an_older_deletion_cannot_be_replayed_over_a_newer_one(planted, member):
    first = services.action_delete(user=member, action=planted)
    services.action_restore(user=member, revision=first)
    services.action_delete(user=member, action=Action.objects.get(pk=planted.pk))

    with pytest.raises(Conflict):
        services.action_restore(user=member, revision=first)


def test_another_member_cannot_restore_someone_elses_action_but_a_moderator_can(
    planted, member, other_member, moderator
):
    revision = services.action_delete(user=member, action=planted)

    with pytest.raises(PermissionDenied):
        services.action_restore(user=other_member, revision=revision)
    assert services.action_restore(user=moderator, revision=revision).user == member


def test_the_page_deletes_offers_undo_and_restores(
    planted, member, group, signed_in, trees, django_assert_max_num_queries
):
    client = signed_in(member)
    impact_url = reverse("metrics:group_impact", args=[group.pk])
    assert "Planted 12 oaks" in client.get(impact_url).content.decode()  # its summary now kept

    deleted = client.post(reverse("metrics:action_delete", args=[planted.pk]))

    revision = EntryRevision.objects.get(entry_id=planted.pk, operation="delete")
    assert deleted.status_code == 302
    assert deleted.url == reverse("metrics:action_restore", args=[revision.pk])
    with django_assert_max_num_queries(8):
        page = client.get(deleted.url)
    assert "Deleted: Planted 12 oaks" in page.content.decode()
    assert "Undo: restore this action" in page.content.decode()
    # The impact page (its summary kept until something changes) no longer shows it.
    assert "Planted 12 oaks" not in client.get(impact_url).content.decode()

    with django_assert_max_num_queries(20):
        undone = client.post(deleted.url)

    assert undone.status_code == 302 and undone.url == impact_url
    assert "Planted 12 oaks" in client.get(impact_url).content.decode()
    assert impact_of(planted.pk)[0] == (trees.pk, "12.00")
    again = client.get(deleted.url).content.decode()
    assert "This action is back." in again and "Undo: restore" not in again


def test_the_page_says_when_it_is_too_late(planted, member, signed_in, time_machine):
    revision = services.action_delete(user=member, action=planted)
    time_machine.move_to(revision.at + timedelta(minutes=11), tick=False)
    client = signed_in(member)
    url = reverse("metrics:action_restore", args=[revision.pk])

    assert "It is too late to undo" in client.get(url).content.decode()
    client.post(url)
    assert not Action.objects.filter(pk=planted.pk).exists()


def test_the_undo_page_is_for_the_author_and_moderators(
    planted, member, other_member, outsider, signed_in
):
    revision = services.action_delete(user=member, action=planted)
    url = reverse("metrics:action_restore", args=[revision.pk])

    assert signed_in(other_member).post(url).status_code == 403
    assert signed_in(outsider).get(url).status_code == 403
    assert not Action.objects.filter(pk=planted.pk).exists()
