"""User Markdown to safe HTML: Python-Markdown renders, nh3 keeps only harmless tags.

Also the same Markdown as plain text (text mail) and as a one-line preview (notification
lists), and escaping for plain words put into a Markdown text the app composes (a summary).
"""

import html
import re
import threading
from html.parser import HTMLParser

import markdown as md
import nh3
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "code",
    "pre",
    "blockquote",
    "h3",
    "h4",
    "hr",
}


# A list typed straight under a line of text ("Things:" then "- a"): Python-Markdown wants a
# blank line before a list, which nobody types in a text box, and would show the dashes.
_LIST_AFTER_LINE = re.compile(
    r"^([ \t]{0,3}(?![-*+] |\d+[.)] )\S.*\n)(?=[ \t]{0,3}(?:[-*+]|1[.)])[ \t]+\S)", re.M
)


_CODE = re.compile(r"<code>.*?</code>", re.S)
_ESCAPED_TWICE = re.compile(r"&amp;(amp|lt);")


# A Markdown converter per thread and kind, reset before each text: building one (its parser
# and extensions) cost more than converting a note. Converters are not safe across threads.
_CONVERTERS = threading.local()


def _converter(line_breaks: bool) -> md.Markdown:
    key = "line_breaks" if line_breaks else "paragraphs"
    converter = getattr(_CONVERTERS, key, None)
    if converter is None:
        extensions = ["sane_lists", "nl2br"] if line_breaks else ["sane_lists"]
        converter = md.Markdown(extensions=extensions, output_format="html")
        setattr(_CONVERTERS, key, converter)
    return converter.reset()


