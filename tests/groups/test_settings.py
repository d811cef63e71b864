"""A group's settings in one place: the services that change a group and remove a member, the
settings page, the remove page and the API's PATCH (real PostgreSQL, no mocks)."""

import html
from datetime import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from groups import services
from groups.audit import audit_sentence
from groups.meetings import services as meeting_services
from groups.meetings.forms import CadenceForm
from groups.meetings.models import Cadence
from groups.models import AuditEvent, Group, Membership
from impact.exceptions import Conflict
from impact.models import Notification
from tests.factories import UserFactory
from tests.groups.support import active_members, waitlist

pytestmark = pytest.mark.django_db

# One bound for a group of 3 and one of 15: a query per member would break it.
SETTINGS_PAGE_QUERIES = 5
REMOVE_PAGE_QUERIES = 4


def signed_in(client, user):
    client.force_login(user)
    return client


def settings_url(group: Group) -> str:
    return reverse("groups:group_edit", args=[group.pk])


def remove_url(group: Group, person) -> str:
    seat = Membership.objects.active().get(group=group, user=person)
    return reverse("groups:member_remove", args=[group.pk, seat.pk])


def seat_of(group: Group, person) -> Membership:
    return Membership.objects.active().get(group=group, user=person)


def page_fields(group: Group, **changes) -> dict:
    """The settings page's fields as its form sends them: the group's own, the cadence's
    left untouched (the group has none)."""
    return {
        "name": group.name,
        "purpose": group.purpose,
        "capacity": str(group.capacity),
        "join_policy": group.join_policy,
        "cadence-time_zone": "UTC",
        "cadence-duration_minutes": "60",
        "cadence-reminder_offsets": ["1440", "60"],
        "cadence-prompt_hours_before": "48",
    } | changes


CADENCE_FIELDS = {
    "cadence-weekdays": ["1", "3"],
    "cadence-start_time": "19:30",
    "cadence-time_zone": "Europe/Amsterdam",
    "cadence-duration_minutes": "90",
    "cadence-location": "The boathouse",
    "cadence-reminder_offsets": ["10080", "120", "15"],
    "cadence-prompt_hours_before": "24",
}


# group_update ---------------------------------------------------------------------------------


def test_a_moderator_changes_the_group_and_the_audit_log_says_what_changed(group, moderator):
    services.group_update(
        actor=moderator,
        group=group,
        name="  River Keepers ",
        purpose="Keep the river clean.",
        capacity=12,
        join_policy=Group.JoinPolicy.APPROVAL,
    )

    group.refresh_from_db()
    assert (group.name, group.purpose, group.capacity) == (
        "River Keepers",
        "Keep the river clean.",
        12,
    )
    assert group.join_policy == Group.JoinPolicy.APPROVAL
    event = AuditEvent.objects.get(verb="group.changed")
    assert event.actor == moderator and event.group == group
    assert event.details["name"] == "River Crew → River Keepers"
    assert event.details["capacity"] == "15 → 12"
    assert event.details["purpose"] == "changed"


def test_changing_nothing_writes_no_audit_entry(group, moderator):
    services.group_update(actor=moderator, group=group, name=group.name, capacity=group.capacity)

    assert not AuditEvent.objects.filter(verb="group.changed").exists()


def test_an_organizer_changes_a_group_they_are_not_in(group, organizer):
    services.group_update(actor=organizer, group=group, capacity=10)

    group.refresh_from_db()
    assert group.capacity == 10


@pytest.mark.parametrize("who", ["member", "outsider", "other_organizer"])
def test_only_moderators_and_organizers_change_a_group(request, group, who):
    person = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.group_update(actor=person, group=group, name="Taken over")

    group.refresh_from_db()
    assert group.name == "River Crew"


