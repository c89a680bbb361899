"""Persistence of the session controller's state: session, participation, history, restore values.

One ``Store`` file per charger (key ``axle_flex_lite.<key_prefix>``: the entry id for the charger
an entry had before chargers were subentries, so its file stays where it was), written on every
change so that a restart in the middle of a pause finds the charger values to put back.
Everything is plain JSON: times are UTC ISO 8601 strings and schedules are lists of ``[start,
end]`` pairs. The values to put back and the commands on their way are keyed by the entity's
registry id where it has one (an entity renamed meanwhile is found under its new id); files of
minor version 1 keyed them by entity id and are migrated at load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api.models import ScheduleBlock
from .const import DOMAIN, STORAGE_MINOR_VERSION, STORAGE_VERSION
from .scheduling import Plan

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from homeassistant.core import HomeAssistant

type RestoreValue = str | float
# What the store keeps per charger entity (keyed by registry id, or by entity id without one).
STORED_BY_ENTITY: Final = ("restore", "sent")
type JsonBlocks = list[list[str]]


class StoredDataError(ValueError):
    """A stored record does not have the expected shape (the file was edited or is damaged)."""


def registry_keys[T](hass: HomeAssistant, values: Mapping[str, T]) -> dict[str, T]:
    """Key values by the entities' registry ids (kept by entity id where there is none)."""
    registry = er.async_get(hass)
    return {
        entry.id if (entry := registry.async_get(key)) is not None else key: value
        for key, value in values.items()
    }


def entity_keys[T](hass: HomeAssistant, values: Mapping[str, T]) -> dict[str, T]:
    """Key stored values by today's entity ids (a registry id finds a renamed entity)."""
    registry = er.async_get(hass)
    return {
        entry.entity_id if (entry := registry.async_get(key)) is not None else key: value
        for key, value in values.items()
    }


def storage_key(key_prefix: str) -> str:
    """Return the ``Store`` key of one charger."""
    return f"{DOMAIN}.{key_prefix}"


def time_to_json(moment: datetime | None) -> str | None:
    """Format an aware time as UTC ISO 8601 (``None`` stays ``None``)."""
    return None if moment is None else dt_util.as_utc(moment).isoformat()


def time_from_json(value: object) -> datetime | None:
    """Parse a stored time; ``None`` stays ``None``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise StoredDataError("a stored time is not a string")
    parsed = dt_util.parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        raise StoredDataError("a stored time is not an aware ISO 8601 time")
    return dt_util.as_utc(parsed)


def required_time(value: object) -> datetime:
    """Parse a stored time that must be present."""
    if (parsed := time_from_json(value)) is None:
        raise StoredDataError("a stored time is missing")
    return parsed


def blocks_to_json(blocks: tuple[ScheduleBlock, ...]) -> JsonBlocks:
    """Schedule blocks as ``[[start, end], ...]``."""
    return [[block.start.isoformat(), block.end.isoformat()] for block in blocks]


def blocks_from_json(value: object) -> tuple[ScheduleBlock, ...]:
    """Parse stored schedule blocks."""
    if not isinstance(value, list):
        raise StoredDataError("stored blocks are not a list")
    blocks: list[ScheduleBlock] = []
    for item in value:
        if not isinstance(item, list) or len(item) != 2:
            raise StoredDataError("a stored block is not a [start, end] pair")
        try:
            blocks.append(ScheduleBlock(start=required_time(item[0]), end=required_time(item[1])))
        except ValueError as err:
            raise StoredDataError("a stored block is empty") from err
    return tuple(blocks)


def plan_to_json(plan: Plan | None) -> dict[str, JsonBlocks] | None:
    """Return a plan as plain JSON (``None`` stays ``None``)."""
    if plan is None:
        return None
    return {
        "submitted": blocks_to_json(plan.submitted),
        "modified": blocks_to_json(plan.modified),
        "pauses": blocks_to_json(plan.pauses),
    }


def plan_from_json(value: object) -> Plan | None:
    """Parse a stored plan."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise StoredDataError("a stored plan is not an object")
    return Plan(
        submitted=blocks_from_json(value.get("submitted")),
        modified=blocks_from_json(value.get("modified")),
        pauses=blocks_from_json(value.get("pauses")),
    )


