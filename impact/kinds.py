"""The kinds of notification the app sends: one registry, read by delivery and preferences."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str | Promise
    description: str | Promise
    # Some mail is part of an action the person asked for (an invitation they must accept):
    # it cannot be switched off.
    optional: bool = True
    # Dotted path of a function(notification) -> [(filename, content, mimetype)] for email.
    attachments: str = ""
    # Dotted path of a function(notification) -> bool, asked just before sending: False
    # cancels a message that has gone stale (a reminder for a meeting since moved).
    still_due: str = ""
    # The body is Markdown (a person's words, or a summary quoting them): pages and HTML mail
    # render it, text mail and previews show it as plain words. Otherwise it is plain text.
    markdown_body: bool = False


KINDS: dict[str, NotificationKind] = {
    kind.key: kind
    for kind in [
        NotificationKind(
            "account",
            _("Account security"),
            _("Email confirmation and password reset links."),
            optional=False,
        ),
        NotificationKind(
            "welcome",
            _("Welcome"),
            _("A welcome note with first steps once your email address is confirmed."),
        ),
        NotificationKind(
            "group.invitation",
            _("Invitations"),
            _("An invitation to join a group."),
            optional=False,
        ),
        NotificationKind(
            "group.join_request",
            _("Join requests (moderators)"),
            _("Someone asks to join a group you moderate, or joins it."),
        ),
        NotificationKind(
            "group.membership",
            _("Your place in a group"),
            _("Your request is decided, a seat opens for you, or your role changes."),
        ),
        NotificationKind(
            "group.spin_out",
            _("Spin-outs"),
            _("A new group is spun out and you are part of it."),
        ),
        NotificationKind(
            "meeting.reminder",
            _("Meeting reminders"),
            _("A reminder before each meeting of your groups, with a calendar file."),
            attachments="groups.meetings.ics.reminder_attachments",
            still_due="groups.meetings.services.reminder_still_due",
        ),
        NotificationKind(
            "meeting.prompt",
            _("Weekly reflection prompts"),
            _("Your week in numbers and the reflection questions, before each reflection."),
        ),
        NotificationKind(
            "meeting.summary",
            _("Session summaries"),
            _("What the group achieved, learned and will do next, after each session."),
            markdown_body=True,
        ),
        NotificationKind(
            "meeting.digest",
            _("Moderator digest"),
            _("Weekly: members who went quiet, new members yet to act, members who are stuck."),
        ),
        NotificationKind(
            "narratives.answer",
            _("Answers to my questions"),
            _("Someone answers a question you asked."),
            markdown_body=True,
        ),
        NotificationKind(
            "narratives.help",
            _("Help requests"),
            _("Someone in your group asks for help, or responds to your request."),
            markdown_body=True,
        ),
        NotificationKind(
            "webhook.disabled",
            _("Webhooks turned off"),
            _("A webhook you added kept failing and was turned off."),
            optional=False,
        ),
    ]
}


def kind_choices() -> list[tuple[str, str | Promise]]:
    return [(kind.key, kind.label) for kind in KINDS.values()]


def optional_kinds() -> list[NotificationKind]:
    return [kind for kind in KINDS.values() if kind.optional]
