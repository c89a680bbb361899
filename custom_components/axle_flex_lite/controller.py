"""Session controller: one per charger, it runs each charging session from plug-in to unplug.

At plug-in it sends the household's charging window to Axle at once (``axle_link.py``), derives the
pauses from the answer and arms one timer for the next change. At each change it drives the
charger (``driver.py``): in ``pause_only`` it turns the charger off for a pause and puts back
exactly what it changed; in ``full_schedule`` it also switches charging on and off at the blocks'
edges.

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
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_SERVICE,
    ATTR_SERVICE_DATA,
    EVENT_CALL_SERVICE,
    EVENT_HOMEASSISTANT_STOP,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .axle_link import AxleLink
from .charger import ChangeKind, values_match
from .const import DOMAIN, LOGGER, NEXT_NIGHT_LEAD
from .controller_actions import SessionActions
from .issues import async_delete_entry_issues, issue_id
from .renames import EntityTracker
from .scheduling import (
    ChargerCommand,
    PlanPhase,
    charger_command_at,
    desired_schedule,
    next_change_after,
    next_edge,
    remaining_schedule,
)
from .session import ScheduleEvent, ScheduleEventType, Session, SessionOutcome, SessionStatus
from .watchers import Watchers

if TYPE_CHECKING:
    from collections.abc import Coroutine, Mapping
    from datetime import datetime

    from .api import ScheduleBlock
    from .storage import RestoreValue

# Re-exported: the entities and the set-up import these from here.
__all__ = [
    "ScheduleEvent",
    "ScheduleEventType",
    "Session",
    "SessionController",
    "SessionOutcome",
    "SessionStatus",
    "async_delete_entry_issues",
    "issue_id",
]

_PHASE_STATUS = {
    PlanPhase.PAUSED: SessionStatus.PAUSED,
    PlanPhase.CHARGING: SessionStatus.CHARGING,
    PlanPhase.WAITING: SessionStatus.WAITING,
}


class SessionController(SessionActions):
    """Runs the charging sessions of one charger (see the module docstring)."""

    def _init_parts(self) -> None:
        """Build the parts that talk to Axle and wait on the charger (the state is bound)."""
        self.axle = AxleLink(self)
        self.watchers = Watchers(self)
        self.entity_tracker = EntityTracker(self, self._async_on_state_change)
        self._user_command_context: str | None = None
        # The user's plan last sent to Axle after an override: (charging allowed, until).
        self._user_plan_sent: tuple[bool, datetime | None] | None = None
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._cancel_timer: CALLBACK_TYPE | None = None
        self._apply_lock = asyncio.Lock()
        self._started = False
        self.closed = False

    # Set-up and tear-down

    async def async_setup(self) -> None:
        """Load the stored state and follow the charger; reconcile once Home Assistant runs."""
        self._load(await self._store.async_load())
        self.entity_tracker.track()
        self._unsubscribe.extend(
            (
                self.entity_tracker.cancel,
                self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._async_on_stop),
                self.hass.bus.async_listen(
                    EVENT_CALL_SERVICE,
                    self._on_someones_command,
                    event_filter=self._is_someones_command,
                ),
                async_at_started(self.hass, self._async_on_started),
            )
        )

    async def async_shutdown(self) -> None:
        """Let go of the charger (entry unloaded): put back what we changed and save."""
        if not self.closed:
            # Home Assistant runs on: the plug's state tells when it changed meanwhile.
            self.unloaded_at = dt_util.utcnow()
        await self._async_let_go()

    async def _async_on_started(self, _hass: HomeAssistant) -> None:
        """Home Assistant runs and the charger's entities exist: catch up with the present.

        A session stored before the restart continues: a pause that ended meanwhile is put back
        at once, one still running goes on to its end. A schedule Axle already answered is not
        sent again. A car unplugged meanwhile closes the session; one plugged in meanwhile (the
        stored plug state says it was out) starts a session.
        """
        self._started = True
        self.issues.refresh_missing(self.charger.entities.all)
        unloaded_at = self.unloaded_at
        replugged = self._replugged_while_unloaded()
        self._drop_put_backs_changed_while_down(unloaded_at)
        self.driver.note_charging_value()
        plugged = self.charger.plug_state
        self.plugged_in = plugged
        was_plugged = self._last_plugged
        if plugged is not None:
            self._last_plugged = plugged
        session = self.session
        if session is not None and plugged is False:
            await self._async_end_session(session)
        elif session is not None and replugged and self.participating:
            await self._async_end_session(session)
            await self._async_start_session()
        elif session is not None and not self.participating:
            await self._async_end_session(session, SessionOutcome.NOT_PARTICIPATING)
        elif session is not None and session.plan is None:
            await self.axle.async_request_plan(session, self._blocks_to_resend(session))
        elif session is None and plugged and was_plugged is False and self.participating:
            await self._async_start_session()
        elif not await self._async_next_night():
            # A night that ended while Home Assistant was down gives way to the next one.
            await self.async_apply()

    async def _async_on_stop(self, _event: Event) -> None:
        """Home Assistant stops: put back what we changed before the charger's integration goes.

        The values to put back stay stored all the same: the charger's integration may save its
        state before our command lands, so start-up puts them back again where they did not
        stick (or holds a pause that is still running, remembering the same values). When it
        stopped is stored too: a value the user changes while Home Assistant is down wins.
        """
        self.stopped_at = dt_util.utcnow()
        await self._async_let_go(keep_restore_values=True)

    async def _async_let_go(self, *, keep_restore_values: bool = False) -> None:
        """Stop every timer and listener and put the charger back; the session stays stored."""
        if self.closed:
            return
        self.closed = True
        self._cancel_timers()
        self.charger.cancel_pending()
        while self._unsubscribe:
            self._unsubscribe.pop()()
        async with self._apply_lock:
            restore_values = dict(self.driver.restore)
            await self.driver.async_release(verify=False)
            if keep_restore_values:
                self.driver.restore = restore_values
            else:
                # Unloaded (a reload): the user's kept "no charging", put back now, still goes
                # back after the next night if the entry comes back.
                self.driver.keep_put_back_pause(restore_values)
        await self.async_save()

    # Following the charger's entities

    @callback
    def _async_on_state_change(self, event: Event[EventStateChangedData]) -> None:
        """Dispatch a state change of the plug, the switch or the current number."""
        entity_id = event.data["entity_id"]
        old_state = event.data["old_state"]
        new_state = event.data["new_state"]
        self.issues.update_missing(entity_id, old_state, new_state)
        if not self._started or self.closed:
            return
        entities = self.charger.entities
        if entity_id == entities.plug:
            self._on_plug_change(new_state)
        if (
            entities.control is not None
            and entity_id == entities.control.entity_id
            and self.driver.note_charging_value()
        ):
            self.create_task(self.async_save(), "save the charging value")
        if entity_id in entities.controlled:
            kind = self.charger.classify(entity_id, old_state, new_state)
            if kind is ChangeKind.USER:
                # The report of a command already taken as the user's is not a second override.
                if new_state is None or new_state.context.id != self._user_command_context:
                    self._on_user_change(entity_id, self.charger.state_value(entity_id, new_state))
            elif kind is ChangeKind.OWN:
                # A command took effect: the charger responds.
                self.issues.charger_responding(entity_id)
            elif (
                kind is ChangeKind.SELF
                and self.session is not None
                and not self.driver.sent_the_pause(entity_id, self.session.plugged_in_at)
                and self.contradicts_pause(entity_id)
            ):
                # It fights a pause we never had to send (it showed paused): the charger or the
                # car, not a person (a switch that follows the charging state as the car starts
                # at plug-in, or again after it was full). Hold the pause now.
                self.create_task(self.async_apply(), "hold the pause")
            elif kind in (ChangeKind.STALE, ChangeKind.SELF) or (
                kind is ChangeKind.AVAILABLE and self._sent_pause_contradicted(entity_id)
            ):
                # Back from unavailable over the pause we sent, it was changed meanwhile (the
                # vendor's app, say): the user's if it lasts, as any change of the charger's.
                self.watchers.watch_contradiction(entity_id)
            elif kind is ChangeKind.AVAILABLE:
                self.create_task(self.async_apply(), "apply when the charger is back")

    @callback
    def _command_targets(self, event_data: Mapping[str, Any]) -> list[str]:
        """Return the controlled entities a service call aims at, by the keys the charger uses."""
        target = (event_data.get(ATTR_SERVICE_DATA) or {}).get(ATTR_ENTITY_ID)
        targets = target if isinstance(target, list) else [target]
        entities = self.charger.entities
        keys: dict[str, str] = {entities.current: entities.current} if entities.current else {}
        if entities.control is not None and entities.control.entity_id:
            keys[entities.control.entity_id] = entities.control.key
        return [key for entity_id, key in keys.items() if entity_id in targets]

    @callback
    def _is_someones_command(self, event_data: Mapping[str, Any]) -> bool:
        """Whether a service call aims at the charger's control or current (ours or not)."""
        return bool(self._command_targets(event_data))

    @callback
    def _on_someones_command(self, event: Event) -> None:
        """Take a person's or an automation's command to the charger as theirs, at once."""
        if self.charger.is_ours(event.context) or not self._started or self.closed:
            return
        if event.context.user_id is None and event.context.parent_id is None:
            return
        if self.session is not None:
            # Its report (if it carries the same context) is not a second override.
            self._user_command_context = event.context.id
        control = self.charger.entities.control
        service_data = event.data.get(ATTR_SERVICE_DATA) or {}
        for key in self._command_targets(event.data):
            value = None
            if control is not None and key == control.key:
                value = control.value_of_call(str(event.data.get(ATTR_SERVICE)), service_data)
            self._on_user_change(key, value)

    @callback
    def _on_plug_change(self, new_state: State | None) -> None:
        """Start a session on a real plug-in, end it on unplug; unavailable changes nothing."""
        plugged = self.charger.plugged(new_state)
        self.plugged_in = plugged
        if plugged is not None:
            was_plugged = self._last_plugged
            self._last_plugged = plugged
            if plugged:
                self.watchers.cancel_unplug()
            if plugged and was_plugged is False and self.session is None and self.participating:
                self.create_task(self._async_start_session(), "plug-in")
            elif not plugged and self.session is not None:
                # Ends the session once the plug has stayed out for the settle time.
                self.watchers.watch_unplug()
                self.create_task(self.async_save(), "save plug state")
            elif plugged != was_plugged:
                self.create_task(self.async_save(), "save plug state")
        self.notify()

    async def async_unplugged(self) -> None:
        """End the session: the car has been gone for the settle time."""
        if self.session is not None:
            await self._async_end_session(self.session)

    def _sent_pause_contradicted(self, entity_id: str) -> bool:
        """Whether the entity shows a charging value over a pause this session sent it."""
        session = self.session
        return (
            session is not None
            and self.driver.sent_the_pause(entity_id, session.plugged_in_at)
            and self.contradicts_pause(entity_id)
        )

    def contradicts_pause(self, entity_id: str) -> bool:
        """Whether the entity is our pause control and shows a charging value during our pause."""
        control = self.charger.entities.control
        plan = self._active_plan
        if control is None or control.key != entity_id or plan is None:
            return False
        if charger_command_at(self.control_mode, plan, dt_util.utcnow()) is not (
            ChargerCommand.PAUSE
        ):
            return False
        value = self.charger.value(entity_id)
        wanted = self.charger.pause_value()
        return value is not None and wanted is not None and not values_match(value, wanted)

    @callback
    def take_over(self, entity_id: str) -> None:
        """Take a change that fought our pause past its latency as the user's: an override."""
        self._on_user_change(entity_id, self.charger.value(entity_id))

    @callback
    def _on_user_change(self, entity_id: str, value: RestoreValue | None = None) -> None:
        """Somebody else changed the charger: theirs stands; during a session, hands off."""
        # However soon after our own command: it is not retried over, nor put back.
        self.charger.drop_command(entity_id)
        self.driver.forget(entity_id)
        session = self.session
        if session is None or not self.participating:
            return
        control = self.charger.entities.control
        if entity_id == self.charger.entities.current and (
            control is None or control.key != entity_id
        ):
            # Only the current: it stands, and the control goes on following the plan.
            return
        if control is not None and value is not None:
            session.users_choice = control.allows_charging(value, self.hass.states.get(entity_id))
        if not session.overridden:
            LOGGER.info("%s was changed outside Axle Flex Lite: hands off until unplug", entity_id)
            session.overridden = True
            self._cancel_timers()
            self.charger.cancel_pending()
        # The user's change stands; anything else we changed is put back by the next apply.
        self.create_task(self._async_after_override(session), "override")
        self.notify()

    # Sessions

    async def _async_start_session(self) -> None:
        """Start a session at plug-in: send the desired schedule to Axle straight away."""
        now = dt_util.utcnow()
        window_start, window_end = self.window
        blocks = desired_schedule(window_start, window_end, now, self._time_zone)
        session = Session(session_id=uuid4().hex, plugged_in_at=now, submitted=blocks)
        self.session = session
        self._user_plan_sent = None
        LOGGER.debug("Plug-in: sending %s to Axle", blocks)
        await self.axle.async_request_plan(session, blocks)

    async def _async_end_session(
        self, session: Session, outcome: SessionOutcome | None = None, *, put_back: bool = True
    ) -> None:
        """Close the session, file it in the history and (``put_back``) put the charger back."""
        now = dt_util.utcnow()
        self.session = None
        self._cancel_timers()
        self.watchers.cancel(unplug=True)
        self.charger.cancel_pending()
        session.ended_at = now
        session.outcome = outcome or self._outcome(session, now)
        self.history = (*self.history, session)
        self._prune_history()
        LOGGER.debug("Session ended: %s", session.outcome)
        if put_back:
            await self.async_apply()
            if self.driver.drop_users_pause():
                await self.async_save()

    def _blocks_to_resend(self, session: Session) -> tuple[ScheduleBlock, ...]:
        """Return what is left of the session's schedule, or the next window when nothing is."""
        now = dt_util.utcnow()
        if remaining := remaining_schedule(session.submitted, now):
            return remaining
        window_start, window_end = self.window
        return desired_schedule(window_start, window_end, now, self._time_zone)

    # Driving the charger

    async def async_apply(self) -> None:
        """Bring the charger to what the plan wants now, arm the next timer, save and notify."""
        async with self._apply_lock:
            if self.closed:
                return
            now = dt_util.utcnow()
            plan = self._active_plan
            command = (
                charger_command_at(self.control_mode, plan, now)
                if plan is not None
                else ChargerCommand.HANDS_OFF
            )
            await self.driver.async_follow(command)
            self._arm_timer(now)
            await self.async_save()
        self.notify()

    def _arm_timer(self, now: datetime) -> None:
        """Arm the one timer: the next change of the command or the status, or the night's end."""
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
        plan = self._active_plan
        self.next_change = None if plan is None else next_change_after(self.control_mode, plan, now)
        session = self.session
        next_night = self._next_night_at(session) if session and self.participating else None
        edges = (self.next_change, next_edge(plan, now) if plan else None, next_night)
        wake = min((edge for edge in edges if edge is not None and edge > now), default=None)
        if wake is not None:
            self._cancel_timer = async_track_point_in_utc_time(
                self.hass, self._async_on_timer, wake
            )

    async def _async_on_timer(self, _now: datetime) -> None:
        """Apply the plan at a change instant; at the night's end a car still in gets the next."""
        self._cancel_timer = None
        if not await self._async_next_night():
            await self.async_apply()

    def _next_night_at(self, session: Session) -> datetime | None:
        """When a car still plugged in gets the next night's plan: shortly before its window."""
        window_end = session.window_end
        if window_end is None:
            return None
        window_start, end = self.window
        (upcoming,) = desired_schedule(window_start, end, window_end, self._time_zone)
        return max(window_end, upcoming.start - NEXT_NIGHT_LEAD)

    async def _async_next_night(self) -> bool:
        """File a night that is over while the car is still in, and plan the next night.

        Each night is its own session in the history and the calendar, and its schedule goes to
        Axle once, well before its window starts. Returns whether it started one.
        """
        session = self.session
        next_night = self._next_night_at(session) if session is not None else None
        if (
            session is None
            or next_night is None
            or dt_util.utcnow() < next_night
            or self.plugged_in is False
            or not self.participating
            or self.closed
        ):
            return False
        LOGGER.debug("The car stays plugged in after the window: planning the next night")
        # The charger stays as it is between the nights (the next night's answer is applied), and
        # what to put back carries over: after a night the user took over, the value they left.
        await self._async_end_session(
            session, self._outcome(session, dt_util.utcnow()), put_back=False
        )
        if session.overridden and session.users_choice is not True:
            # Not when the user let it charge: an "off" now only shows the car's status.
            self.driver.keep_users_pause()
        await self._async_start_session()
        return True

    def _cancel_timers(self) -> None:
        """Cancel the change timer, the pending retry and the waits."""
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
        self.axle.cancel_retry()
        self.watchers.cancel()
        self.next_change = None

    # Plumbing

    def create_task(self, target: Coroutine[Any, Any, None], name: str) -> None:
        """Run a coroutine tied to the entry (cancelled if the entry goes away)."""
        self.entry.async_create_task(self.hass, target, f"{DOMAIN} {name}")