def render_markdown(text: str, *, line_breaks: bool = False) -> SafeString:
    """Sanitised HTML for a person's Markdown. `line_breaks`: every newline typed is a line
    break (notes and notification bodies, written line by line), not only a blank line."""
    # Raw HTML a person types is shown as text (a "<script>" stays visible and inert);
    # Markdown syntax, including "> quotes", still works.
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    text = _LIST_AFTER_LINE.sub(r"\1\n", text)
    html = _converter(line_breaks).convert(text)
    # Code shows its characters as typed: Markdown escaped the "&" of what was escaped above.
    html = _CODE.sub(lambda code: _ESCAPED_TWICE.sub(r"&\1;", code.group()), html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


# Inline characters that start emphasis, code or a link anywhere in a line.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]])")


def escape_markdown(text: str) -> str:
    """Plain words made safe to put into Markdown: they render as typed, nothing more."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text or "")
    # "3." cannot be escaped before the digit: the dot after it is escaped instead.
    text = re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", text, flags=re.MULTILINE)
    return re.sub(r"^(\s*)([#>+-])", r"\1\\\2", text, flags=re.MULTILINE)


_BLOCKS = {"p", "ul", "ol", "pre", "blockquote", "h3", "h4", "hr"}
_HEADINGS = {"h3", "h4"}
_INLINE_KEPT = {"strong", "em", "code"}


class _Flattener(HTMLParser):
    """Walks the renderer's (already sanitised) HTML and writes it back out as text: blocks
    become paragraphs, a heading a line of its own above what it heads, list items lines with
    "- " or "1. ", links their words and address. With `inline_html`, one line of HTML keeping
    only bold, italics and code (a preview)."""

    def __init__(self, *, inline_html: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.inline_html = inline_html
        self.parts: list[str] = []
        self.lists: list[list] = []  # per open list: [tag, items so far]
        self.in_pre = 0
        self.link: tuple[str, int] | None = None  # (href, index of its first word)
        # Newlines owed before the next words (1: a new line, 2: a new paragraph); just under
        # a heading, the words it heads follow on the next line.
        self.newlines = 0
        self.under_heading = False
        self.after_br = False
        self.markers: set[str] = set()

    def _break(self, newlines: int) -> None:
        # A paragraph inside a list item (a "loose" list) starts on its marker's line.
        if not self.under_heading and not (self.parts and self.parts[-1] in self.markers):
            self.newlines = max(self.newlines, newlines)

    def _write(self, text: str) -> None:
        if self.newlines and self.parts:
            self.parts.append(" " if self.inline_html else "\n" * self.newlines)
        self.newlines, self.under_heading = 0, False
        self.parts.append(text)

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self._break(1 if self.lists else 2)
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li" and self.lists:
            self._break(1)
            self.lists[-1][1] += 1
            kind, n = self.lists[-1]
            indent = "  " * (len(self.lists) - 1)
            marker = f"{indent}{n}. " if kind == "ol" else f"{indent}- "
            self.markers.add(marker)
            self._write(marker)
        elif tag == "pre":
            self.in_pre += 1
        elif tag == "br":
            self._break(1)
            self.after_br = True  # the renderer's own newline follows: not a second break
        elif tag == "hr":
            self._write("---")
        elif tag == "a":
            self.link = (dict(attrs).get("href") or "", len(self.parts))
        elif tag in _INLINE_KEPT and self.inline_html:
            self._write(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in _HEADINGS:
            self.newlines, self.under_heading = 1, True
        elif tag in _BLOCKS:
            self._break(1 if self.lists else 2)
        if tag == "pre":
            self.in_pre -= 1
            if self.parts:  # code keeps its lines, not the renderer's newline after them
                self.parts[-1] = self.parts[-1].rstrip("\n")
        elif tag == "a" and self.link is not None:
            href, start = self.link
            words = "".join(self.parts[start:]).strip()
            if href and not self.inline_html and href not in (words, f"mailto:{words}"):
                self._write(f" ({href})")
            self.link = None
        elif tag in _INLINE_KEPT and self.inline_html:
            self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.in_pre and not data.strip() and "\n" in data:
            return  # the renderer's own newlines between tags
        if self.after_br:
            data, self.after_br = data.removeprefix("\n"), False
        if not self.in_pre:
            data = data.replace("\n", " " if self.inline_html else "\n")
        if data:
            self._write(escape(data) if self.inline_html else data)

    def text(self) -> str:
        out = "".join(self.parts)
        if self.inline_html:
            return " ".join(out.split())
        return "\n".join(line.rstrip() for line in out.split("\n")).strip("\n")


def markdown_plain(text: str, *, line_breaks: bool = False) -> str:
    """A person's Markdown as plain text for a text email: no asterisks or hashes, lists
    as "- " lines, links as their words and address."""
    flattener = _Flattener(inline_html=False)
    flattener.feed(render_markdown(text, line_breaks=line_breaks))
    flattener.close()
    return flattener.text()


def markdown_preview(text: str, length: int) -> SafeString:
    """A person's Markdown as one short line of HTML (a notification list's preview): bold,
    italics and code kept, everything else as words, cut at `length` characters."""
    flattener = _Flattener(inline_html=True)
    flattener.feed(render_markdown(text))
    flattener.close()
    return mark_safe(Truncator(flattener.text()).chars(length, html=True))  # noqa: S308 - only tags we wrote


# What can make Markdown's words differ from the text as typed: marks, links, escapes,
# headings, quotes, lists, entities. Text without any is its own words.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]#>~&<|]|^\s*(?:[-+]|\d+[.)])\s|^\s*[=-]+\s*$", re.M)


def markdown_words(text: str) -> str:
    """A person's Markdown as its words on one line, no marks, tags or link addresses: what a
    search excerpt is cut from and highlighted in. Plain text (most notes) skips rendering,
    which cost about half a millisecond for each of a search page's twenty results."""
    if has_markdown(text):
        text = html.unescape(strip_tags(render_markdown(text)))
    return " ".join((text or "").split())


def has_markdown(text: str | None) -> bool:
    """Whether Markdown's words could differ from the text's own (see _MARKDOWN_SYNTAX)."""
    return bool(_MARKDOWN_SYNTAX.search(text or ""))


NOTICE_LENGTH = 500  # how much of a person's text a notification quotes
_PAIRED = ("**", "__", "`")


def markdown_excerpt(text: str, limit: int) -> str:
    """The start of a Markdown text, at most `limit` characters and then "…", for a notice that
    quotes it: cut at the last paragraph, else word, before the limit, and without a bold or a
    code span left open (which would show its marks)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    paragraph = cut.rfind("\n\n")
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if paragraph > limit // 2:
        cut = cut[:paragraph]
    elif space > limit // 2:
        cut = cut[:space]
    if cut.count("```") % 2:  # a code block left open: quote up to it
        cut = cut[: cut.rfind("```")]
    if cut.rfind("[") > cut.rfind("]"):  # a link's words cut: quote up to them
        cut = cut[: cut.rfind("[")]
    for mark in _PAIRED:
        if cut.count(mark) % 2:
            at = cut.rfind(mark)
            cut = cut[:at] + cut[at + len(mark) :]
    return cut.rstrip() + " …"
