"""The groups API: the same rules as the pages, one error shape, bounded queries on lists."""

import pytest
from django.urls import reverse

from groups import services
from groups.models import Group, Invitation, JoinRequest, Membership
from tests.factories import PASSWORD, UserFactory
from tests.groups.support import STATEMENT, active_members, waitlist

pytestmark = pytest.mark.django_db

# The same bound for a group of 3 and one of 15 (and as many waiting).
LIST_QUERIES = 3
MEMBERS_QUERIES = 5
NETWORK_LIST_QUERIES = 3


def assert_error(response, status: int, code: str | None = None, fields=()):
    """Every error has the one shape: {"detail", "code", "fields"}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert body["detail"]
    if code:
        assert body["code"] == code
    for name in fields:
        assert body["fields"][name], body
    return body


def group_url(group, action=None):
    if action is None:
        return reverse("api-group-detail", args=[group.pk])
    return reverse(f"api-group-{action}", args=[group.pk])


# Listing and reading -----------------------------------------------------------------------


def test_group_list_shows_public_groups_and_those_of_my_private_networks(
    api, group, organizer, other_organizer, outsider
):
    hidden_network = services.network_create(
        creator=other_organizer, name="Secret Garden", is_public=False
    )
    hidden = services.group_create(
        organizer=other_organizer, network=hidden_network, name="Hidden", purpose="Shh."
    )

    names = [g["name"] for g in api(outsider).get(reverse("api-group-list")).json()["results"]]
    assert names == [group.name]
    names = {
        g["name"] for g in api(other_organizer).get(reverse("api-group-list")).json()["results"]
    }
    assert names == {group.name, hidden.name}


def test_group_list_filters_by_network(api, group, other_organizer, outsider):
    elsewhere = services.network_create(creator=other_organizer, name="Blue Coast")
    services.group_create(
        organizer=other_organizer, network=elsewhere, name="Sea", purpose="Clean."
    )

    response = api(outsider).get(reverse("api-group-list"), {"network": elsewhere.pk})

    assert [g["name"] for g in response.json()["results"]] == ["Sea"]


def test_filtering_by_a_private_network_one_cannot_see_looks_like_no_network(
    api, other_organizer, outsider
):
    private = services.network_create(creator=other_organizer, name="Secret", is_public=False)
    client = api(outsider)

    hidden = client.get(reverse("api-group-list"), {"network": private.pk})
    missing = client.get(reverse("api-group-list"), {"network": 987654})

    assert hidden.status_code == missing.status_code == 200
    assert hidden.json()["results"] == missing.json()["results"] == []


@pytest.mark.parametrize("size", [3, 15])
def test_group_list_queries_do_not_grow_with_groups_or_members(
    api, make_group, join_people, outsider, size, django_assert_max_num_queries
):
    for n in range(size):
        group = make_group(size, capacity=size, name=f"Crew {n}")
        join_people(group, 2)
    client = api(outsider)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("api-group-list"))

    results = response.json()["results"]
    assert len(results) == size
    assert {(g["size"], g["waitlist_length"], g["status"]) for g in results} == {(size, 2, "full")}


def test_group_detail_answers_size_status_waitlist_and_lineage(
    api, make_group, join_people, organizer, outsider
):
    parent = make_group(15)
    join_people(parent, 2)
    leader = Membership.objects.filter(group=parent).first().user
    child = services.group_spin_out(
        organizer=organizer, parent=parent, name="Child", moderator=leader, take_waitlist=False
    )

    body = api(outsider).get(group_url(parent)).json()

    assert body | {"created_at": None} == {
        "id": parent.pk,
        "network": parent.network_id,
        "name": parent.name,
        "purpose": parent.purpose,
        "capacity": 15,
        "join_policy": "open",
        "parent": None,
        "size": 15,
        "status": "full",
        "waitlist_length": 1,
        "leaders_unleashed": 1,
        "created_at": None,
    }
    assert api(outsider).get(group_url(child)).json()["parent"] == parent.pk


# Creating ----------------------------------------------------------------------------------


def test_organizer_creates_a_group_with_a_moderator(api, network, organizer, member):
    response = api(organizer).post(
        reverse("api-group-list"),
        {
            "network": network.pk,
            "name": "Compost Crew",
            "purpose": "Turn scraps into soil.",
            "join_policy": "approval",
            "moderator": member.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["capacity"], body["size"], body["status"]) == (15, 1, "forming")
    group = Group.objects.get(pk=body["id"])
    assert Membership.objects.get(group=group).user == member


@pytest.mark.parametrize("who", ["member", "moderator", "outsider"])
def test_only_organizers_create_groups(api, network, who, request):
    person = request.getfixturevalue(who)

    response = api(person).post(
        reverse("api-group-list"),
        {"network": network.pk, "name": "Mine", "purpose": "Ours."},
        format="json",
    )

    assert_error(response, 403, "permission_denied")
    assert not Group.objects.filter(name="Mine").exists()


def test_a_capacity_of_sixteen_is_refused_on_the_capacity_field(api, network, organizer):
    response = api(organizer).post(
        reverse("api-group-list"),
        {"network": network.pk, "name": "Crowd", "purpose": "All.", "capacity": 16},
        format="json",
    )

    assert_error(response, 400, "invalid", fields=["capacity"])


def test_creating_in_a_private_network_one_is_not_part_of_looks_like_no_network(
    api, other_organizer, organizer
):
    private = services.network_create(creator=other_organizer, name="Secret", is_public=False)

    response = api(organizer).post(
        reverse("api-group-list"),
        {"network": private.pk, "name": "Sneaky", "purpose": "In."},
        format="json",
    )

    body = assert_error(response, 404, "not_found", fields=["network"])
    missing = api(organizer).post(
        reverse("api-group-list"),
        {"network": 987654, "name": "Sneaky", "purpose": "In."},
        format="json",
    )
    assert missing.json()["fields"]["network"] == [
        message.replace(str(private.pk), "987654") for message in body["fields"]["network"]
    ]


def test_a_moderator_from_outside_the_network_is_refused(api, network, organizer, outsider):
    response = api(organizer).post(
        reverse("api-group-list"),
        {"network": network.pk, "name": "Crew", "purpose": "Act.", "moderator": outsider.pk},
        format="json",
    )

    assert_error(response, 400, "invalid", fields=["moderator"])


# Joining and leaving -----------------------------------------------------------------------


def test_join_answers_member_below_capacity(api, group, outsider):
    response = api(outsider).post(group_url(group, "join"), {"statement": STATEMENT})

    assert response.status_code == 200
    assert response.json() == {"outcome": "member", "group": group.pk, "waitlist_position": None}


def test_join_answers_pending_in_an_approval_group(api, make_group, outsider):
    group = make_group(3, join_policy="approval")

    response = api(outsider).post(group_url(group, "join"), {"statement": STATEMENT})

    assert response.json()["outcome"] == "pending"


def test_join_answers_waitlisted_with_the_place_when_full(api, make_group, join_people, outsider):
    group = make_group(15)
    join_people(group, 2)

    response = api(outsider).post(group_url(group, "join"), {"statement": STATEMENT})

    assert response.json() == {"outcome": "waitlisted", "group": group.pk, "waitlist_position": 3}


def test_join_with_a_short_statement_is_refused_on_the_statement_field(api, group, outsider):
    for data in ({"statement": "hi"}, {}):
        response = api(outsider).post(group_url(group, "join"), data)
        assert_error(response, 400, "invalid", fields=["statement"])


def test_leave_answers_no_content_and_keeps_the_row(api, group, member):
    response = api(member).post(group_url(group, "leave"))

    assert response.status_code == 204
    assert Membership.objects.get(group=group, user=member).left_at is not None


def test_leaving_a_group_one_is_not_in_is_a_conflict(api, group, outsider):
    assert_error(api(outsider).post(group_url(group, "leave")), 409, "not_a_member")


def test_api_accepts_a_token_from_the_token_endpoint(client, group, db):
    person = UserFactory()
    token = client.post(
        reverse("api-token"), {"username": person.username, "password": PASSWORD}
    ).json()["token"]

    response = client.post(
        group_url(group, "join"),
        {"statement": STATEMENT},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    assert response.json()["outcome"] == "member"


# Members, waitlist, requests -----------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 15])
def test_members_and_waitlist_queries_do_not_grow(
    api, make_group, join_people, moderator, size, django_assert_max_num_queries
):
    group = make_group(size, capacity=size, moderator=moderator)
    waiting, _ = join_people(group, size)
    client = api(moderator)

    with django_assert_max_num_queries(MEMBERS_QUERIES):
        members = client.get(group_url(group, "members")).json()
    with django_assert_max_num_queries(MEMBERS_QUERIES):
        queue = client.get(group_url(group, "waitlist")).json()

    assert len(members) == size
    assert {m["role"] for m in members} == {"moderator", "member"}
    assert [(w["user"], w["position"]) for w in queue] == [
        (u.pk, n) for n, u in enumerate(waiting, start=1)
    ]


def test_moderator_lists_and_approves_requests(api, make_group, moderator, join_people):
    group = make_group(3, join_policy="approval", moderator=moderator)
    (person,), (outcome,) = join_people(group, 1)
    client = api(moderator)

    pending = client.get(group_url(group, "requests")).json()
    assert [(r["user"], r["status"]) for r in pending] == [(person.pk, "pending")]
    url = reverse("api-group-decide", args=[group.pk, outcome.request.pk])
    response = client.post(url, {"approve": True}, format="json")

    assert response.json() == {"outcome": "member", "group": group.pk, "waitlist_position": None}
    assert_error(client.post(url, {"approve": True}, format="json"), 409, "already_decided")


def test_moderator_declines_a_request(api, make_group, moderator, join_people):
    group = make_group(3, join_policy="approval", moderator=moderator)
    _, (outcome,) = join_people(group, 1)

    response = api(moderator).post(
        reverse("api-group-decide", args=[group.pk, outcome.request.pk]),
        {"approve": False},
        format="json",
    )

    assert response.status_code == 204
    assert JoinRequest.objects.get(pk=outcome.request.pk).status == "declined"


def test_deciding_a_request_of_another_group_is_not_found(api, make_group, moderator, join_people):
    mine = make_group(3, join_policy="approval", moderator=moderator)
    other = make_group(3, join_policy="approval")
    _, (outcome,) = join_people(other, 1)

    response = api(moderator).post(
        reverse("api-group-decide", args=[mine.pk, outcome.request.pk]),
        {"approve": True},
        format="json",
    )

    assert_error(response, 404, "not_found")


# Invitations -------------------------------------------------------------------------------


def test_moderator_invites_and_lists_invitations(api, group, moderator):
    client = api(moderator)

    response = client.post(
        group_url(group, "invitations"), {"email": "friend@example.org"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["email"] == "friend@example.org"
    listed = client.get(group_url(group, "invitations")).json()
    assert [i["email"] for i in listed] == ["friend@example.org"]


def test_invitation_with_a_bad_address_is_refused_on_the_email_field(api, group, moderator):
    response = api(moderator).post(
        group_url(group, "invitations"), {"email": "not-an-address"}, format="json"
    )

    assert_error(response, 400, "invalid", fields=["email"])


def test_accepting_an_invitation_through_the_api(api, group, moderator, outsider):
    invitation = services.invitation_create(actor=moderator, group=group, email=outsider.email)
    url = reverse("api-invitation-accept", args=[invitation.token])

    response = api(outsider).post(url)

    assert response.json() == {"outcome": "member", "group": group.pk, "waitlist_position": None}
    assert api(outsider).post(url).json()["outcome"] == "member"
    assert_error(api(UserFactory()).post(url), 409, "invitation_used")


def test_an_unknown_invitation_token_is_not_found(api, outsider):
    response = api(outsider).post(reverse("api-invitation-accept", args=["nope"]))

    assert_error(response, 404, "not_found")


def test_a_revoked_invitation_is_a_conflict(api, group, moderator, outsider):
    invitation = services.invitation_create(actor=moderator, group=group, email=outsider.email)
    services.invitation_revoke(actor=moderator, invitation=invitation)

    response = api(outsider).post(reverse("api-invitation-accept", args=[invitation.token]))

    assert_error(response, 409, "invitation_expired")
    assert Invitation.objects.get().accepted_at is None


# Spin-out ----------------------------------------------------------------------------------


def test_organizer_spins_out_a_group(api, make_group, moderator, join_people, organizer):
    parent = make_group(15, moderator=moderator)
    join_people(parent, 3)
    leader, mover = Membership.objects.filter(group=parent, role="member")[:2]

    response = api(organizer).post(
        group_url(parent, "spin-out"),
        {"name": "Second Crew", "moderator": leader.user_id, "move": [mover.user_id]},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["parent"], body["size"], body["leaders_unleashed"]) == (parent.pk, 5, 0)
    child = Group.objects.get(pk=body["id"])
    assert Membership.objects.get(group=child, user=leader.user).unleashed_from == parent
    assert active_members(parent) == 13
    assert waitlist(parent) == []


def test_spin_out_is_for_organizers_only(api, make_group, moderator):
    parent = make_group(15, moderator=moderator)

    response = api(moderator).post(
        group_url(parent, "spin-out"),
        {"name": "Second Crew", "moderator": moderator.pk},
        format="json",
    )

    assert_error(response, 403, "permission_denied")


def test_spinning_out_more_than_fifteen_is_refused_on_the_move_field(api, make_group, organizer):
    parent = make_group(15)
    newcomer = UserFactory()
    services.network_add_person(network=parent.network, user=newcomer)
    everyone = list(Membership.objects.filter(group=parent).values_list("user_id", flat=True))

    response = api(organizer).post(
        group_url(parent, "spin-out"),
        {"name": "Too Big", "moderator": newcomer.pk, "move": everyone},
        format="json",
    )

    assert_error(response, 400, "invalid", fields=["move"])
    assert active_members(parent) == 15


# Networks ----------------------------------------------------------------------------------


def test_creating_a_network_makes_me_its_organizer(api, outsider):
    response = api(outsider).post(
        reverse("api-network-list"), {"name": "Blue Coast", "is_public": False}, format="json"
    )

    assert response.status_code == 201
    assert response.json() | {"id": 0, "created_at": None} == {
        "id": 0,
        "name": "Blue Coast",
        "slug": "blue-coast",
        "description": "",
        "is_public": False,
        "created_at": None,
        "role": "organizer",
    }


@pytest.mark.parametrize("size", [3, 15])
def test_network_list_shows_my_role_in_bounded_queries(
    api, organizer, outsider, size, django_assert_max_num_queries
):
    for n in range(size):
        network = services.network_create(creator=organizer, name=f"Town {n}")
        services.network_add_person(network=network, user=outsider)
    client = api(outsider)

    with django_assert_max_num_queries(NETWORK_LIST_QUERIES):
        results = client.get(reverse("api-network-list")).json()["results"]

    assert len(results) == size
    assert {n["role"] for n in results} == {"participant"}


def test_a_private_network_is_not_found_by_outsiders(api, other_organizer, outsider):
    private = services.network_create(creator=other_organizer, name="Secret", is_public=False)
    url = reverse("api-network-detail", args=[private.slug])

    assert_error(api(outsider).get(url), 404, "not_found")
    assert api(other_organizer).get(url).json()["role"] == "organizer"


def test_the_schema_documents_every_group_endpoint(api, outsider):
    paths = api(outsider).get(reverse("api-schema"), {"format": "json"}).json()["paths"]

    for path in [
        "/api/groups/",
        "/api/groups/{id}/",
        "/api/groups/{id}/join/",
        "/api/groups/{id}/leave/",
        "/api/groups/{id}/spin-out/",
        "/api/groups/{id}/members/",
        "/api/groups/{id}/waitlist/",
        "/api/groups/{id}/invitations/",
        "/api/networks/",
        "/api/invitations/{token}/accept/",
    ]:
        assert path in paths
