"""No page is wider than the screen: every main page, as each demo login reaches it, at three
phone widths and on a desktop. A page wider than the screen scrolls sideways on a phone and
hides what runs past the edge on a desktop."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.support import DEMO_PASSWORD, main_pages, sign_in

pytestmark = pytest.mark.e2e

WIDTHS = (360, 390, 414, 1280)
# `make screenshots` sets this: every page's first screen on a phone and on a desktop, saved
# under docs/screenshots/pages/ for a person to look at (and the README to show).
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")
SHOT_WIDTHS = {390: "phone", 1280: "desktop"}

# What sticks out past the right edge, outside anything that scrolls or clips on its own
# (a wide table in a scrolling box is fine): the document's width alone misses what a parent
# with overflow hidden cuts off.
OFFENDERS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden" || x === "clip") return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!el.checkVisibility()) continue;  // a closed menu's contents, say
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 && !clipped(el)) found.push(name(el) + " to " + Math.round(box.right));
  }
  return {document: document.documentElement.scrollWidth, viewport: width, found: found.slice(0, 5)};
}"""


def _too_wide(page, shot: str | None = None) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 1000 else 800})
        seen = page.evaluate(OFFENDERS)
        if seen["document"] > seen["viewport"] or seen["found"]:
            problems.append(f"{width}px: {seen['document']}px wide, {seen['found']}")
        if SCREENSHOTS and shot and width in SHOT_WIDTHS:
            path = Path(SCREENSHOTS) / f"{shot}-{SHOT_WIDTHS[width]}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), type="jpeg", quality=70)
    return problems


def _shot_name(who: str, url: str) -> str:
    """`moderator-groups-n-impact`: ids become n, so names stay the same from run to run."""
    path = re.sub(r"\d+", "n", url.split("?")[0].strip("/")) or "home"
    return f"{who}-{path.replace('/', '-')}"


@pytest.mark.parametrize("who", ["member", "moderator", "organizer"])
def test_no_page_is_wider_than_the_screen(browser: Browser, live_server, demo, who):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=False)
    page = context.new_page()
    problems = {}
    for url in ["/accounts/login/", "/accounts/signup/"]:
        page.goto(live_server.url + url)
        problems[url] = _too_wide(page, _shot_name("visitor", url) if who == "member" else None)
    sign_in(page, live_server.url, who, DEMO_PASSWORD)
    for url in main_pages(demo):
        response = page.goto(live_server.url + url)
        if response.status in (403, 404):  # not a page this person reaches
            continue
        problems[url] = _too_wide(page, _shot_name(who, url))
    context.close()
    found = {url: issues for url, issues in problems.items() if issues}
    assert not found, "\n".join(
        f"{url}: {issue}" for url, issues in found.items() for issue in issues
    )
