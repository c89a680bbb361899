"""The HTTP side of the Axle client: the token, timeouts, retries and Axle's answers as errors.

Each exchange is recorded (method, path template, status, duration) for the log and diagnostics.
``AxleClient`` (client.py) adds one method per Axle call on top of this.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import ipaddress
import json
import logging
import time
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

from .exceptions import (
    AxleConfigurationError,
    AxleConnectionError,
    AxleInvalidResponseError,
    AxleNotEligibleError,
    AxleServerError,
    AxleTimeoutError,
    error_for_status,
)
from .models import ApiExchange, Environment
from .refusals import read_refusal

__all__ = [
    "BASE_URLS",
    "normalise_base_url",
    "utc_now",
]

_LOGGER = logging.getLogger(__name__)

BASE_URLS: Final[Mapping[Environment, str]] = {
    Environment.PRODUCTION: "https://api.axle.energy",
    Environment.SANDBOX: "https://api-sandbox.axle.energy",
}
DEFAULT_REQUEST_TIMEOUT: Final = 15.0
DEFAULT_RETRY_DELAYS: Final[tuple[float, ...]] = (0.5, 1.0)
EXCHANGE_HISTORY: Final = 20

# Axle's tokens live one hour and carry no expiry: renew a little early rather than risk a 401.
TOKEN_LIFETIME: Final = timedelta(hours=1)
TOKEN_RENEW_MARGIN: Final = timedelta(minutes=5)

_PATH_LOGIN: Final = "/auth/token-form"


@dataclass(frozen=True, slots=True)
class Reply:
    """What one HTTP attempt brought back: the status and the body parsed as JSON if it was."""

    status: int
    body: Any
    is_json: bool


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime (the client's default clock)."""
    return datetime.now(UTC)


def normalise_base_url(url: str) -> str:
    """Check a base URL and drop its trailing slash.

    Only ``https://`` is accepted, except plain ``http://`` to a loopback host (a local simulator or
    proxy): credentials must never cross a network in clear text.
    """
    try:
        parsed = URL(url.strip())
        host = parsed.host
    except ValueError:
        raise AxleConfigurationError("the base URL is not a URL") from None
    if parsed.scheme not in ("http", "https") or not host:
        raise AxleConfigurationError("the base URL must start with https:// and name a host")
    if parsed.user is not None or parsed.password is not None:
        raise AxleConfigurationError("the base URL must not carry credentials")
    if parsed.query_string or parsed.fragment:
        raise AxleConfigurationError("the base URL must not have a query or a fragment")
    if parsed.scheme == "http" and not _is_loopback(host):
        raise AxleConfigurationError("plain http:// is only allowed to this machine")
    return str(parsed).rstrip("/")


