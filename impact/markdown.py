"""User Markdown to safe HTML: Python-Markdown renders, nh3 keeps only harmless tags."""

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

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


def render_markdown(text: str) -> SafeString:
    # Raw HTML a person types is shown as text (a "<script>" stays visible and inert);
    # Markdown syntax, including "> quotes", still works.
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    html = md.markdown(text, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