def test_a_capacity_below_the_member_count_is_refused_beside_the_capacity_field(
    make_group, moderator
):
    group = make_group(6, moderator=moderator)

    with pytest.raises(ValidationError) as caught:
        services.group_update(actor=moderator, group=group, capacity=5, name="Renamed")

    assert list(caught.value.message_dict) == ["capacity"]
    assert "6 members" in caught.value.message_dict["capacity"][0]
    group.refresh_from_db()
    assert (group.capacity, group.name) == (15, "Group 1")
    # As many seats as members is allowed: the group is simply full.
    services.group_update(actor=moderator, group=group, capacity=6)
    group.refresh_from_db()
    assert group.capacity == 6


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": 16}, "capacity"),
        ({"capacity": 1}, "capacity"),
        ({"name": "   "}, "name"),
        ({"purpose": ""}, "purpose"),
        ({"join_policy": "whoever"}, "join_policy"),
    ],
)
def test_invalid_settings_are_refused_with_a_field_message(group, moderator, changes, field):
    with pytest.raises(ValidationError) as caught:
        services.group_update(actor=moderator, group=group, **changes)

    assert field in caught.value.message_dict


def test_a_name_another_group_of_the_network_has_is_refused(group, moderator, make_group):
    make_group(name="Seed Savers")

    with pytest.raises(ValidationError) as caught:
        services.group_update(actor=moderator, group=group, name="seed savers")

    assert caught.value.error_dict["name"][0].code == "unique"


def test_raising_the_capacity_of_a_full_group_seats_the_waitlist_in_order(
    make_group, moderator, join_people
):
    group = make_group(5, moderator=moderator, capacity=5)
    (first, second, third), _outcomes = join_people(group, 3)

    services.group_update(actor=moderator, group=group, capacity=7)

    assert active_members(group) == 7
    assert Membership.objects.active().filter(group=group, user__in=[first, second]).count() == 2
    assert waitlist(group) == [third.pk]


# membership_remove ----------------------------------------------------------------------------


def test_removing_a_member_gives_the_seat_to_the_first_on_the_waitlist(
    make_group, moderator, join_people
):
    group = make_group(15, moderator=moderator)
    removed = Membership.objects.active().filter(group=group, role="member").first().user
    (first, second), _outcomes = join_people(group, 2)

    services.membership_remove(
        actor=moderator, membership=seat_of(group, removed), reason="  Moved away. "
    )

    assert not Membership.objects.active().filter(group=group, user=removed).exists()
    assert Membership.objects.active().filter(group=group, user=first).exists()
    assert waitlist(group) == [second.pk]
    assert active_members(group) == 15
    event = AuditEvent.objects.get(verb="member.removed")
    assert (event.actor, event.target) == (moderator, removed.public_name)
    assert event.details == {"reason": "Moved away."}
    told = Notification.objects.get(
        recipient=removed, kind="group.membership", channel=Notification.Channel.IN_APP
    )
    assert group.name in told.title and "Moved away." in told.body
    assert Notification.objects.filter(recipient=first, kind="group.membership").exists()


def test_the_removed_person_is_told_once_however_often_the_service_is_asked(
    group, moderator, member
):
    seat = seat_of(group, member)
    services.membership_remove(actor=moderator, membership=seat)

    with pytest.raises(Conflict) as caught:
        services.membership_remove(actor=moderator, membership=seat)

    assert caught.value.code == "not_a_member"
    told = Notification.objects.filter(
        recipient=member, kind="group.membership", channel=Notification.Channel.IN_APP
    )
    assert told.count() == 1
    assert AuditEvent.objects.filter(verb="member.removed").count() == 1
    assert "reason" not in AuditEvent.objects.get(verb="member.removed").details


def test_an_organizer_removes_a_member(group, organizer, member):
    services.membership_remove(actor=organizer, membership=seat_of(group, member))

    assert not Membership.objects.active().filter(group=group, user=member).exists()


