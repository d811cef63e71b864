"""Dashboards cached per person: served from the cache until something they show changes."""

import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups import services as groups
from groups.meetings.models import Meeting
from impact import pagecache
from impact.models import User
from impact.services import notify
from metrics import services

pytestmark = pytest.mark.django_db

OUR_APPS = ("impact", "groups", "metrics", "narratives")


def without_csrf(response) -> str:
    """The page without its CSRF tokens, which differ on every request."""
    return re.sub(r'(value="|"X-CSRFToken": ")[A-Za-z0-9]{64}', "", response.content.decode())


def log(member, group, description: str):
    return services.action_log(
        user=member,
        group=group,
        description=description,
        happened_on=timezone.localdate(),
        effort_minutes=30,
    )


@pytest.fixture
def pages(group, network):
    return {
        "home": reverse("home"),
        "week": reverse("metrics:member_week"),
        "group": reverse("groups:group_detail", args=[group.pk]),
        "impact": reverse("metrics:group_impact", args=[group.pk]),
        "network": reverse("groups:network_detail", args=[network.slug]),
        "leaderboard": reverse("metrics:network_leaderboard", args=[network.slug]),
    }


def test_a_second_visit_is_served_from_the_cache(
    signed_in, member, pages, django_assert_max_num_queries
):
    client = signed_in(member)
    for url in pages.values():
        first = client.get(url)
        # Only the session and the person are read: the page comes from the cache.
        with django_assert_max_num_queries(2):
            second = client.get(url)
        assert second.status_code == first.status_code == 200
        assert second["Content-Type"] == first["Content-Type"]


def test_an_action_logged_shows_at_once_on_every_dashboard_that_shows_it(
    signed_in, member, other_member, group, pages
):
    client = signed_in(member)
    for url in pages.values():
        client.get(url)

    log(other_member, group, "Cleared the creek of tyres")

    assert "Cleared the creek of tyres" in client.get(pages["impact"]).content.decode()
    # The member's own week counts their own actions (minutes and actions this week).
    week = without_csrf(client.get(pages["week"]))
    assert without_csrf(client.get(pages["week"])) == week  # from the cache
    log(member, group, "Planted hazel whips")
    assert without_csrf(client.get(pages["week"])) != week


def test_bulk_updates_invalidate_too(signed_in, member, group, pages):
    soon = timezone.now() + timezone.timedelta(days=2)
    meeting = Meeting.objects.create(group=group, starts_at=soon)
    client = signed_in(member)
    link = reverse("groups:meeting_detail", args=[meeting.pk])
    assert link in client.get(pages["home"]).content.decode()
    assert link in client.get(pages["home"]).content.decode()  # from the cache

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)

    assert link not in client.get(pages["home"]).content.decode()


@pytest.mark.parametrize("starts_in_ms, kept", [(2 * 86_400_000, True), (500, False)])
def test_home_is_kept_no_longer_than_until_its_next_meeting_starts(
    signed_in, member, group, pages, starts_in_ms, kept
):
    """Home shows the next meeting as "what's next": once it starts, home must change, with
    no write to tell the cache. (Half a second: too soon to keep the page at all.)"""
    starts_at = timezone.now() + timezone.timedelta(milliseconds=starts_in_ms)
    Meeting.objects.create(group=group, starts_at=starts_at)
    client = signed_in(member)
    client.get(pages["home"])

    with CaptureQueriesContext(connection) as second:
        client.get(pages["home"])

    assert (len(second) <= 2) == kept  # from the cache: only the session and the person


def test_leaving_a_group_changes_the_cached_pages_of_its_people(
    signed_in, member, moderator, group, pages
):
    moderators_view = signed_in(moderator).get(pages["group"]).content.decode()
    assert member.public_name in moderators_view

    groups.group_leave(user=member, group=group)

    assert member.public_name not in Client().get("/").content.decode()  # anonymous: landing
    client = signed_in(moderator)
    assert member.public_name not in client.get(pages["group"]).content.decode()


