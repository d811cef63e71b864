"""Small reads that every page or API list makes, compiled once with a stand-in for the person
and run with their id: building the queryset cost several times running it."""

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from impact.models import User

STAND_IN_USER = -770_001  # no user has a negative id


def per_person(build: Callable[[User], QuerySet]) -> Callable[[User], list[tuple]]:
    """A read of `build(user)`'s rows, compiled on the first call with a stand-in user."""

    @lru_cache(maxsize=1)
    def compiled() -> tuple[str, tuple[Any, ...]]:
        # The stand-in is never saved: only its id goes into the query.
        return build(User(pk=STAND_IN_USER)).query.sql_with_params()

    def rows(user: User) -> list[tuple]:
        sql, params = compiled()
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk if value == STAND_IN_USER else value for value in params])
            return cursor.fetchall()

    return rows
