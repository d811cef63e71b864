"""The one Markdown renderer and its plain relatives: what a person types with **bold**, lists
and links reads right as HTML, as plain text (text mail) and as a one-line preview."""

import html

import pytest
from django.utils.html import strip_tags

from impact.markdown import (
    escape_markdown,
    markdown_excerpt,
    markdown_plain,
    markdown_preview,
    markdown_words,
    render_markdown,
)


def test_bold_lists_and_links_render_as_html():
    html = render_markdown("**Bold** and *light*\n\n- one\n- two\n\n[site](https://example.org)")

    assert "<strong>Bold</strong>" in html and "<em>light</em>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">site</a>' in html


def test_a_list_typed_straight_under_a_line_is_still_a_list():
    html = render_markdown("Things we did:\n- planted\n- watered\n\nSteps:\n1. ask\n2. act")

    assert "<p>Things we did:</p>\n<ul>" in html and "<li>watered</li>" in html
    assert "<p>Steps:</p>\n<ol>" in html and "- planted" not in html


def test_a_dash_inside_a_line_or_a_number_that_does_not_start_a_list_stays_text():
    html = render_markdown("It was -5 degrees\n2024 was dry")

    assert "<ul>" not in html and "<ol>" not in html and "-5 degrees" in html


def test_line_breaks_keep_each_typed_line_only_when_asked():
    assert "first<br>\nsecond" in render_markdown("first\nsecond", line_breaks=True)
    assert "<br>" not in render_markdown("first\nsecond")


def test_raw_html_and_script_links_stay_inert():
    html = render_markdown('<script>alert(1)</script> [x](javascript:alert(1)) <b onclick="y">')

    assert "<script" not in html and "javascript:" not in html and "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_plain_text_has_no_markdown_left():
    text = markdown_plain(
        "### Done\n**bold** and _light_ and `code`\n- one\n- two\n\n1. first\n2. second\n\n"
        "> quoted\n\n[our site](https://example.org) and https://plain.example.org"
    )

    assert text == (
        "Done\nbold and light and code\n\n- one\n- two\n\n1. first\n2. second\n\nquoted\n\n"
        "our site (https://example.org) and https://plain.example.org"
    )


def test_plain_text_puts_a_heading_on_the_line_above_what_it_heads_and_keeps_code_lines():
    text = markdown_plain(
        "### Next actions:\n- Ana: ask\n\n- Ben: act\n\nCode:\n\n    first line\n      indented\n\nEnd"
    )

    assert text == "Next actions:\n- Ana: ask\n- Ben: act\n\nCode:\n\nfirst line\n  indented\n\nEnd"


def test_plain_text_keeps_typed_lines_and_angle_brackets_as_typed():
    text = markdown_plain("Line **one**\nline two <b>not bold</b> & co", line_breaks=True)

    assert text == "Line one\nline two <b>not bold</b> & co"


def test_plain_text_of_nothing_is_nothing():
    assert markdown_plain("") == "" and markdown_plain(None) == ""


def test_preview_keeps_bold_on_one_line_and_cuts_it_short():
    preview = markdown_preview("**Great** week\n\n- one\n- two <script>x</script>", 200)

    assert preview == "<strong>Great</strong> week - one - two &lt;script&gt;x&lt;/script&gt;"
    short = markdown_preview("**" + " ".join(["word"] * 60) + "**", 30)
    assert short.startswith("<strong>word word") and short.endswith("…</strong>")
    assert len(short.replace("<strong>", "").replace("</strong>", "")) == 30


@pytest.mark.parametrize(
    "words",
    [
        "Sam *Star* Second: fix the_shed_roof",
        "- not a list",
        "# not a heading",
        "> not a quote",
        "3. not a numbered list",
        "[not](a link) and `not code` and back\\slash",
    ],
)
def test_escaped_words_render_exactly_as_written(words):
    escaped = escape_markdown(words)

    assert markdown_plain(escaped) == words
    html = render_markdown(escaped)
    assert not any(
        tag in html for tag in ("<em>", "<ul>", "<ol>", "<h", "<blockquote>", "<a ", "<code>")
    )


def test_escaping_leaves_ordinary_words_alone():
    assert escape_markdown("Waste collected: 32.50 kg (before: 12)") == (
        "Waste collected: 32.50 kg (before: 12)"
    )


# Quoting a person's text in a notice ----------------------------------------------------------


def test_a_short_text_is_quoted_whole():
    assert markdown_excerpt("We planted **40 trees**.", 500) == "We planted **40 trees**."


def test_a_long_text_is_cut_at_a_word_with_no_bold_left_open():
    text = "We planted " + "many " * 20 + "**forty trees by the old mill** and more."

    excerpt = markdown_excerpt(text, 120)

    assert excerpt.endswith(" …") and len(excerpt) <= 122
    assert excerpt.count("**") % 2 == 0
    assert not excerpt[:-2].endswith(" ")  # cut between words, not inside one
    assert markdown_plain(excerpt).startswith("We planted many")


def test_a_long_text_is_cut_after_a_paragraph_when_one_ends_late_enough():
    text = "First thought, " + "words " * 15 + "\n\nSecond paragraph " + "x " * 100

    assert markdown_excerpt(text, 140) == text[: text.index("\n\n")].rstrip() + " …"


def test_code_shows_its_characters_as_typed():
    html = render_markdown("Type `<b> & &lt;` and <i>")

    assert "<code>&lt;b&gt; &amp; &amp;lt;</code>" in html  # reads: <b> & &lt;
    assert "&lt;i&gt;" in html  # raw HTML outside code stays text


def test_a_quote_cut_inside_a_link_stops_before_it():
    text = "word " * 30 + "see [the long link text](https://example.org) and more"

    excerpt = markdown_excerpt(text, 160)

    assert "[" not in excerpt and excerpt.endswith("see …")


@pytest.mark.parametrize(
    "text",
    [
        "We planted 40 saplings along the river.",
        "plain  multi\n\nline text",
        "Rivers: 2041 (goal); 50% done! Email a@b.org or http://example.org/path?a=1",
        "A **bold** claim and _emphasis_",
        "see [the council](https://x.example/a)",
        "- one\n- two",
        "1. first\n2) second",
        "Title\n=====",
        "a & b &amp; c",
        "x < y > z",
        "snake_case and `code`",
        "> a quote",
    ],
)
def test_markdown_words_are_the_rendered_words_whether_or_not_rendering_is_skipped(text):
    rendered = " ".join(html.unescape(strip_tags(render_markdown(text))).split())

    assert markdown_words(text) == rendered
