"""The audit log: one line per change to membership, roles, spin-outs and metric definitions.

audit() records an event as a verb and its details; audit_sentence() reads it back as a
sentence, in the reader's language, through one function per verb (SENTENCES). A verb without
one still reads as words, so a new verb never shows as a code."""

import ast
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.models import AuditEvent, Group, Membership


def audit(
    *, group: Group, verb: str, actor=None, target: str = "", person=None, **details
) -> AuditEvent:
    """Record a change in the caller's transaction (it is rolled back with the change).
    `person`: whom a membership change is about."""
    return AuditEvent.objects.create(
        network_id=group.network_id,
        group=group,
        actor=actor if actor is not None and actor.is_authenticated else None,
        person=person,
        verb=verb,
        target=str(target)[:200],
        details={key: str(value) for key, value in details.items()},
    )


# Reading the log ------------------------------------------------------------------------------


def audit_sentence(event: AuditEvent) -> str:
    """The event as a sentence: "Mateo spun Riverbank Two out of Riverbank Restorers, …"."""
    words = {
        "actor": event.actor.public_name if event.actor else _("Someone"),
        "group": event.group.name if event.group else _("a group since deleted"),
        "target": event.target,
    }
    return SENTENCES.get(event.verb, _unknown)(event, words)


def _joined(event: AuditEvent, words: dict) -> str:
    if event.details.get("role") == Membership.Role.MODERATOR:
        return _("%(target)s joined %(group)s as a moderator.") % words
    return _("%(target)s joined %(group)s.") % words


def _left(event: AuditEvent, words: dict) -> str:
    return _("%(target)s left %(group)s.") % words


def _removed(event: AuditEvent, words: dict) -> str:
    if event.details.get("reason"):
        return _("%(actor)s removed %(target)s from %(group)s, saying: “%(reason)s”") % {
            **words,
            "reason": event.details["reason"],
        }
    return _("%(actor)s removed %(target)s from %(group)s.") % words


def _role_changed(event: AuditEvent, words: dict) -> str:
    if event.details.get("role") == Membership.Role.MODERATOR:
        return _("%(actor)s made %(target)s a moderator of %(group)s.") % words
    return _("%(actor)s made %(target)s a member of %(group)s, no longer a moderator.") % words


def _spun_out(event: AuditEvent, words: dict) -> str:
    moved = _count(event.details.get("moved"))
    waiting = _count(event.details.get("from_waitlist"))
    words = {**words, "moderator": event.details.get("moderator", "")}
    if not moved and not waiting:
        return (
            _("%(actor)s spun %(target)s out of %(group)s, with %(moderator)s as its moderator.")
            % words
        )
    moves = []
    if moved:
        moves.append(ngettext("%(n)d member", "%(n)d members", moved) % {"n": moved})
    if waiting:
        moves.append(
            ngettext("%(n)d person from the waitlist", "%(n)d people from the waitlist", waiting)
            % {"n": waiting}
        )
    return _(
        "%(actor)s spun %(target)s out of %(group)s, with %(moderator)s as its moderator, "
        "and moved %(moves)s to it."
    ) % {**words, "moves": get_text_list(moves, _("and"))}


# How group.changed names a changed setting, and the words for a join policy's values.
def _group_change(field: str, value: str) -> str:
    old, arrow, new = value.partition(" → ")
    if field == "purpose":
        return _("the purpose")
    if not arrow:
        return _field_label(Group, field)
    if field == "name":
        return _("the name from “%(old)s” to “%(new)s”") % {"old": old, "new": new}
    if field == "capacity":
        return _("the seats from %(old)s to %(new)s") % {"old": old, "new": new}
    if field == "join_policy":
        policies = {Group.JoinPolicy.OPEN: _("open"), Group.JoinPolicy.APPROVAL: _("by approval")}
        return _("joining from %(old)s to %(new)s") % {
            "old": policies.get(old, old),
            "new": policies.get(new, new),
        }
    return _("%(field)s from %(old)s to %(new)s") % {
        "field": _field_label(Group, field),
        "old": old,
        "new": new,
    }


def _group_changed(event: AuditEvent, words: dict) -> str:
    changes = [_group_change(field, str(value)) for field, value in event.details.items()]
    if not changes:
        return _("%(actor)s changed the settings of %(group)s.") % words
    return _("%(actor)s changed %(group)s: %(changes)s.") % {
        **words,
        "changes": get_text_list(changes, _("and")),
    }


def _metric_defined(event: AuditEvent, words: dict) -> str:
    return _("%(actor)s added the metric “%(target)s” to %(group)s.") % words


def _metric_changed(event: AuditEvent, words: dict) -> str:
    model = apps.get_model("metrics", "MetricDefinition")
    fields = [_field_label(model, name) for name in _names(event.details.get("fields", ""))]
    if not fields:
        return _("%(actor)s changed the metric “%(target)s” of %(group)s.") % words
    return _("%(actor)s changed the metric “%(target)s” of %(group)s: %(fields)s.") % {
        **words,
        "fields": get_text_list(fields, _("and")),
    }


def _metric_archived(event: AuditEvent, words: dict) -> str:
    return _("%(actor)s stopped measuring “%(target)s” in %(group)s.") % words


def _unknown(event: AuditEvent, words: dict) -> str:
    """A verb without a sentence yet: its words, what it was about and its details."""
    what = event.verb.replace(".", " ").replace("_", " ")
    text = _("%(actor)s: %(what)s in %(group)s") % {**words, "what": what}
    if event.target:
        text += _(", about %(target)s") % words
    details = [f"{key.replace('_', ' ')}: {value}" for key, value in event.details.items()]
    if details:
        text += f" ({'; '.join(details)})"
    return text + "."


SENTENCES: dict[str, Callable[[AuditEvent, dict], str]] = {
    "member.joined": _joined,
    "member.left": _left,
    "member.removed": _removed,
    "role.changed": _role_changed,
    "group.spun_out": _spun_out,
    "group.changed": _group_changed,
    "metric.defined": _metric_defined,
    "metric.changed": _metric_changed,
    "metric.archived": _metric_archived,
}


def _count(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _names(value) -> list[str]:
    """Field names stored as a list, or as the text of one (details are kept as strings)."""
    if isinstance(value, list):
        return [str(name) for name in value]
    try:
        parsed = ast.literal_eval(value) if value else []
    except (ValueError, SyntaxError):
        return [value]
    return [str(name) for name in parsed] if isinstance(parsed, list | tuple) else [str(parsed)]


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name.replace("_", " ")