@pytest.mark.parametrize("who", ["member", "outsider", "other_organizer"])
def test_only_moderators_and_organizers_remove_people(request, group, moderator, who):
    other = UserFactory()
    services.group_join(user=other, group=group, statement="I want to plant trees with you all.")
    person = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=person, membership=seat_of(group, other))

    assert Membership.objects.active().filter(group=group, user=other).exists()


def test_a_moderator_cannot_remove_themselves(group, moderator, member):
    services.membership_set_role(
        actor=moderator, membership=seat_of(group, member), role="moderator"
    )

    with pytest.raises(Conflict) as caught:
        services.membership_remove(actor=moderator, membership=seat_of(group, moderator))

    assert caught.value.code == "remove_self"


def test_the_last_moderator_cannot_be_removed_even_by_an_organizer(group, organizer, moderator):
    with pytest.raises(Conflict) as caught:
        services.membership_remove(actor=organizer, membership=seat_of(group, moderator))

    assert caught.value.code == "last_moderator"
    assert Membership.objects.active().filter(group=group, user=moderator).exists()


def test_a_moderator_removes_another_moderator(group, moderator, member):
    services.membership_set_role(
        actor=moderator, membership=seat_of(group, member), role="moderator"
    )

    services.membership_remove(actor=member, membership=seat_of(group, moderator))

    assert not Membership.objects.active().filter(group=group, user=moderator).exists()


def test_a_reason_longer_than_500_characters_is_refused(group, moderator, member):
    with pytest.raises(ValidationError) as caught:
        services.membership_remove(
            actor=moderator, membership=seat_of(group, member), reason="x" * 501
        )

    assert "reason" in caught.value.message_dict


def test_the_audit_log_reads_the_new_verbs_as_sentences(group, member, moderator):
    services.group_update(actor=moderator, group=group, capacity=12)
    services.membership_remove(
        actor=moderator, membership=Membership.objects.get(group=group, user=member)
    )

    changed = AuditEvent.objects.get(verb="group.changed")
    removed = AuditEvent.objects.get(verb="member.removed")
    assert audit_sentence(changed) == "Mo Moderator changed River Crew: the seats from 15 to 12."
    assert audit_sentence(removed) == "Mo Moderator removed Meri Member from River Crew."


# Reminder offsets chosen from a list ----------------------------------------------------------


def test_the_cadence_form_offers_reminders_as_checkboxes_and_saves_the_chosen_ones(
    group, moderator
):
    form = CadenceForm(
        {
            "weekdays": ["2"],
            "start_time": "18:00",
            "time_zone": "UTC",
            "duration_minutes": "60",
            "reminder_offsets": ["10080", "15"],
            "prompt_hours_before": "48",
        }
    )
    assert form.is_valid(), form.errors

    cadence = meeting_services.cadence_set(actor=moderator, group=group, **form.cleaned_data)

    assert cadence.offsets == [10080, 15]
    assert 'type="checkbox" name="reminder_offsets" value="120"' in str(form["reminder_offsets"])


@pytest.mark.parametrize("offsets", [[], ["90"], ["1440,60"]])
def test_a_reminder_not_on_the_list_or_none_at_all_is_refused_by_the_form(offsets):
    form = CadenceForm({"reminder_offsets": offsets})

    assert not form.is_valid()
    assert "reminder_offsets" in form.errors


def test_an_offset_set_through_the_api_stays_a_ticked_choice(group, moderator, api):
    api(moderator).put(
        f"/api/groups/{group.pk}/cadence/",
        {"weekdays": [1], "start_time": "19:00", "reminder_offsets": [2880, 90, 60]},
        format="json",
    )
    group = Group.objects.get(pk=group.pk)

    form = CadenceForm.for_group(group, moderator)

    choices = dict(form.fields["reminder_offsets"].choices)
    assert (str(choices[2880]), str(choices[90])) == ("2 days before", "90 minutes before")
    assert form.initial["reminder_offsets"] == [2880, 90, 60]
    # The API still speaks in minutes, as it always has.
    answer = api(moderator).get(f"/api/groups/{group.pk}/cadence/").json()
    assert answer["reminder_offsets"] == [2880, 90, 60]