def _values(raw: object) -> dict[str, RestoreValue]:
    """Read stored charger values (entity -> text or number); anything else is dropped."""
    if not isinstance(raw, dict):
        return {}
    return {
        str(entity_id): value
        for entity_id, value in raw.items()
        if isinstance(value, str | float | int) and not isinstance(value, bool)
    }


@dataclass(slots=True, kw_only=True)
class StoredState:
    """Everything the controller keeps across restarts.

    ``plugged`` is the last definite plug state seen (a plug-in while Home Assistant was down shows
    up as a change from ``False``). ``restore`` maps the charger entities the controller changed to
    the values to put back. ``consent_refused`` is the entry's consent time when Axle last refused
    a schedule with 403: no schedule is sent until that consent changes or participation is
    switched on again. ``session`` and ``history`` hold session records as written by the
    controller.
    """

    participating: bool = True
    consent_refused: str | None = None
    plugged: bool | None = None
    restore: dict[str, RestoreValue] = field(default_factory=dict)
    # The control's last value seen that lets the car charge (a new night may resume to it).
    charging: dict[str, RestoreValue] = field(default_factory=dict)
    # Our last command to each entity: entity id -> [value, sent at] (known after a reload).
    sent: dict[str, list[Any]] = field(default_factory=dict)
    # When Home Assistant last stopped with values to put back (a change after it is the user's).
    stopped_at: datetime | None = None
    # When the entry was last unloaded while Home Assistant ran on (a plug change after it is real).
    unloaded_at: datetime | None = None
    session: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the state as written to the store."""
        return {
            "participating": self.participating,
            "consent_refused": self.consent_refused,
            "plugged": self.plugged,
            "restore": dict(self.restore),
            "charging": dict(self.charging),
            "sent": dict(self.sent),
            "stopped_at": time_to_json(self.stopped_at),
            "unloaded_at": time_to_json(self.unloaded_at),
            "session": self.session,
            "history": list(self.history),
        }

    @classmethod
    def from_json(cls, data: object) -> StoredState:
        """Read the stored state; anything damaged is dropped rather than failing the set-up."""
        state = cls()
        if not isinstance(data, dict):
            return state
        if isinstance(participating := data.get("participating"), bool):
            state.participating = participating
        if isinstance(consent_refused := data.get("consent_refused"), str):
            state.consent_refused = consent_refused
        if isinstance(plugged := data.get("plugged"), bool):
            state.plugged = plugged
        state.restore = _values(data.get("restore"))
        state.charging = _values(data.get("charging"))
        for name in ("stopped_at", "unloaded_at"):
            try:
                setattr(state, name, time_from_json(data.get(name)))
            except StoredDataError:
                setattr(state, name, None)
        if isinstance(sent := data.get("sent"), dict):
            state.sent = {
                str(entity_id): item
                for entity_id, item in sent.items()
                if isinstance(item, list) and len(item) == 2
            }
        if isinstance(session := data.get("session"), dict):
            state.session = session
        if isinstance(history := data.get("history"), list):
            state.history = [item for item in history if isinstance(item, dict)]
        return state


class _MigratingStore(Store[dict[str, Any]]):
    """The ``Store`` of one entry, migrating older files at load."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        """Minor version 1 kept the charger's values by entity id: key them by registry id."""
        data = dict(old_data)
        if old_minor_version < 2:
            for name in STORED_BY_ENTITY:
                if isinstance(values := data.get(name), dict):
                    data[name] = registry_keys(self.hass, values)
        return data


class SessionStore:
    """The store of one charger."""

    def __init__(self, hass: HomeAssistant, key_prefix: str) -> None:
        """Bind the store to the charger's key (the entry id for an entry's first charger)."""
        self._store = _MigratingStore(
            hass, STORAGE_VERSION, storage_key(key_prefix), minor_version=STORAGE_MINOR_VERSION
        )
        # Whether the last load found a file (a charger added just now has none).
        self.found = False

    async def async_load(self) -> StoredState:
        """Load the stored state; a missing file gives the defaults.

        Home Assistant itself sets a corrupt file aside and reports it; a record of the wrong shape
        is dropped piece by piece in ``StoredState.from_json``.
        """
        data = await self._store.async_load()
        self.found = data is not None
        return StoredState.from_json(data)

    async def async_save(self, state: StoredState) -> None:
        """Write the state now."""
        await self._store.async_save(state.to_json())

    async def async_remove(self) -> None:
        """Delete the file (the charger or the whole entry is being removed)."""
        await self._store.async_remove()
