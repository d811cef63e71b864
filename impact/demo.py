"""Demo data shared by `seed_demo`: the cast of users every demo and screenshot relies on."""

from allauth.account.models import EmailAddress
from django.db import transaction

from impact.models import User

DEMO_PASSWORD = "impact-demo"

DEMO_USERS = [
    # username, display name, time zone, staff
    ("organizer", "Olivia Organizer", "Europe/Amsterdam", True),
    ("moderator", "Mateo Moderator", "America/New_York", False),
    ("member", "Mina Member", "Asia/Kolkata", False),
]


@transaction.atomic
def seed_users() -> dict[str, User]:
    """Create (or reset) the demo users with confirmed email addresses."""
    users = {}
    for username, display_name, time_zone, staff in DEMO_USERS:
        email = f"{username}@example.org"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": email,
                "display_name": display_name,
                "time_zone": time_zone,
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[username] = user
    return users
