"""An organizer publishes a narrative; a question travels from one group to another and back."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from groups import services
from impact.models import Notification
from narratives.models import Answer, Narrative, Question
from tests.e2e.support import DESKTOP, PHONE, sign_in
from tests.factories import UserFactory

STATEMENT = "I plant trees every weekend and want to do it with neighbours."
QUESTION = "Which native trees survive a flood season best?"
ANSWER = "Willows and alders: they root fast and like wet feet."


@pytest.fixture
def two_groups(transactional_db):
    """A public network with two groups: Riverbank (Asha asks) and Solar (Bo answers)."""
    organizer = UserFactory(username="olga", display_name="Olga Organizer")
    network = services.network_create(creator=organizer, name="Green Town")
    groups = {}
    for name, member_name, username in (
        ("Riverbank", "Asha Asker", "asha"),
        ("Solar Crew", "Bo Answerer", "bo"),
    ):
        moderator = UserFactory(display_name=f"{name} Moderator")
        services.network_add_person(network=network, user=moderator)
        group = services.group_create(
            organizer=organizer,
            network=network,
            name=name,
            purpose="Make our town a place where rivers and people thrive.",
            moderator=moderator,
        )
        member = UserFactory(username=username, display_name=member_name)
        services.group_join(user=member, group=group, statement=STATEMENT)
        groups[username] = group
    return network, groups


@pytest.mark.e2e
@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_question_posed_to_the_network_is_answered_by_another_group_and_marked_helpful(
    page: Page, browser: Browser, live_server, two_groups, results_dir, screen
):
    base = live_server.url
    page.set_viewport_size(screen["viewport"])
    network, groups = two_groups

    # The organizer writes the network's narrative with a powerful question, and publishes it.
    sign_in(page, base, "olga")
    page.goto(f"{base}{network.get_absolute_url()}")
    page.get_by_role("link", name="Narrative", exact=True).click()
    page.get_by_role("link", name="Write a narrative").click()
    page.get_by_label("Title").fill("Living rivers by 2040")
    page.get_by_label("Horizon year").fill(str(timezone.localdate().year + 15))
    page.get_by_label("The opportunity").fill("Every river in town is **full of life** again.")
    page.get_by_label("Why it matters now").fill("Neighbours are ready to act together.")
    page.get_by_label("Call to action").fill("Plant one tree with us this season.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Draft saved")
    page.get_by_label("Your powerful question").fill("What would it take for every street?")
    page.get_by_role("button", name="Add question").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published.")).to_be_visible()
    page.goto(f"{base}/networks/{network.slug}/narrative/")
    expect(page.locator("article.narrative strong")).to_have_text("full of life")
    expect(page.get_by_role("link", name="What would it take for every street?")).to_be_visible()
    assert Narrative.objects.get().status == "published"

    # A member of Riverbank asks a question in their group and poses it to the network.
    asker_context = browser.new_context(**screen)
    asker = asker_context.new_page()
    sign_in(asker, base, "asha")
    asker.goto(f"{base}{groups['asha'].get_absolute_url()}")
    asker.get_by_role("link", name="Narrative & questions").click()
    asker.get_by_label("Your powerful question").fill(QUESTION)
    asker.get_by_label("Details").fill("We lost a third of our saplings when the river rose.")
    asker.get_by_role("button", name="Ask").click()
    question = Question.objects.get(text=QUESTION)
    expect(asker).to_have_url(f"{base}{question.get_absolute_url()}")
    asker.get_by_role("button", name="Pose it to the whole network").click()
    expect(asker.locator(".messages")).to_contain_text("Posed to the whole network")

    # A member of Solar Crew finds it on the questions board and answers it.
    answerer_context = browser.new_context(**screen)
    answerer = answerer_context.new_page()
    sign_in(answerer, base, "bo")
    answerer.goto(f"{base}/networks/{network.slug}/questions/")
    card = answerer.locator(".question-list li", has_text=QUESTION)
    expect(card).to_contain_text("from Riverbank · 0 answers")
    card.get_by_role("link", name=QUESTION).click()
    answerer.get_by_label("Your answer").fill(ANSWER)
    answerer.get_by_role("button", name="Post answer").click()
    expect(answerer.locator(".answers")).to_contain_text(ANSWER)
    expect(answerer.locator(".answers")).to_contain_text("Solar Crew")
    expect(answerer.get_by_role("button", name="Mark helpful")).to_have_count(0)
    answerer_context.close()

    # The asker sees the answer (and a notification) and marks it helpful.
    asker.goto(f"{base}{question.get_absolute_url()}")
    answer_card = asker.locator(".answers li", has_text=ANSWER)
    expect(answer_card).to_contain_text("Bo Answerer")
    answer_card.get_by_role("button", name="Mark helpful").click()
    expect(asker.locator(".answers li.helpful")).to_contain_text(ANSWER)
    expect(asker.locator(".helpful-badge")).to_have_text("Helpful")
    asker.screenshot(path=str(results_dir / "narrative-journey.png"), full_page=True)
    asker_context.close()

    assert Answer.objects.get().helpful
    asker_user = question.asked_by
    assert Notification.objects.filter(recipient=asker_user, kind="narratives.answer").exists()
    assert re.search(r"/questions/\d+/$", question.get_absolute_url())
