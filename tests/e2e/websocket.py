"""Home Assistant's WebSocket API for the end-to-end test: commands, state changes, action calls."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp


@dataclass(frozen=True, slots=True)
class ServiceCallSeen:
    """One action call, as Home Assistant timestamped it (``call_service`` event)."""

    domain: str
    service: str
    entity_ids: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class StateChange:
    """One state change of one entity, as Home Assistant timestamped it."""

    state: str
    changed_at: datetime
    attributes: dict[str, Any]


class HomeAssistantWebSocket:
    """Home Assistant's WebSocket API: commands, and a log of state changes."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        """Prepare a connection; ``connect`` opens it."""
        self._session = session
        self._url = base_url.replace("http", "ws", 1) + "/api/websocket"
        self._token = token
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._next_id = 1
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()
        self.changes: dict[str, list[StateChange]] = {}
        self.calls: list[ServiceCallSeen] = []

    async def connect(self) -> None:
        """Open the socket, authenticate and subscribe to state changes and action calls."""
        self._ws = await self._session.ws_connect(self._url)
        hello = await self._ws.receive_json()
        assert hello["type"] == "auth_required", hello
        await self._ws.send_json({"type": "auth", "access_token": self._token})
        answer = await self._ws.receive_json()
        assert answer["type"] == "auth_ok", answer
        self._reader = asyncio.create_task(self._read())
        await self.command("subscribe_events", event_type="state_changed")
        await self.command("subscribe_events", event_type="call_service")

    async def close(self) -> None:
        """Close the socket and stop reading."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def command(self, command_type: str, **fields: Any) -> Any:
        """Send one command and return its result; fail if Home Assistant reports an error."""
        assert self._ws is not None, "connect first"
        message_id = self._next_id
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._ws.send_json({"id": message_id, "type": command_type, **fields})
        return await asyncio.wait_for(future, 30)

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            payload = message.json()
            for item in payload if isinstance(payload, list) else [payload]:
                await self._dispatch(item)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("Home Assistant closed the WebSocket"))

    async def _dispatch(self, item: dict[str, Any]) -> None:
        if item.get("type") == "result":
            future = self._pending.pop(item["id"], None)
            if future is None or future.done():
                return
            if item["success"]:
                future.set_result(item.get("result"))
            else:
                future.set_exception(AssertionError(f"WebSocket command failed: {item['error']}"))
        elif item.get("type") == "event" and item["event"]["event_type"] == "call_service":
            data = item["event"]["data"]
            target = (data.get("service_data") or {}).get("entity_id") or []
            self.calls.append(
                ServiceCallSeen(
                    domain=data["domain"],
                    service=data["service"],
                    entity_ids=tuple([target] if isinstance(target, str) else target),
                    at=datetime.fromisoformat(item["event"]["time_fired"]),
                )
            )
        elif item.get("type") == "event":
            data = item["event"]["data"]
            new_state = data.get("new_state")
            if new_state is None:
                return
            change = StateChange(
                state=new_state["state"],
                changed_at=datetime.fromisoformat(new_state["last_changed"]),
                attributes=new_state["attributes"],
            )
            async with self._changed:
                self.changes.setdefault(data["entity_id"], []).append(change)
                self._changed.notify_all()

    def first_call_to(self, entity_id: str, *, after: datetime) -> ServiceCallSeen | None:
        """Return the first action call aimed at ``entity_id`` stamped later than ``after``."""
        return next(
            (call for call in self.calls if entity_id in call.entity_ids and call.at > after), None
        )

    async def wait_for_change(
        self, entity_id: str, state: str, *, after: datetime, within: float
    ) -> StateChange:
        """Return the first change of ``entity_id`` to ``state`` stamped later than ``after``."""

        def find() -> StateChange | None:
            for change in self.changes.get(entity_id, []):
                if change.state == state and change.changed_at > after:
                    return change
            return None

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(find), within)
            except TimeoutError:
                seen = [
                    (c.state, c.changed_at.isoformat()) for c in self.changes.get(entity_id, [])
                ]
                raise AssertionError(
                    f"{entity_id} did not change to {state!r} after {after.isoformat()} "
                    f"within {within:.0f} s; changes seen: {seen}"
                ) from None
        change = find()
        assert change is not None
        return change
