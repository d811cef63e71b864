import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from impact.links import id_url
from impact.shared import ScopedQuerySet


def group_url(pk: int) -> str:
    """The group page's URL, as reverse() would build it."""
    return id_url("groups:group_detail", pk)


# Trust-based relationships thin out beyond this many people: a hard cap, never configurable.
GROUP_HARD_CAP = 15
GROUP_MIN_CAPACITY = 2  # a group of one is not a group
GROUP_FORMING_BELOW = 5


def seats_free(size: int, capacity: int) -> int:
    """Seats left in a group of `capacity` with `size` active members: the one answer to "is
    there room" (when it decides a seat, `size` is counted with the group row locked)."""
    return max(capacity - size, 0)


def capacity_problem(capacity: int) -> str | None:
    """Why a group cannot have this capacity, or None (forms and serializers bound their
    fields with GROUP_MIN_CAPACITY and GROUP_HARD_CAP too)."""
    if GROUP_MIN_CAPACITY <= capacity <= GROUP_HARD_CAP:
        return None
    return _("A group holds between %(min)d and %(cap)d people.") % {
        "min": GROUP_MIN_CAPACITY,
        "cap": GROUP_HARD_CAP,
    }


class Network(models.Model):
    """A creation space: groups that share one big opportunity, run by organizers."""

    cache_scopes = ("network:id",)

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Anyone signed in can find a public network and join its open groups."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="NetworkMembership", related_name="networks"
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:network_detail", args=[self.slug])


class NetworkMembership(models.Model):
    cache_scopes = ("network:network",)

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("Organizer")
        PARTICIPANT = "participant", _("Participant")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_memberships"
    )
    role = models.CharField(
        _("role"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                name="unique_network_membership",
                violation_error_message=_("This person is already part of the network."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.network} ({self.role})"


class Group(models.Model):
    """An impact group: 5 to 15 people acting together toward the network's opportunity."""

    # A group's name shows on its parent's and its spin-outs' pages (their lineage).
    cache_scopes = ("group:id", "group:parent", "group:children__id", "network:network")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: anyone in the network joins until it is full")
        APPROVAL = "approval", _("By approval: a moderator accepts each request")

    class Status(models.TextChoices):
        FORMING = "forming", _("Forming")
        ACTIVE = "active", _("Active")
        FULL = "full", _("Full")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=120)
    purpose = models.TextField(_("purpose"), help_text=_("What this group acts on together."))
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=GROUP_HARD_CAP, help_text=_("At most 15 people.")
    )
    join_policy = models.CharField(
        _("join policy"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("spun out of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("impact group")
        verbose_name_plural = _("impact groups")
        ordering = ["network", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=GROUP_MIN_CAPACITY) & Q(capacity__lte=GROUP_HARD_CAP),
                name="group_capacity_within_hard_cap",
                violation_error_message=_("A group holds between 2 and 15 people."),
            ),
            models.UniqueConstraint(
                fields=["network", "name"],
                name="unique_group_name_in_network",
                violation_error_message=_("This network already has a group with that name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return group_url(self.pk)

    @staticmethod
    def status_for(size: int, capacity: int) -> str:
        if not seats_free(size, capacity):
            return Group.Status.FULL
        if size < GROUP_FORMING_BELOW:
            return Group.Status.FORMING
        return Group.Status.ACTIVE


class MembershipQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(left_at__isnull=True)


class Membership(models.Model):
    """A person's seat in a group. Leaving keeps the row (and all they logged) with left_at set."""

    cache_scopes = ("group:group", "group:unleashed_from")

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MODERATOR = "moderator", _("Moderator")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    statement = models.TextField(_("why I joined"), blank=True)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    # Set when a member of another group became this group's moderator at a spin-out:
    # "measure leaders by the number of leaders they unleash".
    unleashed_from = models.ForeignKey(
        Group,
        verbose_name=_("leader unleashed from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leaders_unleashed",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(left_at__isnull=True),
                name="one_active_membership_per_group",
                violation_error_message=_("This person is already a member of the group."),
            )
        ]
        indexes = [models.Index(fields=["user", "left_at"], name="membership_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role})"

    @property
    def is_moderator(self) -> bool:
        return self.role == self.Role.MODERATOR


class JoinRequest(models.Model):
    """Someone asking to join: pending approval, or waiting on the waitlist in arrival order."""

    cache_scopes = ("group:group",)

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        WAITLISTED = "waitlisted", _("On the waitlist")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MOVED = "moved", _("Moved to a spun-out group")

    OPEN_STATUSES = (Status.PENDING, Status.WAITLISTED)
    # The waitlist is first come, first served by the time someone went on it (not when they
    # asked: a pending request approved into a full group queues behind those already waiting,
    # so the place a person was told only ever improves).
    WAITLIST_ORDER = ("waitlisted_at", "id")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    statement = models.TextField(_("why I want in"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    waitlisted_at = models.DateTimeField(_("on the waitlist since"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(status__in=["pending", "waitlisted"]),
                name="one_open_join_request_per_group",
                violation_error_message=_(
                    "This person has already asked to join the group; the request is still open."
                ),
            )
        ]
        indexes = [
            models.Index(
                fields=["group", "waitlisted_at", "id"],
                condition=Q(status="waitlisted"),
                name="waitlist_order_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.group} ({self.status})"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An emailed, expiring, single-use invitation to one group."""

    cache_scopes = ("group:group",)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    message = models.TextField(_("personal message"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.group}"

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AuditEvent(models.Model):
    """Who changed membership, roles, spin-outs or metric definitions, and when (for organizers)."""

    cache_scopes = ()

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="audit_events")
    group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(_("what happened"), max_length=40)
    target = models.CharField(_("about"), max_length=200, blank=True)
    # Whom a membership line is about (the target names them as they were called then; names
    # are not unique, so a person's own history is found by this, never by the name).
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("about whom"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["network", "-at"], name="audit_network_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target}"
