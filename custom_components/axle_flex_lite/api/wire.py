"""Reading Axle's JSON: checked members, times, and response models read by their fields' types.

Every reader raises ``AxleInvalidResponseError`` (never ``KeyError`` or ``TypeError``) for a shape
it does not expect. ``what`` names the object in the message; messages never hold a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, Field, fields
from datetime import UTC, datetime, timedelta
import math
from typing import Any, ClassVar, Self, get_args, get_origin, get_type_hints

from .exceptions import AxleInvalidResponseError


def json_object(value: object, what: str) -> Mapping[str, Any]:
    """Return the value as a JSON object, or raise an invalid-response error naming ``what``."""
    if not isinstance(value, Mapping):
        raise AxleInvalidResponseError(f"{what} is not a JSON object")
    return value


def required_member(data: Mapping[str, Any], key: str, what: str) -> object:
    """Return the member ``key`` of ``data``; missing or null is an invalid response."""
    value = data.get(key)
    if value is None:
        raise AxleInvalidResponseError(f"{what}.{key} is missing")
    return value


def read_str(data: Mapping[str, Any], key: str, what: str) -> str:
    """Read a required, non-empty string member."""
    value = required_member(data, key, what)
    if not isinstance(value, str) or not value:
        raise AxleInvalidResponseError(f"{what}.{key} is not a non-empty string")
    return value


def read_bool(data: Mapping[str, Any], key: str, what: str) -> bool:
    """Read a required boolean member."""
    value = required_member(data, key, what)
    if not isinstance(value, bool):
        raise AxleInvalidResponseError(f"{what}.{key} is not a boolean")
    return value


def read_int(data: Mapping[str, Any], key: str, what: str) -> int:
    """Read a required integer member; a float with no fractional part is accepted."""
    value = required_member(data, key, what)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AxleInvalidResponseError(f"{what}.{key} is not an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise AxleInvalidResponseError(f"{what}.{key} is not an integer")
        return int(value)
    return value


def read_optional_float(data: Mapping[str, Any], key: str, what: str) -> float | None:
    """Read an optional finite number member."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AxleInvalidResponseError(f"{what}.{key} is not a number")
    return float(value)


def read_list(data: Mapping[str, Any], key: str, what: str, *, required: bool = True) -> list[Any]:
    """Read a list member; an optional one that is missing or null gives an empty list."""
    value = data.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise AxleInvalidResponseError(f"{what}.{key} is not a list")
    return value


def read_strings(
    data: Mapping[str, Any], key: str, what: str, *, required: bool
) -> tuple[str, ...]:
    """Read a list of strings as a tuple."""
    values = read_list(data, key, what, required=required)
    if not all(isinstance(value, str) for value in values):
        raise AxleInvalidResponseError(f"{what}.{key} holds something other than strings")
    return tuple(values)


def parse_timestamp(value: object, what: str) -> datetime:
    """Parse an ISO 8601 time from Axle as an aware UTC datetime.

    ``Z`` and any offset are accepted; a time without offset is taken as UTC.
    """
    if not isinstance(value, str):
        raise AxleInvalidResponseError(f"{what} is not a string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise AxleInvalidResponseError(f"{what} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_timestamp(value: datetime, *, round_up: bool = False) -> str:
    """Axle's wire form of an aware time: UTC ISO 8601 in whole seconds, ``+00:00`` offset.

    Axle's examples carry whole seconds; the fraction is dropped, or with ``round_up`` the time
    goes to the next whole second (so a block's end never moves before its start).
    """
    if value.tzinfo is None:
        raise ValueError("times sent to Axle must be timezone-aware")
    utc = value.astimezone(UTC)
    if utc.microsecond:
        utc = utc.replace(microsecond=0)
        if round_up:
            utc += timedelta(seconds=1)
    return utc.isoformat()


class JsonModel:
    """A response model read from a JSON object by its fields' types.

    A subclass (a frozen dataclass) names its object: ``class X(JsonModel, json_name="x")``. Each
    field is read by its type: ``str`` (non-empty), ``bool``, ``int``, ``tuple[str, ...]`` or a
    tuple of another ``JsonModel``; a tuple with a default may be missing. Models with members
    that need more than that write their own ``from_json``.
    """

    __slots__ = ()
    _json_name: ClassVar[str]

    def __init_subclass__(cls, *, json_name: str | None = None, **kwargs: Any) -> None:
        """Keep the name the object has in error messages (a subclass may keep its parent's)."""
        super().__init_subclass__(**kwargs)
        if json_name is not None:
            cls._json_name = json_name

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Read every field from the JSON object ``data``."""
        body = json_object(data, cls._json_name)
        hints = get_type_hints(cls)
        values = {
            item.name: _read_field(body, item, hints[item.name], cls._json_name)
            for item in fields(cls)  # type: ignore[arg-type]
        }
        return cls(**values)


def _read_field(body: Mapping[str, Any], item: Field[Any], hint: Any, what: str) -> Any:
    """Read one member as its field's type says."""
    key = item.name
    if hint is str:
        return read_str(body, key, what)
    if hint is bool:
        return read_bool(body, key, what)
    if hint is int:
        return read_int(body, key, what)
    if get_origin(hint) is tuple:
        required = item.default is MISSING and item.default_factory is MISSING
        element = get_args(hint)[0]
        if element is str:
            return read_strings(body, key, what, required=required)
        if isinstance(element, type) and issubclass(element, JsonModel):
            return tuple(
                element.from_json(raw) for raw in read_list(body, key, what, required=required)
            )
    raise TypeError(f"{key}: no JSON reader for {hint!r}")
