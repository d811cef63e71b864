"""What the apps built on groups add to a group's page.

The groups app never imports metrics or narratives (they stand on it). Each registers the
parts it shows on a group's page in its AppConfig.ready(), the way they register spin-out
copiers, and the group page asks for a part by name.
"""

from collections.abc import Callable

from groups.models import Group

GROUP_PAGE_PARTS: dict[str, Callable[[Group], object]] = {}


def register_group_page_part(name: str) -> Callable:
    """Decorator: `func(group)` gives the part called `name` (the quick log's fields, the open
    requests for help)."""

    def register(func: Callable[[Group], object]) -> Callable[[Group], object]:
        GROUP_PAGE_PARTS[name] = func
        return func

    return register


def group_page_part(name: str, group: Group) -> object | None:
    """The part, or None where no installed app gives it."""
    part = GROUP_PAGE_PARTS.get(name)
    return part(group) if part is not None else None
