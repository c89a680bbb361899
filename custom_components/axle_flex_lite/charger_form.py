"""The charger form of the config and options flows: device picker, pre-fill and input checks.

The form starts with a device selector. Submitting it with a device it has not pre-filled yet
shows it again filled in from that device's charger profile (recognised by its entities'
platform): plug entity and states, control kind and its entities or actions, current number,
command latency and the suggested Axle model. Every field stays editable; without a device, or
for a device no profile knows, the fields are filled in by hand. Whatever is submitted is checked
against the entities themselves (options that exist, actions that are registered, a pause
current inside the number's range) before anything is saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.select.const import ATTR_OPTIONS
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    DeviceSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    ObjectSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.helpers.translation import async_get_translations
import voluptuous as vol

from .const import (
    CONF_ASSET_MODEL,
    CONF_CHARGER_DEVICE,
    CONF_COMMAND_LATENCY,
    CONF_CONTROL_KIND,
    CONF_CURRENT_ENTITY,
    CONF_LOCK_ENTITY,
    CONF_PAUSE_ACTION,
    CONF_PAUSE_ACTION_DATA,
    CONF_PAUSE_CURRENT,
    CONF_PAUSE_OPTION,
    CONF_PLUG_ENTITY,
    CONF_PLUGGED_STATES,
    CONF_POWER_KW,
    CONF_PROFILE,
    CONF_RESUME_ACTION,
    CONF_RESUME_ACTION_DATA,
    CONF_RESUME_OPTION,
    CONF_SELECT_ENTITY,
    CONF_SWITCH_ENTITY,
    CONF_UNPLUG_SETTLE,
    CONF_UNPLUGGED_STATES,
    DEFAULT_COMMAND_LATENCY,
    DEFAULT_POWER_KW,
    DEFAULT_UNPLUG_SETTLE,
    DOMAIN,
    KIND_ENTITY,
    MAX_UNPLUG_SETTLE,
    ControlKind,
)
from .controls import as_number, number_range
from .flow_schemas import show_filled_form
from .plug import clean_states, normalise_state, reads_on_off
from .profiles import PROFILES_BY_KEY, ChargerProfile, profile_for_platforms

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import HomeAssistant
    from homeassistant.data_entry_flow import FlowHandler, FlowResult

PLUG_ENTITY_DOMAINS: Final = ["binary_sensor", "sensor", "switch", "input_boolean", "select"]
SWITCH_ENTITY_DOMAINS: Final = ["switch", "input_boolean"]
SELECT_ENTITY_DOMAINS: Final = ["select", "input_select"]
CURRENT_ENTITY_DOMAINS: Final = ["number", "input_number"]
# Every option the charger form writes: an edit replaces all of them, so nothing stale is kept.
CHARGER_KEYS: Final = (
    CONF_CHARGER_DEVICE,
    CONF_PROFILE,
    CONF_PLUG_ENTITY,
    CONF_PLUGGED_STATES,
    CONF_UNPLUGGED_STATES,
    CONF_CONTROL_KIND,
    CONF_SWITCH_ENTITY,
    CONF_LOCK_ENTITY,
    CONF_SELECT_ENTITY,
    CONF_PAUSE_OPTION,
    CONF_RESUME_OPTION,
    CONF_PAUSE_ACTION,
    CONF_PAUSE_ACTION_DATA,
    CONF_RESUME_ACTION,
    CONF_RESUME_ACTION_DATA,
    CONF_CURRENT_ENTITY,
    CONF_PAUSE_CURRENT,
    CONF_COMMAND_LATENCY,
    CONF_UNPLUG_SETTLE,
    CONF_POWER_KW,
)
# Entity fields and the domains they accept.
ENTITY_FIELDS: Final = {
    CONF_PLUG_ENTITY: PLUG_ENTITY_DOMAINS,
    CONF_SWITCH_ENTITY: SWITCH_ENTITY_DOMAINS,
    CONF_LOCK_ENTITY: ["lock"],
    CONF_SELECT_ENTITY: SELECT_ENTITY_DOMAINS,
    CONF_CURRENT_ENTITY: CURRENT_ENTITY_DOMAINS,
}
# Key of the selector translations that hold the notes the form shows about the charger.
NOTE_TRANSLATIONS: Final = "charger_note"
NOTE_BY_HAND: Final = "by_hand"
NOTE_UNKNOWN: Final = "unknown_device"
NOTE_KNOWN: Final = "known"


def _options_of(hass: HomeAssistant, entity_id: object) -> list[str]:
    """Return the options an enum sensor or a select lists (empty when it lists none)."""
    state = hass.states.get(str(entity_id)) if entity_id else None
    options = state.attributes.get(ATTR_OPTIONS) if state is not None else None
    return [str(option) for option in options] if isinstance(options, list) else []


def _choices(*groups: object) -> list[str]:
    """Options for a multi-select: the entity's own first, then what is chosen already."""
    found: list[str] = []
    for group in groups:
        if isinstance(group, list | tuple):
            found.extend(str(item) for item in group)
        elif group:
            found.append(str(group))
    return clean_states(found)