# The settings page ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 15])
def test_the_settings_page_shows_the_group_the_cadence_and_the_members_in_bounded_queries(
    client, make_group, moderator, size, django_assert_max_num_queries
):
    group = make_group(size, moderator=moderator)
    Cadence.objects.create(group=group, weekdays="1", start_time=time(19), reminder_offsets="60")
    signed_in(client, moderator)

    with django_assert_max_num_queries(SETTINGS_PAGE_QUERIES):
        response = client.get(settings_url(group))

    assertContains(response, 'name="name"')
    assertContains(response, 'name="cadence-reminder_offsets" value="60"')
    assertContains(response, "1 hour before")
    member = Membership.objects.active().filter(group=group, role="member").first()
    assertContains(response, reverse("groups:member_remove", args=[group.pk, member.pk]))
    # Nobody is offered to remove the viewer or the only moderator.
    assertNotContains(
        response, reverse("groups:member_remove", args=[group.pk, seat_of(group, moderator).pk])
    )


def test_the_group_page_links_its_settings_for_moderators_only(client, group, moderator, member):
    assertContains(signed_in(client, moderator).get(group.get_absolute_url()), settings_url(group))
    assertNotContains(signed_in(client, member).get(group.get_absolute_url()), settings_url(group))


def test_saving_the_page_changes_the_group_and_sets_its_cadence(client, group, moderator):
    response = signed_in(client, moderator).post(
        settings_url(group), page_fields(group, name="River Keepers", capacity="9") | CADENCE_FIELDS
    )

    assertRedirects(response, group.get_absolute_url(), fetch_redirect_response=False)
    group.refresh_from_db()
    assert (group.name, group.capacity) == ("River Keepers", 9)
    cadence = Cadence.objects.get(group=group)
    assert (cadence.weekday_list, cadence.offsets) == ([1, 3], [10080, 120, 15])
    assert (cadence.location, cadence.duration_minutes) == ("The boathouse", 90)


def test_a_group_without_a_cadence_keeps_having_none_when_only_its_name_changes(
    client, group, moderator
):
    response = signed_in(client, moderator).post(
        settings_url(group), page_fields(group, name="River Keepers")
    )

    assert response.status_code == 302
    assert not Cadence.objects.filter(group=group).exists()
    group.refresh_from_db()
    assert group.name == "River Keepers"


def test_bad_input_shows_the_error_beside_the_field_and_keeps_everything_typed(
    client, make_group, moderator
):
    group = make_group(6, moderator=moderator)

    response = signed_in(client, moderator).post(
        settings_url(group),
        page_fields(group, name="Typed Name", capacity="4")
        | CADENCE_FIELDS
        | {"cadence-location": "Typed place"},
    )

    assert response.status_code == 200
    assert "capacity" in response.context["group_form"].errors
    page = html.unescape(response.content.decode())
    assert 'id="id_capacity_error"' in page
    assert 'value="Typed Name"' in page and 'value="Typed place"' in page
    assert (
        'name="cadence-reminder_offsets" value="15" id="id_cadence-reminder_offsets_4" checked'
        in page
    )
    group.refresh_from_db()
    assert (group.name, group.capacity) == ("Group 1", 15)
    assert not Cadence.objects.filter(group=group).exists()


def test_garbage_on_the_settings_page_is_a_form_error_not_a_crash(client, group, moderator):
    response = signed_in(client, moderator).post(
        settings_url(group),
        {"name": "x" * 500, "capacity": "many", "join_policy": "\x00", "cadence-weekdays": ["9"]},
    )

    assert response.status_code == 200
    assert {"name", "capacity", "join_policy", "purpose"} <= set(
        response.context["group_form"].errors
    )
    assert "weekdays" in response.context["cadence_form"].errors


