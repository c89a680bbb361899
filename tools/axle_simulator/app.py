"""The aiohttp application: Axle's endpoints, fault injection and the ``/_sim/`` admin API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from email.parser import BytesParser
import email.policy
from http import HTTPStatus
import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import hdrs, web

from .bodies import SIMULATOR_KEY, json_body, json_object, site_route
from .errors import ApiError
from .records import (
    CREATABLE_ASSET_TYPES,
    FAILURE_KINDS,
    PAUSE_MODES,
    PROPOSITIONS,
    ROLES,
    AssetInput,
    RecordedRequest,
    SiteInput,
)
from .routes_assets import admin_asset_pause, delete_asset, get_asset
from .routes_eligibility import add_eligibility_routes
from .state import AxleSimulator
from .validation import RequestErrors

ADMIN_PREFIX = "/_sim/"

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
type AuthenticatedHandler = Callable[[web.Request, str], Awaitable[web.StreamResponse]]


def create_app(simulator: AxleSimulator) -> web.Application:
    """Build the web application that serves ``simulator``."""
    app = web.Application(middlewares=[_error_middleware, _traffic_middleware])
    app[SIMULATOR_KEY] = simulator
    app.router.add_post("/auth/token-form", _token_form)
    app.router.add_get("/auth/users/me/", _authenticated(_users_me))
    app.router.add_post("/entities/site/onboard", _authenticated(_onboard))
    app.router.add_post("/entities/site/{site_id}/enrol", _authenticated(_enrol))
    app.router.add_post("/entities/site/{site_id}/unenrol", _authenticated(_unenrol))
    app.router.add_post(
        "/entities/site/{site_id}/offboard-site-and-assets",
        _authenticated(site_route(AxleSimulator.offboard)),
    )
    app.router.add_get(
        "/entities/asset/external-id/{external_id}", _authenticated(_asset_by_external_id)
    )
    app.router.add_post(
        "/entities/asset/{asset_id}/event/plug-in-schedule", _authenticated(_plug_in_schedule)
    )
    app.router.add_get(
        "/rewards/{site_id}/info", _authenticated(site_route(AxleSimulator.balance_info))
    )
    app.router.add_get("/rewards/{site_id}/url/balance", _authenticated(_withdrawal_url))

    app.router.add_get("/entities/asset/{asset_id}", _authenticated(get_asset))
    app.router.add_delete("/entities/asset/{asset_id}", _authenticated(delete_asset))

    add_eligibility_routes(app, _authenticated, ADMIN_PREFIX)

    app.router.add_post(f"{ADMIN_PREFIX}fail", _admin_fail)
    app.router.add_post(f"{ADMIN_PREFIX}expire-tokens", _admin_expire_tokens)
    app.router.add_get(f"{ADMIN_PREFIX}requests", _admin_requests)
    app.router.add_post(f"{ADMIN_PREFIX}pause-mode", _admin_pause_mode)
    app.router.add_get(f"{ADMIN_PREFIX}state", _admin_state)
    app.router.add_post(f"{ADMIN_PREFIX}reset", _admin_reset)
    app.router.add_post(f"{ADMIN_PREFIX}balance", _admin_balance)
    app.router.add_post(f"{ADMIN_PREFIX}ineligible", _admin_ineligible)
    app.router.add_post(f"{ADMIN_PREFIX}asset-pause", admin_asset_pause)

    # Some aiohttp/aiosignal pairs disagree on the signal's type; the callback is right for both.
    app.on_shutdown.append(_release_held_requests)  # type: ignore[arg-type,unused-ignore]
    return app


async def _release_held_requests(app: web.Application) -> None:
    """Let "timeout" requests finish so the server can close without waiting a minute."""
    app[SIMULATOR_KEY].release_held_requests()


def _detail(status: int, detail: Any) -> web.Response:
    headers = {hdrs.WWW_AUTHENTICATE: "Bearer"} if status == HTTPStatus.UNAUTHORIZED else None
    return web.json_response({"detail": detail}, status=status, headers=headers)


@web.middleware
async def _error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer refusals and routing errors with FastAPI's ``{"detail": ...}`` bodies."""
    try:
        return await handler(request)
    except ApiError as err:
        return _detail(err.status, err.detail)
    except web.HTTPException as err:
        if err.status >= HTTPStatus.BAD_REQUEST:
            return _detail(err.status, err.reason)
        raise


