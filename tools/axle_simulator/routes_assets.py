"""One asset by Axle's id (look-up and deletion); the admin call that sets a charger's pauses.

``app.py`` registers them: the two Axle calls behind its token check, the admin call beside its
other ``/_sim/`` calls.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from .bodies import SIMULATOR_KEY, json_body
from .errors import ApiError
from .records import PAUSE_MODES
from .validation import RequestErrors


def _asset_id(request: web.Request) -> str:
    errors = RequestErrors()
    asset_id = errors.path_uuid(request.match_info["asset_id"], "asset_id")
    errors.raise_if_any()
    return asset_id


async def get_asset(request: web.Request, username: str) -> web.StreamResponse:
    """``GET /entities/asset/{asset_id}``: Axle's ``AssetResponse``."""
    asset_id = _asset_id(request)
    return web.json_response(request.app[SIMULATOR_KEY].asset_by_id(username, asset_id))


async def delete_asset(request: web.Request, username: str) -> web.StreamResponse:
    """``DELETE /entities/asset/{asset_id}``: 204 without a body, as Axle declares."""
    request.app[SIMULATOR_KEY].delete_asset(username, _asset_id(request))
    return web.Response(status=204)


def _seconds(body: dict[str, Any], key: str) -> timedelta | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError(400, f"{key} is seconds")
    return timedelta(seconds=value)


async def admin_asset_pause(request: web.Request) -> web.StreamResponse:
    """Pause one charger its own way: ``{"external_id", "mode", "soon_offset", "soon_length"}``."""
    body = await json_body(request) if await request.read() else {}
    if not isinstance(body, dict) or not isinstance(body.get("external_id"), str):
        raise ApiError(400, "external_id is required")
    if (mode := body.get("mode")) not in PAUSE_MODES:
        raise ApiError(400, f"mode must be one of {', '.join(PAUSE_MODES)}")
    setting = request.app[SIMULATOR_KEY].set_asset_pause(
        body["external_id"],
        mode,
        soon_offset=_seconds(body, "soon_offset"),
        soon_length=_seconds(body, "soon_length"),
    )
    return web.json_response({"external_id": body["external_id"], **setting.to_json()})
