"""axe-core (from the npm registry) finds no serious or critical problem on the main pages, on
a phone and on a desktop."""

from pathlib import Path

import pytest

from tests.e2e.support import DEMO_PASSWORD, main_pages, sign_in

AXE = (
    Path(__file__).resolve().parents[2]
    / "var"
    / "node"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [390, 1280])
def test_main_pages_have_no_serious_accessibility_problems(browser, live_server, demo, width):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: make test installs it with npm")
    # axe is injected as an inline script; a phone's layout has its own menu and order.
    context = browser.new_context(
        bypass_csp=True, viewport={"width": width, "height": 844 if width < 1000 else 800}
    )
    page = context.new_page()
    problems = {}
    for url in ["/", "/accounts/login/", "/accounts/signup/"]:
        page.goto(live_server.url + url)
        problems[url] = _violations(page)
    sign_in(page, live_server.url, "moderator", DEMO_PASSWORD)
    for url in main_pages(demo):
        page.goto(live_server.url + url)
        problems[url] = _violations(page)
    context.close()
    found = {url: issues for url, issues in problems.items() if issues}
    assert not found, "\n".join(
        f"{url}: {issue}" for url, issues in found.items() for issue in issues
    )