@web.middleware
async def _traffic_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record each API request, then apply the first queued fault that matches it."""
    if request.path.startswith(ADMIN_PREFIX):
        return await handler(request)
    simulator = request.app[SIMULATOR_KEY]
    simulator.record(
        RecordedRequest(
            method=request.method,
            path=request.path,
            body=await _recorded_body(request),
            at=simulator.now(),
            query=dict(request.query),
        )
    )
    fault = simulator.take_fault(request.path)
    if fault is None:
        return await handler(request)
    match fault.kind:
        case "timeout":
            await simulator.hold()
            return _detail(HTTPStatus.GATEWAY_TIMEOUT, "Simulated timeout released")
        case "malformed":
            return web.Response(text='{"detail": "trunc', content_type="application/json")
        case "missing_fields":
            return web.json_response({"unexpected": "a body without the required fields"})
        case "delay":
            await asyncio.sleep(fault.delay)
            return await handler(request)
        case _:
            if fault.detail is not None:
                detail = fault.detail
            else:
                try:
                    detail = HTTPStatus(fault.status).phrase
                except ValueError:
                    detail = "Simulated failure"
            return _detail(fault.status, detail)


async def _recorded_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if request.content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text, keep_blank_values=True))
    try:
        return json.loads(text)
    except ValueError:
        return text


def _authenticated(handler: AuthenticatedHandler) -> Handler:
    """Require a live bearer token and pass the account name to ``handler``."""

    async def check_token(request: web.Request) -> web.StreamResponse:
        scheme, _, token = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Not authenticated")
        username = request.app[SIMULATOR_KEY].authenticate(token.strip())
        return await handler(request, username)

    return check_token


# Axle's endpoints


async def _form_fields(request: web.Request) -> dict[str, str]:
    """Return the text fields of a urlencoded or multipart form; other bodies have none."""
    raw = await request.read()  # already read by the traffic recorder: parse the cached bytes
    if request.content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    if request.content_type == "multipart/form-data":
        header = f"Content-Type: {request.headers.get(hdrs.CONTENT_TYPE, '')}\r\n\r\n".encode()
        message = BytesParser(policy=email.policy.HTTP).parsebytes(header + raw)
        fields: dict[str, str] = {}
        if message.is_multipart():
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                if isinstance(name, str) and isinstance(payload, bytes):
                    fields[name] = payload.decode("utf-8", errors="replace")
        return fields
    return {}


async def _token_form(request: web.Request) -> web.StreamResponse:
    errors = RequestErrors()
    fields = await _form_fields(request)
    username = errors.string(fields, "username", ("body",), required=True)
    password = errors.string(fields, "password", ("body",), required=True)
    if (grant_type := fields.get("grant_type")) not in (None, "password"):
        errors.add(
            ("body", "grant_type"),
            f"String should match pattern '^password$' (got {grant_type!r})",
            "string_pattern_mismatch",
        )
    if errors.items or username is None or password is None:
        raise ApiError(422, errors.items)
    token = request.app[SIMULATOR_KEY].issue_token(username, password)
    return web.json_response({"access_token": token, "token_type": "bearer"})


async def _users_me(request: web.Request, username: str) -> web.StreamResponse:
    return web.json_response({"username": username, "roles": list(ROLES)})


async def _onboard(request: web.Request, username: str) -> web.StreamResponse:
    errors = RequestErrors()
    body = await json_object(request, errors)
    site_input: SiteInput | None = None
    if (site := errors.mapping(body, "site", ("body",))) is not None:
        loc = ("body", "site")
        mpan = errors.string(site, "mpan", loc, required=True)
        postcode = errors.string(site, "postcode", loc, required=True)
        street_address = errors.string(site, "street_address", loc)
        email = errors.string(site, "email", loc)
        consent_at = errors.timestamp(site, "gave_boundary_meter_consent_at", loc)
        if mpan is not None and postcode is not None:
            site_input = SiteInput(
                mpan=mpan,
                postcode=postcode,
                street_address=street_address,
                email=email,
                consent_at=consent_at,
            )
    asset_inputs: list[AssetInput] = []
    for index, raw in enumerate(errors.array(body, "assets", ("body",), min_length=1) or []):
        if (asset := errors.item(raw, ("body", "assets", index))) is None:
            continue
        asset_inputs.append(_asset_input(errors, asset, ("body", "assets", index)))
    proposition = errors.choice(body, "proposition", ("body",), PROPOSITIONS)
    override = errors.boolean(body, "override_withdrawal", ("body",))
    if errors.items or site_input is None or proposition is None:
        raise ApiError(422, errors.items)
    result = request.app[SIMULATOR_KEY].onboard(
        username, site_input, asset_inputs, proposition, override
    )
    return web.json_response(result)


def _asset_input(
    errors: RequestErrors, asset: Mapping[str, Any], loc: tuple[str | int, ...]
) -> AssetInput:
    external_id = errors.string(asset, "external_id", loc, required=True)
    asset_type = errors.choice(asset, "type", loc, CREATABLE_ASSET_TYPES)
    properties = errors.mapping(asset, "properties", loc, required=False) or {}
    properties_loc = (*loc, "properties")
    power_kw = errors.number(properties, "power_kw", properties_loc, minimum=0)
    capacity_kwh = errors.number(properties, "capacity_kwh", properties_loc, minimum=0)
    return AssetInput(
        external_id=external_id or "",
        type=asset_type or "",
        power_kw=power_kw,
        capacity_kwh=capacity_kwh,
        asset_model=errors.string(asset, "asset_model", loc),
        installation_date=errors.calendar_date(asset, "installation_date", loc),
    )


async def _enrol(request: web.Request, username: str) -> web.StreamResponse:
    errors = RequestErrors()
    site_id = errors.path_uuid(request.match_info["site_id"], "site_id")
    body = await json_object(request, errors)
    proposition = errors.choice(body, "proposition", ("body",), PROPOSITIONS)
    override = errors.boolean(body, "override_withdrawal", ("body",))
    consent_at = errors.timestamp(body, "gave_boundary_meter_consent_at", ("body",))
    if errors.items or proposition is None:
        raise ApiError(422, errors.items)
    result = request.app[SIMULATOR_KEY].enrol(username, site_id, proposition, override, consent_at)
    return web.json_response(result)


async def _unenrol(request: web.Request, username: str) -> web.StreamResponse:
    errors = RequestErrors()
    site_id = errors.path_uuid(request.match_info["site_id"], "site_id")
    body = await json_object(request, errors)
    proposition = errors.choice(body, "proposition", ("body",), PROPOSITIONS)
    if errors.items or proposition is None:
        raise ApiError(422, errors.items)
    return web.json_response(request.app[SIMULATOR_KEY].unenrol(username, site_id, proposition))


async def _asset_by_external_id(request: web.Request, username: str) -> web.StreamResponse:
    external_id = request.match_info["external_id"]
    return web.json_response(request.app[SIMULATOR_KEY].asset_by_external_id(username, external_id))


async def _plug_in_schedule(request: web.Request, username: str) -> web.StreamResponse:
    errors = RequestErrors()
    asset_id = errors.path_uuid(request.match_info["asset_id"], "asset_id")
    body = await json_object(request, errors)
    blocks = []
    for index, raw in enumerate(errors.array(body, "charging_schedule", ("body",)) or []):
        loc = ("body", "charging_schedule", index)
        if (block := errors.item(raw, loc)) is None:
            continue
        start = errors.timestamp(block, "start_timestamp", loc, required=True)
        end = errors.timestamp(block, "end_timestamp", loc, required=True)
        if start is None or end is None:
            continue
        if end <= start:
            errors.add(
                (*loc, "end_timestamp"),
                "end_timestamp must be after start_timestamp",
                "value_error",
            )
            continue
        blocks.append((start, end))
    errors.raise_if_any()
    simulator = request.app[SIMULATOR_KEY]
    modified = simulator.plug_in_schedule(username, asset_id, blocks)
    return web.json_response(
        {
            "modified_charging_schedule": [
                {"start_timestamp": simulator.stamp(start), "end_timestamp": simulator.stamp(end)}
                for start, end in (reversed(modified) if simulator.reverse_blocks else modified)
            ]
        }
    )


async def _withdrawal_url(request: web.Request, username: str) -> web.StreamResponse:
    errors = RequestErrors()
    site_id = errors.path_uuid(request.match_info["site_id"], "site_id")
    if not request.query.get("redirect_uri"):
        errors.add(("query", "redirect_uri"), "Field required", "missing")
    for flag in ("enforce_two_factor_auth", "hide_transactions", "auto_redirect_to_setup"):
        errors.query_flag(request.query, flag)
    errors.raise_if_any()
    return web.json_response(request.app[SIMULATOR_KEY].withdrawal_url(username, site_id))


# Admin API (not recorded, no token needed)


async def _admin_body(request: web.Request) -> dict[str, Any]:
    if not await request.read():
        return {}
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "Expected a JSON object")
    return body


async def _admin_fail(request: web.Request) -> web.StreamResponse:
    body = await _admin_body(request)
    kind = body.get("kind", "status")
    if kind not in FAILURE_KINDS:
        raise ApiError(400, f"kind must be one of {', '.join(FAILURE_KINDS)}")
    simulator = request.app[SIMULATOR_KEY]
    try:
        simulator.fail_next(
            body.get("path_fragment"),
            status=int(body.get("status", 500)),
            count=int(body.get("count", 1)),
            kind=kind,
            delay=float(body.get("delay", 0.0)),
            detail=body.get("detail"),
        )
    except (TypeError, ValueError) as err:
        raise ApiError(400, str(err)) from None
    return web.json_response({"faults": [fault.to_json() for fault in simulator.faults]})


async def _admin_expire_tokens(request: web.Request) -> web.StreamResponse:
    return web.json_response({"expired": request.app[SIMULATOR_KEY].expire_tokens()})


async def _admin_requests(request: web.Request) -> web.StreamResponse:
    simulator = request.app[SIMULATOR_KEY]
    fragment = request.query.get("path")
    recorded = simulator.requests_to(fragment) if fragment else simulator.requests
    return web.json_response({"requests": [item.to_json() for item in recorded]})


async def _admin_pause_mode(request: web.Request) -> web.StreamResponse:
    body = await _admin_body(request)
    simulator = request.app[SIMULATOR_KEY]
    mode = body.get("mode", simulator.pause_mode)
    if mode not in PAUSE_MODES:
        raise ApiError(400, f"mode must be one of {', '.join(PAUSE_MODES)}")
    try:
        offset = float(body.get("soon_offset", simulator.soon_offset.total_seconds()))
        length = float(body.get("soon_length", simulator.soon_length.total_seconds()))
    except (TypeError, ValueError):
        raise ApiError(400, "soon_offset and soon_length are seconds") from None
    simulator.pause_mode = mode
    simulator.soon_offset = timedelta(seconds=offset)
    simulator.soon_length = timedelta(seconds=length)
    return web.json_response({"mode": mode, "soon_offset": offset, "soon_length": length})


async def _admin_state(request: web.Request) -> web.StreamResponse:
    return web.json_response(request.app[SIMULATOR_KEY].snapshot())


async def _admin_reset(request: web.Request) -> web.StreamResponse:
    request.app[SIMULATOR_KEY].reset()
    return web.json_response({"reset": True})


async def _admin_balance(request: web.Request) -> web.StreamResponse:
    body = await _admin_body(request)
    try:
        request.app[SIMULATOR_KEY].set_balance(
            str(body["site_id"]),
            int(body.get("current_pence", 0)),
            int(body.get("total_pence", 0)),
            bool(body.get("can_withdraw", False)),
            minimum_withdrawal_threshold_pence=int(
                body.get("minimum_withdrawal_threshold_pence", 1000)
            ),
            withdrawal_min_wait_days=int(body.get("withdrawal_min_wait_days", 30)),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ApiError(400, f"Bad balance: {err}") from None
    return web.json_response(request.app[SIMULATOR_KEY].balances[str(body["site_id"])].to_json())


async def _admin_ineligible(request: web.Request) -> web.StreamResponse:
    body = await _admin_body(request)
    mpan = body.get("mpan")
    if not isinstance(mpan, str):
        raise ApiError(400, "mpan is required")
    simulator = request.app[SIMULATOR_KEY]
    simulator.mark_ineligible(mpan, str(body.get("reason", "site is not half-hourly settled")))
    return web.json_response({"ineligible": simulator.ineligible})