def test_a_new_notification_updates_the_unread_count_in_the_header(signed_in, member, pages):
    client = signed_in(member)
    client.get(pages["home"])

    notify(recipients=[member], kind="welcome", key="cache-test", title="Hello there", email=False)

    assert "Hello there" in client.get(pages["home"]).content.decode()


def test_each_person_gets_their_own_copy(signed_in, member, other_member, pages):
    mine = signed_in(member).get(pages["home"]).content.decode()
    theirs = signed_in(other_member).get(pages["home"]).content.decode()
    assert member.public_name in mine and other_member.public_name in theirs
    assert other_member.public_name not in mine


def test_a_cached_page_carries_a_csrf_token_that_works(member, group, pages):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get(pages["group"])
    page = client.get(pages["group"]).content.decode()  # from the cache

    assert pagecache.CSRF_PLACEHOLDER not in page
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        reverse("metrics:action_create", args=[group.pk]),
        {
            "description": "Swept the square",
            "happened_on": timezone.localdate(),
            "effort_minutes": 20,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302


def test_a_message_after_a_post_is_never_hidden_by_the_cache(signed_in, member, pages):
    client = signed_in(member)
    client.get(pages["home"])

    response = client.post(
        reverse("profile"), {"display_name": "Mina", "time_zone": "UTC"}, follow=True
    )
    client.get(pages["home"])
    assert response.status_code == 200
    messages_shown = [str(m) for m in response.context["messages"]]
    assert messages_shown, "the profile save says so"


def test_writes_bump_again_when_the_transaction_commits(
    member, group, django_capture_on_commit_callbacks
):
    (before,) = pagecache.versions([f"group:{group.pk}"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        log(member, group, "Mended the fence")
        (during,) = pagecache.versions([f"group:{group.pk}"])
    assert during != before and callbacks
    (after,) = pagecache.versions([f"group:{group.pk}"])
    assert after != during


def test_every_model_of_ours_says_which_pages_its_rows_show_on():
    """A new model must declare cache_scopes (empty if no cached page shows it), and bulk
    writes to it must go through ScopedQuerySet, or cached pages could go stale."""
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model._meta.auto_created:
            continue
        assert hasattr(model, "cache_scopes"), f"{model.__name__} has no cache_scopes"
        assert isinstance(model._default_manager.all(), pagecache.ScopedQuerySet), model


def test_a_bulk_rename_shows_on_the_cached_pages_of_others(signed_in, member, moderator, pages):
    client = signed_in(moderator)
    assert member.public_name in client.get(pages["group"]).content.decode()

    User.objects.filter(pk=member.pk).update(display_name="Mina the Gardener")

    assert "Mina the Gardener" in client.get(pages["group"]).content.decode()


def test_a_new_display_name_shows_on_the_cached_pages_of_others(
    signed_in, member, moderator, pages
):
    client = signed_in(moderator)
    assert member.public_name in client.get(pages["group"]).content.decode()

    member.display_name = "Mina the Gardener"
    member.save()

    assert "Mina the Gardener" in client.get(pages["group"]).content.decode()


def test_query_parameters_the_page_does_not_read_are_never_cached(
    signed_in, member, pages, django_assert_max_num_queries
):
    client = signed_in(member)
    client.get(pages["home"] + "?utm=1")
    with django_assert_max_num_queries(20) as captured:
        client.get(pages["home"] + "?utm=1")
    assert len(captured) > 2, "rendered again, not stored"


def test_a_sign_in_does_not_throw_away_other_peoples_pages(
    signed_in, member, moderator, pages, django_assert_max_num_queries
):
    client = signed_in(moderator)
    client.get(pages["group"])

    member.last_login = timezone.now()
    member.save(update_fields=["last_login"])

    with django_assert_max_num_queries(2):
        client.get(pages["group"])
