"""The soak's happenings of the home (``tests/soak_case.py``): whatever befalls every charger.

The entry reloaded, Home Assistant restarted or killed, Flex Lite switched off and on, Axle's
token dead: each charger's model takes these in. Also what keeps one charger's own happenings
its own (``on_its_own``) and the removals at the end: an added charger, then the home.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.const import ATTR_ENTITY_ID, EVENT_HOMEASSISTANT_STOP
from homeassistant.helpers import entity_registry as er

from tests.helpers import set_up_entry, unload_entry
from tests.soak_checks import SoakChecks

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

AXLE_FAULTS: tuple[dict[str, Any], ...] = (
    {"status": 500},
    {"status": 502},
    {"status": 503},
    {"status": 429},
    {"status": 404},
    {"status": 422},
    {"kind": "malformed"},
    {"kind": "missing_fields"},
)


class HomeHappenings(SoakChecks):
    """A charger of the home, and what happens to the whole home (to each charger's model)."""

    def maybe_upset_axle(self) -> None:
        """Sometimes queue a fault for the next schedule request, or kill the tokens."""
        if self.rng.random() < 0.2:
            self.upset_axle()

    def upset_axle(self) -> None:
        """Queue a fault for the next schedule request, or kill the tokens."""
        if self.rng.random() < 0.7:
            self.simulator.fail_next(self.schedule_path, **self.rng.choice(AXLE_FAULTS))
            self.model.faults += 1
            return
        # The home's token: whichever charger asks next finds it dead.
        self.simulator.expire_tokens()
        for peer in self.peers:
            peer.model.faults += 1

    async def reload(self, step: str) -> None:
        """The entry is reloaded (options change, reauth, the UI's reload): every charger's."""
        for peer in self.peers:
            peer.allow_a_request_for_a_missing_plan()
            peer.note_an_unseen_app_change()
        # As the reload does: unload (which puts back), then set up (which applies the plan
        # again); each may send a command and its one retry, so they count apart.
        await unload_entry(self.hass, self.entry)
        for peer in self.peers:
            peer.mark()
        await set_up_entry(self.hass, self.entry)
        for peer in self.peers:
            peer.unsettle()
            peer.check(step)

    async def restart(self, step: str) -> None:
        """Home Assistant stops cleanly, stays down a while and starts again."""
        await self.stop_and_start(step, kill=False)

    async def kill(self, step: str) -> None:
        """Home Assistant is killed, stays down a while and starts again."""
        await self.stop_and_start(step, kill=True)

    async def stop_and_start(self, step: str, *, kill: bool) -> None:
        """Home Assistant stops cleanly (or is killed), stays down a while and starts again."""
        peers = self.peers
        for peer in peers:
            peer.allow_a_request_for_a_missing_plan()
            peer.note_an_unseen_app_change()
        down = timedelta(minutes=self.rng.randrange(1, 90))
        if kill:
            await self._kill()
        else:
            self.hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
            await self.hass.async_block_till_done()
            # Stopping puts the chargers back (and remembers the pauses to resume them).
            for peer in peers:
                peer.check_put_back(step)
            await unload_entry(self.hass, self.entry)
        for peer in peers:
            peer.model.loaded = False
            peer.mark()  # the put-backs at the stop are the stop's; the start-up's count anew
        await self.advance_to(self.clock.now + down, f"{step}: down")
        await set_up_entry(self.hass, self.entry)
        for peer in peers:
            peer.model.loaded = True
            peer.unsettle()
            peer.check(f"{step}: back")

    async def _kill(self) -> None:
        """What a kill leaves: the stores and the chargers as they were, nothing put back."""
        stored = {
            peer.storage_key: copy.deepcopy(self.hass_storage.get(peer.storage_key))
            for peer in self.peers
        }
        devices = [
            (twin, replace(twin.device), len(twin.commands))
            for peer in self.peers
            for twin in peer.charger.twins
        ]
        await unload_entry(self.hass, self.entry)
        for twin, device, commands in devices:
            twin.shutdown()
            twin.device = device
            twin.report()
            del twin.commands[commands:]
        for key, data in stored.items():
            if data is None:
                self.hass_storage.pop(key, None)
            else:
                self.hass_storage[key] = data

    async def toggle_participation(self, step: str) -> None:
        """Flex Lite switched off for a while (the sessions end) and on again (new ones): the
        home's switch, every charger's sessions."""
        switch = next(
            entity.entity_id
            for entity in er.async_entries_for_config_entry(
                er.async_get(self.hass), self.entry.entry_id
            )
            if entity.domain == "switch"
        )
        await self.hass.services.async_call(
            "switch", "turn_off", {ATTR_ENTITY_ID: switch}, blocking=True
        )
        await self.hass.async_block_till_done()
        for peer in self.peers:
            peer.model.participating = False
            peer.unsettle()
            peer.check(f"{step}: off")
        await self.advance_to(self.clock.now + timedelta(minutes=30), f"{step}: off")
        self.maybe_upset_axle()
        await self.hass.services.async_call(
            "switch", "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True
        )
        await self.hass.async_block_till_done()
        for peer in self.peers:
            peer.model.participating = True
            session = peer.controller.session
            peer.start_counting(session.session_id if session else None)
            peer.unsettle()
            peer.check(f"{step}: on")

    async def on_its_own[T](self, step: str, action: Callable[[str], Awaitable[T]]) -> T:
        """Run one of this charger's own happenings: one that takes no time sends the home's
        other chargers no command and Axle no request for their assets."""
        at = self.clock.now
        others = [(peer, peer.command_count(), len(peer.requests())) for peer in self.others()]
        result = await action(step)
        if self.clock.now == at:
            for peer, commands, requests in others:
                assert peer.command_count() == commands, (
                    f"{step}: the {peer.label} got commands: {peer.recent_commands()}"
                )
                assert len(peer.requests()) == requests, (
                    f"{step}: Axle was sent a schedule for the {peer.label}"
                )
        return result

    def others(self) -> list[SoakChecks]:
        """The home's other chargers."""
        return [peer for peer in self.peers if peer is not self]

    async def remove_home(self) -> None:
        """The entry is removed: every charger still there is put back."""
        assert await self.hass.config_entries.async_remove(self.entry.entry_id)
        await self.hass.async_block_till_done()
        for peer in self.peers:
            if peer.model.loaded:
                peer.model.loaded = False
                peer.check_put_back(peer.named("removal"))
        self._check_log("removal")

    async def remove_charger(self) -> int:
        """This charger (an added one) is removed from the home with the car in: it is put
        back and its asset deleted at Axle; the home's other chargers are not touched. Return
        its commands so far (it gets no more)."""
        step = self.named("removal of the charger")
        await self.on_its_own(step, self._remove_subentry)
        self.model.loaded = False
        self.check_put_back(step)
        assets = {asset.asset_id for asset in self.simulator.iter_assets()}
        assert self.asset_id not in assets, f"{step}: its asset is still at Axle"
        for peer in self.others():
            assert peer.asset_id in assets, f"{step}: the {peer.label}'s asset was deleted"
            peer.check(step)
        self._check_log(step)
        return self.command_count()

    async def _remove_subentry(self, _step: str) -> None:
        assert self.hass.config_entries.async_remove_subentry(self.entry, self.subentry_id)
        await self.hass.async_block_till_done()
