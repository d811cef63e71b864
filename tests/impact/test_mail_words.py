"""Mail and notifications in one voice: the site's own name (SITE_NAME) in every subject and
footer, how to reach a person (SUPPORT_EMAIL), and a person's Markdown shown as what it means:
rendered in HTML mail and the notification list, plain words in text mail."""

import pytest
from django.urls import reverse

from impact import services
from impact.models import Notification
from tests.impact import support
from tests.impact.test_accounts import sign_up

pytestmark = pytest.mark.django_db

ANSWER = "**Ask the school** first:\n- they have a van\n- and [a map](https://example.org/map)"


def answered(user, body=ANSWER):
    """An answer to the user's question, as narratives' service writes it (a Markdown body)."""
    services.notify(
        recipients=[user],
        kind="narratives.answer",
        key="answer:1",
        title="Ana answered: How might we water in August?",
        body=body,
        url="/notifications/",
    )


def seat_opened(user):
    services.notify(
        recipients=[user],
        kind="group.membership",
        key="seat:1",
        title="A seat opened for you",
        body="You are now a member of Compost Crew.\nSay hello at the next meeting.",
        url="/notifications/",
    )


def sent_mail(mailoutbox):
    assert support.deliver_pending_emails() == ["sent"]
    (mail,) = mailoutbox
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html"
    return mail, html


def test_a_markdown_answer_is_rendered_in_html_mail_and_plain_in_text_mail(user, mailoutbox):
    answered(user)

    mail, html = sent_mail(mailoutbox)

    assert "<strong>Ask the school</strong> first:" in html
    assert "<li>they have a van</li>" in html
    assert '<a href="https://example.org/map" rel="nofollow noopener noreferrer">a map</a>' in html
    assert "**" not in html
    assert "Ask the school first:\n\n- they have a van\n- and a map (https://example.org/map)" in (
        mail.body
    )
    assert "**" not in mail.body and "[a map]" not in mail.body


def test_a_plain_notification_keeps_its_lines_and_shows_no_markdown_markup(user, mailoutbox):
    seat_opened(user)

    mail, html = sent_mail(mailoutbox)

    assert "You are now a member of Compost Crew.<br>Say hello at the next meeting." in html
    assert "You are now a member of Compost Crew.\nSay hello at the next meeting." in mail.body


def test_script_in_a_markdown_body_stays_inert_in_both_mails(user, mailoutbox):
    answered(user, body="<script>alert(1)</script> [x](javascript:alert(2)) **ok**")

    mail, html = sent_mail(mailoutbox)

    assert "<script" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<strong>ok</strong>" in html
    assert "<script>alert(1)</script> x ok" in mail.body  # text/plain: shown, never run


def test_the_notification_list_shows_markdown_as_words_with_bold_kept(
    client, user, django_assert_max_num_queries
):
    answered(user)
    seat_opened(user)
    client.force_login(user)

    with django_assert_max_num_queries(5):
        page = client.get(reverse("notification_list")).content.decode()

    assert (
        '<span class="notification-body"><strong>Ask the school</strong> first: '
        "- they have a van - and a map</span>"
    ) in page
    assert "**" not in page and "[a map]" not in page
    assert "You are now a member of Compost Crew.\nSay hello" in page  # plain: as it was
    # The header's menu lists titles only: no body, so no Markdown to show.
    with django_assert_max_num_queries(4):
        menu = client.get(reverse("notification_menu")).content.decode()
    assert "Ana answered: How might we water in August?" in menu and "**" not in menu


def test_the_footer_names_the_site_and_how_to_reach_a_person(user, mailoutbox, settings):
    settings.SITE_NAME = "River Circles"
    settings.SITE_URL = "https://rivers.example.org"
    settings.SUPPORT_EMAIL = "people@rivers.example.org"
    seat_opened(user)

    mail, html = sent_mail(mailoutbox)

    assert mail.subject == "[River Circles] A seat opened for you"
    assert "River Circles · https://rivers.example.org" in mail.body
    assert "Open it in River Circles: https://rivers.example.org/notifications/" in mail.body
    assert "Write to people@rivers.example.org: a person reads every message" in mail.body
    assert ">River Circles</td>" in html and "Open in River Circles" in html
    assert '<a href="mailto:people@rivers.example.org"' in html
    assert "Impact Groups" not in mail.body + html


def test_mail_not_turned_off_by_choice_names_the_site_as_the_reason(mailoutbox, settings):
    settings.SITE_NAME = "River Circles"
    services.notify_address(
        to_email="new@example.org",
        kind="group.invitation",
        key="invite:1",
        title="Join Compost Crew",
        body="Ana invites you.",
    )

    mail, html = sent_mail(mailoutbox)

    assert "You get this because of something you did in River Circles." in html
    assert "Impact Groups" not in mail.body + html


def test_account_mail_subjects_name_the_site(client, mailoutbox, settings):
    settings.SITE_NAME = "River Circles"
    settings.SUPPORT_EMAIL = "people@rivers.example.org"

    sign_up(client)
    (row,) = Notification.objects.filter(kind="account")
    assert row.title == "Please Confirm Your Email Address"  # the site is added when sending

    mail, _html = sent_mail(mailoutbox)

    assert mail.subject == "[River Circles] Please Confirm Your Email Address"
    assert "Hello from River Circles," in mail.body
    # Said once, in the footer every email has.
    assert mail.body.count("Write to people@rivers.example.org: a person reads") == 1
    assert "Impact Groups" not in mail.body and "testserver" not in mail.subject


def test_the_welcome_note_names_the_site(client, settings):
    settings.SITE_NAME = "River Circles"
    sign_up(client)
    support.deliver_pending_emails()
    from django.core import mail as django_mail

    link = support.first_url(django_mail.outbox[-1].body)
    client.post(link)

    welcome = Notification.objects.get(kind="welcome", channel=Notification.Channel.IN_APP)
    assert welcome.title == "Welcome to River Circles, Ada Lovelace"
