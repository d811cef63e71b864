from datetime import date, datetime

from django import template

from impact.dates import format_when
from impact.markdown import render_markdown
from impact.texts import effort_text

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """Render a person's Markdown as sanitised HTML."""
    return render_markdown(text)


@register.filter(expects_localtime=True)
def when(value: date | datetime | None, name: str = "DATE_FORMAT") -> str:
    """A date or moment in the house style, by format name: {{ meeting.starts_at|when:"DAY_DATETIME_FORMAT" }}."""
    return format_when(value, name)


@register.filter
def effort(minutes: int | None) -> str:
    """Minutes of effort in words: "45 minutes", "1 hour", "1.5 hours"."""
    return effort_text(minutes)
