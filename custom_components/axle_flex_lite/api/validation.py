"""Normalise and check what the household types in: MPAN core, UK postcode, email.

Pure functions with no I/O. Error messages never repeat the input: it is personal data.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "InvalidMpanError",
    "InvalidPostcodeError",
    "is_valid_email",
    "mpan_check_digit",
    "normalise_mpan",
    "normalise_postcode",
]

# Weights of the MPAN core check digit (digits 1 to 12), from the UK industry rules.
_MPAN_WEIGHTS: Final = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
_MPAN_CORE_LENGTH: Final = 13
_MPAN_FULL_LENGTH: Final = 21
_MPAN_SEPARATORS: Final = re.compile(r"[\s\-]+")
_DIGITS: Final = re.compile(r"[0-9]+")

_POSTCODE: Final = re.compile(
    r"GIR 0AA"
    r"|(?:[A-PR-UWYZ][0-9]{1,2}"
    r"|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" [0-9][ABD-HJLNP-UW-Z]{2}"
)
_INWARD_LENGTH: Final = 3


class InvalidMpanError(ValueError):
    """The text is not a valid MPAN core (wrong length, not digits, or a bad check digit)."""


class InvalidPostcodeError(ValueError):
    """The text is not a UK postcode in any spacing or case."""


def mpan_check_digit(first12: str) -> int:
    """Compute the check digit of an MPAN core from its first 12 digits."""
    if len(first12) != len(_MPAN_WEIGHTS) or not _DIGITS.fullmatch(first12):
        raise InvalidMpanError("an MPAN check digit needs exactly 12 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first12, _MPAN_WEIGHTS, strict=True))
    return total % 11 % 10


def normalise_mpan(raw: str, *, check_digit: bool = True) -> str:
    """Return the 13-digit MPAN core from what the household typed.

    Spaces and dashes are ignored. A full 21-digit MPAN keeps its last 13 digits (the core). With
    ``check_digit`` false (Axle's sandbox uses made-up numbers) the check digit is not verified.
    """
    digits = _MPAN_SEPARATORS.sub("", raw)
    if not _DIGITS.fullmatch(digits):
        raise InvalidMpanError("an MPAN holds digits only")
    if len(digits) == _MPAN_FULL_LENGTH:
        digits = digits[-_MPAN_CORE_LENGTH:]
    if len(digits) != _MPAN_CORE_LENGTH:
        raise InvalidMpanError("an MPAN core has 13 digits")
    if check_digit and mpan_check_digit(digits[:-1]) != int(digits[-1]):
        raise InvalidMpanError("the MPAN check digit does not match")
    return digits


def normalise_postcode(raw: str) -> str:
    """Return the UK postcode in upper case with one space before the inward code (``SW1A 1AA``)."""
    compact = "".join(raw.split()).upper()
    candidate = f"{compact[:-_INWARD_LENGTH]} {compact[-_INWARD_LENGTH:]}"
    if not _POSTCODE.fullmatch(candidate):
        raise InvalidPostcodeError("not a UK postcode")
    return candidate


def is_valid_email(raw: str) -> bool:
    """Tell whether the text looks like an email address.

    Pragmatic, not RFC 5322: one ``@``, something before it, a dotted domain after, no whitespace.
    """
    if not raw or any(char.isspace() for char in raw) or raw.count("@") != 1:
        return False
    local, domain = raw.split("@")
    labels = domain.split(".")
    return bool(local) and len(labels) > 1 and all(labels)
