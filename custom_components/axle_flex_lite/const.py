"""Constants shared across the Axle Flex Lite integration."""

from __future__ import annotations

from datetime import time, timedelta
from enum import StrEnum
import logging
from typing import TYPE_CHECKING, Final

from homeassistant.const import Platform

if TYPE_CHECKING:
    from collections.abc import Mapping

DOMAIN: Final = "axle_flex_lite"
LOGGER: Final = logging.getLogger(__package__)

# entry.data keys (set by the config flow; changed by reauth and reconfigure only)
CONF_ENVIRONMENT: Final = "environment"
CONF_BASE_URL: Final = "base_url"
CONF_MPAN: Final = "mpan"
CONF_STREET_ADDRESS: Final = "street_address"
CONF_POSTCODE: Final = "postcode"
CONF_EMAIL: Final = "email"
CONF_CONSENT: Final = "consent"
CONF_CONSENT_AT: Final = "consent_at"
CONF_SITE_ID: Final = "site_id"
CONF_ASSET_ID: Final = "asset_id"
CONF_EXTERNAL_ID: Final = "external_id"

# entry.options keys (config flow, options flow, time and select entities)
CONF_CHARGER_DEVICE: Final = "charger_device"  # the device picked in the charger step
CONF_PROFILE: Final = "profile"  # the charger profile recognised from that device, if any
CONF_PLUG_ENTITY: Final = "plug_entity"
CONF_PLUGGED_STATES: Final = "plugged_states"
CONF_UNPLUGGED_STATES: Final = "unplugged_states"
CONF_CONTROL_KIND: Final = "control_kind"
CONF_SWITCH_ENTITY: Final = "switch_entity"  # switch and inverted_switch kinds
CONF_LOCK_ENTITY: Final = "lock_entity"
CONF_SELECT_ENTITY: Final = "select_entity"
CONF_PAUSE_OPTION: Final = "pause_option"
CONF_RESUME_OPTION: Final = "resume_option"  # absent: the option the select had before the pause
CONF_PAUSE_ACTION: Final = "pause_action"  # "domain.service"
CONF_PAUSE_ACTION_DATA: Final = "pause_action_data"
CONF_RESUME_ACTION: Final = "resume_action"
CONF_RESUME_ACTION_DATA: Final = "resume_action_data"
CONF_CURRENT_ENTITY: Final = "current_entity"
CONF_PAUSE_CURRENT: Final = "pause_current"  # absent: the current number's minimum
CONF_COMMAND_LATENCY: Final = "command_latency"  # seconds the charger takes to report a command
CONF_UNPLUG_SETTLE: Final = "unplug_settle"  # seconds an unplug must last to end a session
CONF_POWER_KW: Final = "power_kw"
CONF_ASSET_MODEL: Final = "asset_model"
CONF_INSTALLATION_DATE: Final = "installation_date"  # YYYY-MM-DD: the CoP11 route needs it
# Meter look-up fields of the config flow (not stored in the entry).
CONF_BUILDING: Final = "building"
CONF_METER: Final = "meter"

# Model names Axle is known to accept as ``asset_model`` (from Axle's own material); the form also
# takes any other name, which Axle then checks.
KNOWN_ASSET_MODELS: Final = ("axle_charger_v1", "zappi")
CONF_WINDOW_START: Final = "window_start"
CONF_WINDOW_END: Final = "window_end"
CONF_CONTROL_MODE: Final = "control_mode"

# Config entry version 2: the entry is the home, each charger a config subentry of this type whose
# data holds its Axle asset (``asset_id``, ``external_id``), ``key_prefix`` and every key that was
# the charger's in ``entry.options`` before (device, plug, control, latency, settle time, details,
# window and control mode). See docs/architecture.md, "Two chargers".
CONFIG_ENTRY_VERSION: Final = 2
SUBENTRY_TYPE_CHARGER: Final = "charger"
# The prefix of a charger's entity unique ids, store key and repair issue ids. A flow cannot know
# the id of the entry or subentry it creates (Home Assistant assigns both after the flow ends, on
# 2025.4.4 and on the newest release), so the rule is:
# - the charger an older entry had (migrated): the entry id, stored, so its entity ids, history
#   and stored session stay;
# - the first charger of a home set up as version 2 (config flow): no key_prefix stored, read as
#   the entry id (the same as a migrated home);
# - a charger added later ("Add charger"): f"{entry_id}_{external_id}", stored.
# Read it with subentries.charger_key_prefix, never straight from the data.
CONF_KEY_PREFIX: Final = "key_prefix"

# Options that can change while a session runs without reloading the entry (the settle time is
# read at each unplug).
REPLAN_OPTIONS: Final = frozenset(
    {CONF_WINDOW_START, CONF_WINDOW_END, CONF_CONTROL_MODE, CONF_UNPLUG_SETTLE}
)


