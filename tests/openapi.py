"""Checking JSON against Axle's OpenAPI document, for the subset of JSON Schema it uses.

The document is a reference kept outside the repository (``../shared/reference`` from its root,
in CI too; ``AXLE_REFERENCE_DIR`` names another place, as inside the test-latest root). A test
that needs it skips when it is absent on a developer's machine, but fails in CI (``CI=true``).
"""

from __future__ import annotations

from datetime import date, datetime, time
import json
import os
from pathlib import Path
import re
from typing import Any
import uuid

import pytest

SPEC_NAME = "axle-openapi-1.4.6.json"
REPO_ROOT = Path(__file__).resolve().parent.parent
# Keywords that only describe: they never make a value invalid.
_DESCRIPTIVE = frozenset({"title", "description", "examples", "default", "deprecated"})
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def reference_dir() -> Path:
    """Where the reference documents are."""
    if configured := os.environ.get("AXLE_REFERENCE_DIR"):
        return Path(configured)
    return REPO_ROOT.parent / "shared" / "reference"


def load_spec() -> dict[str, Any]:
    """Read the OpenAPI document; skip the test without it, except in CI."""
    path = reference_dir() / SPEC_NAME
    if not path.is_file():
        message = f"{SPEC_NAME} not found in {reference_dir()}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    spec: dict[str, Any] = json.loads(path.read_text())
    return spec


def _format_ok(kind: str, value: str) -> bool:
    parsers = {
        "date": date.fromisoformat,
        "date-time": datetime.fromisoformat,
        "time": time.fromisoformat,
        "uuid": uuid.UUID,
    }
    if kind == "date-time" and not re.fullmatch(r"\d{4}-\d\d-\d\dT.+", value):
        return False
    if kind == "uri":
        return re.match(r"[a-z][a-z0-9+.-]*:", value) is not None
    try:
        parsers[kind](value)  # type: ignore[operator]
    except (KeyError, ValueError):
        return kind not in parsers
    return True


class SchemaChecker:
    """Validate values against the document's schemas; errors name the JSON path."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node  # type: ignore[no-any-return]

    def errors(self, value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
        """Every way ``value`` breaks ``schema`` (an empty list: it is valid)."""
        found: list[str] = []
        unknown = set(schema) - _DESCRIPTIVE - {
            "$ref", "allOf", "anyOf", "type", "enum", "required", "properties", "items",
            "minLength", "maxLength", "minimum", "pattern", "uniqueItems", "format",
        }  # fmt: skip
        assert not unknown, f"the checker does not know {sorted(unknown)} (at {where})"
        if "$ref" in schema:
            found += self.errors(value, self.resolve(schema["$ref"]), where)
        for part in schema.get("allOf", []):
            found += self.errors(value, part, where)
        if "anyOf" in schema and all(self.errors(value, part, where) for part in schema["anyOf"]):
            found.append(f"{where}: matches none of anyOf")
        if "type" in schema and not self._type_ok(value, schema["type"]):
            return [*found, f"{where}: {value!r} is not of type {schema['type']}"]
        if "enum" in schema and value not in schema["enum"]:
            found.append(f"{where}: {value!r} is not one of {schema['enum']}")
        if isinstance(value, dict):
            found += [f"{where}: {key} is required" for key in schema.get("required", [])
                      if key not in value]  # fmt: skip
            for key, sub in schema.get("properties", {}).items():
                if key in value:
                    found += self.errors(value[key], sub, f"{where}.{key}")
        if isinstance(value, list):
            for index, item in enumerate(value):
                found += self.errors(item, schema.get("items", {}), f"{where}[{index}]")
            if schema.get("uniqueItems") and len({json.dumps(i) for i in value}) < len(value):
                found.append(f"{where}: items are not unique")
        if isinstance(value, str):
            found += self._string_errors(value, schema, where)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and "minimum" in schema and value < schema["minimum"]:
            found.append(f"{where}: {value} is below {schema['minimum']}")
        return found

    @staticmethod
    def _type_ok(value: Any, kind: str) -> bool:
        if kind == "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        if kind == "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        return isinstance(value, _TYPES[kind])

    @staticmethod
    def _string_errors(value: str, schema: dict[str, Any], where: str) -> list[str]:
        found = []
        if len(value) < schema.get("minLength", 0):
            found.append(f"{where}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            found.append(f"{where}: longer than {schema['maxLength']}")
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            found.append(f"{where}: does not match {schema['pattern']}")
        if "format" in schema and not _format_ok(schema["format"], value):
            found.append(f"{where}: {value!r} is not a {schema['format']}")
        return found

    def response_schema(self, method: str, template: str, status: int) -> dict[str, Any] | None:
        """The declared JSON schema of an answer; ``None`` when the status has no body schema."""
        responses = self.spec["paths"][template][method.lower()]["responses"]
        assert str(status) in responses, f"{method} {template} does not declare {status}"
        content = responses[str(status)].get("content", {}).get("application/json")
        return None if content is None else content["schema"]

    def request_schema(self, method: str, template: str) -> dict[str, Any]:
        """The declared JSON schema of a request body."""
        body = self.spec["paths"][template][method.lower()]["requestBody"]
        return body["content"]["application/json"]["schema"]  # type: ignore[no-any-return]

    def check_response(self, method: str, template: str, status: int, body: Any) -> None:
        """Fail unless ``body`` is what the document declares for this status."""
        schema = self.response_schema(method, template, status)
        if schema is not None:
            problems = self.errors(body, schema)
            assert not problems, f"{method} {template} -> {status}: {problems}"

    def check_request(self, method: str, template: str, body: Any) -> None:
        """Fail unless ``body`` is a valid request body for the operation."""
        problems = self.errors(body, self.request_schema(method, template))
        assert not problems, f"{method} {template} request: {problems}"
