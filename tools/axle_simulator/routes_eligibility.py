"""Eligibility and meter search endpoints; admin calls that shape the simulator's answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .bodies import SIMULATOR_KEY, json_body, json_object, site_route
from .errors import ApiError
from .records import REFUSAL_SHAPES, TIME_STYLES
from .state import AxleSimulator
from .validation import RequestErrors

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    type AuthenticatedHandler = Callable[[web.Request, str], Awaitable[web.StreamResponse]]
    type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_eligibility_routes(
    app: web.Application,
    authenticated: Callable[[AuthenticatedHandler], Handler],
    admin_prefix: str,
) -> None:
    """Register the endpoints of this module on ``app``."""
    app.router.add_post("/entities/site/check-eligibility", authenticated(_check_eligibility))
    app.router.add_get(
        "/entities/site/{site_id}/eligibility",
        authenticated(site_route(AxleSimulator.site_eligibility)),
    )
    app.router.add_get("/meter/search", authenticated(_meter_search))
    app.router.add_get("/meter/by-ref/{meter_ref}", authenticated(_meter_by_ref))
    app.router.add_post("/meter/by-address", authenticated(_meter_by_address))
    app.router.add_post(f"{admin_prefix}meter", _admin_meter)
    app.router.add_post(f"{admin_prefix}answer-style", _admin_answer_style)


async def _check_eligibility(request: web.Request, username: str) -> web.StreamResponse:
    errors = RequestErrors()
    body = await json_object(request, errors)
    mpan = errors.string(body, "mpan", ("body",), required=True)
    asset_model = errors.string(body, "asset_model", ("body",))
    if errors.items or mpan is None:
        raise ApiError(422, errors.items)
    return web.json_response(request.app[SIMULATOR_KEY].check_eligibility(mpan, asset_model))


async def _meter_search(request: web.Request, username: str) -> web.StreamResponse:
    postcode = request.query.get("postcode")
    if not postcode:
        raise ApiError(
            422, [{"loc": ["query", "postcode"], "msg": "Field required", "type": "missing"}]
        )
    building = request.query.get("building_identifier")
    return web.json_response(request.app[SIMULATOR_KEY].meter_search(postcode, building))


async def _meter_by_ref(request: web.Request, username: str) -> web.StreamResponse:
    return web.json_response(
        request.app[SIMULATOR_KEY].meter_by_ref(request.match_info["meter_ref"])
    )


async def _meter_by_address(request: web.Request, username: str) -> web.StreamResponse:
    errors = RequestErrors()
    body = await json_object(request, errors)
    address = errors.string(body, "address", ("body",), required=True)
    if errors.items or address is None:
        raise ApiError(422, errors.items)
    status, answer = request.app[SIMULATOR_KEY].meter_by_address(address)
    return web.json_response(answer, status=status)


async def _admin_object(request: web.Request) -> dict[str, Any]:
    body = await json_body(request) if await request.read() else {}
    if not isinstance(body, dict):
        raise ApiError(400, "Expected a JSON object")
    return body


async def _admin_meter(request: web.Request) -> web.StreamResponse:
    body = await _admin_object(request)
    mpan = body.get("mpan")
    if not isinstance(mpan, str):
        raise ApiError(400, "mpan is required")
    meter = request.app[SIMULATOR_KEY].set_meter(
        mpan,
        half_hourly_settled=bool(body.get("half_hourly_settled", True)),
        domestic=bool(body.get("domestic", True)),
        postcode=str(body.get("postcode", "CT1 2EH")),
        building=str(body.get("building", "1")),
        street=str(body.get("street", "Test Street")),
    )
    return web.json_response({"ref": meter.ref, "address": meter.address, **meter.to_json()})


async def _admin_answer_style(request: web.Request) -> web.StreamResponse:
    body = await _admin_object(request)
    simulator = request.app[SIMULATOR_KEY]
    shape = body.get("refusal_shape", simulator.refusal_shape)
    style = body.get("time_style", simulator.time_style)
    if shape not in REFUSAL_SHAPES or style not in TIME_STYLES:
        raise ApiError(400, f"refusal_shape: {REFUSAL_SHAPES}; time_style: {TIME_STYLES}")
    simulator.refusal_shape = shape
    simulator.time_style = style
    simulator.reverse_blocks = bool(body.get("reverse_blocks", simulator.reverse_blocks))
    return web.json_response(
        {
            "refusal_shape": shape,
            "time_style": style,
            "reverse_blocks": simulator.reverse_blocks,
        }
    )
