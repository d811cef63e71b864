from datetime import date, datetime

from django import template
from django.template.defaultfilters import linebreaks_filter, urlize
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from impact.dates import format_when
from impact.kinds import KINDS
from impact.markdown import markdown_plain, markdown_preview, render_markdown
from impact.texts import effort_text

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str, lines: str = ""):
    """Render a person's Markdown as sanitised HTML; {{ notes|markdown:"lines" }} also keeps
    each line typed as a line (notes and notification bodies)."""
    return render_markdown(text, line_breaks=lines == "lines")


@register.filter(name="markdown_plain")
def markdown_plain_filter(text: str, lines: str = ""):
    """A person's Markdown as plain words, for text mail (in an autoescape-off template)."""
    return markdown_plain(text, line_breaks=lines == "lines")


@register.filter(name="markdown_preview")
def markdown_preview_filter(text: str, length: int = 100) -> SafeString:
    """A person's Markdown as one short line (a list's preview): bold and italics kept."""
    return markdown_preview(text, int(length))


def _markdown_body(notification) -> bool:
    kind = KINDS.get(notification.kind)
    return kind is not None and kind.markdown_body


@register.filter
def notification_body(notification) -> SafeString:
    """A notification's body as HTML: its Markdown rendered, or its plain lines kept."""
    if _markdown_body(notification):
        return render_markdown(notification.body, line_breaks=True)
    return linebreaks_filter(urlize(notification.body, autoescape=True))


@register.filter
def notification_body_text(notification) -> str:
    """A notification's body for a text email: Markdown as plain words."""
    if _markdown_body(notification):
        return markdown_plain(notification.body, line_breaks=True)
    return notification.body


@register.filter
def notification_preview(notification, length: int = 180) -> SafeString:
    """One short line of a notification's body for a list: bold and italics kept."""
    if _markdown_body(notification):
        return markdown_preview(notification.body, int(length))
    return escape(Truncator(notification.body).chars(int(length)))


@register.filter(expects_localtime=True)
def when(value: date | datetime | None, name: str = "DATE_FORMAT") -> str:
    """A date or moment in the house style, by format name: {{ meeting.starts_at|when:"DAY_DATETIME_FORMAT" }}."""
    return format_when(value, name)


@register.filter
def effort(minutes: int | None) -> str:
    """Minutes of effort in words: "45 minutes", "1 hour", "1.5 hours"."""
    return effort_text(minutes)
