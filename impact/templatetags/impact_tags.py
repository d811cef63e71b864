from django import template

from impact.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """Render a person's Markdown as sanitised HTML."""
    return render_markdown(text)
