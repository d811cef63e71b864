"""A person's account: profile, email preferences and unsubscribing, deleting the account."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from impact.kinds import KINDS
from impact.models import EmailOptOut, Notification, User

UNSUBSCRIBE_SALT = "impact.email-unsubscribe"

HookT = TypeVar("HookT", bound=Callable[[User], None])


def user_update_profile(
    *, user: User, display_name: str, time_zone: str, language: str | None = None
) -> User:
    """Change how a person is shown to others, the time zone they see times in and, when given,
    the language the site speaks to them ("": their browser's)."""
    changed = {"display_name", "time_zone"}
    user.display_name = display_name.strip()
    user.time_zone = time_zone
    if language is not None:
        user.language = language
        changed.add("language")
    # Validate only what changes: an older account whose username or email would fail
    # today's rules must still be able to fix its display name.
    user.clean_fields(exclude=[f.name for f in user._meta.fields if f.name not in changed])
    user.save(update_fields=sorted(changed))
    return user


def email_preferences_set(*, user: User, enabled_kinds: Iterable[str]) -> None:
    """Keep email for the given kinds and turn off every other optional kind."""
    enabled = set(enabled_kinds)
    unknown = enabled - KINDS.keys()
    if unknown:
        raise ValidationError({"kinds": _("Unknown kind: %s") % ", ".join(sorted(unknown))})
    off = {key for key, kind in KINDS.items() if kind.optional and key not in enabled}
    with transaction.atomic():
        EmailOptOut.objects.filter(user=user).exclude(kind__in=off).delete()
        EmailOptOut.objects.bulk_create(
            [EmailOptOut(user=user, kind=kind) for kind in sorted(off)], ignore_conflicts=True
        )


def email_unsubscribe_token(*, user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def email_unsubscribe_check(*, token: str) -> tuple[User, str]:
    """The person and kind a signed unsubscribe link is for; ValidationError if it is not ours."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"])
        kind = KINDS[data["k"]]
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist) as exc:
        raise ValidationError(_("This unsubscribe link is not valid.")) from exc
    return user, kind.key


def email_unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off one kind of email from a signed link; raises ValidationError if it is not ours."""
    user, key = email_unsubscribe_check(token=token)
    kind = KINDS[key]
    if kind.optional:
        EmailOptOut.objects.get_or_create(user=user, kind=kind.key)
    return user, kind.key


# Apps register what deleting an account means for their data (leave groups, drop private
# reflections); each runs inside the deletion's transaction.
ACCOUNT_DELETION_HOOKS: list = []


def register_account_deletion_hook(func: HookT) -> HookT:
    if func not in ACCOUNT_DELETION_HOOKS:
        ACCOUNT_DELETION_HOOKS.append(func)
    return func


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """Delete a person's account: private data goes, what they logged stays, by "a former member"."""
    if not user.check_password(password):
        raise ValidationError({"password": _("That is not your password.")})
    from allauth.account.models import EmailAddress
    from rest_framework.authtoken.models import Token

    for hook in ACCOUNT_DELETION_HOOKS:
        hook(user)
    EmailAddress.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    EmailOptOut.objects.filter(user=user).delete()
    user.username = f"former-member-{user.pk}"
    user.email = ""
    user.first_name = user.last_name = ""
    user.display_name = _("A former member")
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()


def user_language_set(*, user: User, language: str) -> User:
    """The language the site speaks to this person, in pages and in every message it sends
    them ("": their browser's)."""
    user.language = language
    user.clean_fields(exclude=[f.name for f in user._meta.fields if f.name != "language"])
    user.save(update_fields=["language"])
    return user
