"""Parts of pages shared by everyone who looks: computed once, new after every write they show."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups import services as groups
from groups.models import Group
from impact import shared
from impact.models import User
from metrics import services
from metrics.models import MetricDefinition
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("impact", "groups", "metrics", "narratives")


def log(member, group, description: str, impacts=None):
    return services.action_log(
        user=member,
        group=group,
        description=description,
        happened_on=timezone.localdate(),
        effort_minutes=30,
        impacts=impacts or [],
    )


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.fixture
def pages(group, network):
    return {
        "group": reverse("groups:group_detail", args=[group.pk]),
        "impact": reverse("metrics:group_impact", args=[group.pk]),
        "week": reverse("metrics:member_week"),
        "network": reverse("groups:network_detail", args=[network.slug]),
        "leaderboard": reverse("metrics:network_leaderboard", args=[network.slug]),
    }


@pytest.fixture
def shared_metric(network, group, organizer, moderator):
    metric = services.network_metric_define(
        actor=organizer, network=network, name="Trees planted", unit="trees"
    )
    services.metric_adopt(actor=moderator, group=group, network_metric=metric)
    return metric


@pytest.mark.usefixtures("shared_metric")
@pytest.mark.parametrize("page", ["group", "impact", "week", "network", "leaderboard"])
def test_what_one_member_rendered_the_next_one_gets_for_fewer_queries(
    signed_in, member, other_member, pages, page
):
    first, mine = queries(signed_in(member), pages[page])
    second, theirs = queries(signed_in(other_member), pages[page])
    assert second < first
    if page in ("network", "leaderboard"):  # nothing on them is the viewer's own
        assert theirs.split("<main")[1].split("</main>")[0].replace(
            other_member.public_name, ""
        ) == mine.split("<main")[1].split("</main>")[0].replace(member.public_name, "")


def test_an_action_logged_shows_at_once_where_it_counts(
    signed_in, member, other_member, group, pages, shared_metric
):
    client = signed_in(member)
    for url in pages.values():
        client.get(url)
    (adopted,) = MetricDefinition.objects.filter(group=group)

    log(other_member, group, "Cleared the creek of tyres", impacts=[(adopted.pk, 7)])

    impact = client.get(pages["impact"]).content.decode()
    assert "Cleared the creek of tyres" in impact
    assert "1 action," in impact  # the summary, not only the recent list
    assert ">7<" in client.get(pages["leaderboard"]).content.decode().replace(" ", "")


def test_an_action_leaves_the_parts_it_does_not_show(member, group, network):
    """A logged action is activity: the group's roster, its quick-log form and the network's
    group table stay as they were rendered."""
    names = [f"group:{group.pk}", f"network:{network.pk}"]
    before = shared.versions(names)
    (activity,) = shared.versions([f"activity:{group.pk}"])

    log(member, group, "Mended the fence")

    assert shared.versions(names) == before
    assert shared.versions([f"activity:{group.pk}"]) != [activity]


def test_a_join_shows_on_the_network_page(signed_in, organizer, group, pages):
    client = signed_in(organizer)
    size = Group.objects.get(pk=group.pk).memberships.filter(left_at__isnull=True).count()
    assert f"{size}/{group.capacity}" in client.get(pages["network"]).content.decode()

    groups.group_join(user=UserFactory(), group=group, statement="I want to plant trees here")

    assert f"{size + 1}/{group.capacity}" in client.get(pages["network"]).content.decode()


def test_a_new_metric_shows_in_the_quick_log_at_once(signed_in, member, moderator, group, pages):
    client = signed_in(member)
    assert "Litter picked" not in client.get(pages["group"]).content.decode()

    services.metric_define(actor=moderator, group=group, name="Litter picked", unit="bags")

    assert "Litter picked" in client.get(pages["group"]).content.decode()
    assert "Litter picked" in client.get(pages["week"]).content.decode()


def test_a_quick_log_with_errors_keeps_what_was_typed(signed_in, member, group):
    client = signed_in(member)
    response = client.post(
        reverse("metrics:action_create", args=[group.pk]),
        {"description": "Pulled ragwort by the canal", "happened_on": "", "effort_minutes": "x"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "Pulled ragwort by the canal" in page
    assert 'aria-invalid="true"' in page or "form-errors" in page or "errorlist" in page


def test_bulk_updates_make_parts_new_too(signed_in, organizer, group, pages):
    client = signed_in(organizer)
    assert group.name in client.get(pages["network"]).content.decode()

    Group.objects.filter(pk=group.pk).update(name="The Oak Street Planters")

    assert "The Oak Street Planters" in client.get(pages["network"]).content.decode()


def test_a_new_display_name_shows_on_the_impact_page_of_others(
    signed_in, member, moderator, group, pages
):
    log(member, group, "Watered the saplings")
    client = signed_in(moderator)
    assert member.public_name in client.get(pages["impact"]).content.decode()

    User.objects.filter(pk=member.pk).update(display_name="Mina the Gardener")

    assert "Mina the Gardener" in client.get(pages["impact"]).content.decode()


def test_a_sign_in_makes_nothing_new(member, group, network):
    names = [f"group:{group.pk}", f"network:{network.pk}"]
    before = shared.versions(names)

    member.last_login = timezone.now()
    member.save(update_fields=["last_login"])

    assert shared.versions(names) == before


def test_writes_bump_again_when_the_transaction_commits(
    member, group, django_capture_on_commit_callbacks
):
    (before,) = shared.versions([f"activity:{group.pk}"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        log(member, group, "Mended the fence")
        (during,) = shared.versions([f"activity:{group.pk}"])
    assert during != before and callbacks
    (after,) = shared.versions([f"activity:{group.pk}"])
    assert after != during


def test_without_a_shared_cache_every_part_is_computed_each_time(
    settings, signed_in, member, other_member, pages
):
    settings.SHARED_PARTS_SECONDS = 0
    first, _ = queries(signed_in(member), pages["network"])
    second, _ = queries(signed_in(other_member), pages["network"])
    assert second == first


def test_every_model_of_ours_says_which_parts_its_rows_show_on():
    """A new model must declare cache_scopes (empty if no shared part shows it), and bulk
    writes to it must go through ScopedQuerySet, or shared parts could go stale."""
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model._meta.auto_created:
            continue
        assert hasattr(model, "cache_scopes"), f"{model.__name__} has no cache_scopes"
        assert isinstance(model._default_manager.all(), shared.ScopedQuerySet), model


def test_a_part_that_shows_moments_is_kept_per_time_zone():
    computed = []

    def compute():
        computed.append(timezone.get_current_timezone_name())
        return len(computed)

    for zone in ("Asia/Kolkata", "UTC", "UTC"):
        with timezone.override(zone):
            shared.shared(["group:1"], "moments", compute, zoned=True)
            shared.shared(["group:1"], "days", compute)
    assert computed == ["Asia/Kolkata", "Asia/Kolkata", "UTC"]


def test_a_moderator_gets_the_forms_a_member_does_not(signed_in, member, moderator, group):
    members_page = reverse("groups:group_members", args=[group.pk])
    as_member = signed_in(member).get(members_page).content.decode()
    as_moderator = signed_in(moderator).get(members_page).content.decode()
    assert member.public_name in as_member and member.public_name in as_moderator
    assert "Make moderator" in as_moderator
    assert "Make moderator" not in as_member


def test_the_leaderboard_reorders_when_one_group_logs_more(
    signed_in, organizer, moderator, group, other_group, network, pages, shared_metric
):
    """Each group's row is kept on its own: a write renews only that row, and the order is
    worked out again on every view."""
    sol = other_group.memberships.get(role="moderator").user
    services.metric_adopt(actor=sol, group=other_group, network_metric=shared_metric)
    river = MetricDefinition.objects.get(group=group, source=shared_metric)
    solar = MetricDefinition.objects.get(group=other_group, source=shared_metric)
    member = other_group.memberships.filter(role="member").first().user
    log(moderator, group, "Planted ten", impacts=[(river.pk, 10)])
    log(member, other_group, "Planted two", impacts=[(solar.pk, 2)])
    client = signed_in(organizer)

    def order() -> list[str]:
        page = client.get(pages["leaderboard"]).content.decode()
        return sorted(("River Crew", "Solar Crew"), key=page.index)

    assert order() == ["River Crew", "Solar Crew"]
    with CaptureQueriesContext(connection) as kept:
        client.get(pages["leaderboard"])

    log(member, other_group, "Planted twenty", impacts=[(solar.pk, 20)])

    with CaptureQueriesContext(connection) as renewed:
        assert order() == ["Solar Crew", "River Crew"]
    assert len(renewed) > len(kept)  # the Solar Crew's row only, rendered again
    assert "22" in client.get(pages["leaderboard"]).content.decode()


def test_a_new_name_shows_on_the_waitlist_of_a_group_one_waits_for(signed_in, member, group, pages):
    size = group.memberships.filter(left_at__isnull=True).count()
    Group.objects.filter(pk=group.pk).update(capacity=size)
    client = signed_in(member)
    waitlist_link = f'href="/groups/{group.pk}/members/#waitlist"'
    assert waitlist_link not in client.get(pages["group"]).content.decode()  # kept, then renewed
    waiting = UserFactory(display_name="Wanda Waiting")
    groups.group_join(user=waiting, group=Group.objects.get(pk=group.pk), statement="x" * 20)
    assert waitlist_link in client.get(pages["group"]).content.decode()
    members_page = reverse("groups:group_members", args=[group.pk])
    assert "Wanda Waiting" in client.get(members_page).content.decode()

    waiting.display_name = "Wanda Patient"
    waiting.save()

    assert "Wanda Patient" in client.get(members_page).content.decode()


def test_a_spin_outs_new_name_shows_in_its_parents_lineage(signed_in, member, group, network):
    child = Group.objects.create(
        network=network, parent=group, name="Little River", purpose="A spin-out."
    )
    client = signed_in(member)
    url = reverse("groups:group_detail", args=[group.pk])
    assert "Little River" in client.get(url).content.decode()

    Group.objects.filter(pk=child.pk).update(name="Brook Crew")

    assert "Brook Crew" in client.get(url).content.decode()
