"""What an object id is, in one place: a whole number from 1 to the largest a 64-bit id column
holds. Whatever else someone sends where an id goes is "not found" in a URL's path and a field
error in a query or a body, on PostgreSQL and SQLite alike. (PostgreSQL merely finds no row for
a larger number; SQLite's driver cannot bind it and raises OverflowError, a 500.)

- pages and API routes: the `id` path converter, `<id:pk>` (registered in ImpactConfig.ready);
- serializers: IdField, or IdRelatedField for an object; django-filter: IdFilter; anything else (a form's raw list, a query
  parameter read by hand): parse_id.
"""

import re
from typing import Any

import django_filters
from django import forms
from rest_framework import serializers

MAX_ID = 2**63 - 1  # BigAutoField (DEFAULT_AUTO_FIELD), on both databases
_DIGITS = re.compile(r"[0-9]+")


def parse_id(value: Any) -> int | None:
    """The id `value` spells (digits only, within range), or None when it can name no row."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value)
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdConverter:
    """`<id:pk>`: like `<int:pk>`, but an id no row can hold matches no URL (a 404)."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"not an id: {value}")
        return number

    def to_url(self, value: Any) -> str:
        return str(value)


class IdField(serializers.IntegerField):
    """An id in a request body: a field error, not a database error, when out of range."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """An object named by its id in a request body. An id no row can hold is a 400 naming the
    field; one in range that names nothing is REST framework's `does_not_exist`, which the API's
    error handler answers with 404, as for the same id in a path."""

    default_error_messages = {
        "not_an_id": "Enter an id: a whole number from 1 to {max_id}.",
    }

    def to_internal_value(self, data: Any) -> Any:
        if parse_id(data) is None:
            self.fail("not_an_id", max_id=MAX_ID)
        return super().to_internal_value(data)


class IdFormField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(django_filters.NumberFilter):
    """A query parameter that filters by an id (`?group=3`): a 400 naming it when out of range."""

    field_class = IdFormField
