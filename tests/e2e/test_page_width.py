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


# Words of a button, label, heading or table cell that wrap inside the word: a word's Range
# with boxes on two lines (breaks at a space, hyphen or slash are the usual wrapping); and
# buttons whose words run past their edge.
SPLIT_WORDS = """() => {
  const found = [];
  const kept = "button, .button, label, h1, h2, h3, th, td, summary, legend";
  for (const el of document.querySelectorAll(kept)) {
    if (!el.checkVisibility()) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !parent.checkVisibility() || parent.closest(".visually-hidden")) continue;
      for (const match of node.data.matchAll(/[^\\s\\-\\u2010-\\u2014\\/]+/g)) {
        if (match[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()]
          .filter((r) => r.width > 0).map((r) => Math.round(r.bottom)));
        if (lines.size > 1) found.push(el.tagName.toLowerCase() + ": " + match[0]);
      }
    }
  }
  // A button narrower than its words: they run past its edge instead.
  for (const el of document.querySelectorAll("button, .button")) {
    if (el.checkVisibility() && el.scrollWidth > el.clientWidth + 1) {
      found.push("overflowing " + el.tagName.toLowerCase() + ": " + el.textContent.trim());
    }
  }
  return [...new Set(found)].slice(0, 8);
}"""


@pytest.mark.parametrize("language", ["en", "de"])
def test_no_word_of_a_button_label_heading_or_table_cell_is_split(
    browser: Browser, live_server, demo, language
):
    """`overflow-wrap: anywhere` on a page squeezes table columns and buttons until words break
    ("Decemb/er", "Comin/g"): only typed text in a box that must not grow breaks anywhere."""
    from impact.models import User

    User.objects.filter(username__in=["organizer", "moderator"]).update(language=language)
    group, network = demo["group"], demo["network"]
    meeting = group.meetings.filter(status="scheduled").order_by("starts_at").first()
    pages = {
        "organizer": [
            f"/networks/{network.slug}/",
            f"/networks/{network.slug}/audit/",
            f"/networks/{network.slug}/leaderboard/",
        ],
        "moderator": [f"/meetings/{meeting.pk}/", f"/groups/{group.pk}/metrics/"],
    }
    problems = []
    for who, urls in pages.items():
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        sign_in(page, live_server.url, who, DEMO_PASSWORD)
        for url in urls:
            response = page.goto(live_server.url + url)
            assert response.ok, (who, url, response.status)
            for width in (360, 390, 1280):
                page.set_viewport_size({"width": width, "height": 844 if width < 1000 else 800})
                split = page.evaluate(SPLIT_WORDS)
                if split:
                    problems.append(f"{who} {url} at {width}px: {split}")
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("who", ["member", "organizer"])
def test_the_site_name_is_whole_on_a_phones_one_line_header(
    browser: Browser, live_server, demo, who
):
    """The header's name read "Impact G…" at 390 px and "Impa…" at 360."""
    from impact.models import Notification

    user = demo["group"].memberships.get(user__username=who).user if who == "member" else None
    if user is not None:  # the widest header: a badge of unread notifications
        Notification.objects.filter(recipient=user).update(read_at=None)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, live_server.url, who, DEMO_PASSWORD)
    problems = []
    for width in (360, 390, 414):
        page.set_viewport_size({"width": width, "height": 844})
        seen = page.evaluate("""() => {
          const name = document.querySelector(".brand span");
          const nav = document.querySelector(".site-header .nav");
          const boxes = [...nav.children].map((el) => el.getBoundingClientRect());
          const oneLine = Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom));
          return {cut: name.scrollWidth > name.clientWidth, text: name.textContent,
                  oneLine, height: nav.getBoundingClientRect().height};
        }""")
        if seen["cut"] or not seen["oneLine"] or seen["height"] > 64:
            problems.append(f"{width}px: {seen}")
    context.close()
    assert not problems, problems
