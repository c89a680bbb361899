"""Reading Axle's 422 refusals of onboarding and enrolment, whatever the shape of ``detail``.

Axle declares these 422s without a schema ("eligibility prerequisites not met or previously
withdrew consent"). Its ``detail`` may be a sentence, FastAPI's list of ``loc``/``msg``/``type``
items, or an object with codes. The refusal is read by structure first (eligibility codes, keys and
codes about a withdrawal), then by wording; ``loc`` paths are never read as words, so a bad
``override_withdrawal`` field is not mistaken for an opt-out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
import re
from typing import Any, Final

from .eligibility import KNOWN_ELIGIBILITY_CODES

_WITHDRAWAL: Final = re.compile(r"withdr|opt(?:ed)?[\s_-]?out|deconsent|revoked", re.IGNORECASE)
_LOCATIONS: Final = frozenset({"body", "query", "path", "header", "cookie"})
# FastAPI / pydantic error types that mean "this field is malformed", not "Axle says no".
_FIELD_ERROR: Final = re.compile(
    r"missing|extra_forbidden|enum|literal_error|json_invalid|value_error|too_(?:short|long)"
    r"|string_pattern_mismatch|(?:greater|less)_than(?:_equal)?|.*_type|.*_parsing|timezone_.*"
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """What a 422 detail says: an opt-out, eligibility codes, or only malformed fields."""

    previously_withdrew: bool
    issues: tuple[str, ...]
    malformed_input: bool


def read_refusal(detail: object) -> Refusal:
    """Classify a 422 ``detail`` from onboard or enrol."""
    words: list[str] = []
    flagged = False
    for key, value in _walk(detail):
        if key is not None and _WITHDRAWAL.search(key) and value is True:
            flagged = True
        if isinstance(value, str):
            words.append(value)
    issues = tuple(dict.fromkeys(code for code in words if code in KNOWN_ELIGIBILITY_CODES))
    # Codes may also sit inside sentences ("... : asset_model_not_set").
    if not issues:
        issues = tuple(
            dict.fromkeys(
                code
                for text in words
                for code in re.findall(r"[a-z0-9_]+", text)
                if code in KNOWN_ELIGIBILITY_CODES
            )
        )
    withdrew = flagged or any(_WITHDRAWAL.search(text) for text in words)
    malformed = not withdrew and not issues and _only_field_errors(detail)
    return Refusal(previously_withdrew=withdrew, issues=issues, malformed_input=malformed)


def _walk(value: object, key: str | None = None) -> Iterator[tuple[str | None, object]]:
    """Yield (key, value) for every value in the detail, skipping ``loc`` paths."""
    yield key, value
    if isinstance(value, Mapping):
        for child_key, child in value.items():
            if child_key != "loc":
                yield from _walk(child, str(child_key))
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child, key)


def _only_field_errors(detail: object) -> bool:
    """Whether ``detail`` is FastAPI's list of errors, each about one named input field."""
    if not isinstance(detail, list) or not detail:
        return False
    return all(_is_field_error(item) for item in detail)


def _is_field_error(item: Any) -> bool:
    if not isinstance(item, Mapping):
        return False
    loc, kind = item.get("loc"), item.get("type")
    return (
        isinstance(loc, list)
        and len(loc) >= 2
        and loc[0] in _LOCATIONS
        and isinstance(kind, str)
        and _FIELD_ERROR.fullmatch(kind) is not None
    )
