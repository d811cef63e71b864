"""Accounts in the browser: sign-up with confirmation, sign-in, passwords, profile, notifications."""

import re
import zoneinfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from impact import services
from impact.forms import ProfileForm
from impact.kinds import optional_kinds
from impact.middleware import UserTimezoneMiddleware
from impact.models import EmailOptOut, Notification, User
from tests.factories import PASSWORD, UserFactory
from tests.impact import support

NEW_PASSWORD = "another-long-passphrase-42"


def sign_up(client, **overrides):
    data = {
        "display_name": "Ada Lovelace",
        "email": "ada@example.org",
        "username": "ada",
        "time_zone": "America/Chicago",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post(reverse("account_signup"), data)


def log_in(client, login, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def unread_badge(response) -> str | None:
    """The number on the header's notifications menu, or None when it shows none."""
    match = re.search(r'<span class="badge">(\d+)</span>', response.content.decode())
    return match.group(1) if match else None


def in_app_for(user, **kwargs):
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.IN_APP, **kwargs
    )


# Sign-up -----------------------------------------------------------------------------------


def test_sign_up_confirm_by_mail_then_land_signed_in_with_a_welcome(client, db, mailoutbox):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(username="ada")
    assert (user.display_name, user.time_zone) == ("Ada Lovelace", "America/Chicago")
    assert signed_in_user_id(client) is None

    # The confirmation mail waits in the outbox, like every other mail.
    (confirmation,) = Notification.objects.filter(kind="account", to_email="ada@example.org")
    assert confirmation.status == Notification.Status.PENDING
    assert mailoutbox == []
    assert support.deliver_pending_emails() == ["sent"]
    (mail,) = mailoutbox
    assert mail.to == ["ada@example.org"]
    assert "Hello from Impact Groups," in mail.body
    link = support.first_url(mail.body)
    assert "/accounts/confirm-email/" in link

    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    assert not user.emailaddress_set.get().verified  # a GET (or a link scanner) confirms nothing

    landed = client.post(link, follow=True)

    assert landed.status_code == 200
    assert landed.redirect_chain[-1][0] == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)
    assert user.emailaddress_set.get().verified
    (welcome,) = in_app_for(user, kind="welcome")
    assert welcome.title == "Welcome to Impact Groups, Ada Lovelace"
    assert unread_badge(landed) == "1"
    assert support.deliver_pending_emails() == ["sent"]
    assert mailoutbox[-1].to == ["ada@example.org"]


def test_account_emails_name_the_site_and_say_how_to_reach_a_person(
    client, db, mailoutbox, settings
):
    settings.SITE_URL = "https://impact.example.org"
    settings.SUPPORT_EMAIL = "help@example.org"

    sign_up(client)
    support.deliver_pending_emails()

    (mail,) = mailoutbox
    assert mail.subject == "[Impact Groups] Please Confirm Your Email Address"
    assert "Hello from Impact Groups," in mail.body
    assert "register an account on impact.example.org" in mail.body
    assert "Thank you for using Impact Groups (impact.example.org)." in mail.body
    assert "Write to help@example.org: a person reads every message" in mail.body
    assert "testserver" not in mail.body.replace("http://testserver/", "")


def test_without_a_support_address_the_mail_offers_none(client, db, mailoutbox, settings):
    # Not the sender's address instead: that is a no-reply one (noreply@localhost) nobody reads.
    settings.SUPPORT_EMAIL = ""

    sign_up(client)
    support.deliver_pending_emails()

    (mail,) = mailoutbox
    assert "a person reads every message" not in mail.body
    assert "Write to" not in mail.body
    assert "noreply@" not in mail.body
    html = mail.alternatives[0][0] if mail.alternatives else ""
    assert "a person reads every message" not in html and "mailto:" not in html


