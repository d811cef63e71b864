"""Meeting pages and texts show times in the one house style, in the reader's time zone."""

from django.urls import reverse

from tests.meetings.conftest import join


def test_the_meeting_page_shows_the_weekday_date_and_24_hour_time_in_the_readers_zone(
    client, meeting, group, clock
):
    clock(meeting.starts_at.replace(day=10))
    kolkata = join(group, time_zone="Asia/Kolkata")
    client.force_login(kolkata)

    page = client.get(reverse("groups:meeting_detail", args=[meeting.pk])).content.decode()

    # 18:00 UTC on Tuesday 14 January 2025 is 23:30 in Kolkata.
    assert "<h1>Tuesday 14 January, 23:30</h1>" in page
    assert "p.m." not in page and "Jan." not in page
    assert "Your time (Asia/Kolkata), 60 minutes." in page


def test_the_meetings_list_uses_the_same_style(client, meeting, member, clock):
    clock(meeting.starts_at.replace(day=10))
    client.force_login(member)

    page = client.get(reverse("groups:meetings", args=[meeting.group_id])).content.decode()

    assert "Tuesday 14 January, 19:00" in page  # the member reads Berlin time
