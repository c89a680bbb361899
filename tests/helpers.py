"""Steps and readings shared by the session controller, set-up and repair tests.

Times are UTC in November 2026 unless told: with the default 23:30-05:30 window and the simulator
in "price" mode, the first night's pause runs from ``utc(26, 2)`` to ``utc(26, 2, 30)``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from homeassistant.components import persistent_notification
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.storage import storage_key
from tests.plugins.integration import SWITCH
from tools.axle_simulator.state import DEFAULT_USERNAME, LIMITED_PAUSE

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry, ConfigSubentry
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.controller import ScheduleEvent, SessionController
    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

SCHEDULE_PATH = "plug-in-schedule"
# Home Assistant's own coordinator lines for a failed rewards refresh: the failure is handled and
# logged once, without a traceback, as for every coordinator. Anything else at error level is not.
COORDINATOR_FAILURES = tuple(
    f"{failure} axle_flex_lite rewards data"
    for failure in (
        "Error fetching",
        "Error requesting",
        "Timeout fetching",
        "Authentication failed while fetching",
    )
)
# The charger switch service calls, as ``SimulatedCharger.calls`` lists them.
OFF = (SWITCH, "turn_off", None)
ON = (SWITCH, "turn_on", None)


def utc(day: int, hour: int, minute: int = 0, month: int = 11, second: int = 0) -> datetime:
    """A UTC time in 2026 (November unless told)."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def block(start: datetime, end: datetime) -> dict[str, str]:
    """A schedule block as Axle receives it."""
    return {"start_timestamp": start.isoformat(), "end_timestamp": end.isoformat()}


def pause_only_options(entities: dict[str, Any]) -> dict[str, Any]:
    """Entry options driving ``entities`` in pause-only mode over the default window."""
    return {
        **entities,
        const.CONF_WINDOW_START: "23:30:00",
        const.CONF_WINDOW_END: "05:30:00",
        const.CONF_CONTROL_MODE: "pause_only",
        const.CONF_UNPLUG_SETTLE: 0,
    }


def sent_schedules(simulator: AxleSimulator) -> list[list[dict[str, str]]]:
    """The charging schedules the simulator received, in order."""
    return [request.body["charging_schedule"] for request in simulator.requests_to(SCHEDULE_PATH)]


def controller_of(entry: MockConfigEntry) -> SessionController:
    """The entry's session controller."""
    return entry.runtime_data.controller


def record_events(controller: SessionController) -> list[ScheduleEvent]:
    """Collect the controller's schedule events."""
    events: list[ScheduleEvent] = []
    controller.async_add_schedule_event_listener(events.append)
    return events


async def run_into_the_pause(charger: SimulatedCharger, clock: Clock, until: datetime) -> None:
    """Plug in, let the 02:00 pause start, and go on to ``until`` inside it."""
    await charger.plug_in()
    await clock.move_to(utc(26, 2))
    await clock.move_to(until)


async def set_up_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set up an entry already added to Home Assistant and wait until it has settled."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def add_and_set_up_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry to Home Assistant, set it up and wait until it has settled."""
    entry.add_to_hass(hass)
    await set_up_entry(hass, entry)


async def unload_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Unload the entry and wait until it has settled."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def store_controller_state(
    hass_storage: dict[str, Any], entry: MockConfigEntry, data: dict[str, Any]
) -> None:
    """Put ``data`` in the entry's store as an earlier run would have saved it."""
    key = storage_key(entry.entry_id)
    hass_storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": data}


def store_plug_in(
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
    pause: tuple[datetime, datetime] | None = None,
    **state: Any,
) -> None:
    """Store a session as an earlier run left it: plugged in at 18:00 on the first evening.

    The session (``stored``) sent the default window; Axle answered it with ``pause`` (not yet
    answered without one). ``state`` adds to the stored state (e.g. ``restore``).
    """
    window = ["2026-11-25T23:30:00+00:00", "2026-11-26T05:30:00+00:00"]
    plan = None
    if pause is not None:
        start, end = (moment.isoformat() for moment in pause)
        plan = {
            "submitted": [window],
            "modified": [[window[0], start], [end, window[1]]],
            "pauses": [[start, end]],
        }
    session = {
        "session_id": "stored",
        "plugged_in_at": "2026-11-25T18:00:00+00:00",
        "submitted": [window],
        "plan": plan,
    }
    store_controller_state(
        hass_storage, entry, {"participating": True, "plugged": True, **state, "session": session}
    )


def charger_subentry(entry: ConfigEntry) -> ConfigSubentry:
    """The home's first (in most tests its only) charger subentry."""
    return next(
        subentry for subentry in entry.subentries.values() if subentry.subentry_type == "charger"
    )