def charger_schema(hass: HomeAssistant, values: Mapping[str, Any]) -> vol.Schema:
    """Build the charger form; the state and option lists come from the entities in ``values``."""
    plug_options = _options_of(hass, values.get(CONF_PLUG_ENTITY))
    select_options = _options_of(hass, values.get(CONF_SELECT_ENTITY))

    def states(key: str) -> SelectSelector:
        return SelectSelector(
            SelectSelectorConfig(
                options=_choices(plug_options, values.get(key)),
                multiple=True,
                custom_value=True,
                mode=SelectSelectorMode.DROPDOWN,
            )
        )

    def option() -> SelectSelector:
        return SelectSelector(
            SelectSelectorConfig(
                options=_choices(
                    select_options, values.get(CONF_PAUSE_OPTION), values.get(CONF_RESUME_OPTION)
                ),
                custom_value=True,
                mode=SelectSelectorMode.DROPDOWN,
            )
        )

    def entity(key: str) -> EntitySelector:
        return EntitySelector(EntitySelectorConfig(domain=ENTITY_FIELDS[key]))

    return vol.Schema(
        {
            vol.Optional(CONF_CHARGER_DEVICE): DeviceSelector(),
            vol.Optional(CONF_PLUG_ENTITY): entity(CONF_PLUG_ENTITY),
            vol.Optional(CONF_PLUGGED_STATES): states(CONF_PLUGGED_STATES),
            vol.Optional(CONF_UNPLUGGED_STATES): states(CONF_UNPLUGGED_STATES),
            vol.Required(CONF_CONTROL_KIND, default=ControlKind.SWITCH.value): SelectSelector(
                SelectSelectorConfig(
                    options=[kind.value for kind in ControlKind],
                    mode=SelectSelectorMode.DROPDOWN,
                    translation_key=CONF_CONTROL_KIND,
                )
            ),
            vol.Optional(CONF_SWITCH_ENTITY): entity(CONF_SWITCH_ENTITY),
            vol.Optional(CONF_LOCK_ENTITY): entity(CONF_LOCK_ENTITY),
            vol.Optional(CONF_SELECT_ENTITY): entity(CONF_SELECT_ENTITY),
            vol.Optional(CONF_PAUSE_OPTION): option(),
            vol.Optional(CONF_RESUME_OPTION): option(),
            vol.Optional(CONF_PAUSE_ACTION): TextSelector(),
            vol.Optional(CONF_PAUSE_ACTION_DATA): ObjectSelector(),
            vol.Optional(CONF_RESUME_ACTION): TextSelector(),
            vol.Optional(CONF_RESUME_ACTION_DATA): ObjectSelector(),
            vol.Optional(CONF_CURRENT_ENTITY): entity(CONF_CURRENT_ENTITY),
            vol.Optional(CONF_PAUSE_CURRENT): NumberSelector(
                NumberSelectorConfig(min=0, max=100, step=0.1, mode=NumberSelectorMode.BOX)
            ),
            vol.Optional(CONF_COMMAND_LATENCY, default=DEFAULT_COMMAND_LATENCY): NumberSelector(
                NumberSelectorConfig(
                    min=0, max=3600, step=1, unit_of_measurement="s", mode=NumberSelectorMode.BOX
                )
            ),
            vol.Optional(
                CONF_UNPLUG_SETTLE, default=int(DEFAULT_UNPLUG_SETTLE.total_seconds())
            ): NumberSelector(
                # No maximum here: the check below explains a too long one in words.
                NumberSelectorConfig(
                    min=0, step=1, unit_of_measurement="s", mode=NumberSelectorMode.BOX
                )
            ),
            vol.Required(CONF_POWER_KW, default=DEFAULT_POWER_KW): NumberSelector(
                NumberSelectorConfig(
                    min=1.0,
                    max=50.0,
                    step=0.1,
                    unit_of_measurement="kW",
                    mode=NumberSelectorMode.BOX,
                )
            ),
        }
    )


def device_profile(hass: HomeAssistant, device_id: str) -> tuple[ChargerProfile | None, list[str]]:
    """Return the profile of a device (by its entities' platform) and its entity ids."""
    entries = er.async_entries_for_device(er.async_get(hass), device_id)
    profile = profile_for_platforms(entry.platform for entry in entries)
    return profile, [entry.entity_id for entry in entries]