# The stored ``control_kind`` (the ways of pausing are in controls.py) and the option that
# holds each kind's entity.
class ControlKind(StrEnum):
    """How the charger is paused."""

    SWITCH = "switch"  # on = charging
    INVERTED_SWITCH = "inverted_switch"  # on = paused (a "lock charger" switch)
    LOCK = "lock"  # locked = paused
    SELECT = "select"  # a pause option; resume to a fixed option or the one it had before
    ACTIONS = "actions"  # a pause action and a resume action, with their data
    CURRENT = "current"  # the current number to a low value (default: its minimum)


# Actions have no entity.
KIND_ENTITY: Final[Mapping[ControlKind, str]] = {
    ControlKind.SWITCH: CONF_SWITCH_ENTITY,
    ControlKind.INVERTED_SWITCH: CONF_SWITCH_ENTITY,
    ControlKind.LOCK: CONF_LOCK_ENTITY,
    ControlKind.SELECT: CONF_SELECT_ENTITY,
    ControlKind.CURRENT: CONF_CURRENT_ENTITY,
}


class ControlMode(StrEnum):
    """How much of the charging schedule the integration drives."""

    PAUSE_ONLY = "pause_only"
    FULL_SCHEDULE = "full_schedule"


DEFAULT_WINDOW_START: Final = time(23, 30)
DEFAULT_WINDOW_END: Final = time(5, 30)
DEFAULT_POWER_KW: Final = 7.4
DEFAULT_CONTROL_MODE: Final = ControlMode.PAUSE_ONLY

# Entries made before the plug states were picked per charger read a sensor or select plug with
# this built-in list (plus their own extra states); migrated once at load (see charger_options.py).
LEGACY_PLUGGED_STATES: Final = frozenset(
    {
        "connected",
        "plugged",
        "plugged_in",
        "charging",
        "paused",
        "suspended_ev",
        "suspended_evse",
        "preparing",
        "finishing",
        "charging_completed",
        "ready",
        "waiting",
        "on",
    }
)

# Commands of a charger whose latency is not known show up within this (seconds).
DEFAULT_COMMAND_LATENCY: Final = 30

STORAGE_VERSION: Final = 1
# 2: the charger's values keyed by registry id (renames follow); 1 keyed them by entity id.
STORAGE_MINOR_VERSION: Final = 2
HISTORY_DAYS: Final = 30
# A hard cap as well, so many short plug-ins a day cannot grow the store without bound.
HISTORY_MAX_SESSIONS: Final = 300
# Rewards change when a session ends (refreshed then) or a payment is made, and Axle may credit
# earnings later: the balance is read at least every 6 h, and an hour after a failed read.
REWARDS_UPDATE_INTERVAL: Final = timedelta(hours=6)
REWARDS_RETRY_INTERVAL: Final = timedelta(hours=1)
# A command of ours may take the charger's command latency to show up: until then its value is
# taken as ours (whatever the context) and other values as stale; then it is checked, and retried
# once. The latency comes from the charger's profile or the options; when unset, ten minutes (the
# slowest cloud chargers); never less than half a minute.
COMMAND_VERIFY_DELAY: Final = timedelta(seconds=30)
UNSET_COMMAND_LATENCY: Final = timedelta(minutes=10)
# A car left plugged in gets the next night's plan this long before that night's window opens.
NEXT_NIGHT_LEAD: Final = timedelta(hours=1)
# A cable wiggle is not an unplug: the plug must stay out this long (the option changes it).
DEFAULT_UNPLUG_SETTLE: Final = timedelta(seconds=60)
# The longest settle time the forms accept, in seconds (a longer unplug is a real one).
MAX_UNPLUG_SETTLE: Final = 600
# The user's plan after an override goes to Axle once it has been steady this long (coalesced).
OVERRIDE_RESEND_DELAY: Final = timedelta(minutes=1)
FALLBACK_RETRY_DELAY: Final = timedelta(minutes=2)
# Removing the entry tries to unenrol the site, but never waits longer than this.
REMOVAL_TIMEOUT: Final = timedelta(seconds=10)

# Repair issue ids
ISSUE_CHARGER_ENTITY_MISSING: Final = "charger_entity_missing"
ISSUE_CHARGER_NOT_RESPONDING: Final = "charger_not_responding"
ISSUE_CONSENT_MISSING: Final = "consent_missing"
ISSUE_SITE_NOT_ELIGIBLE: Final = "site_not_eligible"

# Entity platforms forwarded by __init__.py (the entity modules add themselves here).
PLATFORMS: Final[list[Platform]] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]
