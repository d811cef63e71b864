"""A refusal says why: the service's reason reaches the 403 page and the API's 403 answer, and
every "who may" question is asked with a named need."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.meetings import services as meeting_services
from groups.permissions import DENIED, Need, group_for_user, meeting_for_user, require

pytestmark = pytest.mark.django_db

MODERATORS_ONLY = str(DENIED[Need.MODERATE])


@pytest.fixture
def meeting(group, moderator):
    return meeting_services.meeting_add(
        actor=moderator, group=group, starts_at=timezone.now() + timedelta(days=2)
    )


def test_a_member_who_may_not_invite_is_told_moderators_invite(group, member):
    with pytest.raises(PermissionDenied) as refused:
        services.invitation_create(actor=member, group=group, email="new@example.org")
    assert str(refused.value) == MODERATORS_ONLY


def test_the_api_answers_a_refusal_with_the_services_reason(api, member, meeting):
    response = api(member).post(f"/api/meetings/{meeting.pk}/cancel/", format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == MODERATORS_ONLY


def test_the_403_page_says_why(client, member, meeting):
    client.force_login(member)
    response = client.get(reverse("groups:meeting_mode", args=[meeting.pk]))
    assert response.status_code == 403
    assert MODERATORS_ONLY.replace("'", "&#x27;") in response.content.decode()


def test_a_service_reason_of_its_own_is_kept(group, member):
    with pytest.raises(PermissionDenied) as refused:
        require(member, group, Need.MODERATE, message="Only moderators change metrics.")
    assert str(refused.value) == "Only moderators change metrics."


def test_the_access_a_caller_checked_is_not_asked_again(group, member, django_assert_num_queries):
    _group, access = group_for_user(member, group.pk, need=Need.MEMBER)
    with django_assert_num_queries(0):
        assert require(member, group, Need.MEMBER, access=access) is access


def test_a_need_that_does_not_exist_is_an_error_never_a_pass(group, member):
    with pytest.raises(ValueError):
        group_for_user(member, group.pk, need="modrate")


def test_a_meeting_is_hidden_from_whoever_may_not_see_the_members(
    outsider, other_organizer, meeting
):
    for person in (outsider, other_organizer):
        with pytest.raises(Http404):
            meeting_for_user(person, meeting.pk)


def test_a_member_sees_the_meeting_but_may_not_run_it(member, meeting):
    found, access = meeting_for_user(member, meeting.pk)
    assert found == meeting and access.member
    with pytest.raises(PermissionDenied) as refused:
        meeting_for_user(member, meeting.pk, need=Need.MODERATE)
    assert str(refused.value) == MODERATORS_ONLY


def test_joining_asks_the_same_of_the_page_and_the_api(client, api, group, member):
    """A member asking to join again is told where they stand by both, not refused by one."""
    client.force_login(member)
    page = client.post(reverse("groups:group_join", args=[group.pk]), {"statement": "x" * 20})
    assert page.status_code == 302 and page.url == group.get_absolute_url()
    answer = api(member).post(
        f"/api/groups/{group.pk}/join/", {"statement": "x" * 20}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["outcome"] == "member"
