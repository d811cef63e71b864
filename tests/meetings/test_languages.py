"""Every notification is written in its recipient's language and their own date and time formats,
whoever triggered it: here a German moderator, a Spanish member and an English one."""

from datetime import timedelta

import pytest
from django.utils import translation

from groups import services as group_services
from groups.meetings import services
from groups.meetings.models import Meeting
from impact.models import Notification
from impact.services import build_email
from tests.meetings import test_jobs
from tests.meetings.conftest import MEETING_AT, at, emails
from tests.meetings.test_jobs import DAY_BEFORE

# The jobs' own casts: three members in three time zones, a group with quiet members.
cast, digest_group = test_jobs.cast, test_jobs.digest_group

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def three_languages(settings):
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]


@pytest.fixture
def speaking(moderator, kolkata, los_angeles):
    """The moderator reads German, the member in Kolkata Spanish, the one in Los Angeles
    whatever the site speaks by default."""
    type(moderator).objects.filter(pk=moderator.pk).update(language="de")
    type(kolkata).objects.filter(pk=kolkata.pk).update(language="es")
    for person in (moderator, kolkata, los_angeles):
        person.refresh_from_db()


@pytest.mark.usefixtures("cast")
def test_a_reminder_speaks_each_members_language_and_date_style(
    meeting,
    moderator,
    kolkata,
    los_angeles,
    speaking,
    clock,
):
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))

    services.reminders_send()

    mine = {row.recipient_id: row for row in emails("meeting.reminder")}
    assert "trifft sich am Dienstag, 14. Januar, 19:00 (Europe/Berlin)" in mine[moderator.pk].title
    assert "Wann: Dienstag, 14. Januar, 19:00" in mine[moderator.pk].body
    assert "se reúne: martes 14 de enero, 23:30 (Asia/Kolkata)" in mine[kolkata.pk].title
    assert "Cuándo: martes 14 de enero, 23:30" in mine[kolkata.pk].body
    assert "meets Tuesday 14 January, 10:00 (America/Los_Angeles)" in mine[los_angeles.pk].title
    html = build_email(mine[moderator.pk]).alternatives[0][0]
    assert '<html lang="de">' in html


@pytest.mark.usefixtures("cast")
def test_the_reflection_prompt_speaks_each_members_language(
    group,
    meeting,
    moderator,
    kolkata,
    speaking,
    clock,
):
    group.__class__.objects.filter(pk=group.pk).update(created_at=at(2024, 12, 1, 9))
    clock(MEETING_AT - timedelta(hours=47))

    services.prompts_send()

    mine = {row.recipient_id: row for row in emails("meeting.prompt")}
    assert mine[moderator.pk].title.startswith("Reflektiere deine Woche")
    assert "Was hast du gelernt?" in mine[moderator.pk].body or "gelernt" in mine[moderator.pk].body
    assert mine[kolkata.pk].title.startswith("Reflexiona sobre tu semana")


@pytest.mark.usefixtures("digest_group")
def test_the_digest_speaks_the_moderators_language(moderator, clock):
    type(moderator).objects.filter(pk=moderator.pk).update(language="de")

    services.digest_send()

    (digest,) = emails("meeting.digest")
    assert digest.title.startswith("Wer in ")
    assert "Seit 14 Tagen keine Aktion: Quinn Quiet" in digest.body


def test_membership_news_is_written_in_the_readers_language_not_the_actors(
    group, moderator, speaking
):
    from tests.factories import UserFactory

    newcomer = UserFactory(language="es")
    group_services.network_add_person(network=group.network, user=newcomer)

    group_services.group_join(user=newcomer, group=group, statement="Quiero ayudar al río.")

    news = Notification.objects.filter(
        recipient=moderator, kind="group.join_request", title__contains=newcomer.public_name
    )
    assert {n.title for n in news} == {f"{newcomer.public_name} ist River Crew beigetreten"}


