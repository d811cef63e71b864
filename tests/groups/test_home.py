"""The home page lands each kind of person somewhere useful: organizers on the groups that need
them, moderators on requests to decide and the next session, newcomers on groups to join; and
a group's page tells someone outside it when it meets and how active it is."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from groups import services
from groups.home_selectors import PublicFacts, WhenWhere
from groups.meetings import services as meeting_services
from groups.models import Group
from metrics import services as metric_services
from tests.factories import UserFactory
from tests.groups.support import STATEMENT
from tests.groups.test_views import signed_in, text

pytestmark = pytest.mark.django_db

# One bound per role, the same with 2 groups as with 10: a query per group, request or
# meeting would break it. (The home of someone with no role beyond membership is
# test_views.HOME_QUERIES.)
ORGANIZER_HOME_QUERIES = 10
MODERATOR_HOME_QUERIES = 12
NEWCOMER_HOME_QUERIES = 10
OUTSIDER_GROUP_PAGE_QUERIES = 9


def section(page: str, heading: str) -> str:
    """The visible text of the home from `heading` to the next section heading."""
    start = page.index(heading)
    rest = page[start + len(heading) :]
    ends = [
        rest.find(h)
        for h in (
            "Requests to decide",
            "Groups that need you",
            "Next session to prepare",
            "Next sessions to prepare",
            "Your groups",
            "Groups to join",
            "What's next",
            "Networks",
        )
        if h != heading and rest.find(h) >= 0
    ]
    return rest[: min(ends)] if ends else rest


def _full(make_group, join_people, *, name: str, waiting: int) -> Group:
    group = make_group(15, name=name, via_services=True)
    join_people(group, waiting)
    return group


def _waiting(make_group, join_people, *, name: str, asking: int) -> Group:
    group = make_group(6, name=name, join_policy=Group.JoinPolicy.APPROVAL)
    join_people(group, asking)
    return group


def _forming(make_group, *, name: str) -> Group:
    return make_group(3, name=name, via_services=True)


# Organizers ----------------------------------------------------------------------------------


def test_organizer_home_shows_full_waiting_and_forming_groups_with_a_way_to_act(
    client, organizer, make_group, join_people
):
    full = _full(make_group, join_people, name="Full Crew", waiting=3)
    waiting = _waiting(make_group, join_people, name="Asking Crew", asking=2)
    forming = _forming(make_group, name="Tiny Crew")
    make_group(8, name="Humming Crew", via_services=True)  # active, nobody waiting

    response = signed_in(client, organizer).get(reverse("home"))

    needs = response.context["sections"].organizer
    assert [g.name for g in needs.full] == ["Full Crew"]
    assert [g.name for g in needs.waiting] == ["Asking Crew"]
    assert [g.name for g in needs.forming] == ["Tiny Crew"]
    page = text(response)
    part = section(page, "Groups that need you")
    assert "Humming Crew" not in page
    assert re.search(r"Full Crew .*15/15 members · 3 on the waitlist", part)
    assert re.search(r"Asking Crew .*6/15 members · 2 requests pending", part)
    assert re.search(r"Tiny Crew .*3/15 members", part)
    assertContains(response, reverse("groups:group_spin_out", args=[full.pk]))
    assertContains(response, f"{waiting.get_absolute_url()}#requests")
    assertContains(response, reverse("groups:group_invite", args=[forming.pk]))
    assertNotContains(response, reverse("groups:group_spin_out", args=[waiting.pk]))


def test_a_full_group_with_nobody_waiting_is_still_full_and_a_forming_one_asking_is_waiting(
    client, organizer, make_group, join_people
):
    make_group(15, name="Packed Crew", via_services=True)
    forming = make_group(2, name="Seedling Crew", join_policy=Group.JoinPolicy.APPROVAL)
    join_people(forming, 1)

    needs = signed_in(client, organizer).get(reverse("home")).context["sections"].organizer

    assert [g.name for g in needs.full] == ["Packed Crew"]
    assert [g.name for g in needs.waiting] == ["Seedling Crew"]
    assert needs.forming == []


def test_organizer_home_leaves_out_other_networks_groups(
    client, organizer, other_organizer, make_group
):
    elsewhere = other_organizer.networks.get()
    make_group(2, name="Their Forming Crew", in_network=elsewhere)
    make_group(3, name="Our Forming Crew")

    page = text(signed_in(client, organizer).get(reverse("home")))

    assert "Our Forming Crew" in page
    assert "Their Forming Crew" not in page


def test_an_organizer_whose_groups_all_run_sees_no_empty_section_and_no_newcomer_offer(
    client, organizer, make_group
):
    make_group(8, name="Humming Crew", via_services=True)

    response = signed_in(client, organizer).get(reverse("home"))

    assertNotContains(response, "Groups that need you")
    assertNotContains(response, "Groups to join")
    assertNotContains(response, "You are not in a group yet")
    assertContains(response, "Every group in your networks is running")


@pytest.mark.parametrize("count", [2, 10])
def test_organizer_home_queries_do_not_grow_with_groups(
    client, organizer, make_group, join_people, count, django_assert_max_num_queries
):
    for n in range(count):
        _full(make_group, join_people, name=f"Full {n}", waiting=2)
        _waiting(make_group, join_people, name=f"Asking {n}", asking=2)
        _forming(make_group, name=f"Tiny {n}")
    signed_in(client, organizer)

    with django_assert_max_num_queries(ORGANIZER_HOME_QUERIES):
        response = client.get(reverse("home"))

    needs = response.context["sections"].organizer
    assert needs.total == 3 * count
    assert needs.shown == min(3 * count, 12)


# Moderators ----------------------------------------------------------------------------------


def _reflection_meeting(group: Group, moderator, *, days: int = 2):
    return meeting_services.meeting_add(
        actor=moderator,
        group=group,
        starts_at=timezone.now() + timedelta(days=days),
        is_reflection=True,
    )


def test_moderator_home_lists_join_requests_to_decide_with_the_way_to_decide_them(
    client, moderator, make_group, join_people
):
    crew = make_group(4, name="Approval Crew", join_policy="approval", moderator=moderator)
    (asker, _other), _ = join_people(crew, 2, statement="I grow beans on my balcony every spring.")
    elsewhere = make_group(4, name="Not Mine", join_policy="approval")
    join_people(elsewhere, 1)

    response = signed_in(client, moderator).get(reverse("home"))

    requests = response.context["sections"].requests
    assert requests.total == 2
    assert {r.group.name for r in requests.requests} == {"Approval Crew"}
    part = section(text(response), "Requests to decide")
    assert asker.public_name in part
    assert "I grow beans on my balcony every spring." in part
    assert f'<span class="avatar" aria-hidden="true">{asker.initials}</span>' in (
        response.content.decode()
    )
    assertContains(response, f"{crew.get_absolute_url()}#requests")


def test_a_decided_request_leaves_the_moderator_home(client, moderator, make_group, join_people):
    crew = make_group(4, name="Approval Crew", join_policy="approval", moderator=moderator)
    _users, outcomes = join_people(crew, 1)
    services.join_request_decide(actor=moderator, join_request=outcomes[0].request, approve=True)

    response = signed_in(client, moderator).get(reverse("home"))

    assert not response.context["sections"].requests
    assertNotContains(response, "Requests to decide")


def test_moderator_home_shows_the_next_reflection_with_answers_and_meeting_mode(
    client, moderator, make_group
):
    crew = make_group(6, name="River Crew 2", moderator=moderator, via_services=True)
    later = _reflection_meeting(crew, moderator, days=9)
    meeting = _reflection_meeting(crew, moderator, days=2)
    meeting_services.meeting_add(  # not a reflection: nothing to prepare
        actor=moderator, group=crew, starts_at=timezone.now() + timedelta(days=1)
    )
    writers = [m.user for m in crew.memberships.filter(role="member")[:2]]
    for writer in writers:
        meeting_services.reflection_save(user=writer, meeting=meeting, learned="Rain helps.")
    services.group_leave(user=writers[1], group=crew)  # a leaver's answer no longer counts

    response = signed_in(client, moderator).get(reverse("home"))

    (row,) = response.context["sections"].sessions
    assert row.meeting == meeting and row.meeting != later
    assert (row.answered, row.members) == (1, 5)
    part = section(text(response), "Next session to prepare")
    assert "River Crew 2" in part and "1 of 5 members answered the reflection prompt" in part
    assertContains(response, reverse("groups:meeting_mode", args=[meeting.pk]))


def test_a_moderated_group_without_a_reflection_scheduled_points_to_its_meetings(
    client, moderator, make_group
):
    crew = make_group(6, name="Unscheduled Crew", moderator=moderator)

    response = signed_in(client, moderator).get(reverse("home"))

    part = section(text(response), "Next session to prepare")
    assert "Unscheduled Crew" in part and "No reflection meeting is scheduled." in part
    assertContains(response, reverse("groups:meetings", args=[crew.pk]))


def test_a_plain_member_sees_no_role_sections(client, group, member):
    response = signed_in(client, member).get(reverse("home"))

    sections = response.context["sections"]
    assert not sections.any_role and sections.to_join == []
    for heading in ("Requests to decide", "Groups that need you", "to prepare", "Groups to join"):
        assertNotContains(response, heading)
    assertContains(response, group.name)


@pytest.mark.parametrize("count", [2, 10])
def test_moderator_home_queries_do_not_grow_with_groups_requests_or_meetings(
    client, make_group, join_people, count, django_assert_max_num_queries
):
    person = UserFactory()
    for n in range(count):
        crew = make_group(4, name=f"Crew {n}", join_policy="approval", moderator=person)
        join_people(crew, 2)
        meeting = _reflection_meeting(crew, person, days=n + 1)
        meeting_services.reflection_save(user=person, meeting=meeting, learned="Something.")
    signed_in(client, person)

    with django_assert_max_num_queries(MODERATOR_HOME_QUERIES):
        response = client.get(reverse("home"))

    sections = response.context["sections"]
    assert sections.requests.total == 2 * count
    assert len(sections.sessions) == count
    assert all(s.meeting is not None and s.answered == 1 for s in sections.sessions)


# Someone in several roles --------------------------------------------------------------------


def test_an_organizer_who_moderates_and_is_a_member_sees_each_section_most_urgent_first(
    client, organizer, make_group, join_people
):
    mine = make_group(4, name="Approval Crew", join_policy="approval", moderator=organizer)
    join_people(mine, 1)
    _reflection_meeting(mine, organizer)
    _full(make_group, join_people, name="Full Crew", waiting=1)
    joined = make_group(7, name="Joined Crew", via_services=True)
    services.group_join(user=organizer, group=joined, statement=STATEMENT)

    page = text(signed_in(client, organizer).get(reverse("home")))

    order = [
        page.index("Requests to decide"),
        page.index("Groups that need you"),
        page.index("Next session to prepare"),
        page.index("Your groups"),
    ]
    assert order == sorted(order)
    assert "Joined Crew" in section(page, "Your groups")
    assert "Groups to join" not in page


# Newcomers -----------------------------------------------------------------------------------


def test_a_newcomer_sees_groups_to_join_with_when_and_where_they_meet_and_free_seats(
    client, outsider, make_group, moderator
):
    crew = make_group(6, name="Thursday Crew", moderator=moderator)
    meeting_services.cadence_set(
        actor=moderator,
        group=crew,
        weekdays=[0, 3],
        start_time=time(19, 0),
        time_zone="Europe/Amsterdam",
        location="Community garden shed",
    )
    make_group(15, name="Packed Crew")  # full: nothing to join now
    unscheduled = make_group(2, name="Open Crew")

    response = signed_in(client, outsider).get(reverse("home"))

    rows = response.context["sections"].to_join
    assert [r.group.name for r in rows] == ["Thursday Crew", "Open Crew"]
    part = section(text(response), "Groups to join")
    assert "Meets Monday and Thursday at 19:00 (Europe/Amsterdam time) · Community garden shed" in (
        part
    )
    assert "9 seats free" in part and "13 seats free" in part
    assert "No meeting time set yet" in part
    assert "Packed Crew" not in part
    assertContains(response, reverse("groups:group_join", args=[crew.pk]))
    assertContains(response, reverse("groups:group_join", args=[unscheduled.pk]))
    assertNotContains(response, "You are not in a group yet</h3>")


def test_a_newcomer_is_not_handed_a_video_link_nor_groups_of_private_networks(
    client, outsider, make_group, moderator, other_organizer
):
    crew = make_group(6, name="Online Crew", moderator=moderator)
    meeting_services.cadence_set(
        actor=moderator,
        group=crew,
        weekdays=[2],
        start_time=time(8, 30),
        time_zone="UTC",
        location="https://meet.example.org/secret-room",
    )
    hidden = services.network_create(creator=other_organizer, name="Closed", is_public=False)
    make_group(3, name="Hidden Crew", in_network=hidden)

    response = signed_in(client, outsider).get(reverse("home"))

    part = section(text(response), "Groups to join")
    assert "Meets Wednesday at 08:30 (UTC time) · online (members get the link)" in part
    assertNotContains(response, "secret-room")
    assert "Hidden Crew" not in part


def test_a_newcomer_waiting_for_one_group_is_offered_the_others(
    client, outsider, make_group, join_people
):
    asked = make_group(4, name="Asked Crew", join_policy="approval")
    services.group_join(user=outsider, group=asked, statement=STATEMENT)
    make_group(4, name="Other Crew")

    response = signed_in(client, outsider).get(reverse("home"))

    assert [r.group.name for r in response.context["sections"].to_join] == ["Other Crew"]
    assertContains(response, "Your request is with the moderators.")


@pytest.mark.parametrize("count", [2, 10])
def test_newcomer_home_queries_do_not_grow_with_groups(
    client, outsider, make_group, moderator, count, django_assert_max_num_queries
):
    for n in range(count):
        crew = make_group(4, name=f"Crew {n}", moderator=moderator)
        meeting_services.cadence_set(
            actor=moderator,
            group=crew,
            weekdays=[n % 7],
            start_time=time(18, 0),
            time_zone="UTC",
            location="Town hall",
        )
    signed_in(client, outsider)

    with django_assert_max_num_queries(NEWCOMER_HOME_QUERIES):
        response = client.get(reverse("home"))

    assert len(response.context["sections"].to_join) == min(count, 8)


# A group's page, from outside ----------------------------------------------------------------


def test_an_outsider_sees_when_a_group_meets_and_how_active_it_is(
    client, outsider, group, member, moderator, time_machine
):
    meeting_services.cadence_set(
        actor=moderator,
        group=group,
        weekdays=[3],
        start_time=time(19, 0),
        time_zone="Europe/Amsterdam",
        location="The old boathouse",
    )
    held = _reflection_meeting(group, moderator, days=1)
    time_machine.move_to(held.starts_at + timedelta(minutes=30), tick=False)
    session = meeting_services.session_open(actor=moderator, meeting=held)
    meeting_services.session_close(actor=moderator, session=session)
    today = timezone.localdate()
    for day in (1, 10):
        metric_services.action_log(
            user=member,
            group=group,
            description="Planted willows",
            happened_on=today - timedelta(days=day),
            effort_minutes=30,
        )
    metric_services.action_log(
        user=member,
        group=group,
        description="Long ago",
        happened_on=today - timedelta(days=40),
        effort_minutes=30,
    )

    response = signed_in(client, outsider).get(group.get_absolute_url())

    facts = response.context["facts"]
    assert (facts.actions_recent, facts.actors_recent, facts.members) == (2, 1, 2)
    assert facts.last_session_at == held.starts_at
    page = text(response)
    part = section(page, "How this group meets and acts")
    assert "Meets Thursday at 19:00 (Europe/Amsterdam time) · The old boathouse" in part
    assert re.search(r"Actions in the past 4 weeks 2 by 1 person", part)
    assert re.search(r"Members 2 13 seats free", part)
    assert "Last session" in part and "None yet" not in part
    assertContains(response, reverse("groups:group_join", args=[group.pk]))


def test_the_video_link_is_named_only_to_those_who_may_see_the_meetings(
    client, outsider, organizer, group, moderator
):
    meeting_services.cadence_set(
        actor=moderator,
        group=group,
        weekdays=[1],
        start_time=time(7, 0),
        time_zone="UTC",
        location="https://meet.example.org/river",
    )

    outside = signed_in(client, outsider).get(group.get_absolute_url())
    organizing = signed_in(client, organizer).get(group.get_absolute_url())

    assertNotContains(outside, "meet.example.org")
    assertContains(outside, "online (members get the link)")
    assertContains(organizing, "https://meet.example.org/river")


def test_members_do_not_get_the_outsiders_summary(client, group, member):
    response = signed_in(client, member).get(group.get_absolute_url())

    assert response.context["facts"] is None
    assertNotContains(response, "How this group meets and acts")


@pytest.mark.parametrize("size", [3, 15])
def test_outsider_group_page_queries_do_not_grow_with_members_or_actions(
    client, outsider, make_group, size, django_assert_max_num_queries
):
    crew = make_group(size, name="Busy Crew", via_services=True)
    today = timezone.localdate()
    for membership in crew.memberships.select_related("user"):
        metric_services.action_log(
            user=membership.user,
            group=crew,
            description="Did a thing",
            happened_on=today,
            effort_minutes=15,
        )
    signed_in(client, outsider)

    with django_assert_max_num_queries(OUTSIDER_GROUP_PAGE_QUERIES):
        response = client.get(crew.get_absolute_url())

    assert response.context["facts"].actions_recent == size


@pytest.mark.parametrize(
    ("language", "days", "heading"),
    [
        ("en", 7, "Actions in the past week"),
        ("en", 28, "Actions in the past 4 weeks"),
        ("de", 7, "Aktionen in der letzten Woche"),
        ("es", 7, "Acciones en la última semana"),
        ("es", 28, "Acciones en las últimas 4 semanas"),
    ],
)
def test_a_single_recent_week_reads_as_the_past_week(language, days, heading):
    facts = PublicFacts(
        meets=WhenWhere(),
        members=3,
        capacity=16,
        actions_recent=2,
        actors_recent=1,
        last_session_at=None,
        recent_days=days,
    )
    with translation.override(language):
        html = render_to_string("groups/_group_public.html", {"facts": facts})
    assert f"<dt>{heading}</dt>" in html


def test_the_moderator_home_writes_a_meetings_day_and_time_one_way(
    client, moderator, make_group, time_machine
):
    """The next session to prepare and what's next name the same meeting the same way: its
    weekday, day and time, without the year in this year."""
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False)
    moderator.time_zone = "UTC"
    moderator.save(update_fields=["time_zone"])
    crew = make_group(3, name="River Crew 3", moderator=moderator, via_services=True)
    meeting_services.meeting_add(
        actor=moderator,
        group=crew,
        starts_at=datetime(2026, 12, 2, 18, 0, tzinfo=UTC),
        is_reflection=True,
    )

    page = text(signed_in(client, moderator).get(reverse("home")))

    assert "Wednesday 2 December, 18:00" in section(page, "Next session to prepare")
    assert "Wednesday 2 December, 18:00" in section(page, "What's next")
    assert "2 December 2026" not in page and not re.search(r"\b2 Dec\b", page)
