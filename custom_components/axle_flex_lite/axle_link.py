"""The session controller's conversation with Axle: send a schedule, follow it or fall back.

Axle never leaves the car uncharged: any failure (unreachable, slow, refusing, nonsense) falls back
to the household's own schedule, with one retry at most. A 403 means the site lost its consent:
no schedule is sent until the consent or the participation changes (a repair issue says so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api import (
    AxleAuthenticationError,
    AxleError,
    AxleForbiddenError,
    AxleInvalidResponseError,
    AxleTemporaryError,
    ScheduleBlock,
)
from .const import (
    CONF_ASSET_ID,
    CONF_CONSENT_AT,
    FALLBACK_RETRY_DELAY,
    ISSUE_CONSENT_MISSING,
    LOGGER,
)
from .scheduling import build_plan, remaining_schedule
from .session import ScheduleEventType, Session

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.core import CALLBACK_TYPE

    from .controller import SessionController

# Failures worth one more try after FALLBACK_RETRY_DELAY; the others will not mend by themselves.
RETRYABLE_ERRORS: Final = (AxleTemporaryError,)
FALLBACK_CONSENT: Final = "Axle refused the schedule: the site is not enrolled (403)"


def describe_error(err: AxleError) -> str:
    """Describe an Axle error for the log and the status (the client keeps personal data out)."""
    return f"{type(err).__name__}: {err}"


class AxleLink:
    """Sends the controller's schedules to Axle and turns the answers into plans."""

    def __init__(self, controller: SessionController) -> None:
        """Talk to Axle on behalf of ``controller`` (its entry, client and repair issues)."""
        self._controller = controller
        self.hass = controller.hass
        self.entry = controller.entry
        self.client = controller.client
        self.last_schedule_sync: datetime | None = None
        self.last_api_error: str | None = None
        # The entry's consent time when Axle last refused a schedule with 403.
        self.consent_refused: str | None = None
        self._cancel_retry: CALLBACK_TYPE | None = None
        self._retried_session: str | None = None
        self._request_serial = 0

    @property
    def consent_blocked(self) -> bool:
        """Whether Axle refused the consent the entry holds now (no schedule is sent meanwhile)."""
        return self.consent_refused is not None and self.consent_refused == self._consent_marker

    @property
    def _consent_marker(self) -> str:
        """The entry's consent time: a new one (reconfigure) lifts Axle's earlier refusal."""
        return str(self.entry.data.get(CONF_CONSENT_AT) or "")

    @property
    def retry_pending(self) -> bool:
        """Whether a retry after a failure is armed."""
        return self._cancel_retry is not None

    def forget_answers_in_flight(self) -> None:
        """Drop any answer still on its way: it concerns an outdated plan."""
        self._request_serial += 1

    def cancel_retry(self) -> None:
        """Cancel the pending retry, if any."""
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None

    def on_call_error(self, err: AxleError) -> None:
        """Record a failed call; a refused login asks the user to sign in again."""
        self.last_api_error = describe_error(err)
        if isinstance(err, AxleAuthenticationError):
            self.entry.async_start_reauth(self.hass)

    async def async_send(self, blocks: tuple[ScheduleBlock, ...]) -> tuple[ScheduleBlock, ...]:
        """Send a schedule to Axle and return its answer.

        Failures are recorded and raised: 403 raises the consent repair issue (no more schedules
        until consent or participation changes), a 401 that survived the client's own new login
        starts re-authentication.
        """
        issues = self._controller.issues
        try:
            answer = await self.client.async_send_plug_in_schedule(
                self._controller.settings[CONF_ASSET_ID], blocks
            )
        except AxleError as err:
            self.on_call_error(err)
            LOGGER.warning("Axle did not take the charging schedule: %s", self.last_api_error)
            if isinstance(err, AxleForbiddenError):
                self.consent_refused = self._consent_marker
                issues.raise_issue(ISSUE_CONSENT_MISSING)
            raise
        self.last_schedule_sync = dt_util.utcnow()
        self.last_api_error = None
        # Axle took a schedule, so the site has consent again, however the refusal was lifted.
        self.consent_refused = None
        issues.delete_issue(ISSUE_CONSENT_MISSING)
        return answer

    async def async_request_plan(
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
        controller = self._controller
        self._request_serial += 1
        serial = self._request_serial
        session.submitted = blocks
        failure: AxleError | None = None
        if self.consent_blocked:
            self._fall_back(session, blocks, FALLBACK_CONSENT)
        else:
            controller.notify()
            await controller.async_save()
            try:
                answer = await self.async_send(blocks)
            except AxleError as err:
                if self._is_stale(session, serial):
                    return
                failure = err
                self._fall_back(session, blocks, describe_error(err))
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
                    controller.fire(
                        ScheduleEventType.MODIFIED if plan.pauses else ScheduleEventType.UNCHANGED,
                        session,
                    )
        await controller.async_apply()
        if raise_errors and failure is not None:
            raise failure

    def _is_stale(self, session: Session, serial: int) -> bool:
        """Whether an answer no longer concerns what the controller is doing."""
        controller = self._controller
        return (
            controller.closed
            or controller.session is not session
            or serial != self._request_serial
            or session.overridden
        )

    def _fall_back(self, session: Session, blocks: tuple[ScheduleBlock, ...], reason: str) -> None:
        """Follow the household's own schedule for this session."""
        session.plan, _ = build_plan(blocks, None)
        session.fallback_reason = reason
        self._controller.fire(ScheduleEventType.FALLBACK, session)

    def _arm_retry(self, session: Session) -> None:
        """Ask Axle once more after ``FALLBACK_RETRY_DELAY`` (only once per session)."""
        self._retried_session = session.session_id
        controller = self._controller

        async def _async_retry(_now: datetime) -> None:
            self._cancel_retry = None
            if (
                controller.closed
                or controller.session is not session
                or session.overridden
                or session.fallback_reason is None
                or not controller.participating
            ):
                return
            if blocks := remaining_schedule(session.submitted, dt_util.utcnow()):
                await self.async_request_plan(session, blocks, retry_allowed=False)

        self._cancel_retry = async_call_later(self.hass, FALLBACK_RETRY_DELAY, _async_retry)