@pytest.mark.usefixtures("cast")
def test_the_calendar_file_speaks_the_recipients_language(meeting, moderator, speaking, clock):
    import icalendar

    meeting.__class__.objects.filter(pk=meeting.pk).update(is_reflection=True)
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))
    services.reminders_send()

    row = emails("meeting.reminder").get(recipient=moderator)
    (attachment,) = build_email(row).attachments
    event = icalendar.Calendar.from_ical(attachment[1]).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "River Crew: wöchentliche Reflexion"


# One of each notification people trigger for each other, in each language --------------------

ENGLISH_TITLES = {
    "group.membership": "You are now a moderator of River Crew",
    "meeting.summary": "Summary of the reflection in River Crew",
    "narratives.answer": "Mo Moderator answered: Where do we get saplings?",
    "narratives.help": "Mo Moderator asks for help: A trailer for the mulch",
}


def _trigger_each(group, moderator, reader) -> None:
    """The moderator does what tells `reader`: makes them a moderator, closes a session, answers
    their question, asks the group for help."""
    from groups.models import Membership
    from narratives import services as narrative_services

    group_services.membership_set_role(
        actor=moderator,
        membership=Membership.objects.get(user=reader, group=group),
        role="moderator",
    )
    meeting = Meeting.objects.create(
        group=group, starts_at=MEETING_AT - timedelta(days=4), is_reflection=True
    )
    session = services.session_open(actor=moderator, meeting=meeting)
    services.session_close(actor=moderator, session=session, achieved="**40** trees")
    question = narrative_services.question_ask(
        actor=reader, text="Where do we get saplings?", group=group
    )
    narrative_services.answer_create(actor=moderator, question=question, body="The nursery.")
    narrative_services.help_request_create(
        actor=moderator, group=group, summary="A trailer for the mulch"
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", ["Moderator:in", "Zusammenfassung", "hat geantwortet", "bittet um Hilfe"]),
        ("es", ["moderador", "Resumen", "respondió", "pide ayuda"]),
    ],
)
def test_each_notification_reaches_its_reader_in_their_language(
    group, moderator, member, clock, language, words
):
    clock(MEETING_AT - timedelta(days=3))
    type(member).objects.filter(pk=member.pk).update(language=language)
    member.refresh_from_db()

    _trigger_each(group, moderator, member)

    mine = {
        n.kind: n.title for n in Notification.objects.filter(recipient=member, channel="in_app")
    }
    assert set(ENGLISH_TITLES) <= set(mine)
    for kind, english in ENGLISH_TITLES.items():
        assert mine[kind] != english, (kind, mine[kind])
    joined = " | ".join(mine.values())
    for word in words:
        assert word in joined, (word, joined)
    email = Notification.objects.filter(recipient=member, channel="email").first()
    assert f'<html lang="{language}">' in build_email(email).alternatives[0][0]


def test_the_same_notifications_in_english_for_a_reader_without_a_choice(
    group, moderator, member, clock
):
    clock(MEETING_AT - timedelta(days=3))

    _trigger_each(group, moderator, member)

    mine = {
        n.kind: n.title for n in Notification.objects.filter(recipient=member, channel="in_app")
    }
    assert {kind: mine[kind] for kind in ENGLISH_TITLES} == ENGLISH_TITLES


@pytest.mark.usefixtures("cast")
def test_an_invitation_is_written_in_the_invited_persons_language_else_the_inviters(
    group, moderator, speaking
):
    from tests.factories import UserFactory

    spanish = UserFactory(email="lucia@example.org", language="es")
    with translation.override("de"):  # the German moderator's page
        group_services.invitation_create(actor=moderator, group=group, email=spanish.email)
        group_services.invitation_create(actor=moderator, group=group, email="new@example.org")

    to_lucia = Notification.objects.get(kind="group.invitation", to_email=spanish.email)
    to_stranger = Notification.objects.get(kind="group.invitation", to_email="new@example.org")
    assert to_lucia.title == "Te invitan a unirte a River Crew"
    assert (to_lucia.language, to_stranger.language) == ("es", "de")
    assert to_stranger.title.startswith("Du bist eingeladen")
    mail = build_email(to_lucia)
    assert "River Crew" in mail.body and "Te invitan" in mail.body
