"""The session controller's state and what the entities read from it (status, next pause, ...).

``SessionController`` (``controller.py``) builds on it with the behaviour; this part only reads,
stores and tells the listeners, and reads from the stored state what happened while the entry was
unloaded or Home Assistant was down.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, cast

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .charger import Charger, ChargerEntities, values_match
from .const import (
    CONF_CONTROL_MODE,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    DEFAULT_CONTROL_MODE,
    DEFAULT_WINDOW_END,
    DEFAULT_WINDOW_START,
    HISTORY_DAYS,
    HISTORY_MAX_SESSIONS,
    LOGGER,
    ControlMode,
)
from .driver import ChargerDriver
from .issues import EntryIssues
from .scheduling import PlanPhase, inside, plan_phase
from .session import ScheduleEvent, ScheduleEventType, Session, SessionOutcome, SessionStatus
from .storage import (
    SessionStore,
    StoredDataError,
    StoredState,
    entity_keys,
    registry_keys,
)
from .subentries import charger_key_prefix

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from zoneinfo import ZoneInfo

    from homeassistant.config_entries import ConfigEntry, ConfigSubentry

    from .api import AxleClient
    from .axle_link import AxleLink
    from .scheduling import Plan

_PHASE_STATUS = {
    PlanPhase.PAUSED: SessionStatus.PAUSED,
    PlanPhase.CHARGING: SessionStatus.CHARGING,
    PlanPhase.WAITING: SessionStatus.WAITING,
}


def _option_time(value: object, default: time) -> time:
    """Read a window time (``HH:MM:SS``) from the options; the default when unset or unreadable."""
    if isinstance(value, str) and (parsed := dt_util.parse_time(value)) is not None:
        return parsed
    return default


def _subscribe[T](listeners: list[T], listener: T) -> Callable[[], None]:
    """Add ``listener`` to ``listeners``; return the callback that takes it out again."""
    listeners.append(listener)

    @callback
    def remove_listener() -> None:
        if listener in listeners:
            listeners.remove(listener)

    return remove_listener


class ControllerState:
    """The session controller's state, and what the entities read from it."""

    axle: AxleLink

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: AxleClient,
        subentry: ConfigSubentry,
        *,
        participating: bool | None = None,
    ) -> None:
        """Bind to the home's entry, its Axle client and one charger subentry.

        ``participating`` is the home's participation, taken by a charger without a stored state
        (one added to a home that left Flex Lite stays out too). Nothing runs before
        ``async_setup``.
        """
        self.hass = hass
        self.entry = entry
        self.client = client
        self.subentry_id = subentry.subentry_id
        self.title = subentry.title
        self._settings = subentry.data
        self.key_prefix = charger_key_prefix(entry.entry_id, subentry.data)
        self._store = SessionStore(hass, self.key_prefix)
        self._home_participating = participating
        self.issues = EntryIssues(hass, entry.entry_id, self.key_prefix)
        self.charger = Charger(
            hass,
            ChargerEntities.from_options(subentry.data),
            on_not_responding=self.issues.charger_not_responding,
            on_responding=self.issues.charger_responding,
        )
        self.driver = ChargerDriver(self.charger, self.async_save)
        self.session: Session | None = None
        self.history: tuple[Session, ...] = ()
        self.participating = True
        self.plugged_in: bool | None = None
        self.stopped_at: datetime | None = None
        self.unloaded_at: datetime | None = None
        self.next_change: datetime | None = None
        self._last_plugged: bool | None = None
        self._listeners: list[Callable[[], None]] = []
        self._event_listeners: list[Callable[[ScheduleEvent], None]] = []
        self._init_parts()

    def _init_parts(self) -> None:
        """Build the controller's own parts once the state above is bound (controller.py)."""
        raise NotImplementedError

    # The charger's settings (its subentry's data)

    @property
    def settings(self) -> Mapping[str, Any]:
        """The charger's subentry data as it is now (as it was last, once the subentry is gone)."""
        if (subentry := self.entry.subentries.get(self.subentry_id)) is not None:
            self._settings = subentry.data
            self.title = subentry.title
        return self._settings

    @callback
    def update_settings(self, settings: Mapping[str, Any]) -> None:
        """Store new settings in the charger's subentry (the entry's update listener follows)."""
        if (subentry := self.entry.subentries.get(self.subentry_id)) is not None:
            self.hass.config_entries.async_update_subentry(
                self.entry, subentry, data=dict(settings)
            )

    # What the entities read

    @property
    def control_mode(self) -> ControlMode:
        """The charger's control mode."""
        try:
            return ControlMode(self.settings.get(CONF_CONTROL_MODE, DEFAULT_CONTROL_MODE))
        except ValueError:
            return DEFAULT_CONTROL_MODE

    @property
    def window(self) -> tuple[time, time]:
        """The charger's charging window (local wall times)."""
        options = self.settings
        return (
            _option_time(options.get(CONF_WINDOW_START), DEFAULT_WINDOW_START),
            _option_time(options.get(CONF_WINDOW_END), DEFAULT_WINDOW_END),
        )

    @property
    def car_in(self) -> bool | None:
        """Whether a car is connected, as far as the plug tells: now, else its last definite state.

        A state outside the plug's lists says nothing about the car (an Andersen's connector reads
        "Disabled" while it is locked: the charger's state, not the car's), so the last definite
        one stands: turning Flex Lite on (or resending) finds the car that was in, just as a
        session running through such a state goes on.
        """
        return self._last_plugged if self.plugged_in is None else self.plugged_in

    @property
    def last_api_error(self) -> str | None:
        """The last failed call to Axle, if the calls since have not succeeded."""
        return self.axle.last_api_error

    @property
    def values_to_restore(self) -> dict[str, Any]:
        """The charger values to put back, by entity id."""
        return dict(self.driver.restore)

    @property
    def _active_plan(self) -> Plan | None:
        """The plan the controller drives the charger by; None when it keeps its hands off."""
        session = self.session
        if session is None or session.plan is None or session.overridden:
            return None
        return session.plan if self.participating else None

    @property
    def pause_active(self) -> bool:
        """Whether one of Axle's pauses is running now."""
        plan = self._active_plan
        return plan is not None and inside(plan.pauses, dt_util.utcnow())

    @property
    def next_pause(self) -> tuple[datetime, datetime] | None:
        """The running or next pause of this session."""
        if (plan := self._active_plan) is None:
            return None
        now = dt_util.utcnow()
        upcoming = sorted((block.start, block.end) for block in plan.pauses if block.end > now)
        return upcoming[0] if upcoming else None

    @property
    def session_pause_minutes(self) -> float | None:
        """Minutes of pause in the current session, else in the last finished one."""
        session = self.session or (self.history[-1] if self.history else None)
        return None if session is None else session.pause_minutes

    @property
    def status(self) -> SessionStatus:
        """What the controller is doing now."""
        if not self.participating:
            return SessionStatus.NOT_PARTICIPATING
        session = self.session
        if session is None:
            return SessionStatus.UNPLUGGED
        if session.plan is None:
            return SessionStatus.SCHEDULING
        if session.overridden:
            return SessionStatus.OVERRIDDEN
        if session.fallback_reason is not None:
            return SessionStatus.FALLBACK
        return _PHASE_STATUS[plan_phase(session.plan, dt_util.utcnow())]

    @callback
    def async_add_listener(self, update_callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``update_callback`` whenever anything the entities show changes."""
        return _subscribe(self._listeners, update_callback)

    @callback
    def async_add_schedule_event_listener(
        self, event_callback: Callable[[ScheduleEvent], None]
    ) -> Callable[[], None]:
        """Call ``event_callback`` with each schedule event."""
        return _subscribe(self._event_listeners, event_callback)

    # Storage

    def _replugged_while_unloaded(self) -> bool:
        """Whether the car was plugged in (again) while the entry was unloaded.

        Only while Home Assistant ran on: after a restart every state is written anew, so its time
        says nothing (a stored unplugged plug still tells a plug-in).
        """
        unloaded_at, self.unloaded_at = self.unloaded_at, None
        state = self.hass.states.get(self.charger.entities.plug)
        return (
            unloaded_at is not None
            and self.stopped_at is None
            and self.charger.plugged(state) is True
            and state is not None
            and state.last_changed > unloaded_at
        )

    def _drop_put_backs_changed_while_down(self, unloaded_at: datetime | None = None) -> None:
        """Drop the put-backs of values changed after our stop: the user's change wins.

        After an unload (Home Assistant ran on): a person's or an automation's change since wins,
        and so does any change of a kept "no charging" to another value (the unload put it back,
        so it was there; only a put-back the charger could not take then is not one).
        """
        stopped_at, self.stopped_at = self.stopped_at, None
        if stopped_at is None:
            if unloaded_at is not None:
                self._drop_put_backs_changed_while_unloaded(unloaded_at)
            return
        # Within the latency window after our put-back a contradicting value is a stale report
        # (the put-back did not stick: it is redone); a change after it is somebody's.
        # A person's or an automation's change is theirs whenever it came.
        settled = stopped_at + self.charger.latency_window
        for entity_id in list(self.driver.restore):
            state = self.hass.states.get(entity_id)
            if state is not None and (
                state.last_changed > settled or self.charger.set_by_someone(entity_id, stopped_at)
            ):
                LOGGER.info(
                    "%s was changed while Home Assistant was down: left as it is", entity_id
                )
                self.driver.forget(entity_id)

    def _drop_put_backs_changed_while_unloaded(self, unloaded_at: datetime) -> None:
        """Drop the put-backs changed while the entry was unloaded (Home Assistant ran on)."""
        control = self.charger.entities.control
        for entity_id, kept in list(self.driver.restore.items()):
            state = self.hass.states.get(entity_id)
            value = self.charger.value(entity_id)
            moved = (
                state is not None
                and state.last_changed >= unloaded_at
                and value is not None
                and not values_match(value, kept)
                and control is not None
                and control.key == entity_id
                and control.allows_charging(kept) is False
            )
            if moved or self.charger.set_by_someone(entity_id, unloaded_at):
                LOGGER.info("%s was changed while unloaded: left as it is", entity_id)
                self.driver.forget(entity_id)

    def _load(self, stored: StoredState) -> None:
        """Take over the stored state; damaged sessions are dropped."""
        self.participating = stored.participating
        if not self._store.found and self._home_participating is not None:
            self.participating = self._home_participating
        self.axle.consent_refused = stored.consent_refused
        self._last_plugged = stored.plugged
        self.stopped_at = stored.stopped_at
        self.unloaded_at = stored.unloaded_at
        self.driver.restore = entity_keys(self.hass, stored.restore)
        self.driver.charging = entity_keys(self.hass, stored.charging)
        self.charger.load_sent(entity_keys(self.hass, stored.sent))
        control = self.charger.entities.control
        if control is not None and not control.readable and control.key in self.driver.restore:
            # A clean stop called the put-back action before it went; a kill called nothing.
            self.charger.assume_last_action(
                self.driver.restore[control.key] if stored.stopped_at is not None else None
            )
        if stored.session is not None:
            try:
                self.session = Session.from_json(stored.session)
            except StoredDataError as err:
                LOGGER.warning("Dropping a damaged stored charging session: %s", err)
        history: list[Session] = []
        for record in stored.history:
            try:
                history.append(Session.from_json(record))
            except StoredDataError as err:
                LOGGER.debug("Dropping a damaged stored session record: %s", err)
        self.history = tuple(history)
        self._prune_history()

    def _stored_state(self) -> StoredState:
        """Return the state to write."""
        return StoredState(
            participating=self.participating,
            consent_refused=self.axle.consent_refused,
            plugged=self._last_plugged,
            restore=registry_keys(self.hass, self.driver.restore),
            charging=registry_keys(self.hass, self.driver.charging),
            stopped_at=self.stopped_at,
            unloaded_at=self.unloaded_at,
            sent=registry_keys(self.hass, self.charger.dump_sent()),
            session=self.session.to_json() if self.session else None,
            history=[session.to_json() for session in self.history],
        )

    async def async_save(self) -> None:
        """Write the state now (a crash must not lose the values to put back)."""
        await self._store.async_save(self._stored_state())

    @property
    def _time_zone(self) -> ZoneInfo:
        """Home Assistant's time zone, in which the window's wall times are read."""
        return cast("ZoneInfo", dt_util.get_default_time_zone())

    @staticmethod
    def _outcome(session: Session, now: datetime) -> SessionOutcome:
        """How a session that ends at ``now`` by unplugging went."""
        if session.overridden:
            return SessionOutcome.OVERRIDDEN
        if session.fallback_reason is not None:
            return SessionOutcome.FALLBACK
        window_end = session.window_end
        if window_end is not None and now >= window_end:
            return SessionOutcome.COMPLETED
        return SessionOutcome.UNPLUGGED

    def _prune_history(self) -> None:
        """Keep the sessions of the last ``HISTORY_DAYS`` days, at most ``HISTORY_MAX_SESSIONS``."""
        oldest = dt_util.utcnow() - timedelta(days=HISTORY_DAYS)
        self.history = tuple(
            session
            for session in self.history
            if (session.ended_at or session.plugged_in_at) >= oldest
        )[-HISTORY_MAX_SESSIONS:]

    def fire(self, event_type: ScheduleEventType, session: Session) -> None:
        """Tell the event listeners what became of the session's schedule."""
        event = session.schedule_event(event_type)
        for event_callback in list(self._event_listeners):
            event_callback(event)

    def notify(self) -> None:
        """Tell the entities that something changed."""
        for update_callback in list(self._listeners):
            update_callback()
