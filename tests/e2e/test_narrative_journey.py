"""An organizer publishes a narrative; a question travels from one group to another and back."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from groups import services
from impact.models import Notification
from narratives.models import Answer, Narrative, Question
from tests.e2e.support import WAYS, Way, sign_in
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
@pytest.mark.parametrize("way", WAYS)
def test_a_question_posed_to_the_network_is_answered_by_another_group_and_marked_helpful(
    browser: Browser, live_server, two_groups, results_dir, way: Way
):
    base, t = live_server.url, way.t
    network, groups = two_groups
    way.speak()
    page = way.context(browser).new_page()

    # The organizer writes the network's narrative with a powerful question, and publishes it.
    sign_in(page, base, "olga", way=way)
    page.goto(f"{base}{network.get_absolute_url()}")
    page.get_by_role("link", name=t("Narrative"), exact=True).click()
    page.get_by_role("link", name=t("Write a narrative")).click()
    page.get_by_label(way.field("title")).fill("Living rivers by 2040")
    page.get_by_label(way.field("horizon year")).fill(str(timezone.localdate().year + 15))
    page.get_by_label(way.field("the opportunity")).fill(
        "Every river in town is **full of life** again."
    )
    page.get_by_label(way.field("why it matters now")).fill("Neighbours are ready to act together.")
    page.get_by_label(way.field("call to action")).fill("Plant one tree with us this season.")
    page.get_by_role("button", name=t("Save")).click()
    expect(page.locator(".messages")).to_contain_text(
        t("Draft saved. Add its powerful questions, then publish it.")
    )
    page.get_by_label(t("Your powerful question")).fill("What would it take for every street?")
    page.get_by_role("button", name=t("Add question")).click()
    page.get_by_role("button", name=t("Publish")).click()
    expect(page.get_by_text(t("Published."))).to_be_visible()
    page.goto(f"{base}/networks/{network.slug}/narrative/")
    expect(page.locator("article.narrative strong")).to_have_text("full of life")
    expect(page.get_by_role("link", name="What would it take for every street?")).to_be_visible()
    assert Narrative.objects.get().status == "published"

    # A member of Riverbank asks a question in their group and poses it to the network.
    asker_context = way.context(browser)
    asker = asker_context.new_page()
    sign_in(asker, base, "asha", way=way)
    asker.goto(f"{base}{groups['asha'].get_absolute_url()}")
    asker.get_by_role("link", name=t("Narrative & questions")).click()
    asker.get_by_label(t("Your powerful question")).fill(QUESTION)
    asker.get_by_label(t("Details")).fill("We lost a third of our saplings when the river rose.")
    asker.get_by_role("button", name=t("Ask")).click()
    question = Question.objects.get(text=QUESTION)
    expect(asker).to_have_url(f"{base}{question.get_absolute_url()}")
    asker.get_by_role("button", name=t("Pose it to the whole network")).click()
    expect(asker.locator(".messages")).to_contain_text(
        t("Posed to the whole network: every group can now see and answer it.")
    )

    # A member of Solar Crew finds it on the questions board and answers it.
    answerer_context = way.context(browser)
    answerer = answerer_context.new_page()
    sign_in(answerer, base, "bo", way=way)
    answerer.goto(f"{base}/networks/{network.slug}/questions/")
    card = answerer.locator(".question-list li", has_text=QUESTION)
    expect(card).to_contain_text(
        f"{t('from %(group)s', group='Riverbank')} · {way.tn('%(n)s answer', '%(n)s answers', 0, n=0)}"
    )
    card.get_by_role("link", name=QUESTION).click()
    answerer.get_by_label(t("Your answer")).fill(ANSWER)
    answerer.get_by_role("button", name=t("Post answer")).click()
    expect(answerer.locator(".answers")).to_contain_text(ANSWER)
    expect(answerer.locator(".answers")).to_contain_text("Solar Crew")
    expect(answerer.get_by_role("button", name=t("Mark helpful"))).to_have_count(0)
    answerer_context.close()

    # The asker sees the answer (and a notification) and marks it helpful.
    asker.goto(f"{base}{question.get_absolute_url()}")
    answer_card = asker.locator(".answers li", has_text=ANSWER)
    expect(answer_card).to_contain_text("Bo Answerer")
    answer_card.get_by_role("button", name=t("Mark helpful")).click()
    expect(asker.locator(".answers li.helpful")).to_contain_text(ANSWER)
    expect(asker.locator(".helpful-badge")).to_have_text(t("Helpful"))
    asker.screenshot(
        path=str(results_dir / f"narrative-journey-{way.language}.png"), full_page=True
    )
    asker_context.close()

    assert Answer.objects.get().helpful
    asker_user = question.asked_by
    assert Notification.objects.filter(recipient=asker_user, kind="narratives.answer").exists()
    assert re.search(r"/questions/\d+/$", question.get_absolute_url())
