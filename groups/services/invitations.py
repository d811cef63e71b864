"""Invitations by email: a seat when one is free (whatever the join policy), else the waitlist."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.models import (
    Group,
    Invitation,
    JoinRequest,
    Membership,
    seats_free,
)
from groups.permissions import (
    Need,
    require,
)
from groups.selectors import waitlist_position
from groups.services.membership import (
    JoinOutcome,
    _admit,
    _current_state,
    _lock,
    _notify_moderators_of_join,
)
from groups.services.networks import network_add_person
from impact.exceptions import Conflict
from impact.models import User
from impact.services import notify_address

INVITATION_DAYS = 14


def invitation_create(*, actor: User, group: Group, email: str, message: str = "") -> Invitation:
    """Invite an email address to a group; the link expires and works once."""
    email = email.strip().lower()
    with transaction.atomic():
        require(actor, group, Need.MODERATE)
        if Membership.objects.active().filter(group=group, user__email__iexact=email).exists():
            raise ValidationError({"email": _("This person is already a member of the group.")})
        invitation = Invitation.objects.create(
            group=group,
            email=email,
            message=message.strip(),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        # Written in the language the invited person chose, if they have an account and chose
        # one; otherwise in the inviter's, the best guess for someone they know.
        invitee = User.objects.filter(email__iexact=email).exclude(language="").first()
        language = invitee.chosen_language if invitee else ""
        with translation.override(language or translation.get_language()):
            _invitation_notify(invitation, actor=actor, group=group, email=email)
    return invitation


def _invitation_notify(invitation: Invitation, *, actor: User, group: Group, email: str) -> None:
    """Queue the invitation mail, written in the active language."""
    body = _(
        "%(name)s invites you to join %(group)s, an impact group in %(network)s.\n\n"
        "What the group acts on: %(purpose)s"
    ) % {
        "name": actor.public_name,
        "group": group.name,
        "network": group.network.name,
        "purpose": group.purpose,
    }
    if invitation.message:
        body += "\n\n" + _("Their message: %(message)s") % {"message": invitation.message}
    body += "\n\n" + ngettext(
        "The invitation is valid for %(days)d day.",
        "The invitation is valid for %(days)d days.",
        INVITATION_DAYS,
    ) % {"days": INVITATION_DAYS}
    notify_address(
        to_email=email,
        kind="group.invitation",
        key=f"invitation:{invitation.pk}",
        title=_("You're invited to join %(group)s") % {"group": group.name},
        body=body,
        url=reverse("groups:invitation_accept", args=[invitation.token]),
        subject=invitation,
    )


def invitation_for_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("group__network", "invited_by")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."), code="invalid")
    return invitation


def invitation_accept(*, user: User, token: str) -> JoinOutcome:
    """Use an invitation: a seat if one is free (whatever the join policy), else the waitlist."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        group, size = _lock(invitation.group)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            if invitation.accepted_by_id == user.pk:
                state = _current_state(user, group)
                if state is not None:
                    return state
            raise Conflict(_("This invitation has already been used."), code="invitation_used")
        if invitation.revoked_at is not None or invitation.expires_at <= timezone.now():
            raise Conflict(
                _("This invitation has expired. Ask for a new one."), code="invitation_expired"
            )
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        network_add_person(network=group.network, user=user)
        existing = _current_state(user, group)
        if existing is not None and existing.outcome == "member":
            return existing
        statement = _("Invited by %(name)s") % {
            "name": invitation.invited_by.public_name if invitation.invited_by else "?"
        }
        if seats_free(size, group.capacity):
            if existing is not None:
                existing.request.status = JoinRequest.Status.ACCEPTED
                existing.request.decided_at = timezone.now()
                existing.request.save(update_fields=["status", "decided_at"])
            membership = _admit(group, user, statement=statement)
            _notify_moderators_of_join(group, user, statement, membership=membership)
            return JoinOutcome("member", group, membership=membership)
        if existing is not None:
            return existing
        request = JoinRequest.objects.create(
            group=group,
            user=user,
            statement=statement,
            status=JoinRequest.Status.WAITLISTED,
            waitlisted_at=timezone.now(),
        )
        return JoinOutcome(
            "waitlisted", group, request=request, waitlist_position=waitlist_position(request)
        )


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    require(actor, invitation.group, Need.MODERATE)
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )
