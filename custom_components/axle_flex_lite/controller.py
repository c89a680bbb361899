"""Session controller: one per config entry, it runs each charging session from plug-in to unplug.

At plug-in it sends the household's charging window to Axle at once, derives the pauses from the
answer and arms one timer for the next change. At each change it drives the charger: in
``pause_only`` it turns the charger off for a pause and puts back exactly what it changed; in
``full_schedule`` it also switches charging on and off at the blocks' edges.

Rules it never breaks:

* The user wins. A change of the charger that did not come from us is an override: the controller
  lets go for the rest of the session, keeps the user's change and tells Axle the new plan.
* Axle never leaves the car uncharged. Any failure (unreachable, slow, refusing, nonsense) falls
  back to the household's own schedule, with one retry at most.
* Whatever it changed, it puts back before letting go: at unplug, unload, removal and shutdown.
  The values to put back are stored, so a restart mid-pause finds them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, cast
from uuid import uuid4

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .api import (
    AxleAuthenticationError,
    AxleClient,
    AxleError,
    AxleForbiddenError,
    AxleInvalidResponseError,
    AxleTemporaryError,
    ScheduleBlock,
)
from .charger import ChangeKind, Charger, ChargerEntities, values_match
from .const import (
    CONF_ASSET_ID,
    CONF_CONSENT_AT,
    CONF_CONTROL_MODE,
    CONF_SITE_ID,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    DEFAULT_CONTROL_MODE,
    DEFAULT_WINDOW_END,
    DEFAULT_WINDOW_START,
    DOMAIN,
    FALLBACK_RETRY_DELAY,
    HISTORY_DAYS,
    HISTORY_MAX_SESSIONS,
    ISSUE_CHARGER_ENTITY_MISSING,
    ISSUE_CHARGER_NOT_RESPONDING,
    ISSUE_CONSENT_MISSING,
    LOGGER,
    ControlMode,
)
from .scheduling import (
    ChargerCommand,
    Plan,
    build_plan,
    charger_command_at,
    desired_schedule,
    next_change_after,
    remaining_schedule,
    skip_pauses,
)
from .storage import (
    RestoreValue,
    SessionStore,
    StoredDataError,
    StoredState,
    blocks_from_json,
    blocks_to_json,
    plan_from_json,
    plan_to_json,
    required_time,
    time_from_json,
    time_to_json,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterable
    from zoneinfo import ZoneInfo

    from homeassistant.config_entries import ConfigEntry

# Failures worth one more try after FALLBACK_RETRY_DELAY; the others will not mend by themselves.
RETRYABLE_ERRORS: Final = (AxleTemporaryError,)
FALLBACK_CONSENT: Final = "Axle refused the schedule: the site is not enrolled (403)"
RECENT_HISTORY_IN_DIAGNOSTICS: Final = 5


class SessionStatus(StrEnum):
    """What the controller is doing, as the status sensor shows it."""

    UNPLUGGED = "unplugged"  # no car, or a car plugged in before the integration was set up
    SCHEDULING = "scheduling"  # waiting for Axle's answer
    WAITING = "waiting"  # plugged in, outside the charging blocks
    CHARGING = "charging"  # inside a charging block
    PAUSED = "paused"  # inside one of Axle's pauses
    OVERRIDDEN = "overridden"  # the user took over the charger for this session
    FALLBACK = "fallback"  # Axle failed: the household's own schedule applies
    NOT_PARTICIPATING = "not_participating"  # Flex Lite switched off


class ScheduleEventType(StrEnum):
    """Kinds of schedule event (the event entity's event types)."""

    MODIFIED = "modified"  # Axle cut at least one pause out of the schedule
    UNCHANGED = "unchanged"  # Axle left the schedule as it was
    OVERRIDE = "override"  # the user took over
    FALLBACK = "fallback"  # Axle failed: the household's own schedule applies


class SessionOutcome(StrEnum):
    """How a finished session ended."""

    COMPLETED = "completed"  # unplugged after the charging window
    UNPLUGGED = "unplugged"  # unplugged before the end of the charging window
    OVERRIDDEN = "overridden"
    FALLBACK = "fallback"
    NOT_PARTICIPATING = "not_participating"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleEvent:
    """What Axle made of a schedule (or that the user or a failure took over).

    ``pause_start`` and ``pause_end`` are the first pause of the session's plan, if any;
    ``pause_minutes`` is the length of all its pauses together.
    """

    type: ScheduleEventType
    pause_start: datetime | None = None
    pause_end: datetime | None = None
    pause_minutes: float = 0.0


@dataclass(slots=True, kw_only=True)
class Session:
    """One charging session, from plug-in to unplug; stored as plain JSON."""

    session_id: str
    plugged_in_at: datetime
    submitted: tuple[ScheduleBlock, ...] = ()
    plan: Plan | None = None
    fallback_reason: str | None = None
    overridden: bool = False
    ended_at: datetime | None = None
    outcome: str | None = None

    @property
    def pause_minutes(self) -> float | None:
        """Minutes of pause in the plan (None until Axle has answered)."""
        if self.plan is None:
            return None
        return sum(block.duration_seconds for block in self.plan.pauses) / 60

    @property
    def window_end(self) -> datetime | None:
        """When the session's charging window ends."""
        return max((block.end for block in self.submitted), default=None)

    def to_json(self) -> dict[str, Any]:
        """Return the session as stored."""
        return {
            "session_id": self.session_id,
            "plugged_in_at": time_to_json(self.plugged_in_at),
            "submitted": blocks_to_json(self.submitted),
            "plan": plan_to_json(self.plan),
            "fallback_reason": self.fallback_reason,
            "overridden": self.overridden,
            "ended_at": time_to_json(self.ended_at),
            "outcome": self.outcome,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Session:
        """Read a stored session; raises ``StoredDataError`` when it is damaged."""
        session_id = data.get("session_id")
        if not isinstance(session_id, str) or not session_id:
            raise StoredDataError("a stored session has no id")
        fallback_reason = data.get("fallback_reason")
        outcome = data.get("outcome")
        return cls(
            session_id=session_id,
            plugged_in_at=required_time(data.get("plugged_in_at")),
            submitted=blocks_from_json(data.get("submitted", [])),
            plan=plan_from_json(data.get("plan")),
            fallback_reason=fallback_reason if isinstance(fallback_reason, str) else None,
            overridden=data.get("overridden") is True,
            ended_at=time_from_json(data.get("ended_at")),
            outcome=outcome if isinstance(outcome, str) else None,
        )


def _option_time(value: object, default: time) -> time:
    """Read a window time (``HH:MM:SS``) from the options; the default when unset or unreadable."""
    if isinstance(value, str) and (parsed := dt_util.parse_time(value)) is not None:
        return parsed
    return default


def _until(blocks: Iterable[ScheduleBlock], moment: datetime) -> tuple[ScheduleBlock, ...]:
    """Return the parts of the blocks before ``moment``."""
    return tuple(
        ScheduleBlock(start=block.start, end=min(block.end, moment))
        for block in blocks
        if block.start < moment
    )


def _next_edge(plan: Plan, now: datetime) -> datetime | None:
    """Return the next start or end of any block of the plan: the status may change there."""
    edges = (
        edge
        for block in (*plan.submitted, *plan.modified)
        for edge in (block.start, block.end)
        if edge > now
    )
    return min(edges, default=None)


def _inside(blocks: Iterable[ScheduleBlock], moment: datetime) -> bool:
    """Whether ``moment`` lies in one of the half-open blocks."""
    return any(block.start <= moment < block.end for block in blocks)


def issue_id(key: str, entry_id: str, entity_id: str | None = None) -> str:
    """Return the repair issue id of a config entry (and, for a missing entity, of that entity)."""
    return f"{key}_{entry_id}" if entity_id is None else f"{key}_{entry_id}_{entity_id}"


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Delete every repair issue of one config entry (it is being removed)."""
    registry = ir.async_get(hass)
    for domain, issue in list(registry.issues):
        if domain == DOMAIN and entry_id in issue:
            ir.async_delete_issue(hass, DOMAIN, issue)


def _describe_error(err: AxleError) -> str:
    """Describe an Axle error for the log and the status (the client keeps personal data out)."""
    return f"{type(err).__name__}: {err}"


class SessionController:
    """Runs the charging sessions of one config entry (see the module docstring)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: AxleClient,
        store: SessionStore | None = None,
    ) -> None:
        """Bind to the entry, its Axle client and its store; nothing runs before ``async_setup``."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self._store = store or SessionStore(hass, entry.entry_id)
        self.charger = Charger(
            hass,
            ChargerEntities.from_options(entry.options),
            on_not_responding=self._charger_not_responding,
            on_responding=self._charger_responding,
        )
        self.session: Session | None = None
        self.history: tuple[Session, ...] = ()
        self.participating = True
        self.plugged_in: bool | None = None
        self.last_schedule_sync: datetime | None = None
        self.last_api_error: str | None = None
        self.next_change: datetime | None = None
        self._last_plugged: bool | None = None
        self._consent_refused: str | None = None
        self._restore: dict[str, RestoreValue] = {}
        self._listeners: list[Callable[[], None]] = []
        self._event_listeners: list[Callable[[ScheduleEvent], None]] = []
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._cancel_timer: CALLBACK_TYPE | None = None
        self._cancel_retry: CALLBACK_TYPE | None = None
        self._retried_session: str | None = None
        self._request_serial = 0
        self._apply_lock = asyncio.Lock()
        self._started = False
        self._closed = False

    # What the entities read

    @property
    def control_mode(self) -> ControlMode:
        """The control mode in the entry's options."""
        try:
            return ControlMode(self.entry.options.get(CONF_CONTROL_MODE, DEFAULT_CONTROL_MODE))
        except ValueError:
            return DEFAULT_CONTROL_MODE

    @property
    def window(self) -> tuple[time, time]:
        """The charging window (local wall times) in the entry's options."""
        options = self.entry.options
        return (
            _option_time(options.get(CONF_WINDOW_START), DEFAULT_WINDOW_START),
            _option_time(options.get(CONF_WINDOW_END), DEFAULT_WINDOW_END),
        )

    @property
    def consent_blocked(self) -> bool:
        """Whether Axle refused the consent the entry holds now (no schedule is sent meanwhile)."""
        return self._consent_refused is not None and self._consent_refused == self._consent_marker

    @property
    def _consent_marker(self) -> str:
        """The entry's consent time: a new one (reconfigure) lifts Axle's earlier refusal."""
        return str(self.entry.data.get(CONF_CONSENT_AT) or "")

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
        return plan is not None and _inside(plan.pauses, dt_util.utcnow())

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
        now = dt_util.utcnow()
        if _inside(session.plan.pauses, now):
            return SessionStatus.PAUSED
        if _inside(session.plan.modified, now):
            return SessionStatus.CHARGING
        return SessionStatus.WAITING

    @callback
    def async_add_listener(self, update_callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``update_callback`` whenever anything the entities show changes."""
        self._listeners.append(update_callback)

        @callback
        def remove_listener() -> None:
            if update_callback in self._listeners:
                self._listeners.remove(update_callback)

        return remove_listener

    @callback
    def async_add_schedule_event_listener(
        self, event_callback: Callable[[ScheduleEvent], None]
    ) -> Callable[[], None]:
        """Call ``event_callback`` with each schedule event."""
        self._event_listeners.append(event_callback)

        @callback
        def remove_listener() -> None:
            if event_callback in self._event_listeners:
                self._event_listeners.remove(event_callback)

        return remove_listener

    def diagnostics(self) -> dict[str, Any]:
        """Return the controller's state as plain JSON, without anything personal."""
        window_start, window_end = self.window
        next_pause = self.next_pause
        return {
            "status": self.status.value,
            "participating": self.participating,
            "consent_blocked": self.consent_blocked,
            "plugged_in": self.plugged_in,
            "pause_active": self.pause_active,
            "next_pause": [time_to_json(edge) for edge in next_pause] if next_pause else None,
            "next_change": time_to_json(self.next_change),
            "control_mode": self.control_mode.value,
            "window": [window_start.isoformat(), window_end.isoformat()],
            "charger_entities": list(self.charger.entities.all),
            "values_to_restore": dict(self._restore),
            "retry_pending": self._cancel_retry is not None,
            "last_schedule_sync": time_to_json(self.last_schedule_sync),
            "last_api_error": self.last_api_error,
            "session": self.session.to_json() if self.session else None,
            "history_length": len(self.history),
            "recent_history": [
                session.to_json() for session in self.history[-RECENT_HISTORY_IN_DIAGNOSTICS:]
            ],
        }

    # Set-up and tear-down

    async def async_setup(self) -> None:
        """Load the stored state and follow the charger; reconcile once Home Assistant runs."""
        self._load(await self._store.async_load())
        self._unsubscribe.extend(
            (
                async_track_state_change_event(
                    self.hass, self.charger.entities.all, self._async_on_state_change
                ),
                self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._async_on_stop),
                async_at_started(self.hass, self._async_on_started),
            )
        )

    async def async_shutdown(self) -> None:
        """Let go of the charger (entry unloaded): put back what we changed and save."""
        await self._async_let_go()

    def _load(self, stored: StoredState) -> None:
        """Take over the stored state; damaged sessions are dropped."""
        self.participating = stored.participating
        self._consent_refused = stored.consent_refused
        self._last_plugged = stored.plugged
        self._restore = dict(stored.restore)
        control = self.charger.entities.control
        if control is not None and not control.readable and control.key in self._restore:
            self.charger.assume_paused()
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
            consent_refused=self._consent_refused,
            plugged=self._last_plugged,
            restore=dict(self._restore),
            session=self.session.to_json() if self.session else None,
            history=[session.to_json() for session in self.history],
        )

    async def _async_save(self) -> None:
        """Write the state now (a crash must not lose the values to put back)."""
        await self._store.async_save(self._stored_state())

    async def _async_on_started(self, _hass: HomeAssistant) -> None:
        """Home Assistant runs and the charger's entities exist: catch up with the present.

        A session stored before the restart continues: a pause that ended meanwhile is put back
        at once, one still running goes on to its end. A schedule Axle already answered is not
        sent again. A car unplugged meanwhile closes the session; one plugged in meanwhile (the
        stored plug state says it was out) starts a session.
        """
        self._started = True
        self._refresh_missing_issues()
        plugged = self.charger.plug_state
        self.plugged_in = plugged
        was_plugged = self._last_plugged
        if plugged is not None:
            self._last_plugged = plugged
        session = self.session
        if session is not None and plugged is False:
            await self._async_end_session(session)
        elif session is not None and not self.participating:
            await self._async_end_session(session, SessionOutcome.NOT_PARTICIPATING)
        elif session is not None and session.plan is None:
            await self._async_request_plan(session, self._blocks_to_resend(session))
        elif session is None and plugged and was_plugged is False and self.participating:
            await self._async_start_session()
        else:
            await self._async_apply()

    async def _async_on_stop(self, _event: Event) -> None:
        """Home Assistant stops: put back what we changed before the charger's integration goes.

        The values to put back stay stored all the same: the charger's integration may save its
        state before our command lands, so start-up puts them back again where they did not
        stick (or holds a pause that is still running, remembering the same values).
        """
        await self._async_let_go(keep_restore_values=True)

    async def _async_let_go(self, *, keep_restore_values: bool = False) -> None:
        """Stop every timer and listener and put the charger back; the session stays stored."""
        if self._closed:
            return
        self._closed = True
        self._cancel_timers()
        self.charger.cancel_pending()
        while self._unsubscribe:
            self._unsubscribe.pop()()
        async with self._apply_lock:
            restore_values = dict(self._restore)
            await self._async_release(verify=False)
            if keep_restore_values:
                self._restore = restore_values
        await self._async_save()

    # Following the charger's entities

    @callback
    def _async_on_state_change(self, event: Event[EventStateChangedData]) -> None:
        """Dispatch a state change of the plug, the switch or the current number."""
        entity_id = event.data["entity_id"]
        old_state = event.data["old_state"]
        new_state = event.data["new_state"]
        self._update_missing_issue(entity_id, old_state, new_state)
        if not self._started or self._closed:
            return
        entities = self.charger.entities
        if entity_id == entities.plug:
            self._on_plug_change(new_state)
        if entity_id in entities.controlled:
            kind = self.charger.classify(entity_id, old_state, new_state)
            if kind is ChangeKind.USER:
                self._on_user_change(entity_id)
            elif kind is ChangeKind.AVAILABLE:
                self._create_task(self._async_apply(), "apply when the charger is back")

    @callback
    def _on_plug_change(self, new_state: State | None) -> None:
        """Start a session on a real plug-in, end it on unplug; unavailable changes nothing."""
        plugged = self.charger.plugged(new_state)
        self.plugged_in = plugged
        if plugged is not None:
            was_plugged = self._last_plugged
            self._last_plugged = plugged
            if plugged and was_plugged is False and self.session is None and self.participating:
                self._create_task(self._async_start_session(), "plug-in")
            elif not plugged and self.session is not None:
                self._create_task(self._async_end_session(self.session), "unplug")
            elif plugged != was_plugged:
                self._create_task(self._async_save(), "save plug state")
        self._notify()

    @callback
    def _on_user_change(self, entity_id: str) -> None:
        """Somebody else changed the charger during a session: hands off until unplug."""
        session = self.session
        if session is None or not self.participating:
            return
        if not session.overridden:
            LOGGER.info("%s was changed outside Axle Flex Lite: hands off until unplug", entity_id)
            session.overridden = True
            self._cancel_timers()
            self.charger.cancel_pending()
        # The user's change stands; anything else we changed is put back by the next apply.
        self._restore.pop(entity_id, None)
        self._create_task(self._async_after_override(session), "override")
        self._notify()

    # Sessions

    async def _async_start_session(self) -> None:
        """Start a session at plug-in: send the desired schedule to Axle straight away."""
        now = dt_util.utcnow()
        window_start, window_end = self.window
        blocks = desired_schedule(window_start, window_end, now, self._time_zone)
        session = Session(session_id=uuid4().hex, plugged_in_at=now, submitted=blocks)
        self.session = session
        LOGGER.debug("Plug-in: sending %s to Axle", blocks)
        await self._async_request_plan(session, blocks)

    async def _async_end_session(
        self, session: Session, outcome: SessionOutcome | None = None
    ) -> None:
        """Close the session, file it in the history and put the charger back."""
        now = dt_util.utcnow()
        self.session = None
        self._cancel_timers()
        self.charger.cancel_pending()
        session.ended_at = now
        session.outcome = outcome or self._outcome(session, now)
        self.history = (*self.history, session)
        self._prune_history()
        LOGGER.debug("Session ended: %s", session.outcome)
        await self._async_apply()

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

    def _blocks_to_resend(self, session: Session) -> tuple[ScheduleBlock, ...]:
        """Return what is left of the session's schedule, or the next window when nothing is."""
        now = dt_util.utcnow()
        if remaining := remaining_schedule(session.submitted, now):
            return remaining
        window_start, window_end = self.window
        return desired_schedule(window_start, window_end, now, self._time_zone)

    @property
    def _time_zone(self) -> ZoneInfo:
        """Home Assistant's time zone, in which the window's wall times are read."""
        return cast("ZoneInfo", dt_util.get_default_time_zone())

    # Talking to Axle

    async def _async_send(self, blocks: tuple[ScheduleBlock, ...]) -> tuple[ScheduleBlock, ...]:
        """Send a schedule to Axle and return its answer.

        Failures are recorded and raised: 403 raises the consent repair issue (no more schedules
        until consent or participation changes), a 401 that survived the client's own new login
        starts re-authentication.
        """
        try:
            answer = await self.client.async_send_plug_in_schedule(
                self.entry.data[CONF_ASSET_ID], blocks
            )
        except AxleError as err:
            self.last_api_error = _describe_error(err)
            LOGGER.warning("Axle did not take the charging schedule: %s", self.last_api_error)
            if isinstance(err, AxleForbiddenError):
                self._consent_refused = self._consent_marker
                self._raise_issue(ISSUE_CONSENT_MISSING)
            elif isinstance(err, AxleAuthenticationError):
                self.entry.async_start_reauth(self.hass)
            raise
        self.last_schedule_sync = dt_util.utcnow()
        self.last_api_error = None
        # Axle took a schedule, so the site has consent again, however the refusal was lifted.
        self._consent_refused = None
        self._delete_issue(ISSUE_CONSENT_MISSING)
        return answer

    async def _async_request_plan(
        self,
        session: Session,
        blocks: tuple[ScheduleBlock, ...],
        *,
        retry_allowed: bool = True,
        raise_errors: bool = False,
    ) -> None:
        """Send ``blocks`` for the session, follow Axle's answer or fall back, then apply.

        An answer that arrives after the session ended, after the user took over or after a newer
        request is dropped. With ``raise_errors`` a failure is raised once the fallback is in place.
        """
        self._request_serial += 1
        serial = self._request_serial
        session.submitted = blocks
        failure: AxleError | None = None
        if self.consent_blocked:
            self._fall_back(session, blocks, FALLBACK_CONSENT)
        else:
            self._notify()
            await self._async_save()
            try:
                answer = await self._async_send(blocks)
            except AxleError as err:
                if self._is_stale(session, serial):
                    return
                failure = err
                self._fall_back(session, blocks, _describe_error(err))
                if (
                    retry_allowed
                    and isinstance(err, RETRYABLE_ERRORS)
                    and self._retried_session != session.session_id
                ):
                    self._arm_retry(session)
            else:
                if self._is_stale(session, serial):
                    return
                plan, reason = build_plan(blocks, answer)
                if reason is not None:
                    LOGGER.warning("Axle's schedule cannot be used (%s): using your own", reason)
                    failure = AxleInvalidResponseError(reason)
                    self._fall_back(session, blocks, reason)
                else:
                    session.plan = plan
                    session.fallback_reason = None
                    self._fire(
                        ScheduleEventType.MODIFIED if plan.pauses else ScheduleEventType.UNCHANGED,
                        session,
                    )
        await self._async_apply()
        if raise_errors and failure is not None:
            raise failure

    def _is_stale(self, session: Session, serial: int) -> bool:
        """Whether an answer no longer concerns what the controller is doing."""
        return (
            self._closed
            or self.session is not session
            or serial != self._request_serial
            or session.overridden
        )

    def _fall_back(self, session: Session, blocks: tuple[ScheduleBlock, ...], reason: str) -> None:
        """Follow the household's own schedule for this session."""
        session.plan, _ = build_plan(blocks, None)
        session.fallback_reason = reason
        self._fire(ScheduleEventType.FALLBACK, session)

    def _arm_retry(self, session: Session) -> None:
        """Ask Axle once more after ``FALLBACK_RETRY_DELAY`` (only once per session)."""
        self._retried_session = session.session_id

        async def _async_retry(_now: datetime) -> None:
            self._cancel_retry = None
            if (
                self._closed
                or self.session is not session
                or session.overridden
                or session.fallback_reason is None
                or not self.participating
            ):
                return
            if blocks := remaining_schedule(session.submitted, dt_util.utcnow()):
                await self._async_request_plan(session, blocks, retry_allowed=False)

        self._cancel_retry = async_call_later(self.hass, FALLBACK_RETRY_DELAY, _async_retry)

    def _fire(self, event_type: ScheduleEventType, session: Session) -> None:
        """Tell the event listeners what became of the session's schedule."""
        pauses = session.plan.pauses if session.plan else ()
        first = min(pauses, key=lambda block: block.start) if pauses else None
        event = ScheduleEvent(
            type=event_type,
            pause_start=first.start if first else None,
            pause_end=first.end if first else None,
            pause_minutes=session.pause_minutes or 0.0,
        )
        for event_callback in list(self._event_listeners):
            event_callback(event)

    # Driving the charger

    async def _async_apply(self) -> None:
        """Bring the charger to what the plan wants now, arm the next timer, save and notify."""
        async with self._apply_lock:
            if self._closed:
                return
            now = dt_util.utcnow()
            plan = self._active_plan
            command = (
                charger_command_at(self.control_mode, plan, now)
                if plan is not None
                else ChargerCommand.HANDS_OFF
            )
            if command is ChargerCommand.PAUSE:
                await self._async_hold_pause()
            else:
                await self._async_release()
                control = self.charger.entities.control
                if (
                    command is ChargerCommand.CHARGE
                    and control is not None
                    and (charge := control.charge_value) is not None
                ):
                    await self.charger.async_ensure(control.key, charge)
            self._arm_timer(now)
            await self._async_save()
        self._notify()

    async def _async_hold_pause(self) -> None:
        """Pause the charger the way its control kind does (see ``controls.py``).

        The value found is remembered before the first change, so that exactly it is put back.
        """
        control = self.charger.entities.control
        if control is None:
            return
        entity_id = control.key
        wanted = self.charger.pause_value()
        current = self.charger.value(entity_id)
        if current is None and not control.readable:
            # Actions cannot be read back: before our first pause the charger was allowed to charge.
            current = control.charge_value
        if current is None or wanted is None:
            LOGGER.warning("%s is unavailable at a pause; it is paused when it is back", entity_id)
            return
        if entity_id not in self._restore and not values_match(current, wanted):
            self._restore[entity_id] = current
            await self._async_save()
        await self.charger.async_ensure(entity_id, wanted)

    async def _async_release(self, *, verify: bool = True) -> None:
        """Put back every value we changed; an unavailable entity is put back when it returns."""
        for entity_id, value in list(self._restore.items()):
            if not await self.charger.async_ensure(entity_id, value, verify=verify):
                LOGGER.warning("%s is unavailable; it is put back when it returns", entity_id)
                continue
            self._restore.pop(entity_id, None)

    def _arm_timer(self, now: datetime) -> None:
        """Arm the one timer: the next change of the charger's command or of the status."""
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
        plan = self._active_plan
        self.next_change = None if plan is None else next_change_after(self.control_mode, plan, now)
        if plan is None:
            return
        wake = min(
            (edge for edge in (self.next_change, _next_edge(plan, now)) if edge is not None),
            default=None,
        )
        if wake is not None:
            self._cancel_timer = async_track_point_in_utc_time(
                self.hass, self._async_on_timer, wake
            )

    async def _async_on_timer(self, _now: datetime) -> None:
        """Apply the plan at a change instant."""
        self._cancel_timer = None
        await self._async_apply()

    def _cancel_timers(self) -> None:
        """Cancel the change timer and the pending retry."""
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None
        self.next_change = None

    async def _async_after_override(self, session: Session) -> None:
        """After the user took over: put back what they did not touch, tell Axle their plan."""
        await self._async_apply()
        if self.session is session:  # the car may have left meanwhile
            await self._async_follow_override(session)

    async def _async_follow_override(self, session: Session) -> None:
        """Record the user's plan and send it to Axle.

        Switched on (or current raised): charging now until the window ends, sent to Axle as one
        block. Switched off: no charging planned from now on; there is nothing to send, since an
        empty schedule is no schedule. Pauses already taken stay in the record.
        """
        now = dt_util.utcnow()
        window_end = session.window_end
        intent: tuple[ScheduleBlock, ...] = ()
        if self.charger.charging_allowed and window_end is not None and now < window_end:
            intent = (ScheduleBlock(start=now, end=window_end),)
        plan = session.plan
        session.plan = Plan(
            submitted=session.submitted,
            modified=(*_until(plan.modified, now), *intent) if plan else intent,
            pauses=_until(plan.pauses, now) if plan else (),
        )
        self._fire(ScheduleEventType.OVERRIDE, session)
        await self._async_save()
        self._notify()
        if intent and not self.consent_blocked:
            try:
                await self._async_send(intent)
            except AxleError:
                return  # recorded in last_api_error; the user's plan stands either way
            self._notify()

    # Actions

    async def async_skip_pause(self) -> None:
        """End a running pause now, drop the later ones, and tell Axle the new schedule.

        Axle's answer to it is recorded but not applied: the user asked for no pause. Raises
        ``AxleError`` when Axle could not be told (the pause is skipped all the same).
        """
        session = self.session
        plan = self._active_plan
        if session is None or plan is None:
            return
        now = dt_util.utcnow()
        skipped = skip_pauses(plan, now)
        if skipped == plan:
            return
        session.plan = skipped
        # An answer still on its way must not bring the pause back.
        self._request_serial += 1
        await self._async_apply()
        blocks = remaining_schedule(skipped.modified, now)
        if blocks and not self.consent_blocked:
            await self._async_send(blocks)
            self._notify()

    async def async_resend_schedule(self) -> None:
        """Send the session's remaining schedule to Axle again and follow the answer.

        Also lifts an earlier consent refusal (the user asks explicitly). Without a session, a
        plugged-in car starts one. Raises ``AxleError`` when Axle fails (after falling back).
        """
        if not self.participating or self._closed:
            return
        session = self.session
        if session is None:
            if self.plugged_in and self._started:
                await self._async_start_session()
            return
        self._consent_refused = None
        if session.overridden:
            plan = session.plan
            if plan is not None and (blocks := remaining_schedule(plan.modified, dt_util.utcnow())):
                await self._async_send(blocks)
                self._notify()
            return
        await self._async_request_plan(
            session, self._blocks_to_resend(session), retry_allowed=False, raise_errors=True
        )

    async def async_set_participation(self, participating: bool) -> None:
        """Take part in Flex Lite (enrol again) or not (unenrol).

        Off: the session ends at once (a running pause is put back) and no schedule is sent until
        it is on again; the site is unenrolled at Axle. On: the site is enrolled again (overriding
        the earlier withdrawal), a consent refusal is lifted and a plugged-in car gets a session.
        Raises ``AxleError`` when Axle refuses; switching off takes effect here all the same.
        """
        site_id = self.entry.data[CONF_SITE_ID]
        if participating:
            try:
                await self.client.async_enrol(site_id, override_withdrawal=True)
            except AxleError as err:
                self._on_call_error(err)
                raise
            self.participating = True
            self._consent_refused = None
            self._delete_issue(ISSUE_CONSENT_MISSING)
            session = self.session
            if session is None and self.plugged_in and self._started:
                await self._async_start_session()
            elif session is not None and session.fallback_reason and not session.overridden:
                await self._async_request_plan(
                    session, self._blocks_to_resend(session), retry_allowed=False
                )
            else:
                await self._async_apply()
            return
        self.participating = False
        if self.session is not None:
            await self._async_end_session(self.session, SessionOutcome.NOT_PARTICIPATING)
        else:
            await self._async_apply()
        try:
            await self.client.async_unenrol(site_id)
        except AxleError as err:
            self._on_call_error(err)
            raise

    def _on_call_error(self, err: AxleError) -> None:
        """Record a failed call; a refused login asks the user to sign in again."""
        self.last_api_error = _describe_error(err)
        if isinstance(err, AxleAuthenticationError):
            self.entry.async_start_reauth(self.hass)
        self._notify()

    async def async_settings_changed(self) -> None:
        """Follow a new window or control mode: re-send a changed window, then re-apply."""
        session = self.session
        if (
            session is not None
            and not session.overridden
            and self.participating
            and not self._closed
        ):
            now = dt_util.utcnow()
            window_start, window_end = self.window
            desired = desired_schedule(window_start, window_end, now, self._time_zone)
            remaining = remaining_schedule(session.submitted, now)
            if remaining and desired != remaining:
                LOGGER.debug("The charging window changed: sending Axle %s", desired)
                await self._async_request_plan(session, desired)
                return
        await self._async_apply()

    # Repair issues

    def _raise_issue(
        self,
        key: str,
        entity_id: str | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> None:
        """Create (or update) one of the entry's repair issues."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(key, self.entry.entry_id, entity_id),
            is_fixable=key == ISSUE_CONSENT_MISSING,
            data={"entry_id": self.entry.entry_id},
            severity=ir.IssueSeverity.ERROR,
            translation_key=key,
            translation_placeholders=placeholders,
        )

    def _delete_issue(self, key: str, entity_id: str | None = None) -> None:
        """Delete one of the entry's repair issues (nothing happens when there is none)."""
        ir.async_delete_issue(self.hass, DOMAIN, issue_id(key, self.entry.entry_id, entity_id))

    def _refresh_missing_issues(self) -> None:
        """One issue per configured entity that does not exist; none for any other entity."""
        prefix = issue_id(ISSUE_CHARGER_ENTITY_MISSING, self.entry.entry_id) + "_"
        registry = ir.async_get(self.hass)
        for domain, issue in list(registry.issues):
            if domain == DOMAIN and issue.startswith(prefix):
                ir.async_delete_issue(self.hass, DOMAIN, issue)
        for entity_id in self.charger.entities.all:
            if not self.charger.exists(entity_id):
                self._raise_missing_issue(entity_id)

    def _raise_missing_issue(self, entity_id: str) -> None:
        """Report a configured entity that does not exist."""
        LOGGER.warning("%s does not exist; Axle Flex Lite cannot use it", entity_id)
        self._raise_issue(ISSUE_CHARGER_ENTITY_MISSING, entity_id, {"entity_id": entity_id})

    def _update_missing_issue(
        self, entity_id: str, old_state: State | None, new_state: State | None
    ) -> None:
        """Raise or clear the missing-entity issue when an entity goes away or comes back."""
        if new_state is None:
            self._raise_missing_issue(entity_id)
        elif old_state is None:
            self._delete_issue(ISSUE_CHARGER_ENTITY_MISSING, entity_id)

    @callback
    def _charger_not_responding(self, entity_id: str, wanted: str, actual: str) -> None:
        """Tell the user that a command and its retry did not take (the next change tries again)."""
        self._raise_issue(
            ISSUE_CHARGER_NOT_RESPONDING,
            placeholders={"entity_id": entity_id, "wanted": wanted, "actual": actual},
        )

    @callback
    def _charger_responding(self, entity_id: str) -> None:
        """Clear the not-responding issue: a command took effect."""
        self._delete_issue(ISSUE_CHARGER_NOT_RESPONDING)

    # Plumbing

    def _create_task(self, target: Coroutine[Any, Any, None], name: str) -> None:
        """Run a coroutine tied to the entry (cancelled if the entry goes away)."""
        self.entry.async_create_task(self.hass, target, f"{DOMAIN} {name}")

    def _notify(self) -> None:
        """Tell the entities that something changed."""
        for update_callback in list(self._listeners):
            update_callback()
