"""One shape for every API error: {"detail": ..., "code": ..., "fields": {name: [messages]}}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from impact.exceptions import Conflict


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _details(errors: list[DjangoValidationError]) -> list[exceptions.ErrorDetail]:
    # Each message with its code (a service's "does_not_exist" makes the answer a 404).
    return [
        exceptions.ErrorDetail(message, code=error.code or "invalid")
        for error in errors
        for message in error.messages
    ]


def _as_drf(exc: Exception) -> Exception:
    if isinstance(exc, DataError):
        # A value the database cannot hold (a date far out of range, an impossible time-zone
        # offset in a filter): the caller's mistake, not a server error.
        return exceptions.ValidationError(
            {"non_field_errors": ["One of the values is out of the range this field accepts."]}
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(
                {
                    ("non_field_errors" if name == "__all__" else name): _details(errors)
                    for name, errors in exc.error_dict.items()
                }
            )
        return exceptions.ValidationError({"non_field_errors": _details(exc.error_list)})
    if isinstance(exc, Conflict):
        return ConflictError(detail=str(exc.message), code=exc.code)
    if isinstance(exc, DjangoPermissionDenied):
        # The service's reason ("Only the group's moderators can do this."), when it gave one.
        return exceptions.PermissionDenied(detail=str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def _names_something_missing(exc: exceptions.ValidationError) -> bool:
    """A body that names an object which does not exist: a 404, as for the same id in a path
    (and as for one this person may not see, which the permission checks answer)."""
    return "does_not_exist" in _flatten(exc.get_codes())


def _only_taken_values(exc: exceptions.ValidationError) -> bool:
    """Every problem is a value that must be unique and is taken (a group's or a metric's name):
    a conflict with what is stored, a 409, not a malformed request."""
    codes = _flatten(exc.get_codes())
    return bool(codes) and all(code == "unique" for code in codes)


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    exc = _as_drf(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    fields: dict = {}
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        if _names_something_missing(exc):
            code = "not_found"
            response.status_code = status.HTTP_404_NOT_FOUND
        elif _only_taken_values(exc):
            code = "unique"
            response.status_code = status.HTTP_409_CONFLICT
        if isinstance(detail, dict):
            fields = {name: _flatten(value) for name, value in detail.items()}
            # An error about the request as a whole (wrong password) says more than a summary.
            message = " ".join(fields.get("non_field_errors", [])) or "Some fields are not valid."
        else:
            fields = {"non_field_errors": _flatten(detail)}
            message = " ".join(fields["non_field_errors"])
    else:
        message = " ".join(_flatten(detail))
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if isinstance(codes, str):
            code = codes
    response.data = {"detail": message, "code": code, "fields": fields}
    return response
