"""What the user asks of the session controller, and what follows when they take over.

Skip a pause, resend, take part or not, new settings; after an override, the user's plan for Axle.

A base class of ``SessionController`` (controller.py), which supplies the session steps used here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.util import dt as dt_util

from .api import AxleError, ScheduleBlock
from .const import CONF_SITE_ID, ISSUE_CONSENT_MISSING, LOGGER
from .controller_state import ControllerState
from .scheduling import Plan, desired_schedule, remaining_schedule, skip_pauses
from .session import ScheduleEventType, SessionOutcome

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from .session import Session
    from .watchers import Watchers


def _until(blocks: Iterable[ScheduleBlock], moment: datetime) -> tuple[ScheduleBlock, ...]:
    """Return the parts of the blocks before ``moment``."""
    return tuple(
        ScheduleBlock(start=block.start, end=min(block.end, moment))
        for block in blocks
        if block.start < moment
    )


class SessionActions(ControllerState):
    """The user's actions on the running session (entities and services call these)."""

    if TYPE_CHECKING:
        # Supplied by SessionController.
        closed: bool
        watchers: Watchers
        _started: bool
        _user_plan_sent: tuple[bool, datetime | None] | None

        async def async_apply(self) -> None:
            """Bring the charger to what the plan wants now."""

        async def _async_start_session(self) -> None: ...
        async def _async_end_session(
            self, session: Session, outcome: SessionOutcome | None = None
        ) -> None: ...
        def _blocks_to_resend(self, session: Session) -> tuple[ScheduleBlock, ...]: ...

    async def async_skip_pause(self) -> None:
        """End a running pause now, drop the later ones, and tell Axle the new schedule.

        Axle's answer to it is recorded but not applied: the user asked for no pause. Raises
        ``AxleError`` when Axle could not be told (the pause is skipped all the same). Nothing
        happens once Home Assistant is stopping (the charger has been put back already).
        """
        if self.closed:
            return
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
        self.axle.forget_answers_in_flight()
        await self.async_apply()
        blocks = remaining_schedule(skipped.modified, now)
        if blocks and not self.axle.consent_blocked:
            await self.axle.async_send(blocks)
            self.notify()

    async def async_resend_schedule(self) -> None:
        """Send the session's remaining schedule to Axle again and follow the answer.

        Also lifts an earlier consent refusal (the user asks explicitly). Without a session, a
        plugged-in car starts one. Raises ``AxleError`` when Axle fails (after falling back).
        """
        if not self.participating or self.closed:
            return
        session = self.session
        if session is None:
            if self.car_in and self._started:
                await self._async_start_session()
            return
        self.axle.consent_refused = None
        if session.overridden:
            plan = session.plan
            if plan is not None and (blocks := remaining_schedule(plan.modified, dt_util.utcnow())):
                await self.axle.async_send(blocks)
                self.notify()
            return
        await self.axle.async_request_plan(
            session, self._blocks_to_resend(session), retry_allowed=False, raise_errors=True
        )

    async def async_set_participation(self, participating: bool, *, tell_axle: bool = True) -> None:
        """Take part in Flex Lite (enrol again) or not (unenrol).

        Off: the session ends at once (a running pause is put back) and no schedule is sent until
        it is on again; the site is unenrolled at Axle. On: the site is enrolled again (overriding
        the earlier withdrawal), a consent refusal is lifted and a plugged-in car gets a session.
        Raises ``AxleError`` when Axle refuses; switching off takes effect here all the same.
        Without ``tell_axle`` only this charger follows (the home's other charger told Axle).
        """
        site_id = self.entry.data[CONF_SITE_ID]
        if participating:
            try:
                if tell_axle:
                    await self.client.async_enrol(site_id, override_withdrawal=True)
            except AxleError as err:
                self._on_call_error(err)
                raise
            self.participating = True
            self.axle.consent_refused = None
            self.issues.delete_issue(ISSUE_CONSENT_MISSING)
            session = self.session
            if session is None and self.car_in and self._started:
                await self._async_start_session()
            elif session is not None and session.fallback_reason and not session.overridden:
                await self.axle.async_request_plan(
                    session, self._blocks_to_resend(session), retry_allowed=False
                )
            else:
                await self.async_apply()
            return
        self.participating = False
        if self.session is not None:
            await self._async_end_session(self.session, SessionOutcome.NOT_PARTICIPATING)
        else:
            await self.async_apply()
        try:
            if tell_axle:
                await self.client.async_unenrol(site_id)
        except AxleError as err:
            self._on_call_error(err)
            raise

    def _on_call_error(self, err: AxleError) -> None:
        """Record a failed call; a refused login asks the user to sign in again."""
        self.axle.on_call_error(err)
        self.notify()

    async def async_settings_changed(self) -> None:
        """Follow a new window or control mode: re-send a changed window, then re-apply."""
        session = self.session
        if (
            session is not None
            and not session.overridden
            and self.participating
            and not self.closed
        ):
            now = dt_util.utcnow()
            window_start, window_end = self.window
            desired = desired_schedule(window_start, window_end, now, self._time_zone)
            remaining = remaining_schedule(session.submitted, now)
            if remaining and desired != remaining:
                LOGGER.debug("The charging window changed: sending Axle %s", desired)
                await self.axle.async_request_plan(session, desired)
                return
        await self.async_apply()

    async def _async_after_override(self, session: Session) -> None:
        """After the user took over: put back what they did not touch, tell Axle their plan."""
        await self.async_apply()
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
        self.fire(ScheduleEventType.OVERRIDE, session)
        await self.async_save()
        self.notify()
        self.watchers.schedule_resend()

    async def async_send_user_plan(self) -> None:
        """Tell Axle the user's plan after an override, once per distinct plan."""
        session = self.session
        if session is None or not session.overridden or session.plan is None or self.closed:
            return
        now = dt_util.utcnow()
        allowed = bool(self.charger.charging_allowed)
        window_end = session.window_end
        key = (allowed, window_end)
        if key == self._user_plan_sent or not allowed or window_end is None or now >= window_end:
            return
        # The plan as it stands now (a command of theirs may have been reported since).
        blocks = (ScheduleBlock(start=now, end=window_end),)
        plan = session.plan
        session.plan = Plan(
            submitted=plan.submitted,
            modified=(*_until(plan.modified, now), *blocks),
            pauses=plan.pauses,
        )
        if self.axle.consent_blocked:
            return
        self._user_plan_sent = key
        try:
            await self.axle.async_send(blocks)
        except AxleError:
            return  # recorded in last_api_error; the user's plan stands either way
        self.notify()