def test_sign_up_with_an_unknown_time_zone_is_refused_and_keeps_what_was_typed(client, db):
    response = sign_up(client, time_zone="Mars/Olympus_Mons")

    assert response.status_code == 200
    assert not User.objects.filter(username="ada").exists()
    content = response.content.decode()
    assert "Select a valid choice" in content
    assert 'value="Ada Lovelace"' in content


def test_sign_up_with_a_taken_email_sends_no_second_account_and_reveals_nothing(
    client, user, mailoutbox
):
    response = sign_up(client, email=user.email, username="someone-else")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not User.objects.filter(username="someone-else").exists()


# Signing in --------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["username", "email"])
def test_sign_in_by_username_or_by_email(client, user, by):
    response = log_in(client, getattr(user, by))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)


def test_repeated_failed_sign_ins_lock_even_the_right_password_out(client, user):
    for _ in range(5):
        wrong = log_in(client, user.username, password="not-the-password")
        assert wrong.status_code == 200

    locked = log_in(client, user.username)

    assert locked.status_code == 200
    assert "Too many failed login attempts" in locked.content.decode()
    assert signed_in_user_id(client) is None


def test_signing_out_ends_the_session(client, user):
    client.force_login(user)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


# Passwords ---------------------------------------------------------------------------------


def test_password_reset_answers_the_same_for_unknown_addresses_and_mails_only_known_ones(
    client, user, mailoutbox
):
    url = reverse("account_reset_password")
    known = client.post(url, {"email": user.email})
    unknown = client.post(url, {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert not Notification.objects.filter(to_email="nobody@example.org").exists()
    assert Notification.objects.filter(to_email=user.email, kind="account").count() == 1
    support.deliver_pending_emails()
    assert [mail.to for mail in mailoutbox] == [[user.email]]


def test_password_reset_link_sets_a_new_password(client, user, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": user.email})
    support.deliver_pending_emails()
    link = support.first_url(mailoutbox[0].body)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_change_keeps_the_person_signed_in(client, user):
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert signed_in_user_id(client) == str(user.pk)


def test_password_change_with_a_wrong_old_password_changes_nothing(client, user):
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# Profile and time zone ---------------------------------------------------------------------


def test_profile_page_shows_the_display_name_and_time_zone(
    client, user, django_assert_max_num_queries
):
    client.force_login(user)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("profile"))

    content = response.content.decode()
    assert response.status_code == 200
    assert f'value="{user.display_name}"' in content
    assert '<option value="Europe/Berlin" selected>' in content


def test_profile_saves_display_name_and_time_zone(client, user):
    client.force_login(user)

    response = client.post(
        reverse("profile"), {"display_name": "  Grace  ", "time_zone": "Asia/Tokyo"}, follow=True
    )

    assert response.redirect_chain == [(reverse("profile"), 302)]
    assert "Your profile is saved." in response.content.decode()
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Grace", "Asia/Tokyo")


def test_profile_with_a_bad_time_zone_shows_the_error_and_keeps_what_was_typed(client, user):
    client.force_login(user)
    before = (user.display_name, user.time_zone)

    response = client.post(
        reverse("profile"), {"display_name": "Grace H.", "time_zone": "Not/AZone"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in content
    assert 'value="Grace H."' in content
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == before


def _zone_seen_by_a_view(user):
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user
    UserTimezoneMiddleware(view)(request)
    return seen["zone"]


def test_timezone_middleware_shows_times_in_the_person_own_zone(user):
    try:
        assert _zone_seen_by_a_view(user) == "Europe/Berlin"
        assert _zone_seen_by_a_view(AnonymousUser()) == "UTC"
        user.time_zone = "Gone/Zone"
        assert _zone_seen_by_a_view(user) == "UTC"
    finally:
        timezone.deactivate()


def test_pages_render_times_in_the_person_own_zone(client, user):
    user.time_zone = "Asia/Kolkata"
    user.save()
    services.notify(recipients=[user], kind="welcome", key="tz", title="Hi", email=False)
    created = in_app_for(user).get().created_at
    client.force_login(user)

    content = client.get(reverse("notification_list")).content.decode()

    assert created.astimezone(zoneinfo.ZoneInfo("Asia/Kolkata")).isoformat() in content


# Notifications pages -----------------------------------------------------------------------


def notify_many(user, count, **kwargs):
    for n in range(count):
        services.notify(
            recipients=[user],
            kind="group.membership",
            key=f"n{n}",
            title=f"Note number {n}",
            url="/profile/",
            email=False,
            **kwargs,
        )


def test_notification_list_shows_my_notifications_and_the_unread_badge(
    client, user, other_user, django_assert_max_num_queries
):
    notify_many(user, 30)
    notify_many(other_user, 2)
    client.force_login(user)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("notification_list"))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('class="notification unread"') == 25  # one page
    assert "Note number 29" in content
    assert unread_badge(response) == "30"
    assert 'aria-label="Notifications, 30 unread"' in content
    assert "Page 1 of 2" in content


def test_notification_list_filters_unread(client, user, django_assert_max_num_queries):
    notify_many(user, 3)
    services.notifications_mark_read(user=user, ids=[in_app_for(user).first().pk])
    client.force_login(user)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("notification_list"), {"filter": "unread"})

    content = response.content.decode()
    assert content.count('class="notification unread"') == 2
    assert 'class="notification"' not in content


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, user):
    notify_many(user, 1)
    note = in_app_for(user).get()
    client.force_login(user)

    response = client.post(reverse("notification_open", args=[note.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize(
    "url", ["https://evil.example/phish", "//evil.example/phish", "javascript:alert(1)"]
)
def test_opening_a_notification_never_redirects_off_site(client, user, url):
    services.notify(recipients=[user], kind="welcome", key="x", title="x", url=url, email=False)
    note = in_app_for(user).get()
    client.force_login(user)

    response = client.post(reverse("notification_open", args=[note.pk]))

    assert response["Location"] == reverse("notification_list")


def test_opening_someone_elses_notification_is_not_found(client, user, other_user):
    notify_many(other_user, 1)
    client.force_login(user)

    response = client.post(reverse("notification_open", args=[in_app_for(other_user).get().pk]))

    assert response.status_code == 404
    assert in_app_for(other_user).get().read_at is None


def test_header_menu_lists_my_latest_six_notifications(
    client, user, other_user, django_assert_max_num_queries
):
    notify_many(user, 8)
    notify_many(other_user, 1)
    client.force_login(user)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("notification_menu"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert re.findall(r"Note number (\d+)", content) == ["7", "6", "5", "4", "3", "2"]


def test_badge_disappears_once_everything_is_read(client, user):
    notify_many(user, 2)
    client.force_login(user)
    assert unread_badge(client.get(reverse("profile"))) == "2"

    client.post(reverse("notifications_read_all"))

    assert unread_badge(client.get(reverse("profile"))) is None


def test_mark_all_read_without_javascript_redirects_to_the_list(client, user, other_user):
    notify_many(user, 3)
    notify_many(other_user, 1)
    client.force_login(user)

    response = client.post(reverse("notifications_read_all"))

    assert response.status_code == 302
    assert response["Location"] == reverse("notification_list")
    assert not in_app_for(user, read_at__isnull=True).exists()
    assert in_app_for(other_user, read_at__isnull=True).count() == 1


def test_mark_all_read_with_htmx_returns_the_refreshed_list(
    client, user, django_assert_max_num_queries
):
    notify_many(user, 3)
    client.force_login(user)

    with django_assert_max_num_queries(6):
        response = client.post(reverse("notifications_read_all"), headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<ul id="notification-items"')
    assert "<html" not in content
    assert content.count("Note number") == 3
    assert "unread" not in content
    assert not in_app_for(user, read_at__isnull=True).exists()


def test_email_settings_page_saves_which_kinds_come_by_email(
    client, user, django_assert_max_num_queries
):
    client.force_login(user)
    with django_assert_max_num_queries(5):
        page = client.get(reverse("notification_settings"))
    assert page.status_code == 200
    assert page.content.decode().count('type="checkbox"') == len(optional_kinds())

    response = client.post(reverse("notification_settings"), {"kinds": ["welcome"]}, follow=True)

    assert "Your email choices are saved." in response.content.decode()
    off = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    assert off == {kind.key for kind in optional_kinds()} - {"welcome"}
    checked = re.findall(
        r'<input type="checkbox"[^>]*value="([^"]+)"[^>]*checked', response.content.decode()
    )
    assert checked == ["welcome"]

    client.post(reverse("notification_settings"), {"kinds": [k.key for k in optional_kinds()]})
    assert not EmailOptOut.objects.filter(user=user).exists()


def test_email_settings_refuse_a_kind_that_cannot_be_turned_off(client, user):
    client.force_login(user)

    response = client.post(reverse("notification_settings"), {"kinds": ["account"]})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not EmailOptOut.objects.filter(user=user).exists()


# Private pages -----------------------------------------------------------------------------

PRIVATE_PAGES = [
    ("get", "profile", []),
    ("get", "notification_list", []),
    ("get", "notification_settings", []),
    ("get", "notification_menu", []),
    ("get", "account_change_password", []),
    ("get", "account_email", []),
    ("post", "notifications_read_all", []),
    ("post", "notification_open", [1]),
]


@pytest.mark.parametrize(("method", "name", "args"), PRIVATE_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, method, name, args):
    url = reverse(name, args=args)

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_signed_in_pages_load(client, user, django_assert_max_num_queries):
    client.force_login(user)
    for method, name, args in PRIVATE_PAGES:
        if method != "get":
            continue
        with django_assert_max_num_queries(6):
            assert client.get(reverse(name, args=args)).status_code == 200, name


def test_staff_see_the_admin_link_and_others_do_not(client, user):
    other = UserFactory(is_staff=True)
    client.force_login(user)
    assert reverse("admin:index") not in client.get(reverse("profile")).content.decode()
    client.force_login(other)
    assert reverse("admin:index") in client.get(reverse("profile")).content.decode()


def test_profile_saves_even_when_an_unrelated_field_would_not_validate_today(client, db):
    # Accounts made before a rule changed (here: a username with a space) keep working.
    legacy = UserFactory(username="old style name")
    client.force_login(legacy)

    response = client.post(reverse("profile"), {"display_name": "Old", "time_zone": "UTC"})

    assert response.status_code == 302
    legacy.refresh_from_db()
    assert (legacy.display_name, legacy.time_zone) == ("Old", "UTC")


def test_the_time_zone_list_offers_common_canonical_zones(client, user):
    client.force_login(user)

    content = client.get(reverse("profile")).content.decode()

    for offered in ("Europe/Berlin", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "UTC"):
        assert f'<option value="{offered}"' in content
    for odd in ("Factory", "localtime", "Asia/Calcutta", "US/Pacific", "Etc/GMT+5", "GB"):
        assert f'<option value="{odd}"' not in content


def test_a_saved_zone_the_list_leaves_out_is_kept_on_the_profile(client, user):
    user.time_zone = "Asia/Calcutta"  # an old alias, saved before the list was trimmed
    user.save(update_fields=["time_zone"])
    client.force_login(user)

    assert (
        '<option value="Asia/Calcutta" selected>' in client.get(reverse("profile")).content.decode()
    )
    response = client.post(
        reverse("profile"), {"display_name": "Grace", "time_zone": "Asia/Calcutta"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.time_zone == "Asia/Calcutta"
    # Any real zone is accepted (a browser may name an alias); placeholders are not.
    assert ProfileForm({"display_name": "Ada", "time_zone": "Asia/Calcutta"}).is_valid()
    for placeholder in ("Factory", "localtime", "Mars/Olympus_Mons"):
        form = ProfileForm({"display_name": "Ada", "time_zone": placeholder})
        assert not form.is_valid() and "time_zone" in form.errors