# The remove page ------------------------------------------------------------------------------


def test_removing_asks_first_then_removes_with_the_reason(
    client, group, moderator, member, django_assert_max_num_queries
):
    signed_in(client, moderator)
    url = remove_url(group, member)

    with django_assert_max_num_queries(REMOVE_PAGE_QUERIES):
        asked = client.get(url)
    assertContains(asked, "Remove Meri Member from River Crew?")
    assert Membership.objects.active().filter(group=group, user=member).exists()

    done = client.post(url, {"reason": "Moved to another town."})

    assertRedirects(done, settings_url(group), fetch_redirect_response=False)
    assert not Membership.objects.active().filter(group=group, user=member).exists()
    assert (
        AuditEvent.objects.get(verb="member.removed").details["reason"] == "Moved to another town."
    )


def test_removing_the_only_moderator_from_the_page_is_refused_with_a_message(
    client, group, organizer, moderator
):
    response = signed_in(client, organizer).post(remove_url(group, moderator), follow=True)

    assertContains(response, "A group needs a moderator")
    assert Membership.objects.active().filter(group=group, user=moderator).exists()


def test_a_second_click_on_remove_is_told_the_person_is_gone(client, group, moderator, member):
    url = remove_url(group, member)
    signed_in(client, moderator).post(url)

    response = client.post(url, follow=True)

    assertContains(response, "Meri Member is no longer in the group.")


def test_a_too_long_reason_is_shown_beside_its_field(client, group, moderator, member):
    response = signed_in(client, moderator).post(remove_url(group, member), {"reason": "x" * 600})

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert Membership.objects.active().filter(group=group, user=member).exists()


# The API's PATCH ------------------------------------------------------------------------------


def test_the_api_changes_a_group_through_the_same_service(api, group, moderator):
    response = api(moderator).patch(
        f"/api/groups/{group.pk}/", {"capacity": 8, "name": "River Keepers"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["capacity"], response.json()["name"]) == (8, "River Keepers")
    assert AuditEvent.objects.filter(verb="group.changed", actor=moderator).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capacity": 2}, "capacity"),  # below the 3 members
        ({"capacity": 16}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"name": 5}, "name"),
        ({"purpose": "  "}, "purpose"),
        ({"join_policy": "anyone"}, "join_policy"),
    ],
)
def test_the_api_answers_bad_settings_with_400_and_the_field(
    api, group, moderator, member, body, field
):
    services.group_join(user=UserFactory(), group=group, statement="Count me in, I plant trees.")

    response = api(moderator).patch(f"/api/groups/{group.pk}/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def test_a_member_cannot_change_the_group_through_the_api(api, group, member):
    response = api(member).patch(f"/api/groups/{group.pk}/", {"name": "Mine"}, format="json")

    assert response.status_code == 403
    group.refresh_from_db()
    assert group.name == "River Crew"


def test_the_cadence_offers_common_zones_and_keeps_a_saved_alias(group, moderator):
    new = CadenceForm.for_group(group, moderator)
    offered = {value for value, _label in new.fields["time_zone"].choices}
    assert {"Europe/Amsterdam", "UTC"} <= offered
    assert not offered & {"Factory", "localtime", "Europe/Kiev", "US/Eastern"}

    meeting_services.cadence_set(
        actor=moderator,
        group=group,
        weekdays=["2"],
        start_time=time(18, 0),
        time_zone="Europe/Kiev",  # an old name of Europe/Kyiv, saved before the list was trimmed
        duration_minutes=60,
        location="",
        reminder_offsets=[60],
        prompt_hours_before=48,
    )
    group.refresh_from_db()
    saved = CadenceForm.for_group(group, moderator)

    assert "Europe/Kiev" in {value for value, _label in saved.fields["time_zone"].choices}
    assert 'value="Europe/Kiev" selected' in str(saved["time_zone"])
