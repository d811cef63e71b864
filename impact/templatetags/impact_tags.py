from datetime import date, datetime

from django import template
from django.template.defaultfilters import linebreaks_filter, urlize
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.timezone import template_localtime

from impact.dates import format_when
from impact.kinds import KINDS
from impact.markdown import markdown_plain, markdown_preview, render_markdown
from impact.texts import amount_text, amount_with_unit_text, effort_text, unit_for_amount

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


# Icons drawn inline (no icon font, nothing fetched): 24 by 24, one path each, the even-odd rule
# cutting the holes. Shown beside words that say the same, so hidden from screen readers.
ICONS = {
    "overview": "M12 3l9 8h-3v9h-5v-6h-2v6H6v-9H3z",
    "impact": "M4 18h16v2H4zM6 10h3v7H6zm5-6h3v13h-3zm5 8h3v5h-3z",
    "questions": (
        "M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-.1 13.6a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 "
        "0-2.6zM12 5.6c-2 0-3.6 1.3-3.7 3.3h2.2c.1-.8.7-1.3 1.5-1.3s1.4.5 1.4 1.3c0 1.5-2.5 "
        "1.7-2.5 4.4h2.2c0-1.9 2.6-2.2 2.6-4.5 0-1.9-1.6-3.2-3.7-3.2z"
    ),
    "initiatives": "M5 3h2v18H5zm3 1h11l-2.5 4 2.5 4H8z",
    "help": "M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 4.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11z",
    "meetings": "M7 2h2v2h6V2h2v2h2a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 "
    "2-2h2zM5 10v10h14V10z",
    "people": (
        "M9 4a3.5 3.5 0 1 1 0 7 3.5 3.5 0 0 1 0-7zm7.5 1a3 3 0 1 1 0 6 3 3 0 0 1 0-6zM2 20c0-3.3 "
        "3.1-6 7-6s7 2.7 7 6zm15.5 0c0-2-.7-3.7-2-5 .5-.1 1-.1 1.5-.1 3.2 0 5 2.1 5 5.1z"
    ),
    "place": "M12 2a7 7 0 0 1 7 7c0 5-7 13-7 13S5 14 5 9a7 7 0 0 1 7-7zm0 4.5a2.5 2.5 0 1 0 0 5 "
    "2.5 2.5 0 0 0 0-5z",
}


@register.simple_tag
def icon(name: str) -> SafeString:
    """An inline icon from ICONS, sized by CSS (.icon)."""
    return format_html(
        '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        '<path fill-rule="evenodd" d="{}"/></svg>',
        ICONS[name],
    )


@register.filter
def amount(value) -> str:
    """A measured amount as people write it (impact.texts.amount_text): "2,5", "12"."""
    return amount_text(value)


@register.filter
def amount_unit(value, metric) -> str:
    """The unit to write after an amount of a metric: {{ value|amount_unit:metric }} gives
    "tree" for 1 when the metric has a unit for one, else the metric's unit ("trees", "kg")."""
    return unit_for_amount(value, metric)


@register.filter
def amount_with_unit(value, metric) -> str:
    """An amount and its unit as people write them: {{ value|amount_with_unit:metric }} gives
    "1 tree", "2.5 trees", "12 kg"."""
    return amount_with_unit_text(value, metric)


@register.simple_tag
def search_results(results) -> SafeString:
    """A page of search results as list items: each its kind, its title (the matched words
    marked), its excerpt, then its place and date. Built here rather than with the template's
    tags: twenty results through some twenty tags each cost more than finding them."""
    labels: dict[str, str] = {}
    days: dict[date, str] = {}
    items = []
    for result in results:
        if result.kind not in labels:
            labels[result.kind] = result.kind_label
        when = ""
        if result.when:
            day = template_localtime(result.when)
            day = day.date() if isinstance(day, datetime) else day
            if day not in days:
                days[day] = date_format(day, "DATE_FORMAT")
            when = days[day]
        place = result.group_name or result.network_name
        items.append(
            format_html(
                '<li>\n<span class="pill">{}</span>\n<a href="{}"><strong>{}</strong></a>\n'
                '{}<br><span class="muted small">{}</span>\n</li>',
                labels[result.kind],
                result.url,
                result.title or when,
                format_html("<br><span>{}</span>\n", result.snippet) if result.snippet else "",
                " · ".join(part for part in (place, when) if part),
            )
        )
    return format_html_join("\n", "{}", ((item,) for item in items))