def charger_input(
    shown: Mapping[str, Any], user_input: Mapping[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """Merge a submitted charger form with what the form was filled from.

    Returns the values and, when the user picked a device the form was not filled from yet,
    that device (the form is then filled in from it and shown again). The recognised profile is
    not a field: it stays while the device does.
    """
    values = dict(user_input)
    device = user_input.get(CONF_CHARGER_DEVICE)
    if device and device != shown.get(CONF_CHARGER_DEVICE):
        return values, str(device)
    if device and shown.get(CONF_PROFILE):
        values[CONF_PROFILE] = shown[CONF_PROFILE]
    return values, None


def prefill(hass: HomeAssistant, values: Mapping[str, Any], device_id: str) -> dict[str, Any]:
    """Fill the form in from the device's profile; fields the profile has no value for stay."""
    profile, entity_ids = device_profile(hass, device_id)
    filled = {key: value for key, value in values.items() if key not in (CONF_PROFILE,)}
    filled[CONF_CHARGER_DEVICE] = device_id
    if profile is None:
        return filled
    suggested = profile.prefill(entity_ids, device_id)
    for key in (CONF_PLUG_ENTITY, *KIND_ENTITY.values(), CONF_PAUSE_OPTION, CONF_RESUME_OPTION):
        filled.pop(key, None)
    filled.update(suggested)
    if profile.asset_model is not None:
        filled[CONF_ASSET_MODEL] = profile.asset_model
    return filled


async def async_charger_note(hass: HomeAssistant, values: Mapping[str, Any]) -> str:
    """Return the note the form shows: the charger recognised or not, and a known limit."""
    translations = await async_get_translations(hass, hass.config.language, "selector", [DOMAIN])

    def text(key: str) -> str:
        return translations.get(
            f"component.{DOMAIN}.selector.{NOTE_TRANSLATIONS}.options.{key}", key
        )

    profile = PROFILES_BY_KEY.get(str(values.get(CONF_PROFILE)))
    if profile is None:
        return text(NOTE_UNKNOWN if values.get(CONF_CHARGER_DEVICE) else NOTE_BY_HAND)
    name = translations.get(
        f"component.{DOMAIN}.selector.{CONF_PROFILE}.options.{profile.key}", profile.key
    )
    note = text(NOTE_KNOWN).replace("{charger}", name)
    return f"{note} {text(profile.key)}" if profile.has_limit else note


async def async_show_charger_form[ResultT: FlowResult[Any, Any]](
    flow: FlowHandler[Any, ResultT, Any],
    values: Mapping[str, Any],
    errors: dict[str, str] | None = None,
    *,
    step_id: str = "charger",
    more_fields: Mapping[Any, Any] | None = None,
) -> ResultT:
    """Show the charger form filled in with ``values``, with its note (a step may add fields)."""
    schema = charger_schema(flow.hass, values)
    if more_fields:
        schema = schema.extend(more_fields)
    note = await async_charger_note(flow.hass, values)
    return show_filled_form(
        flow, step_id, schema, values, errors, description_placeholders={"charger_note": note}
    )


def _check_entity(
    hass: HomeAssistant, user_input: Mapping[str, Any], key: str, errors: dict[str, str]
) -> str | None:
    """Return the entity of a field when it exists; record the error otherwise."""
    entity_id = str(user_input.get(key) or "").strip()
    if not entity_id:
        return None
    if hass.states.get(entity_id) is None:
        errors[key] = "entity_not_found"
        return None
    return entity_id


def _check_states(
    hass: HomeAssistant, plug: str, user_input: Mapping[str, Any], errors: dict[str, str]
) -> dict[str, list[str]]:
    """Plugged and unplugged states of a sensor or select plug: required, its own, not both."""
    if reads_on_off(plug):
        return {}
    listed = {normalise_state(option) for option in _options_of(hass, plug)}
    found: dict[str, list[str]] = {}
    for key in (CONF_PLUGGED_STATES, CONF_UNPLUGGED_STATES):
        words = clean_states(user_input.get(key) or [])
        if not words:
            errors[key] = f"{key}_required"
        elif listed and any(normalise_state(word) not in listed for word in words):
            errors[key] = "state_not_an_option"
        found[key] = words
    both = {normalise_state(word) for word in found[CONF_PLUGGED_STATES]} & {
        normalise_state(word) for word in found[CONF_UNPLUGGED_STATES]
    }
    if both and CONF_UNPLUGGED_STATES not in errors:
        errors[CONF_UNPLUGGED_STATES] = "state_in_both_lists"
    return found


def _check_select(
    hass: HomeAssistant, select: str, user_input: Mapping[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """Check the pause option (required) and resume option (optional) are the select's own."""
    options = _options_of(hass, select)
    checked: dict[str, Any] = {}
    for key in (CONF_PAUSE_OPTION, CONF_RESUME_OPTION):
        option = str(user_input.get(key) or "").strip()
        if not option:
            if key == CONF_PAUSE_OPTION:
                errors[key] = "pause_option_required"
            continue
        if option not in options:
            errors[key] = "option_not_found"
        checked[key] = option
    if checked.get(CONF_RESUME_OPTION) and checked.get(CONF_RESUME_OPTION) == checked.get(
        CONF_PAUSE_OPTION
    ):
        errors[CONF_RESUME_OPTION] = "resume_is_pause"
    return checked


def _check_actions(
    hass: HomeAssistant, user_input: Mapping[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """Both actions must be registered; their data must be a mapping."""
    checked: dict[str, Any] = {}
    for key, data_key in (
        (CONF_PAUSE_ACTION, CONF_PAUSE_ACTION_DATA),
        (CONF_RESUME_ACTION, CONF_RESUME_ACTION_DATA),
    ):
        action = str(user_input.get(key) or "").strip()
        domain, _, service = action.partition(".")
        if not action:
            errors[key] = "action_required"
        elif not (domain and service and hass.services.has_service(domain, service)):
            errors[key] = "action_not_found"
        checked[key] = action
        data = user_input.get(data_key) or {}
        if not isinstance(data, dict):
            errors[data_key] = "action_data_not_a_mapping"
        checked[data_key] = dict(data) if isinstance(data, dict) else {}
    return checked


def validate_charger(
    hass: HomeAssistant, user_input: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the charger form; return the charger options, or the errors to show."""
    errors: dict[str, str] = {}
    entities = {key: _check_entity(hass, user_input, key, errors) for key in ENTITY_FIELDS}
    charger: dict[str, Any] = {
        CONF_POWER_KW: float(user_input.get(CONF_POWER_KW, DEFAULT_POWER_KW)),
        CONF_COMMAND_LATENCY: int(
            as_number(user_input.get(CONF_COMMAND_LATENCY)) or DEFAULT_COMMAND_LATENCY
        ),
    }
    settle = as_number(user_input.get(CONF_UNPLUG_SETTLE))
    if settle is None:
        settle = DEFAULT_UNPLUG_SETTLE.total_seconds()
    if not 0 <= settle <= MAX_UNPLUG_SETTLE:
        errors[CONF_UNPLUG_SETTLE] = "unplug_settle_out_of_range"
    charger[CONF_UNPLUG_SETTLE] = int(settle)
    for key in (CONF_CHARGER_DEVICE, CONF_PROFILE):
        if value := user_input.get(key):
            charger[key] = value
    if asset_model := str(user_input.get(CONF_ASSET_MODEL) or "").strip():
        charger[CONF_ASSET_MODEL] = asset_model
    plug = entities[CONF_PLUG_ENTITY]
    if plug is None:
        errors.setdefault(CONF_PLUG_ENTITY, "plug_entity_required")
    else:
        charger[CONF_PLUG_ENTITY] = plug
        charger |= _check_states(hass, plug, user_input, errors)
    kind = ControlKind(user_input.get(CONF_CONTROL_KIND, ControlKind.SWITCH))
    charger[CONF_CONTROL_KIND] = kind.value
    if kind is ControlKind.ACTIONS:
        charger |= _check_actions(hass, user_input, errors)
    else:
        key = KIND_ENTITY[kind]
        if entities[key] is None:
            errors.setdefault(key, "control_entity_required")
        if kind is ControlKind.SELECT and entities[key] is not None:
            charger |= _check_select(hass, str(entities[key]), user_input, errors)
    for field in (KIND_ENTITY.get(kind), CONF_CURRENT_ENTITY):
        if field is not None and entities[field] is not None:
            charger[field] = entities[field]
    pause_current = as_number(user_input.get(CONF_PAUSE_CURRENT))
    if pause_current is not None:
        current = entities[CONF_CURRENT_ENTITY]
        limits = number_range(hass.states.get(current)) if current else None
        if kind is not ControlKind.CURRENT:
            errors[CONF_PAUSE_CURRENT] = "pause_current_needs_current_kind"
        elif limits is not None and not limits[0] <= pause_current <= limits[1]:
            errors[CONF_PAUSE_CURRENT] = "pause_current_out_of_range"
        charger[CONF_PAUSE_CURRENT] = pause_current
    return charger, errors
