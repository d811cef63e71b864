from django.conf import settings
from django.utils.functional import SimpleLazyObject

from impact.selectors import notifications_unread_count


def navigation(request) -> dict:
    """The unread badge in the header, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: notifications_unread_count(user=user))}


def site(request) -> dict:
    """The site's name (SITE_NAME) for every page's title and header."""
    return {"site_name": settings.SITE_NAME}
