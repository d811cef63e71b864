"""Each chat's message body for an event, and the generic signed JSON.

Texts are written in the hook owner's language (the caller wraps these in
`translation.override`); what people typed (a summary, a question) stays as they wrote it.
"""

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _

from groups.webhooks.models import Webhook, WebhookEvent
from impact.markdown import escape_markdown, markdown_plain, render_markdown

DISCORD_LIMIT = 2000  # Discord refuses a longer "content"
BODY_LIMIT = 3000  # a chat message is a notice with a link, not the whole text


@dataclass(frozen=True)
class Message:
    headline: str  # plain words
    body: str  # Markdown
    url: str


def _name(payload: dict, key: str) -> str:
    return (payload.get(key) or {}).get("name", "")


def event_message(event: WebhookEvent) -> Message:
    """What an event says, in the active language."""
    data = event.payload
    group, network = _name(data, "group"), _name(data, "network")
    place = group or network
    kind = event.kind
    if kind == Webhook.Event.SESSION_SUMMARY:
        headline = _("Summary of the reflection in %(group)s") % {"group": group}
        body = data.get("summary", "")
    elif kind == Webhook.Event.QUESTION:
        headline = _("New powerful question in %(place)s") % {"place": place}
        body = escape_markdown(data.get("text", ""))
    elif kind == Webhook.Event.HELP:
        headline = _("%(group)s asks the network for help") % {"group": group}
        body = escape_markdown(data.get("summary", ""))
    elif kind == Webhook.Event.SPIN_OUT:
        headline = _("%(child)s was spun out of %(group)s") % {
            "child": _name(data, "child"),
            "group": group,
        }
        body = ""
    elif kind == Webhook.Event.MEMBER_JOINED:
        headline = _("%(name)s joined %(group)s") % {"name": data.get("member", ""), "group": group}
        body = ""
    else:  # "test", sent from the hook's page
        headline = _("A test message from %(site)s: this webhook works.") % {
            "site": settings.SITE_NAME
        }
        body = ""
    if len(body) > BODY_LIMIT:
        body = body[: BODY_LIMIT - 1] + "…"
    return Message(headline, body, data.get("url", ""))


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_mrkdwn(markdown: str) -> str:
    """Slack's mrkdwn has no headings: a "### Heading" becomes a bold line."""
    lines = []
    for line in _slack_escape(markdown).splitlines():
        if line.startswith("#"):
            line = f"*{line.lstrip('#').strip()}*"
        lines.append(line.replace("**", "*"))
    return "\n".join(lines)


def _markdown_text(message: Message) -> str:
    link = (
        f"**[{escape_markdown(message.headline)}]({message.url})**"
        if message.url
        else (f"**{escape_markdown(message.headline)}**")
    )
    return f"{link}\n{message.body}".strip()


# Mentions that ping a whole room: Mattermost's @channel, @all, @here and Matrix's @room.
MASS_MENTION = re.compile(r"@(?=(?:channel|all|here|room)\b)", re.IGNORECASE)


def _no_mass_mentions(message: Message) -> Message:
    """Nobody's words may ping a whole room: a zero-width space after the "@" keeps the word
    readable and stops the mention."""
    return replace(
        message,
        headline=MASS_MENTION.sub("@\u200b", message.headline),
        body=MASS_MENTION.sub("@\u200b", message.body),
    )


def chat_body(hook_format: str, message: Message) -> dict:
    """The JSON a chat's incoming webhook takes for this message."""
    if hook_format in (Webhook.Format.MATTERMOST, Webhook.Format.MATRIX):
        message = _no_mass_mentions(message)
    if hook_format == Webhook.Format.SLACK:
        headline = _slack_escape(message.headline)
        link = f"*<{message.url}|{headline}>*" if message.url else f"*{headline}*"
        return {"text": f"{link}\n{_slack_mrkdwn(message.body)}".strip()}
    if hook_format == Webhook.Format.MATTERMOST:
        return {"text": _markdown_text(message)}
    if hook_format == Webhook.Format.MATRIX:
        # matrix-hookshot's inbound webhooks: "text" is the plain (Markdown) body, "html"
        # the formatted one.
        headline = escape(message.headline)
        link = f'<a href="{escape(message.url)}">{headline}</a>' if message.url else headline
        html = f"<p><strong>{link}</strong></p>"
        if message.body:
            html += str(render_markdown(message.body))
        return {"text": _markdown_text(message), "html": html}
    if hook_format == Webhook.Format.DISCORD:
        headline = escape_markdown(message.headline)
        # <url> keeps Discord from unfurling a preview of our page under every message.
        link = f"**[{headline}](<{message.url}>)**" if message.url else f"**{headline}**"
        content = f"{link}\n{message.body}".strip()
        if len(content) > DISCORD_LIMIT:
            content = content[: DISCORD_LIMIT - 1] + "…"
        # Nobody's words may ping @everyone or a role.
        return {"content": content, "allowed_mentions": {"parse": []}}
    raise ValueError(f"not a chat format: {hook_format!r}")


def generic_body(event: WebhookEvent, message: Message) -> dict:
    return {
        "id": str(event.uid),
        "type": event.kind,
        "created": event.created_at.isoformat(),
        "data": {
            **event.payload,
            "title": message.headline,
            "text": markdown_plain(message.body) if message.body else "",
        },
    }


def request_body(hook: Webhook, event: WebhookEvent) -> bytes:
    """The bytes POSTed for an event to a hook (call it in the hook owner's language)."""
    message = event_message(event)
    if hook.format == Webhook.Format.GENERIC:
        data = generic_body(event, message)
    else:
        data = chat_body(hook.format, message)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" with the hook's secret, in hex."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def request_headers(hook: Webhook, event: WebhookEvent, body: bytes, timestamp: int) -> dict:
    """The headers documented on the hook's page (sent with every format; chats ignore them)."""
    return {
        # Header values travel as Latin-1: a site name beyond it must not stop every delivery.
        "User-Agent": f"{settings.SITE_NAME} webhooks".encode("ascii", "replace").decode(),
        "X-Impact-Event": event.kind,
        "X-Impact-Event-Id": str(event.uid),
        "X-Impact-Timestamp": str(timestamp),
        "X-Impact-Signature": f"t={timestamp},v1={signature(hook.secret, timestamp, body)}",
    }
