"""The audit log: one line per change to membership, roles, spin-outs and metric definitions."""

from groups.models import AuditEvent, Group


def audit(*, group: Group, verb: str, actor=None, target: str = "", **details) -> AuditEvent:
    """Record a change in the caller's transaction (it is rolled back with the change)."""
    return AuditEvent.objects.create(
        network_id=group.network_id,
        group=group,
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target=str(target)[:200],
        details={key: str(value) for key, value in details.items()},
    )
