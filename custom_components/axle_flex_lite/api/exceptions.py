"""Errors raised by the Axle client: one tree under ``AxleError``.

Messages name the HTTP method, the path template and the status only. Axle's ``detail`` is kept on
the exception for callers to inspect, but never put in the message: it may echo personal data back.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = [
    "AxleAuthenticationError",
    "AxleBadRequestError",
    "AxleConfigurationError",
    "AxleConflictError",
    "AxleConnectionError",
    "AxleError",
    "AxleForbiddenError",
    "AxleInvalidResponseError",
    "AxleNotEligibleError",
    "AxleNotFoundError",
    "AxleRateLimitedError",
    "AxleResponseError",
    "AxleServerError",
    "AxleSiteMismatchError",
    "AxleTemporaryError",
    "AxleTimeoutError",
    "AxleValidationError",
    "error_for_status",
]


class AxleError(Exception):
    """Base class of every error the Axle client raises."""


class AxleConfigurationError(AxleError):
    """The client cannot be built as asked (bad base URL or unknown environment)."""


class AxleTemporaryError(AxleError):
    """A failure that may go away by itself: trying again later can succeed.

    Unreachable, timed out, failing on Axle's side (5xx) or asking us to slow down (429).
    """


class AxleConnectionError(AxleTemporaryError):
    """Axle could not be reached: connection refused or reset, DNS failure."""


class AxleTimeoutError(AxleConnectionError):
    """Axle did not answer within the request timeout."""


class AxleResponseError(AxleError):
    """Axle answered with a status outside 2xx.

    ``status`` is the HTTP status; ``detail`` is the ``detail`` member of Axle's error body when
    it is a string, a list (FastAPI style) or an object, else ``None``.
    """

    def __init__(
        self, message: str, *, status: int, detail: str | list[Any] | dict[str, Any] | None = None
    ) -> None:
        """Keep the status and Axle's detail beside a message that is safe to log."""
        super().__init__(message)
        self.status = status
        self.detail = detail


class AxleAuthenticationError(AxleResponseError):
    """Axle refused the credentials or the token (401)."""


class AxleForbiddenError(AxleResponseError):
    """Axle refused the call for this organisation (403); for plug-in schedules: not enrolled."""


class AxleNotFoundError(AxleResponseError):
    """The site or asset does not exist or belongs to another organisation (404)."""


class AxleConflictError(AxleResponseError):
    """The asset already exists with another type or on another site (409)."""


class AxleBadRequestError(AxleResponseError):
    """Axle rejected the input (400), for example missing meter consent."""


class AxleValidationError(AxleResponseError):
    """Axle rejected the input's shape (422 with FastAPI's list-form detail)."""


class AxleNotEligibleError(AxleValidationError):
    """Onboarding or enrolment refused for business reasons (a 422 whatever its detail's shape).

    ``previously_withdrew`` is true when Axle says the site opted out before; enrolling again then
    needs ``override_withdrawal``. ``issues`` holds the eligibility codes Axle named, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        detail: str | list[Any] | dict[str, Any] | None = None,
        previously_withdrew: bool = False,
        issues: tuple[str, ...] = (),
    ) -> None:
        """Remember whether the refusal is about an earlier withdrawal, and the codes named."""
        super().__init__(message, status=status, detail=detail)
        self.previously_withdrew = previously_withdrew
        self.issues = issues


class AxleServerError(AxleResponseError, AxleTemporaryError):
    """Axle failed on its side (5xx)."""


class AxleRateLimitedError(AxleResponseError, AxleTemporaryError):
    """Axle asked us to slow down (429)."""


class AxleInvalidResponseError(AxleError):
    """Axle answered 2xx with a body that is not the documented shape."""


class AxleSiteMismatchError(AxleError):
    """Chargers meant for one site were put on another (onboard finds the site by its MPAN).

    ``site_id`` is the site Axle answered with; the chargers are now there, so the caller may
    want to remove them again. Site ids are Axle's, not personal data.
    """

    def __init__(self, message: str, *, expected_site_id: str, site_id: str) -> None:
        """Keep both site ids beside the message."""
        super().__init__(message)
        self.expected_site_id = expected_site_id
        self.site_id = site_id


# The error for each status without a rule of its own (a 5xx is an ``AxleServerError``).
_STATUS_ERRORS: Final[dict[int, type[AxleResponseError]]] = {
    400: AxleBadRequestError,
    401: AxleAuthenticationError,
    403: AxleForbiddenError,
    404: AxleNotFoundError,
    409: AxleConflictError,
    422: AxleValidationError,
    429: AxleRateLimitedError,
}


def error_for_status(status: int) -> type[AxleResponseError]:
    """Return the error class for a non-2xx status (``AxleResponseError`` when none fits)."""
    return _STATUS_ERRORS.get(status, AxleResponseError)
