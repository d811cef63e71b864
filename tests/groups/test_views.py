"""The group pages: what each person sees, the forms, and a fixed number of queries per page."""

import html
import re

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from groups import services
from groups.models import Group, Invitation, JoinRequest, Membership, Network
from groups.views import INVITATION_SESSION_KEY
from tests.factories import UserFactory
from tests.groups.support import STATEMENT, active_members, waitlist

pytestmark = pytest.mark.django_db

# One bound per page, the same for a group of 3 and a group of 15 (with as many waiting):
# a query per member or per waiting person would break it.
# The home: 11 for someone waiting on every group they asked (offered groups to join);
# tests/groups/test_home.py bounds each role's home.
HOME_QUERIES = 11
NETWORK_PAGE_QUERIES = 9
NETWORK_LIST_QUERIES = 6
GROUP_PAGE_QUERIES = 15
MEMBERS_PAGE_QUERIES = 10
JOIN_PAGE_QUERIES = 9
SPIN_OUT_PAGE_QUERIES = 12


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    """The page's visible text with whitespace collapsed, for sentences split over lines."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# My groups -----------------------------------------------------------------------------------


def test_anonymous_visitors_get_the_landing_page(client):
    response = client.get(reverse("home"))

    assertContains(response, reverse("account_signup"))
    assertNotContains(response, "My groups</h1>")


def test_someone_in_no_group_is_shown_how_to_find_one(client, outsider):
    response = signed_in(client, outsider).get(reverse("home"))

    assertContains(response, "You are not in a group yet")
    assertContains(response, reverse("groups:network_list"))


def test_my_groups_shows_each_group_with_my_next_step(
    client, make_group, moderator, join_people, fill_group
):
    person = UserFactory()
    active = make_group(6, name="Active Crew")
    Membership.objects.create(group=active, user=person)
    forming = make_group(2, name="Forming Crew")
    Membership.objects.create(group=forming, user=person)
    full = make_group(15, name="Full Crew")
    join_people(full, 1)
    services.group_join(user=person, group=full, statement=STATEMENT)
    reviewing = make_group(3, name="Review Crew", join_policy="approval", moderator=person)
    join_people(reviewing, 2)

    page = text(signed_in(client, person).get(reverse("home")))

    assert page.index("Active Crew") < page.index("Full Crew")  # my groups before my waitlists
    assert re.search(r"Active Crew .*? Next: .*? Open group", page)
    assert "Forming: invite people who share the excitement." in page
    assert "You are number 2 on the waitlist." in page
    assert "2 join requests to review" in page
    assert "7/15" in page and "15/15" in page


def test_my_groups_tells_a_moderator_of_a_full_group_about_its_waitlist(
    client, make_group, moderator, join_people
):
    group = make_group(15, moderator=moderator)
    join_people(group, 3)

    response = signed_in(client, moderator).get(reverse("home"))

    assertContains(response, "Full, 3 people waiting: ask an organizer about a spin-out.")


def test_my_groups_points_to_a_pending_invitation(client, group, moderator, outsider):
    invitation = services.invitation_create(actor=moderator, group=group, email=outsider.email)
    client.get(reverse("groups:invitation_accept", args=[invitation.token]))

    response = signed_in(client, outsider).get(reverse("home"))

    assertContains(response, "You have an invitation waiting.")
    assertContains(response, reverse("groups:invitation_accept", args=[invitation.token]))


@pytest.mark.parametrize("size", [3, 15])
def test_my_groups_page_queries_do_not_grow_with_groups_or_waitlists(
    client, make_group, join_people, size, django_assert_max_num_queries
):
    person = UserFactory()
    for n in range(size):
        group = make_group(15 if n % 2 else 4, name=f"Crew {n}")
        join_people(group, size)
        services.group_join(user=person, group=group, statement=STATEMENT)
    signed_in(client, person)

    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert len(response.context["rows"]) == size


# Networks ------------------------------------------------------------------------------------


def test_network_list_shows_public_networks_and_mine_but_not_other_private_ones(
    client, network, organizer, other_organizer, outsider
):
    hidden = services.network_create(creator=other_organizer, name="Secret Garden", is_public=False)

    response = signed_in(client, outsider).get(reverse("groups:network_list"))

    assertContains(response, network.name)
    assertNotContains(response, hidden.name)
    response = signed_in(client, other_organizer).get(reverse("groups:network_list"))
    assertContains(response, hidden.name)


@pytest.mark.parametrize("size", [3, 15])
def test_network_list_queries_do_not_grow_with_networks(
    client, organizer, outsider, size, django_assert_max_num_queries
):
    for n in range(size):
        services.network_create(creator=organizer, name=f"Town {n}")
    signed_in(client, outsider)

    with django_assert_max_num_queries(NETWORK_LIST_QUERIES):
        response = client.get(reverse("groups:network_list"))

    assert len(response.context["networks"]) == size


def test_starting_a_network_makes_me_its_organizer(client, outsider):
    response = signed_in(client, outsider).post(
        reverse("groups:network_create"),
        {"name": "Blue Coast", "description": "Clean seas.", "is_public": "on"},
    )

    network = Network.objects.get(name="Blue Coast")
    assertRedirects(response, network.get_absolute_url())
    assert network.memberships.get(user=outsider).role == "organizer"


@pytest.fixture
def family(make_group, moderator, join_people, organizer):
    """A full parent with a waitlist, a child spun out of it, and a grandchild of that."""
    parent = make_group(15, name="Riverbank", moderator=moderator)
    join_people(parent, 20)
    leader = Membership.objects.active().filter(group=parent, role="member").first().user
    child = services.group_spin_out(
        organizer=organizer, parent=parent, name="Riverbank Two", moderator=leader
    )
    grand_leader = Membership.objects.active().filter(group=child, role="member").first().user
    grandchild = services.group_spin_out(
        organizer=organizer,
        parent=child,
        name="Riverbank Three",
        moderator=grand_leader,
        take_waitlist=False,
    )
    join_people(child, 2)  # the child fills up again, with one person waiting
    lonely = make_group(3, name="Solar Street")
    return {"parent": parent, "child": child, "grandchild": grandchild, "lonely": lonely}


def test_network_page_shows_organizers_every_group_with_size_waitlist_and_leaders(
    client, network, organizer, family
):
    response = signed_in(client, organizer).get(network.get_absolute_url())

    groups = {g.name: g for g in response.context["groups"]}
    # 20 waited: 14 went to the child, 1 took the seat its new moderator left, 5 still wait.
    assert (groups["Riverbank"].size, groups["Riverbank"].waitlist_length) == (15, 5)
    assert (groups["Riverbank Two"].size, groups["Riverbank Two"].waitlist_length) == (15, 1)
    assert groups["Riverbank"].leaders_unleashed_count == 1
    assert groups["Riverbank Two"].leaders_unleashed_count == 1
    assert (groups["Solar Street"].size, groups["Solar Street"].status) == (3, "forming")
    rows = {
        name: row
        for name, row in re.findall(
            r"<tr>\s*<td><a href=\"/groups/\d+/\"><strong>([^<]+)</strong>(.*?)</tr>",
            response.content.decode(),
            re.S,
        )
    }
    assert "15/15" in rows["Riverbank"]
    assert "3/15" in rows["Solar Street"]
    assert re.search(r">5</td>\s*<td data-label=\"Leaders unleashed\">1</td>", rows["Riverbank"])
    page = text(response)
    assert "Spin-outs have unleashed 2 new leaders so far." in page


def test_network_page_calls_organizers_to_spin_out_full_groups_only(
    client, network, organizer, family
):
    response = signed_in(client, organizer).get(network.get_absolute_url())

    callout = re.search(r'<div class="callout">(.*?)</div>', response.content.decode(), re.S)
    assert callout, "no call to spin out"
    assert "2 groups are full." in callout.group(1)
    for name in ("parent", "child"):
        assert reverse("groups:group_spin_out", args=[family[name].pk]) in callout.group(1)
    assert reverse("groups:group_spin_out", args=[family["lonely"].pk]) not in callout.group(1)


def test_network_page_draws_the_lineage_as_a_tree(client, network, organizer, family):
    response = signed_in(client, organizer).get(network.get_absolute_url())

    lineage = response.context["lineage"]
    roots = {node.group.name: node for node in lineage}
    assert set(roots) == {"Riverbank", "Solar Street"}
    (child,) = roots["Riverbank"].children
    assert child.group.name == "Riverbank Two"
    assert [n.group.name for n in child.children] == ["Riverbank Three"]
    tree = response.content.decode()
    nested = re.search(
        r"Riverbank</a>.*?<ul class=\"tree\">.*?Riverbank Two</a>.*?<ul class=\"tree\">"
        r".*?Riverbank Three</a>",
        tree,
        re.S,
    )
    assert nested, "the child and grandchild are not drawn inside their parent"


def test_network_page_lists_only_this_networks_organizers(
    client, network, organizer, other_organizer, member
):
    # An organizer of another network who takes part in this one is no organizer here.
    services.network_add_person(network=network, user=other_organizer)

    response = signed_in(client, member).get(network.get_absolute_url())

    assert list(response.context["organizers"]) == [organizer]


def test_network_page_hides_waitlists_and_spin_out_from_participants(
    client, network, family, join_people
):
    participant = UserFactory()
    services.group_join(user=participant, group=family["lonely"], statement=STATEMENT)

    response = signed_in(client, participant).get(network.get_absolute_url())

    assertContains(response, "Riverbank")
    assertNotContains(response, "Spin out")
    assertNotContains(response, "Leaders unleashed")


def test_network_page_links_every_group_where_reverse_would(client, network, organizer, family):
    response = signed_in(client, organizer).get(network.get_absolute_url())

    for group in response.context["groups"]:
        url = reverse("groups:group_detail", args=[group.pk])
        assert group.get_absolute_url() == url
        assertContains(response, f'href="{url}"', count=2)  # the table and the family tree


def test_group_links_follow_the_script_prefix(group):
    # Served under a path (SCRIPT_NAME), links carry it, as reverse() does.
    try:
        set_script_prefix("/impact/")
        assert group.get_absolute_url() == f"/impact/groups/{group.pk}/"
    finally:
        set_script_prefix("/")
    assert group.get_absolute_url() == f"/groups/{group.pk}/"


@pytest.mark.parametrize("size", [3, 15])
def test_network_page_queries_do_not_grow_with_groups_or_members(
    client, network, organizer, make_group, join_people, size, django_assert_max_num_queries
):
    for n in range(size):
        group = make_group(size, name=f"Crew {n}")
        join_people(group, 2)
    signed_in(client, organizer)

    with django_assert_max_num_queries(NETWORK_PAGE_QUERIES):
        response = client.get(network.get_absolute_url())

    assert len(response.context["groups"]) == size


# The group page ------------------------------------------------------------------------------


def test_group_page_shows_purpose_size_bar_and_a_strip_of_its_people(
    client, group, member, moderator
):
    response = signed_in(client, member).get(group.get_absolute_url())

    assertContains(response, group.purpose)
    assertContains(response, '<span class="size-label">2/15</span>', html=True)
    assertContains(response, "Forming")
    page = text(response)
    assert member.public_name in page  # for screen readers beside the initials
    assert f"{moderator.public_name} (Moderator)" in page
    assertContains(response, reverse("groups:group_members", args=[group.pk]))
    # The rest is on the members' page: why they joined, roles, leaving.
    assertNotContains(response, "Leave this group")
    assertNotContains(response, STATEMENT[:40])
    assertNotContains(response, "Make moderator")


def test_group_page_begins_with_the_week_and_shows_people_by_their_initials(
    client, group, member, moderator
):
    response = signed_in(client, member).get(group.get_absolute_url())

    html = response.content.decode()
    # This week first: the next meeting (none set yet), then the numbers, loaded as a part.
    assert html.index('id="week-heading"') < html.index('id="log-heading"')
    assert html.index('id="log-heading"') < html.index('id="members-heading"')
    assert "No meeting time set yet" in text(response)
    assert f"/groups/{group.pk}/impact/?part=week" in html
    assert f'<span class="avatar" aria-hidden="true" title="{member.public_name}">' in html
    assert "How this group meets and acts" not in html  # that card is for people outside
    assert html.count('<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"') >= 8  # tabs, week


def test_group_page_links_the_waitlist_pulse_and_help_instead_of_showing_them(
    client, make_group, moderator, join_people
):
    group = make_group(15, moderator=moderator)
    users, _ = join_people(group, 2)
    users[0].display_name = "Wanda Waitlisted"  # a random first name can be a member's too
    users[0].save(update_fields=["display_name"])

    response = signed_in(client, moderator).get(group.get_absolute_url())

    html = response.content.decode()
    assert "Wanda Waitlisted" not in html  # the waitlist is on the members' page
    assert f'href="/groups/{group.pk}/members/#waitlist"' in html
    assert f'href="/groups/{group.pk}/meetings/#pulse"' in html
    assertContains(response, "15/15")
    assertContains(response, reverse("groups:group_invite", args=[group.pk]))
    assertNotContains(response, reverse("groups:group_spin_out", args=[group.pk]))


def test_group_page_shows_moderators_requests_to_decide(client, make_group, moderator, join_people):
    group = make_group(3, moderator=moderator, join_policy=Group.JoinPolicy.APPROVAL)
    users, _ = join_people(group, 1)

    response = signed_in(client, moderator).get(group.get_absolute_url())

    assertContains(response, 'id="requests-heading"')
    assertContains(response, users[0].public_name)
    assertContains(
        response, reverse("groups:request_decide", args=[group.pk, users[0].join_requests.get().pk])
    )


# The members' page ---------------------------------------------------------------------------


def test_members_page_shows_everyone_with_why_they_joined_and_the_leave_button(
    client, group, member, moderator, django_assert_max_num_queries
):
    signed_in(client, member)

    with django_assert_max_num_queries(MEMBERS_PAGE_QUERIES):
        response = client.get(reverse("groups:group_members", args=[group.pk]))

    page = text(response)
    assert member.public_name in page
    assert f"{moderator.public_name} Moderator" in page
    assertContains(response, STATEMENT[:40])
    assertContains(response, "Leave this group")
    assertContains(response, 'aria-current="page">')
    assertNotContains(response, "Make moderator")  # members do not manage roles
    assertNotContains(response, "/remove/")


def test_members_page_gives_moderators_roles_removal_and_the_waitlist_in_order(
    client, make_group, moderator, join_people
):
    group = make_group(15, moderator=moderator)
    users, _ = join_people(group, 2)

    response = signed_in(client, moderator).get(reverse("groups:group_members", args=[group.pk]))

    page = text(response)
    assert f"1. {users[0].public_name}" in page
    assert f"2. {users[1].public_name}" in page
    assertContains(response, "Make moderator")
    someone = group.memberships.filter(role=Membership.Role.MEMBER).first()
    assertContains(response, reverse("groups:member_remove", args=[group.pk, someone.pk]))
    # Not themselves (they leave) and not the only moderator.
    own = group.memberships.get(user=moderator)
    assertNotContains(response, reverse("groups:member_remove", args=[group.pk, own.pk]))


def test_members_page_tells_others_in_the_network_only_members_see_who_is_in_it(
    client, group, member, outsider
):
    response = signed_in(client, outsider).get(reverse("groups:group_members", args=[group.pk]))

    assert response.status_code == 403
    assertContains(
        response, "Only the group&#x27;s members and its network&#x27;s organizers", status_code=403
    )
    assertNotContains(response, member.public_name, status_code=403)


@pytest.mark.parametrize("size", [3, 15])
def test_members_page_queries_do_not_grow_with_members_or_waitlist(
    client, make_group, moderator, join_people, size, django_assert_max_num_queries
):
    group = make_group(size, capacity=size, moderator=moderator)
    join_people(group, size)
    services.invitation_create(actor=moderator, group=group, email="a@example.org")
    signed_in(client, moderator)

    with django_assert_max_num_queries(MEMBERS_PAGE_QUERIES):
        response = client.get(reverse("groups:group_members", args=[group.pk]))

    assert len(response.context["page"].members) == size
    assert len(response.context["page"].waitlist) == size
    assertContains(response, "a@example.org")


def test_group_page_gives_organizers_the_spin_out_control(client, group, organizer):
    response = signed_in(client, organizer).get(group.get_absolute_url())

    assertContains(response, reverse("groups:group_spin_out", args=[group.pk]))
    assertContains(response, "Join this group yourself")


def test_group_page_tells_a_waitlisted_person_their_place(client, make_group, join_people):
    group = make_group(15)
    users, _ = join_people(group, 3)

    response = signed_in(client, users[2]).get(group.get_absolute_url())

    assertContains(response, "You are number 3 on the waitlist.")
    assertContains(response, "Withdraw")
    assertNotContains(response, 'name="statement"')


def test_group_page_offers_the_waitlist_when_full(client, make_group, outsider):
    group = make_group(15)

    response = signed_in(client, outsider).get(group.get_absolute_url())

    assertContains(response, "This group is full: join the waitlist")
    assertContains(response, 'name="statement"')


def test_group_page_shows_others_in_the_network_no_member_names(
    client, group, member, moderator, outsider
):
    response = signed_in(client, outsider).get(group.get_absolute_url())

    assertContains(response, group.name)
    assertContains(response, "2/15")
    assert "Only the group's members and the network's organizers" in text(response)
    for person in (member, moderator):
        assertNotContains(response, person.public_name)


@pytest.mark.parametrize("size", [3, 15])
def test_group_page_queries_do_not_grow_with_members_or_waitlist(
    client, make_group, moderator, organizer, join_people, size, django_assert_max_num_queries
):
    group = make_group(size, capacity=size, moderator=moderator)
    join_people(group, size)
    services.invitation_create(actor=moderator, group=group, email="a@example.org")
    services.invitation_create(actor=moderator, group=group, email="b@example.org")
    signed_in(client, organizer)

    with django_assert_max_num_queries(GROUP_PAGE_QUERIES):
        response = client.get(group.get_absolute_url())

    assert text(response).count("(Moderator)") == 1
    assert response.context["group"].size == size


# Joining and leaving -------------------------------------------------------------------------


def test_join_form_errors_keep_the_typed_statement(client, group, outsider):
    response = signed_in(client, outsider).post(
        reverse("groups:group_join", args=[group.pk]), {"statement": "I care"}
    )

    assert response.status_code == 200
    assertContains(response, "I care</textarea>")
    assert response.context["form"].errors["statement"]
    assert not Membership.objects.filter(user=outsider).exists()


def test_joining_an_open_group_from_the_page_makes_a_member(client, group, outsider):
    response = signed_in(client, outsider).post(
        reverse("groups:group_join", args=[group.pk]), {"statement": STATEMENT}, follow=True
    )

    assertRedirects(response, group.get_absolute_url())
    assert f"You are a member of {group.name}. Welcome!" in messages_of(response)
    assert Membership.objects.active().filter(group=group, user=outsider).exists()


def test_joining_a_full_group_from_the_page_shows_the_place_on_the_waitlist(
    client, make_group, join_people, outsider
):
    group = make_group(15)
    join_people(group, 1)

    response = signed_in(client, outsider).post(
        reverse("groups:group_join", args=[group.pk]), {"statement": STATEMENT}, follow=True
    )

    assert any("You are number 2 on the waitlist" in m for m in messages_of(response))
    assertContains(response, "You are number 2 on the waitlist.")


def test_join_page_warns_that_a_full_group_means_the_waitlist(client, make_group, outsider):
    group = make_group(15)

    response = signed_in(client, outsider).get(reverse("groups:group_join", args=[group.pk]))

    assert "This group is full. You'll join the waitlist" in text(response)


@pytest.mark.parametrize("size", [3, 15])
def test_join_page_queries_do_not_grow_with_members(
    client, make_group, outsider, size, django_assert_max_num_queries
):
    group = make_group(size)
    signed_in(client, outsider)

    with django_assert_max_num_queries(JOIN_PAGE_QUERIES):
        response = client.get(reverse("groups:group_join", args=[group.pk]))

    assert response.status_code == 200


def test_leaving_from_the_page_keeps_the_row_and_says_so(client, group, member):
    response = signed_in(client, member).post(
        reverse("groups:group_leave", args=[group.pk]), {"confirm": "1"}, follow=True
    )

    assert any("What you logged there stays" in m for m in messages_of(response))
    assert Membership.objects.get(group=group, user=member).left_at is not None


def test_leaving_a_group_one_is_not_in_shows_an_error(client, group, outsider):
    response = signed_in(client, outsider).post(
        reverse("groups:group_leave", args=[group.pk]), follow=True
    )

    assert messages_of(response) == ["You are not in this group."]


def test_moderator_accepts_a_request_from_the_page(client, make_group, moderator, join_people):
    group = make_group(3, join_policy="approval", moderator=moderator)
    (person,), (outcome,) = join_people(group, 1)

    response = signed_in(client, moderator).post(
        reverse("groups:request_decide", args=[group.pk, outcome.request.pk]),
        {"decision": "approve"},
        follow=True,
    )

    assert f"{person.public_name} is now a member." in messages_of(response)
    assert Membership.objects.active().filter(group=group, user=person).exists()


def test_moderator_makes_a_member_a_moderator_from_the_page(client, group, moderator, member):
    seat = Membership.objects.get(group=group, user=member)

    signed_in(client, moderator).post(
        reverse("groups:member_role", args=[group.pk, seat.pk]), {"role": "moderator"}
    )

    seat.refresh_from_db()
    assert seat.is_moderator


def test_demoting_the_last_moderator_shows_why_not(client, group, moderator):
    seat = Membership.objects.get(group=group, user=moderator)

    response = signed_in(client, moderator).post(
        reverse("groups:member_role", args=[group.pk, seat.pk]),
        {"role": "member", "confirm": "1"},
        follow=True,
    )

    assert messages_of(response) == ["A group needs a moderator: appoint another one first."]


def test_organizer_creates_a_group_with_a_moderator_from_the_network(
    client, network, organizer, member
):
    response = signed_in(client, organizer).post(
        reverse("groups:group_create", args=[network.slug]),
        {
            "name": "Compost Crew",
            "purpose": "Turn scraps into soil.",
            "capacity": 12,
            "join_policy": "approval",
            "moderator": member.pk,
        },
    )

    group = Group.objects.get(name="Compost Crew")
    assertRedirects(response, group.get_absolute_url())
    assert (group.capacity, group.join_policy) == (12, "approval")
    assert Membership.objects.get(group=group).user == member


def test_group_form_refuses_more_than_fifteen(client, network, organizer):
    response = signed_in(client, organizer).post(
        reverse("groups:group_create", args=[network.slug]),
        {"name": "Crowd", "purpose": "Everyone.", "capacity": 16, "join_policy": "open"},
    )

    assert response.context["form"].errors["capacity"]
    assert not Group.objects.filter(name="Crowd").exists()


# Invitations ---------------------------------------------------------------------------------


def test_moderator_invites_from_the_page(client, group, moderator):
    response = signed_in(client, moderator).post(
        reverse("groups:group_invite", args=[group.pk]),
        {"email": "friend@example.org", "message": "Join us!"},
    )

    assertRedirects(response, group.get_absolute_url())
    assert Invitation.objects.get(group=group).email == "friend@example.org"


def test_moderator_withdraws_an_invitation_from_the_page(client, group, moderator):
    invitation = services.invitation_create(actor=moderator, group=group, email="f@example.org")

    signed_in(client, moderator).post(
        reverse("groups:invitation_revoke", args=[group.pk, invitation.pk])
    )

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


@pytest.fixture
def invitation(group, moderator):
    return services.invitation_create(actor=moderator, group=group, email="friend@example.org")


def test_invitation_page_asks_anonymous_visitors_to_sign_up_or_in_and_remembers_it(
    client, invitation, group
):
    url = reverse("groups:invitation_accept", args=[invitation.token])

    response = client.get(url)

    assertContains(response, f"Join {group.name}")
    assertContains(response, f"{reverse('account_signup')}?next={url}")
    assertContains(response, f"{reverse('account_login')}?next={url}")
    assertNotContains(response, "Accept invitation")
    assert client.session[INVITATION_SESSION_KEY] == invitation.token


def test_signed_in_person_accepts_an_invitation(client, invitation, group, outsider):
    url = reverse("groups:invitation_accept", args=[invitation.token])
    client.get(url)
    signed_in(client, outsider)
    assertContains(client.get(url), "Accept invitation")

    response = client.post(url)

    assertRedirects(response, group.get_absolute_url())
    assert Membership.objects.active().filter(group=group, user=outsider).exists()
    assert INVITATION_SESSION_KEY not in client.session


def test_an_expired_invitation_says_so_and_admits_nobody(client, invitation, group, outsider):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    url = reverse("groups:invitation_accept", args=[invitation.token])

    assertContains(signed_in(client, outsider).get(url), "This invitation has expired")
    response = client.post(url, follow=True)

    assert messages_of(response) == ["This invitation has expired. Ask for a new one."]
    assert active_members(group) == 1


def test_an_unknown_invitation_link_is_not_found(client, outsider):
    response = signed_in(client, outsider).get(
        reverse("groups:invitation_accept", args=["no-such-token"])
    )

    assert response.status_code == 404


# Spin-out ------------------------------------------------------------------------------------


@pytest.fixture
def full_parent(make_group, moderator, join_people):
    parent = make_group(15, name="Riverbank", moderator=moderator)
    parent.waiting, _ = join_people(parent, 16)
    parent.members = list(
        Membership.objects.active().filter(group=parent, role="member").order_by("id")
    )
    return parent


def spin_out_form(parent, **extra):
    leader, mover = parent.members[0].user, parent.members[1].user
    return {
        "name": "Riverbank Two",
        "purpose": "",
        "moderator": leader.pk,
        "move": [mover.pk],
        "take_waitlist": "on",
    } | extra


def test_spin_out_preview_shows_who_moves_before_anything_moves(client, full_parent, organizer):
    url = reverse("groups:group_spin_out", args=[full_parent.pk])
    before = (active_members(full_parent), waitlist(full_parent), Group.objects.count())

    response = signed_in(client, organizer).post(url, spin_out_form(full_parent))

    assert response.status_code == 200
    page = text(response)
    assert "Preview: nothing has moved yet" in page
    assert "The new group will have 15 people:" in page
    leader, mover = full_parent.members[0].user, full_parent.members[1].user
    assert f"{leader.public_name} — moderator (a leader unleashed from this group)" in page
    assert f"{mover.public_name} — moves from this group" in page
    for person in full_parent.waiting[:13]:
        assert f"{person.public_name} — from the waitlist" in page
    assert "3 people stay on this group's waitlist." in page
    assertContains(response, '<input type="hidden" name="confirm" value="1">', html=True)
    assert (active_members(full_parent), waitlist(full_parent), Group.objects.count()) == before
    assert not JoinRequest.objects.filter(status=JoinRequest.Status.MOVED).exists()


def test_spin_out_confirm_performs_it(client, full_parent, organizer):
    url = reverse("groups:group_spin_out", args=[full_parent.pk])

    response = signed_in(client, organizer).post(
        url, spin_out_form(full_parent, confirm="1"), follow=True
    )

    child = Group.objects.get(parent=full_parent)
    assertRedirects(response, child.get_absolute_url())
    assert any("is spun out of Riverbank with 15 people" in m for m in messages_of(response))
    assert active_members(child) == 15
    # 2 seats freed in the parent go to the 14th and 15th on its waitlist.
    assert active_members(full_parent) == 15
    assert waitlist(full_parent) == [full_parent.waiting[-1].pk]


def test_spin_out_preview_shows_plan_errors_beside_the_fields(client, full_parent, organizer):
    everyone = [m.user_id for m in Membership.objects.active().filter(group=full_parent)]
    newcomer = full_parent.waiting[0]

    response = signed_in(client, organizer).post(
        reverse("groups:group_spin_out", args=[full_parent.pk]),
        spin_out_form(full_parent, moderator=newcomer.pk, move=everyone, confirm="1"),
    )

    assert response.status_code == 200
    assert response.context["plan"] is None
    assert "at most 15" in str(response.context["form"].errors["move"])
    assert not Group.objects.filter(parent=full_parent).exists()


def test_spin_out_with_a_taken_name_keeps_the_form_and_moves_nobody(client, full_parent, organizer):
    response = signed_in(client, organizer).post(
        reverse("groups:group_spin_out", args=[full_parent.pk]),
        spin_out_form(full_parent, name="Riverbank", confirm="1"),
    )

    assert response.context["form"].errors["name"]
    assert active_members(full_parent) == 15
    assert len(waitlist(full_parent)) == 16


@pytest.mark.parametrize("size", [3, 15])
def test_spin_out_page_queries_do_not_grow_with_members_or_waitlist(
    client, make_group, moderator, organizer, join_people, size, django_assert_max_num_queries
):
    group = make_group(size, capacity=size, moderator=moderator)
    join_people(group, size)
    signed_in(client, organizer)
    url = reverse("groups:group_spin_out", args=[group.pk])
    leader = Membership.objects.filter(group=group).last().user

    with django_assert_max_num_queries(SPIN_OUT_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(SPIN_OUT_PAGE_QUERIES):
        response = client.post(url, {"name": "Next", "moderator": leader.pk, "take_waitlist": "on"})
    assert response.context["plan"] is not None
