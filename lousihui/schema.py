"""The OpenAPI schema (drf-spectacular) says every answer an operation can give, errors included.

`ApiAutoSchema` is REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS. On top of drf-spectacular it:

- documents the error answers of each operation (400, 403, 404, 409, 429) with one `Error` component,
  from what the operation has: a body or query parameters can be refused (400); anyone may be refused
  (403: no or a wrong token, a permission); a path parameter or a page can miss (404); a write can
  meet a state that forbids it (409); a throttled operation can be told to wait (429);
- leaves out of `required` the response fields a serializer names in `schema_optional_fields`
  (contact details only their handlers read, parts a list leaves out);
- marks optional query parameters `allowEmptyValue` (an empty filter is no filter, an empty page the first);
- documents JSON bodies only, unless a view names its own parsers (uploads);
- lets an optional e-mail be empty (`""` is not `format: email`).

`tests/test_schemathesis.py` holds the API to this schema with generated requests.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

ERROR_SCHEMA: dict[str, Any] = {
    "description": (
        "Why the request was refused: `detail` (with a `code` and the `field` at fault for workflow errors), "
        "or each field at fault with its reasons."
    ),
    "oneOf": [
        {
            "type": "object",
            "properties": {
                "detail": {"type": "string"},
                "code": {"type": "string"},
                "field": {"type": "string"},
            },
            "additionalProperties": True,
        },
        {"type": "array", "items": {"type": "string"}},
    ],
}

# The schema's prose is English, like the rest of the API documentation; error bodies are in the request's language.
ERROR_DESCRIPTIONS = {
    "400": "The request is malformed or a value is refused; the body says which and why.",
    "403": "Not signed in, a wrong token, or not allowed to do this.",
    "404": "No such object, or not one you may see; also a page past the last.",
    "409": "The object's current state does not allow this (or it changed since you read it).",
    "429": "Too many requests from this client; try again later.",
}


class ApiAutoSchema(AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            # `?status=` is `status` left out: every optional filter and the page number read it so.
            # (A list, `?status=a&status=b`, is not: an empty item is a wrong item.)
            schema = parameter.get("schema", {})
            if parameter.get("in") == "query" and not parameter.get("required") and schema.get("type") != "array":
                parameter["allowEmptyValue"] = True
        responses = operation.setdefault("responses", {})
        for code in self._error_codes(operation):
            responses.setdefault(code, {}).setdefault("description", ERROR_DESCRIPTIONS[code])
        for code, answer in responses.items():
            if code.startswith("4"):  # a view's own error answers (a description alone) get the body too
                answer.setdefault("content", {"application/json": {"schema": self._error_ref()}})
        return operation

    def map_parsers(self) -> list[Any]:
        # The API speaks JSON. The project-wide form parsers stay (nothing that posts a form breaks), but a
        # form has no types ("0" is a boolean there), so only a view that names its parsers (an upload)
        # documents forms.
        own = [c for c in type(self.view).__mro__ if not c.__module__.startswith("rest_framework")]
        if not any("parser_classes" in vars(c) for c in own):
            return ["application/json"]
        return super().map_parsers()

    def _error_ref(self) -> dict[str, Any]:
        component = ResolvedComponent(name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA)
        self.registry.register_on_missing(component)
        return component.ref

    def _error_codes(self, operation: dict[str, Any]) -> list[str]:
        parameters = operation.get("parameters", [])
        in_query = any(p.get("in") == "query" for p in parameters)
        in_path = any(p.get("in") == "path" for p in parameters)
        writes = self.method in WRITE_METHODS
        codes = []
        if writes or in_query or "requestBody" in operation:
            codes.append("400")
        open_to_all = not getattr(self.view, "authentication_classes", None) and all(
            isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()
        )
        if not open_to_all:
            codes.append("403")
        if in_path or in_query or writes:  # a write names other objects (a building, a demand) that may miss
            codes.append("404")
        if writes:
            codes.append("409")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        for name, field in serializer.fields.items():
            # An e-mail left out is stored and sent as "": in answers always possible, in requests where allowed.
            prop = schema.get("properties", {}).get(name)
            is_email = isinstance(field, serializers.EmailField) and prop and prop.get("format") == "email"
            if is_email and (direction == "response" or field.allow_blank):
                del prop["format"]
                prop["anyOf"] = [{"format": "email"}, {"maxLength": 0}]
        optional = set(getattr(serializer, "schema_optional_fields", ()))
        if direction == "response" and optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema
