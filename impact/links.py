"""Links to pages named by an id, built without resolving the URL configuration each time."""

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Each URL split around its id, per URL name, URL configuration, script prefix and language (a
# language prefix in URLs would differ per language). Pages that list many things link each
# one (the network page every group twice, a search page twenty results), and a reverse() per
# link was a tenth of rendering them.
_SENTINEL = "987654321"
_PARTS: dict[tuple, tuple[str, str]] = {}


def id_url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a URL whose one argument is an id."""
    key = (name, get_urlconf(), get_script_prefix(), get_language())
    parts = _PARTS.get(key)
    if parts is None:
        head, _sep, tail = reverse(name, args=[_SENTINEL]).rpartition(_SENTINEL)
        parts = _PARTS[key] = (head, tail)
    return f"{parts[0]}{int(pk)}{parts[1]}"
