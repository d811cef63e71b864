"""The OpenAPI schema says what the API does, in one place (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS):

- every operation documents the errors it can answer, all in the one error shape of
  impact.api.exceptions: 400 (a value or a rule refused), 401, 403, 404 (an id in the path or
  the body that names nothing, or a page past the end), 409 (a write that conflicts with the
  state) and 429 (writes are throttled); a view's `error_codes` replaces that list;
- an id (in a path, a body or a query filter) is a whole number from 1 to impact.ids.MAX_ID;
- text never holds a NUL character; required text is more than spaces (the API trims it), and
  at least its minimum length once trimmed;
- a time of day (a cadence's start) is a local wall-clock time, "19:00" or "19:00:00", with no
  offset: its zone is a field of its own.
"""

import django_filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import (
    ResolvedComponent,
    force_instance,
    get_manager,
    get_view_model,
)
from rest_framework import serializers

from impact.api.serializers import StrictCharField, StrictDecimalField
from impact.ids import MAX_ID, IdField, IdFilter

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
LOCAL_TIME_SCHEMA = {
    "type": "string",
    "format": "partial-time",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "example": "19:00:00",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail", "code", "fields"],
}
ERROR_DESCRIPTIONS = {
    "400": "A value or a rule refused; `fields` names each field's problems.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in, but not allowed to do this.",
    "404": "Nothing here, or nothing this person may see.",
    "409": "Conflicts with the current state (closed, cancelled, full, a name already taken...).",
    "429": "Too many writes: try again after `Retry-After` seconds.",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
RELATED_FIELDS = (serializers.RelatedField, serializers.ManyRelatedField, IdField)
TEXT_FIELDS = (serializers.CharField, StrictCharField)
ID_FILTERS = (IdFilter, django_filters.ModelChoiceFilter)


def _text_pattern(field) -> str | None:
    """What the API takes as text, as a pattern: never a NUL character, and, where spaces at
    either end are cut before the length is checked, at least the minimum length once cut."""
    if type(field) not in TEXT_FIELDS:
        return None
    if not field.trim_whitespace or (field.allow_blank and not field.min_length):
        return r"^[^\x00]*$"
    between = (field.min_length or 1) - 2
    if between < 0:
        return r"^[^\x00]*[^\s\x00][^\x00]*$"
    return rf"^[^\x00]*[^\s\x00][^\x00]{{{between},}}[^\s\x00][^\x00]*$"


class ImpactAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.PrimaryKeyRelatedField):
            schema = dict(ID_SCHEMA)
            if field.read_only:
                schema["readOnly"] = True
            if field.allow_null:
                schema["nullable"] = True
            return schema
        if isinstance(field, serializers.TimeField):
            schema = dict(LOCAL_TIME_SCHEMA)
            if field.read_only:
                schema["readOnly"] = True
            if field.allow_null:
                schema["nullable"] = True
            return schema
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if field.field_name == "id" and schema.get("type") == "integer":
            schema.update(minimum=1, maximum=MAX_ID)
        if isinstance(field, StrictDecimalField):
            schema["pattern"] = field.pattern
        pattern = _text_pattern(field) if direction == "request" else None
        if pattern and "pattern" not in schema:
            schema["pattern"] = pattern
        return schema

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        filterset = self._filterset_class()
        if filterset is None:
            return parameters
        for parameter in parameters:
            if isinstance(filterset.base_filters.get(parameter["name"]), ID_FILTERS):
                parameter["schema"] = dict(ID_SCHEMA)
        return parameters

    def _filterset_class(self):
        if not (
            getattr(self.view, "filterset_class", None)
            or getattr(self.view, "filterset_fields", None)
        ):
            return None
        model = get_view_model(self.view)
        for backend in self.get_filter_backends():
            if model is not None and hasattr(backend, "get_filterset_class"):
                return backend().get_filterset_class(self.view, get_manager(model).none())
        return None

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        error = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(error)
        for code in self._error_codes():
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": error.ref}},
                    "description": ERROR_DESCRIPTIONS[code],
                },
            )
        return responses

    def _error_codes(self) -> list[str]:
        declared = getattr(self.view, "error_codes", None)
        if declared is not None:
            return declared
        # A read with no query parameters has nothing a caller could get wrong: no 400.
        lists = self.method == "GET" and self._is_list_view()
        lists = lists and bool(self._get_filter_parameters() or self._get_pagination_parameters())
        codes = ["400"] if self.method in WRITE_METHODS or lists else []
        codes += ["401", "403"]
        # An id in the path or the body that names nothing visible, or a page past the end.
        if "{" in self.path or lists or self._body_names_objects():
            codes.append("404")
        if self.method in WRITE_METHODS:
            codes += ["409", "429"]
        return codes

    def _body_names_objects(self) -> bool:
        if self.method not in WRITE_METHODS:
            return False
        serializer = force_instance(self.get_request_serializer())
        fields = getattr(serializer, "fields", {}).values()
        return any(isinstance(field, RELATED_FIELDS) and not field.read_only for field in fields)