def _is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: ``localhost``, 127.0.0.0/8 or ::1."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class AxleTransport:
    """Sends requests to Axle with one organisation's credentials and keeps its token.

    The ``aiohttp`` session is injected and never closed here. ``clock`` returns aware UTC times
    and decides when the token is renewed. ``retry_delays`` are the pauses before each retry; their
    count is the number of retries. Which calls are retried is said in ``AxleClient``'s docstring.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        username: str,
        password: str,
        *,
        base_url: str = BASE_URLS[Environment.PRODUCTION],
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        clock: Callable[[], datetime] = utc_now,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    ) -> None:
        """Set up the client; nothing is sent until the first call."""
        self._session = session
        self._username = username
        self._password = password
        self._base_url = normalise_base_url(base_url)
        self._request_timeout = request_timeout
        self._clock = clock
        self._retry_delays = tuple(retry_delays)
        self._token: str | None = None
        self._token_expires_at: datetime | None = None
        self._login_lock = asyncio.Lock()
        self._exchange_listeners: list[Callable[[ApiExchange], None]] = []
        self.exchanges: deque[ApiExchange] = deque(maxlen=EXCHANGE_HISTORY)

    @property
    def base_url(self) -> str:
        """The API root every path is appended to, without a trailing slash."""
        return self._base_url

    def add_exchange_listener(self, listener: Callable[[ApiExchange], None]) -> Callable[[], None]:
        """Call ``listener`` after each HTTP attempt; returns a function that stops the calls."""
        self._exchange_listeners.append(listener)

        def remove_listener() -> None:
            if listener in self._exchange_listeners:
                self._exchange_listeners.remove(listener)

        return remove_listener

    async def async_login(self) -> None:
        """Log in now, replacing any cached token (checks the credentials)."""
        async with self._login_lock:
            await self._async_fetch_token()

    def _fresh_token(self, rejected: str | None) -> str | None:
        """Return the cached token if it has enough life left and was not just refused."""
        if (
            self._token is None
            or self._token == rejected
            or self._token_expires_at is None
            or self._clock() >= self._token_expires_at - TOKEN_RENEW_MARGIN
        ):
            return None
        return self._token

    async def _async_token(self, rejected: str | None = None) -> str:
        """Return a token worth sending, logging in if needed.

        ``rejected`` is a token Axle just answered 401 to: it is replaced unless another caller has
        already done so. The lock makes concurrent callers share one login.
        """
        if (token := self._fresh_token(rejected)) is not None:
            return token
        async with self._login_lock:
            if (token := self._fresh_token(rejected)) is not None:
                return token
            return await self._async_fetch_token()

    async def _async_fetch_token(self) -> str:
        """Log in with the password grant and cache the token (the caller holds the lock)."""
        self._token = None
        requested_at = self._clock()
        reply = await self._async_send(
            "POST",
            _PATH_LOGIN,
            self._url(_PATH_LOGIN, None),
            retry=True,
            data={
                "grant_type": "password",
                "username": self._username,
                "password": self._password,
            },
        )
        raise_for_status(reply, "POST", _PATH_LOGIN, refusal_is_eligibility=False)
        body = answer_json(reply, "token")
        token = body.get("access_token") if isinstance(body, Mapping) else None
        if not isinstance(token, str) or not token:
            raise AxleInvalidResponseError("token response has no access_token")
        self._token = token
        self._token_expires_at = requested_at + TOKEN_LIFETIME
        return token

    async def _async_call(
        self,
        method: str,
        template: str,
        ids: Mapping[str, str] | None = None,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        retry: bool = True,
        refusal_is_eligibility: bool = False,
    ) -> Any:
        """Send an authenticated call and return its JSON body; log in again once on a 401."""
        reply = await self._async_authenticated(
            method, template, ids, json_body=json_body, params=params, retry=retry
        )
        raise_for_status(reply, method, template, refusal_is_eligibility=refusal_is_eligibility)
        return answer_json(reply, template)

    async def _async_authenticated(
        self,
        method: str,
        template: str,
        ids: Mapping[str, str] | None,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        retry: bool,
    ) -> Reply:
        """Send a call with a token (logging in only now, if needed); once more after a 401."""
        url = self._url(template, ids)
        token = await self._async_token()
        reply = await self._async_send(
            method, template, url, retry=retry, token=token, json_body=json_body, params=params
        )
        if reply.status == 401:
            token = await self._async_token(rejected=token)
            reply = await self._async_send(
                method, template, url, retry=retry, token=token, json_body=json_body, params=params
            )
        return reply

    def _url(self, template: str, ids: Mapping[str, str] | None) -> URL:
        """Build the URL of a path template with its ids filled in, each escaped as one segment."""
        values = {}
        for name, value in (ids or {}).items():
            if not value:
                raise ValueError(f"{name} must not be empty")
            values[name] = quote(value, safe="")
        return URL(self._base_url + template.format(**values), encoded=True)

    async def _async_send(
        self,
        method: str,
        template: str,
        url: URL,
        *,
        retry: bool,
        token: str | None = None,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send one request, retrying per the rules in the class docstring."""
        delays = iter(self._retry_delays if retry else ())
        while True:
            try:
                reply = await self._async_attempt(
                    method,
                    template,
                    url,
                    token=token,
                    json_body=json_body,
                    params=params,
                    data=data,
                )
            except AxleTimeoutError:
                if method != "GET" or (delay := next(delays, None)) is None:
                    raise
            except AxleConnectionError:
                if (delay := next(delays, None)) is None:
                    raise
            else:
                if reply.status < 500 or (delay := next(delays, None)) is None:
                    return reply
            _LOGGER.debug("Retrying %s %s in %.1f s", method, template, delay)
            await asyncio.sleep(delay)

    async def _async_attempt(
        self,
        method: str,
        template: str,
        url: URL,
        *,
        token: str | None,
        json_body: Any,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
    ) -> Reply:
        """One HTTP round trip within the timeout, recorded as an ``ApiExchange``."""
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        at = self._clock()
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(self._request_timeout):
                async with self._session.request(
                    method, url, headers=headers, json=json_body, params=params, data=data
                ) as response:
                    status = response.status
                    raw = await response.read()
                    try:
                        return Reply(status=status, body=json.loads(raw), is_json=True)
                    except ValueError:
                        return Reply(status=status, body=None, is_json=False)
        except TimeoutError as err:
            error = "timeout"
            raise AxleTimeoutError(
                f"Axle did not answer {method} {template} within {self._request_timeout:g} s"
            ) from err
        except aiohttp.ClientError as err:
            error = type(err).__name__
            raise AxleConnectionError(f"Could not reach Axle for {method} {template}") from err
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self._record(
                ApiExchange(
                    method=method,
                    path=template,
                    status=status,
                    elapsed_ms=round(elapsed_ms, 1),
                    at=at,
                    error=error,
                )
            )

    def _record(self, exchange: ApiExchange) -> None:
        """Log the attempt and keep it for diagnostics: method, template, status, duration."""
        self.exchanges.append(exchange)
        _LOGGER.debug(
            "%s %s -> %s in %.0f ms",
            exchange.method,
            exchange.path,
            exchange.status if exchange.error is None else exchange.error,
            exchange.elapsed_ms,
        )
        for listener in tuple(self._exchange_listeners):
            listener(exchange)


def answer_json(reply: Reply, what: str) -> Any:
    """Return the body of a successful answer, which must be JSON."""
    if not reply.is_json:
        raise AxleInvalidResponseError(f"Axle's answer to {what} is not JSON")
    return reply.body


def raise_for_status(
    reply: Reply, method: str, template: str, *, refusal_is_eligibility: bool
) -> None:
    """Turn a non-2xx answer into the matching ``AxleResponseError``.

    A 422 from onboard or enrol is Axle refusing the site, whatever the shape of its detail,
    unless the detail only lists malformed fields (see ``refusals.py``).
    """
    status = reply.status
    if 200 <= status < 300:
        return
    detail = reply.body.get("detail") if isinstance(reply.body, Mapping) else None
    if not isinstance(detail, str | list | dict):
        detail = None
    message = f"Axle answered {status} to {method} {template}"
    if status == 422 and refusal_is_eligibility:
        refusal = read_refusal(detail)
        if not refusal.malformed_input:
            raise AxleNotEligibleError(
                message,
                status=status,
                detail=detail,
                previously_withdrew=refusal.previously_withdrew,
                issues=refusal.issues,
            )
    if status >= 500:
        raise AxleServerError(message, status=status, detail=detail)
    raise error_for_status(status)(message, status=status, detail=detail)
