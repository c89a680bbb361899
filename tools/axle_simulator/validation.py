"""Request shape checks that answer like FastAPI: 422 with a list of ``loc``/``msg``/``type``."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
import uuid

from .errors import ApiError

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

type Loc = tuple[str | int, ...]

_ABSENT: Any = object()
_TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "off"})
# The message and type of the error for a value of the wrong JSON type.
_NOT_AN_OBJECT = (
    "Input should be a valid dictionary or object to extract fields from",
    "model_attributes_type",
)
_NOT_A_LIST = ("Input should be a valid list", "list_type")
_NOT_A_STRING = ("Input should be a valid string", "string_type")
_NOT_A_BOOLEAN = ("Input should be a valid boolean", "bool_type")


class RequestErrors:
    """Collects validation errors for one request and raises them together."""

    def __init__(self) -> None:
        """Start with no errors."""
        self.items: list[dict[str, Any]] = []

    def add(self, loc: Loc, msg: str, error_type: str) -> None:
        """Record one error."""
        self.items.append({"loc": list(loc), "msg": msg, "type": error_type})

    def raise_if_any(self) -> None:
        """Raise a 422 with every error collected so far."""
        if self.items:
            raise ApiError(422, self.items)

    def _value(self, parent: Mapping[str, Any], key: str, loc: Loc, required: bool) -> Any:
        """Return the raw value, or ``_ABSENT`` (recording "missing" when it is required)."""
        value = parent.get(key, _ABSENT)
        if value is _ABSENT or (value is None and not required):
            if required:
                self.add((*loc, key), "Field required", "missing")
            return _ABSENT
        return value

    def _typed(
        self,
        parent: Mapping[str, Any],
        key: str,
        loc: Loc,
        required: bool,
        kind: tuple[type, tuple[str, str]],
    ) -> Any:
        """Return the value if it is of the type ``kind`` names, else ``_ABSENT``.

        ``kind``: the type and the error (message, type) recorded for a value of another type.
        """
        value = self._value(parent, key, loc, required)
        expected, error = kind
        if value is not _ABSENT and not isinstance(value, expected):
            self.add((*loc, key), *error)
            return _ABSENT
        return value

    def mapping(
        self, parent: Mapping[str, Any], key: str, loc: Loc, *, required: bool = True
    ) -> Mapping[str, Any] | None:
        """Return a nested JSON object."""
        value = self._typed(parent, key, loc, required, (dict, _NOT_AN_OBJECT))
        return None if value is _ABSENT else value

    def item(self, value: Any, loc: Loc) -> Mapping[str, Any] | None:
        """Return one array item that must be a JSON object."""
        if not isinstance(value, dict):
            self.add(loc, *_NOT_AN_OBJECT)
            return None
        return value

    def array(
        self, parent: Mapping[str, Any], key: str, loc: Loc, *, min_length: int = 0
    ) -> list[Any] | None:
        """Return a required JSON array."""
        value = self._typed(parent, key, loc, True, (list, _NOT_A_LIST))
        if value is _ABSENT:
            return None
        if len(value) < min_length:
            self.add(
                (*loc, key),
                f"List should have at least {min_length} item after validation, not {len(value)}",
                "too_short",
            )
            return None
        return value

    def string(
        self, parent: Mapping[str, Any], key: str, loc: Loc, *, required: bool = False
    ) -> str | None:
        """Return a string field."""
        value = self._typed(parent, key, loc, required, (str, _NOT_A_STRING))
        return None if value is _ABSENT else value

    def choice(
        self, parent: Mapping[str, Any], key: str, loc: Loc, choices: Collection[str]
    ) -> str | None:
        """Return a required string that must be one of ``choices``."""
        value = self._value(parent, key, loc, True)
        if value is _ABSENT:
            return None
        if value not in choices:
            listed = " or ".join(f"'{choice}'" for choice in choices)
            self.add((*loc, key), f"Input should be {listed}", "enum")
            return None
        return str(value)

    def boolean(self, parent: Mapping[str, Any], key: str, loc: Loc) -> bool:
        """Return an optional boolean (False when absent)."""
        value = self._typed(parent, key, loc, False, (bool, _NOT_A_BOOLEAN))
        return False if value is _ABSENT else value

    def number(
        self, parent: Mapping[str, Any], key: str, loc: Loc, *, minimum: float
    ) -> float | None:
        """Return an optional number that must be at least ``minimum``."""
        value = self._value(parent, key, loc, False)
        if value is _ABSENT:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add((*loc, key), "Input should be a valid number", "float_type")
            return None
        if value < minimum:
            self.add(
                (*loc, key),
                f"Input should be greater than or equal to {minimum}",
                "greater_than_equal",
            )
            return None
        return float(value)

    def timestamp(
        self, parent: Mapping[str, Any], key: str, loc: Loc, *, required: bool = False
    ) -> datetime | None:
        """Return an aware datetime from an ISO 8601 string (``Z`` or any offset)."""
        value = self.string(parent, key, loc, required=required)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.add((*loc, key), "Input should be a valid datetime", "datetime_parsing")
            return None
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.add((*loc, key), "Input should have timezone info", "timezone_aware")
            return None
        return parsed

    def calendar_date(self, parent: Mapping[str, Any], key: str, loc: Loc) -> str | None:
        """Return an optional ``YYYY-MM-DD`` date, kept as text."""
        value = self._value(parent, key, loc, False)
        if value is _ABSENT:
            return None
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            self.add((*loc, key), "Input should be a valid date", "date_parsing")
            return None
        return str(value)

    def path_uuid(self, value: str, name: str) -> str:
        """Check a path parameter that Axle types as a UUID."""
        try:
            uuid.UUID(value)
        except ValueError:
            self.add(("path", name), "Input should be a valid UUID", "uuid_parsing")
        return value

    def query_flag(self, query: Mapping[str, str], name: str) -> bool | None:
        """Return an optional boolean query parameter."""
        value = query.get(name)
        if value is None:
            return None
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word not in _FALSE_WORDS:
            self.add(
                ("query", name),
                "Input should be a valid boolean, unable to interpret input",
                "bool_parsing",
            )
        return False
