"""Reading requests the way FastAPI does, the application key of the simulator, site routes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError
from .state import AxleSimulator
from .validation import RequestErrors

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

SIMULATOR_KEY = web.AppKey("axle_simulator", AxleSimulator)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


async def json_body(request: web.Request) -> Any:
    """Parse a JSON body: 415 when it is sent as something else, 422 when missing or invalid."""
    raw = await request.read()
    if not raw:
        raise ApiError(422, [{"loc": ["body"], "msg": "Field required", "type": "missing"}])
    if not _is_json(request.content_type):
        raise ApiError(415, f"Unsupported media type {request.content_type!r}: send JSON")
    try:
        return json.loads(raw)
    except ValueError as err:
        raise ApiError(
            422,
            [
                {
                    "loc": ["body", getattr(err, "pos", 0)],
                    "msg": "JSON decode error",
                    "type": "json_invalid",
                }
            ],
        ) from None


async def json_object(request: web.Request, errors: RequestErrors) -> dict[str, Any]:
    """Return the body as an object, recording an error (and returning {}) otherwise."""
    body = await json_body(request)
    if isinstance(body, dict):
        return body
    errors.add(
        ("body",),
        "Input should be a valid dictionary or object to extract fields from",
        "model_attributes_type",
    )
    return {}


def site_route(
    call: Callable[[AxleSimulator, str, str], Any],
) -> Callable[[web.Request, str], Awaitable[web.StreamResponse]]:
    """Handle a call on one site: the site id from the path, the simulator's answer as JSON.

    ``call(simulator, owner, site_id)`` is the simulator's method, e.g. ``AxleSimulator.offboard``.
    """

    async def handle(request: web.Request, username: str) -> web.StreamResponse:
        errors = RequestErrors()
        site_id = errors.path_uuid(request.match_info["site_id"], "site_id")
        errors.raise_if_any()
        return web.json_response(call(request.app[SIMULATOR_KEY], username, site_id))

    return handle