def charger_settings(entry: ConfigEntry) -> dict[str, Any]:
    """The settings (subentry data) of the home's first charger."""
    return dict(charger_subentry(entry).data)


def update_charger(
    hass: HomeAssistant,
    entry: ConfigEntry,
    settings: dict[str, Any],
    subentry_id: str | None = None,
) -> None:
    """Replace the settings of a charger of the set-up entry (its first one by default)."""
    subentry = entry.subentries[subentry_id] if subentry_id else charger_subentry(entry)
    hass.config_entries.async_update_subentry(entry, subentry, data=settings)


async def change_options(
    hass: HomeAssistant, entry: MockConfigEntry, changes: dict[str, Any]
) -> None:
    """Update some of the first charger's settings (as its settings form does); wait for it."""
    update_charger(hass, entry, {**charger_settings(entry), **changes})
    await hass.async_block_till_done()


async def change_data(hass: HomeAssistant, entry: MockConfigEntry, changes: dict[str, Any]) -> None:
    """Update some of the entry's data (as reauth or reconfigure does) and wait for the effect."""
    hass.config_entries.async_update_entry(entry, data={**entry.data, **changes})
    await hass.async_block_till_done()


async def set_state(hass: HomeAssistant, entity_id: str, state: str) -> None:
    """Give an entity a state as its own integration would, and wait for the reactions."""
    hass.states.async_set(entity_id, state)
    await hass.async_block_till_done()


async def remove_state(hass: HomeAssistant, entity_id: str) -> None:
    """Take an entity away, and wait for the reactions."""
    hass.states.async_remove(entity_id)
    await hass.async_block_till_done()


def flow_sources(hass: HomeAssistant) -> list[str]:
    """The sources of the integration's config flows in progress, e.g. ``reauth``."""
    flows = hass.config_entries.flow.async_progress_by_handler(const.DOMAIN)
    return [flow["context"]["source"] for flow in flows]


def withdraw_consent(simulator: AxleSimulator, entry: MockConfigEntry) -> None:
    """Unenrol the site behind the integration's back: Axle then refuses schedules with 403."""
    simulator.unenrol(DEFAULT_USERNAME, entry.data[const.CONF_SITE_ID], LIMITED_PAUSE)


def renew_consent(simulator: AxleSimulator, entry: MockConfigEntry) -> None:
    """Enrol the site again behind the integration's back, overriding the withdrawal."""
    simulator.enrol(DEFAULT_USERNAME, entry.data[const.CONF_SITE_ID], LIMITED_PAUSE, True, None)


def issue_id_for(kind: str, entry: MockConfigEntry, entity_id: str = "") -> str:
    """The id of the entry's repair issue of that kind (about ``entity_id`` where it names one)."""
    suffix = f"_{entity_id}" if entity_id else ""
    return f"{kind}_{entry.entry_id}{suffix}"


def repair_issue(
    hass: HomeAssistant, kind: str, entry: MockConfigEntry, entity_id: str = ""
) -> ir.IssueEntry | None:
    """The entry's repair issue of that kind, or None when it is not raised."""
    return ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id_for(kind, entry, entity_id))


def entity_of(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> str:
    """The entity id of the entry's entity ``key`` on ``platform``, found by its unique id."""
    found = er.async_get(hass).async_get_entity_id(
        platform, const.DOMAIN, f"{entry.entry_id}_{key}"
    )
    assert found is not None, f"{platform} {key}"
    return found


def state_of(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> str:
    """The state of the entry's entity ``key`` on ``platform``."""
    shown = hass.states.get(entity_of(hass, entry, platform, key))
    assert shown is not None, f"{platform} {key} has no state"
    return shown.state


def registry_id(hass: HomeAssistant, entity_id: str) -> str:
    """The entity's registry id (it stays the same when the entity is renamed)."""
    found = er.async_get(hass).async_get(entity_id)
    assert found is not None, entity_id
    return found.id


def follow_notifications(hass: HomeAssistant) -> dict[str, Any]:
    """The persistent notifications shown, by id, kept up to date as they change."""
    shown: dict[str, Any] = {}

    @callback
    def updated(_kind: Any, notifications: dict[str, Any]) -> None:
        shown.clear()
        shown.update(notifications)

    persistent_notification.async_register_callback(hass, updated)
    return shown


def stored_state(hass_storage: dict[str, Any], entry: MockConfigEntry) -> dict[str, Any]:
    """The entry's controller state as last written to its store."""
    data: dict[str, Any] = hass_storage[storage_key(entry.entry_id)]["data"]
    return data
