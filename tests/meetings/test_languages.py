"""Every notification is written in its recipient's language and their own date and time formats,
whoever triggered it: here a German moderator, a Spanish member and an English one."""

from datetime import timedelta

import pytest

from groups import services as group_services
from groups.meetings import services
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
    assert "trifft sich Dienstag, 14. Januar, 19:00 (Europe/Berlin)" in mine[moderator.pk].title
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
