"""axe-core (from the npm registry) finds no serious or critical problem on the main pages."""

from pathlib import Path

import pytest

AXE = (
    Path(__file__).resolve().parents[2]
    / "var"
    / "node"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    from groups.demo import seed_groups
    from groups.meetings.demo import seed_meetings
    from groups.models import Group, Network
    from impact.demo import seed_users
    from metrics.demo import seed_metrics
    from narratives.demo import seed_narratives
    from narratives.models import Question

    users = seed_users()
    seed_groups(users)
    seed_metrics(users)
    seed_narratives(users)
    seed_meetings(users)
    return {
        "group": Group.objects.get(name="Riverbank Restorers"),
        "network": Network.objects.get(name="Regenerative Futures"),
        "question": Question.objects.filter(group__isnull=False).first(),
    }


def _violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_accessibility_problems(browser, live_server, demo):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: make test installs it with npm")
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    problems = {}
    for url in ["/", "/accounts/login/", "/accounts/signup/"]:
        page.goto(live_server.url + url)
        problems[url] = _violations(page)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "moderator")
    page.fill("input[name=password]", "impact-demo")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    group, network = demo["group"], demo["network"]
    meeting = group.meetings.filter(status="scheduled").order_by("-starts_at").first()
    for url in [
        "/",
        f"/groups/{group.pk}/",
        f"/groups/{group.pk}/impact/",
        f"/groups/{group.pk}/metrics/",
        f"/groups/{group.pk}/meetings/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/reflection/",
        f"/meetings/{meeting.pk}/run/",
        f"/groups/{group.pk}/questions/",
        f"/groups/{group.pk}/initiatives/",
        f"/groups/{group.pk}/help/",
        f"/networks/{network.slug}/",
        f"/networks/{network.slug}/leaderboard/",
        f"/networks/{network.slug}/narrative/",
        f"/networks/{network.slug}/questions/",
        f"/questions/{demo['question'].pk}/",
        "/notifications/",
        "/notifications/settings/",
        "/profile/",
    ]:
        page.goto(live_server.url + url)
        problems[url] = _violations(page)
    context.close()
    found = {url: issues for url, issues in problems.items() if issues}
    assert not found, "\n".join(
        f"{url}: {issue}" for url, issues in found.items() for issue in issues
    )
